// Value kinds for settings: how a value written as a string (environment variable, or a string in
// the JSON file) becomes a typed value, the schema that validates it, and how the README names it.
import { z } from 'zod';

export interface Kind<T> {
  /** validates a value after string coercion */
  readonly schema: z.ZodType<T>;
  /** turns a string (from the environment or a quoted JSON value) into the raw value */
  readonly fromString: (raw: string) => unknown;
  /** short type name for the configuration reference */
  readonly typeName: string;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

function boolFromString(raw: string): unknown {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return raw;
}

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
      return raw; // reported by the schema as "expected array"
    }
  }
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function jsonFromString(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const identity = (raw: string): unknown => raw;

export const kinds = {
  string: (): Kind<string> => ({ schema: z.string(), fromString: identity, typeName: 'string' }),
  secret: (): Kind<string> => ({ schema: z.string(), fromString: identity, typeName: 'secret' }),
  url: (): Kind<string> => ({
    schema: z.string().refine((s) => URL.canParse(s), { message: 'must be an absolute URL' }),
    fromString: (raw) => raw.trim(),
    typeName: 'URL',
  }),
  bool: (): Kind<boolean> => ({ schema: z.boolean(), fromString: boolFromString, typeName: 'boolean' }),
  int: (min = 0, max = Number.MAX_SAFE_INTEGER): Kind<number> => ({
    schema: z.number().int().min(min).max(max),
    fromString: numberFromString,
    typeName: 'integer',
  }),
  seconds: (min = 1): Kind<number> => ({
    schema: z.number().int().min(min),
    fromString: numberFromString,
    typeName: 'seconds',
  }),
  number: (min = 0): Kind<number> => ({
    schema: z.number().min(min),
    fromString: numberFromString,
    typeName: 'number',
  }),
  list: (): Kind<string[]> => ({
    schema: z.array(z.string()),
    fromString: listFromString,
    typeName: 'list',
  }),
  secretList: (): Kind<string[]> => ({
    schema: z.array(z.string()),
    fromString: listFromString,
    typeName: 'secret list',
  }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, caseInsensitive = true): Kind<T[number]> => ({
    schema: z.enum(values),
    fromString: (raw) => {
      const v = raw.trim();
      if (!caseInsensitive) return v;
      return values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? v;
    },
    typeName: values.join(' \\| '),
  }),
  json: <T>(schema: z.ZodType<T>, typeName = 'JSON'): Kind<T> => ({ schema, fromString: jsonFromString, typeName }),
  /** an absolute URL, or a word that switches the feature off (`off`, `false`, `none`, empty) */
  urlOrOff: (): Kind<string> => ({
    schema: z.string().refine((s) => OFF_WORDS.has(s.toLowerCase()) || URL.canParse(s), { message: 'must be an absolute URL or `off`' }),
    fromString: (raw) => raw.trim(),
    typeName: 'URL \\| `off`',
  }),
};

/** Values of a `urlOrOff` setting that mean "off". */
export const OFF_WORDS: ReadonlySet<string> = new Set(['', 'off', 'false', 'none', 'no']);
