// Schema problems in the bridge's own words. zod's default texts ("Invalid input: expected array,
// received string", "Unrecognized key: …") are replaced, for every schema parsed with
// `inWords`, by sentences that say what is expected, what was given, and for an unknown key
// the nearest known one. Known keys come from the schema itself, so a key added to a schema is
// known here at once. A message written into a schema (`{ error: '…' }`) still wins.
import { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

/** What a JSON value is, in words: `a string`, `a list`, … */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return value === '' ? 'an empty string' : 'a string';
    case 'number': return 'a number';
    case 'boolean': return `${value}`;
    case 'object': return 'an object';
    default: return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list (JSON array)',
  object: 'an object',
  record: 'an object',
  tuple: 'a list (JSON array)',
};

/** Optimal string alignment distance (edits, with a swap of neighbours counting as one). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `word` (case and `-`/`_` ignored), when it is close enough to be a slip. */
export function nearest(word: string, known: Iterable<string>): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/-/g, '_');
  const w = norm(word);
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(w, norm(name));
    if (!best || d < best.d) best = { name, d };
  }
  if (!best) return undefined;
  // a slip: one edit in a word of 4 or more characters, one more per 4 characters beyond that
  const allowed = w.length < 4 ? 0 : Math.max(1, Math.floor(w.length / 4));
  return best.d <= allowed ? best.name : undefined;
}

/** `did you mean `x`?` when a known name is close, else ''. */
export function suggestion(word: string, known: Iterable<string>): string {
  const near = nearest(word, known);
  return near && near !== word ? ` (did you mean \`${near}\`?)` : '';
}

/** The keys an object schema knows (empty for anything else). */
function shapeKeys(schema: unknown): string[] {
  const def = (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.shape ? Object.keys(def.shape) : [];
}

function unknownKeys(keys: readonly string[], known: readonly string[]): string {
  const each = keys.map((k) => `\`${k}\`${suggestion(k, known)}`);
  return `unknown key${keys.length === 1 ? '' : 's'} ${each.join(', ')}`;
}

function expectedOf(issue: { expected?: unknown }): string {
  const expected = String(issue.expected ?? '');
  return EXPECTED[expected] ?? expected;
}

/** The alternatives of a union, each in words, when every one failed on the value's type. */
function unionWords(issue: RawIssue & { errors?: z.core.$ZodIssue[][] }): string | undefined {
  const alternatives = (issue.errors ?? []).map((errs) => errs[0]);
  if (!alternatives.length || alternatives.some((e) => e?.code !== 'invalid_type' || e.path.length)) return undefined;
  const words = [...new Set(alternatives.map((e) => expectedOf(e as { expected?: unknown })))];
  return `must be ${words.join(' or ')}, not ${describeValue(issue.input)}`;
}

/** zod error map: the bridge's sentence for an issue, or undefined for zod's own. */
export function bridgeWords(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (${expectedOf(issue)})`;
      return `must be ${expectedOf(issue)}, not ${describeValue(issue.input)}`;
    case 'unrecognized_keys':
      return unknownKeys(issue.keys, shapeKeys(issue.inst));
    case 'invalid_value': {
      const values = issue.values.map((v) => `\`${String(v)}\``);
      const given = typeof issue.input === 'string' && issue.input.length <= 40 ? `, not \`${issue.input}\`` : `, not ${describeValue(issue.input)}`;
      return values.length === 1 ? `must be ${values[0]}${given}` : `must be one of ${values.join(', ')}${given}`;
    }
    case 'invalid_union':
      return unionWords(issue);
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array') return `must hold at least ${issue.minimum} entr${Number(issue.minimum) === 1 ? 'y' : 'ies'}`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `must hold at most ${issue.maximum} entries`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return `must be at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

/** A problem's location: `clients[1].redirect_uris[0]`. */
export function pathText(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), base);
}

/** Parses with the bridge's words; answers the data, or one line per problem under `base`. */
export function parseInWords<T>(schema: z.ZodType<T>, value: unknown, base: string):
  { ok: true; data: T } | { ok: false; problems: string[] } {
  const parsed = schema.safeParse(value, { error: bridgeWords });
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${pathText(base, issue.path)}: ${issue.message}`) };
}
