// compileClaims: preset + overrides -> a validated, precompiled mapping. Every problem is collected
// (one line each, naming the claim) and thrown together in a ClaimsConfigError.
import { AttributeReader, PROTOCOL_ATTRIBUTES } from './attributes.js';
import { ClaimMappingError, ClaimsConfigError } from './errors.js';
import {
  ADDRESS_CLAIM,
  ARRAY_CLAIMS,
  BOOLEAN_CLAIMS,
  CLAIM_NAME,
  LOGIN_CLAIMS,
  NUMBER_CLAIMS,
  RESERVED_CLAIMS,
  SCOPE_TOKEN,
  STANDARD_SCOPES,
  STRING_CLAIMS,
  VERIFIED_COMPANION,
} from './oidc.js';
import { PRESETS, type Preset } from './presets.js';
import { checkKeys, isObject, isStringArray, Problems, setOwn, show, type JsonObject } from './problems.js';
import { compileSource, SOURCE_KEYS, type CompiledSource } from './sources.js';
import { compileTransform, type Cardinality, type CompiledTransform } from './transforms.js';
import { subjectProblem } from '../cas/bounds.js';
import type { CasAttributes, ClaimTrace, ClaimsSetting, CompiledClaims, MappedClaims } from './types.js';

/** The JSON type a claim must have. 'free' (custom claims): a string, or an array when multi-valued. */
type Shape = 'string' | 'boolean' | 'number' | 'address' | 'array' | 'free';

function shapeOf(claim: string): Shape {
  if (STRING_CLAIMS.has(claim)) return 'string';
  if (BOOLEAN_CLAIMS.has(claim)) return 'boolean';
  if (NUMBER_CLAIMS.has(claim)) return 'number';
  if (claim === ADDRESS_CLAIM) return 'address';
  if (ARRAY_CLAIMS.has(claim)) return 'array';
  return 'free';
}

/** One source with its transforms; a claim has one, plus one per fallback. */
interface Alternative {
  readonly source: CompiledSource;
  readonly transforms: CompiledTransform[];
  readonly cardinality: Cardinality;
  /** the *_verified value when this alternative produced email / phone_number */
  readonly verified: boolean;
  readonly explicitVerified: boolean;
  readonly description: string;
}

type ClaimRule =
  | { type: 'pipeline'; name: string; shape: Shape; multi: boolean; alternatives: Alternative[] }
  | { type: 'allAttributes'; name: string; description: string; pick: (r: AttributeReader) => CasAttributes | undefined }
  | { type: 'verified'; name: string; of: string };

const DEFINITION_KEYS = [...SOURCE_KEYS, 'transforms', 'verified', 'fallback'];

// ---- compiling one claim ---------------------------------------------------------------------

/** `single`: the claim must be single-valued, so the string shorthand takes the first value. */
function compileAlternatives(def: unknown, path: string, single: boolean, problems: Problems, out: Alternative[]): void {
  const report = (m: string): void => problems.add(path, m);
  if (typeof def === 'string') {
    const source = compileSource(def, report);
    const first = single && source?.cardinality === 'multi' ? compileTransform('first', report) : undefined;
    if (source) out.push(alternative(source, first ? [first] : [], undefined));
    return;
  }
  if (!isObject(def)) {
    report(`a claim definition is a string or an object, got ${show(def)}`);
    return;
  }
  if ('allAttributes' in def) {
    report('"allAttributes" cannot be combined with other sources or used as a fallback');
    return;
  }
  checkKeys(def, DEFINITION_KEYS, path, problems);
  const source = compileSource(def, report);

  const transforms: CompiledTransform[] = [];
  let transformsOk = true;
  const specs = def['transforms'];
  if (specs !== undefined && !Array.isArray(specs)) {
    report(`"transforms" must be a list, got ${show(specs)}`);
    transformsOk = false;
  } else {
    for (const spec of specs ?? []) {
      const t = compileTransform(spec, report);
      if (t) transforms.push(t);
      else transformsOk = false;
    }
  }

  const verified = def['verified'];
  if (verified !== undefined && typeof verified !== 'boolean') report(`"verified" must be true or false, got ${show(verified)}`);

  if (source && transformsOk) out.push(alternative(source, transforms, typeof verified === 'boolean' ? verified : undefined));
  if (def['fallback'] !== undefined) compileAlternatives(def['fallback'], `${path}.fallback`, single, problems, out);
}

function alternative(source: CompiledSource, transforms: CompiledTransform[], verified: boolean | undefined): Alternative {
  const cardinality = transforms.reduce<Cardinality>((c, t) => t.cardinality(c), source.cardinality);
  const steps = [source.description, ...transforms.map((t) => t.description)];
  return {
    source,
    transforms,
    cardinality,
    verified: verified ?? source.defaultVerified,
    explicitVerified: verified !== undefined,
    description: steps.join(' -> '),
  };
}

const SHAPE_WORD: Record<Exclude<Shape, 'array' | 'free'>, string> = {
  string: 'a single string',
  boolean: 'a boolean',
  number: 'a number',
  address: 'a single address',
};

function compileClaim(name: string, def: unknown, problems: Problems, path: string): ClaimRule | undefined {
  const shape = shapeOf(name);
  if (isObject(def) && 'allAttributes' in def) return compileAllAttributes(name, def, shape, problems, path);

  const before = problems.lines.length;
  const alternatives: Alternative[] = [];
  compileAlternatives(def, path, shape !== 'array' && shape !== 'free', problems, alternatives);
  if (problems.lines.length > before) return undefined;

  let ok = true;
  for (const alt of alternatives) {
    if (alt.explicitVerified && !VERIFIED_COMPANION.has(name)) {
      problems.add(path, `"verified" only applies to ${[...VERIFIED_COMPANION.keys()].join(' and ')}`);
      ok = false;
    }
    if (shape !== 'array' && shape !== 'free' && alt.cardinality === 'multi') {
      problems.add(
        path,
        `${alt.source.description} may have several values but ${name} is ${SHAPE_WORD[shape]}: add a "first" or "join" transform`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  const multi = shape === 'array' || (shape === 'free' && alternatives.some((a) => a.cardinality === 'multi'));
  return { type: 'pipeline', name, shape, multi, alternatives };
}

function compileAllAttributes(name: string, def: JsonObject, shape: Shape, problems: Problems, path: string): ClaimRule | undefined {
  const report = (m: string): void => problems.add(path, m);
  const before = problems.lines.length;
  if (shape !== 'free') report(`"allAttributes" gives an object but ${name} must be ${shape === 'array' ? 'an array' : SHAPE_WORD[shape]}`);
  if (Object.keys(def).length !== 1) report('"allAttributes" takes no other keys (no transforms, verified or fallback)');
  const spec = def['allAttributes'];
  let only: Set<string> | undefined;
  let except = new Set<string>();
  let includeProtocol = false;
  if (isObject(spec)) {
    checkKeys(spec, ['only', 'except', 'includeProtocol'], path, problems);
    const lower = (key: string): Set<string> | undefined => {
      const v = spec[key];
      if (v === undefined) return undefined;
      if (!isStringArray(v)) {
        report(`"allAttributes.${key}" must be a list of attribute names, got ${show(v)}`);
        return undefined;
      }
      return new Set(v.map((s) => s.toLowerCase()));
    };
    only = lower('only');
    except = lower('except') ?? except;
    const ip = spec['includeProtocol'];
    if (ip !== undefined && typeof ip !== 'boolean') report(`"allAttributes.includeProtocol" must be true or false, got ${show(ip)}`);
    includeProtocol = ip === true;
  } else if (spec !== true) {
    report(`"allAttributes" must be true or an object, got ${show(spec)}`);
  }
  if (problems.lines.length > before) return undefined;

  const protocol = new Set(PROTOCOL_ATTRIBUTES.map((a) => a.toLowerCase()));
  const wanted = (attr: string): boolean => {
    const a = attr.toLowerCase();
    if (only) return only.has(a) && !except.has(a); // naming a protocol attribute in `only` releases it
    return !except.has(a) && (includeProtocol || !protocol.has(a));
  };
  const parts = [only ? `attributes ${[...only].map(show).join(', ')}` : 'all CAS attributes'];
  if (except.size > 0) parts.push(`except ${[...except].map(show).join(', ')}`);
  if (!only && !includeProtocol) parts.push('without the CAS protocol attributes');
  return {
    type: 'allAttributes',
    name,
    description: `${parts.join(' ')} (object of lists)`,
    pick: (reader) => {
      const out: CasAttributes = {};
      for (const [attr, values] of Object.entries(reader.attributes)) {
        if (!wanted(attr) || !Array.isArray(values)) continue;
        const kept = values.filter((v) => typeof v === 'string' && v !== '');
        if (kept.length > 0) setOwn(out, attr, kept);
      }
      return Object.keys(out).length > 0 ? out : undefined;
    },
  };
}

// ---- runtime ---------------------------------------------------------------------------------

function run(alternatives: Alternative[], reader: AttributeReader): { values: string[]; alt: Alternative } | undefined {
  for (const alt of alternatives) {
    let values = alt.source.read(reader);
    for (const t of alt.transforms) {
      if (values.length === 0) break;
      values = t.apply(values);
    }
    values = values.filter((v) => v !== ''); // an empty claim is worse than an absent one
    if (values.length > 0) return { values, alt };
  }
  return undefined;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function toBoolean(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{2}(?:\d{2})?)$/;

/** Seconds since the epoch, from a number, an ISO 8601 date or an LDAP GeneralizedTime (modifyTimestamp). */
function toSeconds(v: string): number | undefined {
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const g = GENERALIZED_TIME.exec(s);
  const iso = g
    ? `${g[1]}-${g[2]}-${g[3]}T${g[4]}:${g[5] ?? '00'}:${g[6] ?? '00'}${g[7] === 'Z' ? 'Z' : `${g[7]?.slice(0, 3)}:${g[7]?.slice(3) || '00'}`}`
    : s;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function shape(rule: Extract<ClaimRule, { type: 'pipeline' }>, values: string[]): unknown {
  const one = values[0] ?? '';
  switch (rule.shape) {
    case 'string':
      return one;
    case 'boolean':
      return toBoolean(one);
    case 'number':
      return toSeconds(one);
    case 'address':
      return { formatted: one };
    case 'array':
      return values;
    case 'free':
      return rule.multi ? values : one;
  }
}

// ---- the whole setting -----------------------------------------------------------------------

export function compileClaims(setting: ClaimsSetting | undefined): CompiledClaims {
  const problems = new Problems();
  const raw: unknown = setting ?? {};
  const root: JsonObject = isObject(raw) ? raw : {};
  if (!isObject(raw)) problems.add('claims', `must be an object, got ${show(raw)}`);
  checkKeys(root, ['preset', 'claims', 'scopes'], 'claims', problems);

  const presetName = root['preset'] ?? 'default';
  let preset: Preset | undefined = typeof presetName === 'string' && Object.hasOwn(PRESETS, presetName) ? PRESETS[presetName] : undefined;
  if (!preset) {
    problems.add('claims.preset', `unknown preset ${show(presetName)} (known: ${Object.keys(PRESETS).join(', ')})`);
    preset = PRESETS['default'] as Preset; // keep checking the overrides against something sensible
  }

  // Preset claims, then the overrides in place (a Map keeps the preset's order), null removing one.
  const merged = new Map<string, unknown>(Object.entries(preset.claims));
  const removed = new Set<string>();
  const overrides = root['claims'];
  if (overrides !== undefined && !isObject(overrides)) problems.add('claims.claims', `must be an object, got ${show(overrides)}`);
  for (const [name, def] of Object.entries(isObject(overrides) ? overrides : {})) {
    if (def === null) {
      merged.delete(name);
      removed.add(name);
    } else {
      merged.set(name, def);
    }
  }
  if (removed.has('sub') || !merged.has('sub')) problems.add('claims.sub', 'cannot be removed: every login needs a subject');

  const rules: ClaimRule[] = [];
  for (const [name, def] of merged) {
    const path = `claims.${name}`;
    if (!CLAIM_NAME.test(name)) {
      problems.add(path, 'a claim name is printable ASCII without spaces or quotes');
      continue;
    }
    if (RESERVED_CLAIMS.has(name)) {
      problems.add(path, 'is set by the provider and cannot be mapped');
      continue;
    }
    const rule = compileClaim(name, def, problems, path);
    if (!rule) continue;
    rules.push(rule);

    // email -> email_verified from whichever source produced email, unless mapped (or removed) explicitly.
    const companion = VERIFIED_COMPANION.get(name);
    if (companion === undefined || rule.type !== 'pipeline') continue;
    if (merged.has(companion) || removed.has(companion)) {
      if (rule.alternatives.some((a) => a.explicitVerified)) {
        problems.add(path, `"verified" has no effect because ${companion} is ${removed.has(companion) ? 'removed' : 'mapped explicitly'}`);
      }
    } else {
      rules.push({ type: 'verified', name: companion, of: name });
    }
  }

  const claimNames = rules.map((r) => r.name);
  const scopes = buildScopes(new Set(claimNames), preset, root['scopes'], problems);
  if (!problems.empty) throw new ClaimsConfigError(problems.lines);
  return new Mapping(rules, claimNames, scopes);
}

function buildScopes(produced: Set<string>, preset: Preset, configured: unknown, problems: Problems): Record<string, string[]> {
  const scopes: Record<string, string[]> = {};
  // Standard and preset scopes only list claims the mapping produces, so discovery advertises no
  // claim that never comes; a scope left empty is dropped.
  for (const [scope, claims] of [...Object.entries(STANDARD_SCOPES), ...Object.entries(preset.scopes)]) {
    const kept = claims.filter((c) => produced.has(c) && !LOGIN_CLAIMS.has(c));
    if (scope === 'openid' || kept.length > 0) scopes[scope] = kept;
  }
  if (configured === undefined) return scopes;
  if (!isObject(configured)) {
    problems.add('claims.scopes', `must be an object, got ${show(configured)}`);
    return scopes;
  }
  for (const [scope, claims] of Object.entries(configured)) {
    const path = `claims.scopes.${scope}`;
    if (!SCOPE_TOKEN.test(scope)) problems.add(path, 'a scope name is printable ASCII without spaces, quotes or backslashes');
    if (scope === 'openid') {
      problems.add(path, 'the openid scope always releases exactly sub and cannot be changed');
      continue;
    }
    if (claims === null) {
      delete scopes[scope];
      continue;
    }
    if (!isStringArray(claims) || claims.length === 0) {
      problems.add(path, `must be a non-empty list of claim names (null removes the scope), got ${show(claims)}`);
      continue;
    }
    for (const c of claims) {
      if (LOGIN_CLAIMS.has(c)) problems.add(path, `${c} goes on the ID token from the login; it cannot be released by a scope`);
      else if (!produced.has(c)) problems.add(path, `claim ${show(c)} is not produced by the mapping`);
    }
    setOwn(scopes, scope, [...new Set(claims)]);
  }
  return scopes;
}

class Mapping implements CompiledClaims {
  readonly claimNames: string[];
  readonly scopes: Record<string, string[]>;
  private readonly rules: ClaimRule[];

  constructor(rules: ClaimRule[], claimNames: string[], scopes: Record<string, string[]>) {
    this.rules = rules;
    this.claimNames = claimNames;
    this.scopes = scopes;
  }

  map(user: string, attributes: CasAttributes): MappedClaims {
    const claims: Record<string, unknown> = {};
    for (const step of this.#evaluate(user, attributes)) if (step.value !== undefined) setOwn(claims, step.rule.name, step.value);

    const sub = claims['sub'];
    if (typeof sub !== 'string' || sub === '') {
      const rule = this.rules.find((r) => r.name === 'sub');
      const how = rule?.type === 'pipeline' ? rule.alternatives.map((a) => a.description).join('; else ') : 'sub';
      throw new ClaimMappingError('sub', `the CAS login gave no value for the sub claim (${how})`);
    }
    // the same bounds as a CAS user (OpenID Connect Core 2: at most 255 characters)
    const problem = subjectProblem(sub);
    if (problem) throw new ClaimMappingError('sub', `the mapped sub claim ${problem}`);
    return { sub, claims };
  }

  explain(user: string, attributes: CasAttributes): ClaimTrace[] {
    return this.#evaluate(user, attributes).map(({ rule, value, how }) => ({
      name: rule.name,
      value,
      how,
      scopes: Object.entries(this.scopes).filter(([, claims]) => claims.includes(rule.name)).map(([scope]) => scope),
    }));
  }

  /** Every rule in order with its value for this login and what produced it (or what was tried). */
  #evaluate(user: string, attributes: CasAttributes): Array<{ rule: ClaimRule; value: unknown; how: string }> {
    const reader = new AttributeReader(user, attributes);
    const producedBy = new Map<string, Alternative>();
    return this.rules.map((rule) => {
      if (rule.type === 'pipeline') {
        const result = run(rule.alternatives, reader);
        if (!result) return { rule, value: undefined, how: `no value from ${rule.alternatives.map((a) => a.description).join('; nor ')}` };
        producedBy.set(rule.name, result.alt);
        return { rule, value: shape(rule, result.values), how: result.alt.description };
      }
      if (rule.type === 'allAttributes') return { rule, value: rule.pick(reader), how: rule.description };
      const alt = producedBy.get(rule.of);
      return { rule, value: alt?.verified, how: alt ? `${rule.of} came from ${alt.source.description}` : `no ${rule.of}` };
    });
  }

  describe(): string[] {
    const released = (claim: string): string => {
      const s = Object.entries(this.scopes)
        .filter(([, claims]) => claims.includes(claim))
        .map(([scope]) => scope);
      if (s.length > 0) return `scope ${s.join(', ')}`;
      return LOGIN_CLAIMS.has(claim) ? 'ID token, from the login' : 'no scope releases it';
    };
    return this.rules.map((rule) => {
      const head = `${rule.name} [${released(rule.name)}]`;
      if (rule.type === 'allAttributes') return `${head}: ${rule.description}`;
      if (rule.type === 'verified') {
        const base = this.rules.find((r) => r.name === rule.of);
        const alts = base?.type === 'pipeline' ? base.alternatives : [];
        const cases = alts.map((a) => `${a.verified} when ${rule.of} comes from ${a.source.description}`);
        return `${head}: ${cases.join('; ')} (boolean)`;
      }
      const type =
        rule.shape === 'free' ? (rule.multi ? 'array' : 'string') : rule.shape === 'address' ? 'object {formatted}' : rule.shape;
      const verified = VERIFIED_COMPANION.has(rule.name);
      const alts = rule.alternatives.map((a) => (verified ? `${a.description} (${a.verified ? 'verified' : 'unverified'})` : a.description));
      return `${head}: ${alts.join('; else ')} (${type}${rule.name === 'sub' ? ', required' : ''})`;
    });
  }
}
