// Transforms: each one maps the list of values a source gave to a new list. Values are always
// handled as lists so that one pipeline serves single- and multi-valued attributes; whether the
// claim ends up single-valued is decided statically from the transforms (see `cardinality`).
import { romanizeName, type PinyinPart } from './pinyin.js';
import { splitName, type NamePart } from './names.js';
import { captureGroups, compileRegex, showRegex } from './regex.js';
import { isObject, show, type JsonObject } from './problems.js';

/** 'single': at most one value at runtime; 'multi': possibly several. */
export type Cardinality = 'single' | 'multi';

export interface CompiledTransform {
  readonly description: string;
  cardinality(before: Cardinality): Cardinality;
  apply(values: string[]): string[];
}

const keep = (before: Cardinality): Cardinality => before;

const SIMPLE: Record<string, CompiledTransform> = {
  first: { description: 'first', cardinality: () => 'single', apply: (v) => v.slice(0, 1) },
  all: { description: 'all values', cardinality: () => 'multi', apply: (v) => v },
  lowercase: { description: 'lowercase', cardinality: keep, apply: (v) => v.map((s) => s.toLowerCase()) },
  uppercase: { description: 'uppercase', cardinality: keep, apply: (v) => v.map((s) => s.toUpperCase()) },
  trim: { description: 'trim', cardinality: keep, apply: (v) => v.map((s) => s.trim()) },
};

const WITH_ARGUMENT = ['join', 'regex', 'map', 'splitName', 'pinyin'] as const;
type ArgTransform = (typeof WITH_ARGUMENT)[number];

export const TRANSFORM_NAMES: readonly string[] = [...Object.keys(SIMPLE), ...WITH_ARGUMENT];

/** Compiles one transform spec; reports (without a path: the caller adds it) and returns undefined if bad. */
export function compileTransform(spec: unknown, report: (message: string) => void): CompiledTransform | undefined {
  if (typeof spec === 'string') {
    const simple = Object.hasOwn(SIMPLE, spec) ? SIMPLE[spec] : undefined; // not "constructor" & co
    if (simple) return simple;
    if ((WITH_ARGUMENT as readonly string[]).includes(spec)) {
      report(`transform "${spec}" needs an argument, e.g. ${EXAMPLES[spec as ArgTransform]}`);
    } else {
      report(`unknown transform ${show(spec)} (known: ${TRANSFORM_NAMES.join(', ')})`);
    }
    return undefined;
  }
  if (!isObject(spec)) {
    report(`a transform is a name or an object, got ${show(spec)}`);
    return undefined;
  }
  const kinds = WITH_ARGUMENT.filter((k) => k in spec);
  if (kinds.length !== 1) {
    const what = kinds.length === 0 ? show(Object.keys(spec)[0] ?? '{}') : kinds.map((k) => `"${k}"`).join(' and ');
    report(
      kinds.length === 0
        ? `unknown transform ${what} (known: ${TRANSFORM_NAMES.join(', ')})`
        : `one transform per object, got ${what}`,
    );
    return undefined;
  }
  const kind = kinds[0] as ArgTransform;
  const local = (m: string): void => report(`transform "${kind}": ${m}`);
  switch (kind) {
    case 'join':
      return compileJoin(spec, local);
    case 'regex':
      return compileRegexTransform(spec, local);
    case 'map':
      return compileMap(spec, local);
    case 'splitName':
      return compileSplitName(spec, local);
    case 'pinyin':
      return compilePinyin(spec, local);
  }
}

const EXAMPLES: Record<ArgTransform, string> = {
  join: '{"join": ", "}',
  regex: '{"regex": "^cn=([^,]+)", "flags": "i"}',
  map: '{"map": {"staff": "employee"}, "default": "member"}',
  splitName: '{"splitName": "given"}',
  pinyin: '{"pinyin": "family"}',
};

function keysOk(spec: JsonObject, allowed: string[], report: (m: string) => void): boolean {
  let ok = true;
  for (const key of Object.keys(spec)) {
    if (!allowed.includes(key)) {
      report(`unknown key ${show(key)} (expected: ${allowed.join(', ')})`);
      ok = false;
    }
  }
  return ok;
}

function compileJoin(spec: JsonObject, report: (m: string) => void): CompiledTransform | undefined {
  const sep = spec['join'];
  const ok = keysOk(spec, ['join'], report);
  if (typeof sep !== 'string') {
    report(`the separator must be a string, got ${show(sep)}`);
    return undefined;
  }
  if (!ok) return undefined;
  return {
    description: `join with ${show(sep)}`,
    cardinality: () => 'single',
    apply: (v) => (v.length === 0 ? [] : [v.join(sep)]),
  };
}

function compileRegexTransform(spec: JsonObject, report: (m: string) => void): CompiledTransform | undefined {
  const ok = keysOk(spec, ['regex', 'flags', 'group'], report);
  const compiled = compileRegex(spec['regex'], spec['flags']);
  if (!compiled.ok) {
    report(compiled.message);
    return undefined;
  }
  const re = compiled.re;
  const { count, names } = captureGroups(re);
  const group = spec['group'] ?? (count > 0 ? 1 : 0);
  if (typeof group === 'number') {
    if (!Number.isInteger(group) || group < 0 || group > count) {
      report(`group ${group} does not exist in ${showRegex(re)} (it has ${count} capture group${count === 1 ? '' : 's'})`);
      return undefined;
    }
  } else if (typeof group !== 'string' || !names.includes(group)) {
    report(`group ${show(group)} is not a named group of ${showRegex(re)}`);
    return undefined;
  }
  if (!ok) return undefined;
  const pick = (m: RegExpExecArray): string | undefined => (typeof group === 'number' ? m[group] : m.groups?.[group]);
  const which = group === 0 ? 'the match' : `group ${show(group)}`;
  return {
    description: `regex ${showRegex(re)} keeping ${which} (values that don't match are dropped)`,
    cardinality: keep,
    apply: (values) =>
      values.flatMap((v) => {
        const m = re.exec(v);
        const captured = m ? pick(m) : undefined;
        return captured === undefined ? [] : [captured];
      }),
  };
}

function compileMap(spec: JsonObject, report: (m: string) => void): CompiledTransform | undefined {
  const ok = keysOk(spec, ['map', 'default'], report);
  const table = spec['map'];
  const fallback = spec['default'];
  let good = ok;
  if (!isObject(table) || !Object.values(table).every((v) => typeof v === 'string')) {
    report(`"map" must be an object of strings, got ${show(table)}`);
    good = false;
  }
  if (fallback !== undefined && typeof fallback !== 'string') {
    report(`"default" must be a string, got ${show(fallback)}`);
    good = false;
  }
  if (!good || !isObject(table)) return undefined;
  // A Map, not the object: a value such as "constructor" must not find Object.prototype members.
  const lookup = new Map(Object.entries(table as Record<string, string>));
  const dflt = typeof fallback === 'string' ? fallback : undefined;
  return {
    description: `map ${show(table)}${dflt === undefined ? ' (others dropped)' : ` (others -> ${show(dflt)})`}`,
    cardinality: keep,
    apply: (values) =>
      values.flatMap((v) => {
        const mapped = lookup.get(v) ?? dflt;
        return mapped === undefined ? [] : [mapped];
      }),
  };
}

function compileSplitName(spec: JsonObject, report: (m: string) => void): CompiledTransform | undefined {
  const ok = keysOk(spec, ['splitName'], report);
  const part = spec['splitName'];
  if (part !== 'given' && part !== 'family') {
    report(`must be "given" or "family", got ${show(part)}`);
    return undefined;
  }
  if (!ok) return undefined;
  const p: NamePart = part;
  return {
    description: `${p} name of a full name`,
    cardinality: keep,
    apply: (values) =>
      values.flatMap((v) => {
        const r = splitName(v, p);
        return r === undefined ? [] : [r];
      }),
  };
}

function compilePinyin(spec: JsonObject, report: (m: string) => void): CompiledTransform | undefined {
  const ok = keysOk(spec, ['pinyin'], report);
  const part = spec['pinyin'];
  if (part !== 'given' && part !== 'family' && part !== 'full') {
    report(`must be "given", "family" or "full", got ${show(part)}`);
    return undefined;
  }
  if (!ok) return undefined;
  const p: PinyinPart = part;
  return {
    description: `pinyin of a Chinese ${p === 'full' ? 'full name' : `${p} name`}`,
    cardinality: keep,
    apply: (values) => values.map((v) => romanizeName(v, p)),
  };
}
