// Templates such as "{uid}@mail.example.edu". A placeholder names an attribute and takes its first
// value; {user} is the CAS user; {{ and }} are literal braces. A template with a missing attribute
// gives no value (so a fallback can apply) rather than "@mail.example.edu".
import type { AttributeReader } from './attributes.js';

type Part = { literal: string } | { placeholder: string };

export interface Template {
  readonly text: string;
  readonly placeholders: string[];
  render(reader: AttributeReader): string | undefined;
}

const NAME = /^[A-Za-z0-9_.:-]+$/;

export type TemplateResult = { ok: true; template: Template } | { ok: false; message: string };

export function parseTemplate(text: string): TemplateResult {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (c === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (c === '}') {
      return { ok: false, message: `template ${JSON.stringify(text)}: "}" at ${i} without "{" (write "}}" for a literal brace)` };
    } else if (c === '{') {
      const end = text.indexOf('}', i + 1);
      if (end < 0) return { ok: false, message: `template ${JSON.stringify(text)}: "{" at ${i} is never closed` };
      const name = text.slice(i + 1, end);
      if (!NAME.test(name)) {
        return {
          ok: false,
          message: `template ${JSON.stringify(text)}: bad placeholder {${name}} (an attribute name: letters, digits, _ . : -)`,
        };
      }
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ placeholder: name });
      i = end + 1;
    } else {
      literal += c;
      i += 1;
    }
  }
  if (literal) parts.push({ literal });

  const placeholders = parts.flatMap((p) => ('placeholder' in p ? [p.placeholder] : []));
  return {
    ok: true,
    template: {
      text,
      placeholders,
      render(reader) {
        let out = '';
        for (const p of parts) {
          if ('literal' in p) {
            out += p.literal;
            continue;
          }
          const value = p.placeholder === 'user' ? reader.user : reader.values(p.placeholder)[0];
          if (value === undefined || value === '') return undefined;
          out += value;
        }
        return out;
      },
    },
  };
}
