// Sources: where a claim's values come from. The CAS user and templates give one value; an
// attribute (or the first present of several) gives every value it has.
import type { AttributeReader } from './attributes.js';
import { parseTemplate } from './template.js';
import type { Cardinality } from './transforms.js';
import { isStringArray, show, type JsonObject } from './problems.js';

export const SOURCE_KEYS = ['user', 'attribute', 'firstOf', 'template'] as const;
export type SourceKind = (typeof SOURCE_KEYS)[number];

export interface CompiledSource {
  readonly kind: SourceKind;
  readonly description: string;
  readonly cardinality: Cardinality;
  /** *_verified when this source produced email/phone_number: directory data yes, a built template no */
  readonly defaultVerified: boolean;
  read(reader: AttributeReader): string[];
}

const ATTRIBUTE_NAME = /^\S+$/;

/** The source of a definition object (exactly one source key) or of a string shorthand. */
export function compileSource(def: JsonObject | string, report: (m: string) => void): CompiledSource | undefined {
  if (typeof def === 'string') {
    // Shorthand: a template if it has a placeholder, else an attribute name.
    return def.includes('{') || def.includes('}') ? templateSource(def, report) : attributeSource(def, report);
  }
  const present = SOURCE_KEYS.filter((k) => k in def);
  if (present.length !== 1) {
    report(
      present.length === 0
        ? `no source: give one of ${SOURCE_KEYS.map((k) => `"${k}"`).join(', ')}`
        : `several sources (${present.map((k) => `"${k}"`).join(', ')}): give exactly one, and use "fallback" for the next`,
    );
    return undefined;
  }
  const kind = present[0] as SourceKind;
  const value = def[kind];
  switch (kind) {
    case 'user':
      if (value !== true) {
        report(`"user" must be true, got ${show(value)}`);
        return undefined;
      }
      return USER;
    case 'attribute':
      if (typeof value !== 'string') {
        report(`"attribute" must be an attribute name, got ${show(value)}`);
        return undefined;
      }
      return attributeSource(value, report);
    case 'firstOf':
      return firstOfSource(value, report);
    case 'template':
      if (typeof value !== 'string') {
        report(`"template" must be a string, got ${show(value)}`);
        return undefined;
      }
      return templateSource(value, report);
  }
}

const USER: CompiledSource = {
  kind: 'user',
  description: 'CAS user',
  cardinality: 'single',
  defaultVerified: true,
  read: (reader) => (reader.user === '' ? [] : [reader.user]),
};

function attributeSource(name: string, report: (m: string) => void): CompiledSource | undefined {
  if (!ATTRIBUTE_NAME.test(name)) {
    report(`bad attribute name ${show(name)}`);
    return undefined;
  }
  return {
    kind: 'attribute',
    description: `attribute ${show(name)}`,
    cardinality: 'multi',
    defaultVerified: true,
    read: (reader) => reader.values(name),
  };
}

function firstOfSource(names: unknown, report: (m: string) => void): CompiledSource | undefined {
  if (!isStringArray(names) || names.length === 0) {
    report(`"firstOf" must be a non-empty list of attribute names, got ${show(names)}`);
    return undefined;
  }
  const bad = names.filter((n) => !ATTRIBUTE_NAME.test(n));
  if (bad.length > 0) {
    report(`bad attribute name ${bad.map(show).join(', ')}`);
    return undefined;
  }
  return {
    kind: 'firstOf',
    description: `first present of attributes ${names.map(show).join(', ')}`,
    cardinality: 'multi',
    defaultVerified: true,
    read: (reader) => {
      for (const n of names) {
        const v = reader.values(n);
        if (v.length > 0) return v;
      }
      return [];
    },
  };
}

function templateSource(text: string, report: (m: string) => void): CompiledSource | undefined {
  const parsed = parseTemplate(text);
  if (!parsed.ok) {
    report(parsed.message);
    return undefined;
  }
  const t = parsed.template;
  return {
    kind: 'template',
    description: `template ${show(text)}`,
    cardinality: 'single',
    defaultVerified: false,
    read: (reader) => {
      const v = t.render(reader);
      return v === undefined || v === '' ? [] : [v];
    },
  };
}
