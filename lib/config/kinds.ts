// Value kinds for settings: how a value written as a string (environment variable, or a string in
// the JSON file) becomes a typed value, the schema that validates it, and how the README names it.
import { z } from 'zod';

export interface Kind<T> {
  /** validates a value after string coercion */
  readonly schema: z.ZodType<T>;
  /** turns a string (from the environment or a quoted JSON value) into the raw value; throws KindError */
  readonly fromString: (raw: string) => unknown;
  /** turns another JSON value of the file into the raw value (default: as it is) */
  readonly fromJson?: (value: unknown) => unknown;
  /** short type name for the configuration reference */
  readonly typeName: string;
}

/** A string that cannot be read as the setting's kind (e.g. broken JSON); the message names no value. */
export class KindError extends Error {}

// One rule for booleans, in the file and in the environment alike: true/false, 1/0, yes/no, on/off
// (any case; in the file also as JSON true/false or the numbers 1/0). Empty means "not set".
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
const BOOL_WORDS = 'true or false (also accepted: 1/0, yes/no, on/off)';

function boolFromString(raw: string): unknown {
  const v = raw.trim().toLowerCase();
  if (v === '') return undefined;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return raw;
}

const boolFromJson = (value: unknown): unknown => (value === 1 ? true : value === 0 ? false : value);

/** http: or https: only (CAS and the bridge's own URLs; `ftp://…` parses as a URL too). */
const isHttpUrl = (s: string): boolean => {
  const protocol = URL.parse(s)?.protocol;
  return protocol === 'http:' || protocol === 'https:';
};

function numberFromString(raw: string): unknown {
  const v = raw.trim();
  if (v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : raw;
}

/** A JSON array, or a comma-separated list (the Python service accepted both). */
export function listFromString(raw: string): unknown {
  const v = raw.trim();
  if (v === '') return [];
  if (v.startsWith('[')) {
    try {
      return JSON.parse(v);
    } catch {
      throw new KindError('is not a valid JSON array (write a JSON array or a comma-separated list)');
    }
  }
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function jsonFromString(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // JSON.parse messages quote the text around the error, which may hold a secret
    throw new KindError('is not valid JSON');
  }
}

const identity = (raw: string): unknown => raw;

export const kinds = {
  string: (): Kind<string> => ({ schema: z.string({ error: 'must be a string' }), fromString: identity, typeName: 'string' }),
  secret: (): Kind<string> => ({ schema: z.string({ error: 'must be a string' }), fromString: identity, typeName: 'secret' }),
  url: (): Kind<string> => ({
    schema: z.string({ error: 'must be an absolute URL' }).refine((s) => URL.canParse(s), { message: 'must be an absolute URL' }),
    // an empty variable (`SERVICE_URL=` in a compose file) means "not set", as for numbers
    fromString: (raw) => raw.trim() || undefined,
    typeName: 'URL',
  }),
  /** an http:// or https:// URL */
  httpUrl: (): Kind<string> => ({
    schema: z.string({ error: 'must be an http:// or https:// URL' }).refine(isHttpUrl, { message: 'must be an http:// or https:// URL' }),
    fromString: (raw) => raw.trim() || undefined,
    typeName: 'URL',
  }),
  bool: (): Kind<boolean> => ({ schema: z.boolean({ error: `must be ${BOOL_WORDS}` }), fromString: boolFromString, fromJson: boolFromJson, typeName: 'boolean' }),
  int: (min = 0, max = Number.MAX_SAFE_INTEGER): Kind<number> => ({
    schema: z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }),
    fromString: numberFromString,
    typeName: 'integer',
  }),
  seconds: (min = 1): Kind<number> => ({
    schema: z.number({ error: 'must be a whole number of seconds' }).int({ error: 'must be a whole number of seconds' })
      .min(min, { error: `must be at least ${min} second${min === 1 ? '' : 's'}` }),
    fromString: numberFromString,
    typeName: 'seconds',
  }),
  number: (min = 0): Kind<number> => ({
    schema: z.number({ error: 'must be a number' }).min(min, { error: `must be at least ${min}` }),
    fromString: numberFromString,
    typeName: 'number',
  }),
  list: (): Kind<string[]> => ({
    schema: z.array(z.string({ error: 'must be a list of strings' }), { error: 'must be a JSON array or a comma-separated list' }),
    fromString: listFromString,
    typeName: 'list',
  }),
  secretList: (): Kind<string[]> => ({
    schema: z.array(z.string({ error: 'must be a list of strings' }), { error: 'must be a JSON array or a comma-separated list' }),
    fromString: listFromString,
    typeName: 'secret list',
  }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, caseInsensitive = true): Kind<T[number]> => ({
    schema: z.enum(values, { error: `must be one of ${values.join(', ')}` }),
    fromString: (raw) => {
      const v = raw.trim();
      if (!caseInsensitive) return v;
      return values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? v;
    },
    typeName: values.join(' \\| '),
  }),
  /** a whole number ≥ 1, or `auto` (resolved later, e.g. to the CPU count) */
  countOrAuto: (max: number): Kind<number | 'auto'> => ({
    schema: z.union([
      z.literal('auto'),
      z.number({ error: 'must be a whole number or auto' }).int({ error: 'must be a whole number or auto' })
        .min(1, { error: 'must be at least 1' }).max(max, { error: `must be at most ${max}` }),
    ], { error: 'must be a whole number or auto' }),
    fromString: (raw) => (raw.trim().toLowerCase() === 'auto' ? 'auto' : numberFromString(raw)),
    typeName: 'integer \\| `auto`',
  }),
  json: <T>(schema: z.ZodType<T>, typeName = 'JSON'): Kind<T> => ({ schema, fromString: jsonFromString, typeName }),
  /** an absolute URL, or a word that switches the feature off (`off`, `false`, `none`, empty) */
  urlOrOff: (): Kind<string> => ({
    schema: z.string({ error: 'must be an http:// or https:// URL, or `off`' })
      .refine((s) => OFF_WORDS.has(s.toLowerCase()) || isHttpUrl(s), { message: 'must be an http:// or https:// URL, or `off`' }),
    fromString: (raw) => raw.trim(),
    typeName: 'URL \\| `off`',
  }),
};

/** Values of a `urlOrOff` setting that mean "off". */
export const OFF_WORDS: ReadonlySet<string> = new Set(['', 'off', 'false', 'none', 'no']);
