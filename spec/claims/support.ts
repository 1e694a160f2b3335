// Test helper: CasAttributes from real CAS responses, parsed here with fast-xml-parser because the
// project's own CAS parser is written elsewhere. Options as in the platform notes (entities decoded,
// tag values kept as strings).
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { CasAttributes } from '../../lib/cas/types.js';

export interface CasLogin {
  user: string;
  attributes: CasAttributes;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
});

function text(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && node !== null && '#text' in node) return String((node as { '#text': unknown })['#text']);
  return '';
}

/** user and attributes of a cas:authenticationSuccess (every attribute value as a list). */
export function parseCasSuccess(xml: string): CasLogin {
  const doc = parser.parse(xml) as { serviceResponse?: { authenticationSuccess?: Record<string, unknown> } };
  const success = doc.serviceResponse?.authenticationSuccess;
  if (!success) throw new Error('not a CAS authenticationSuccess response');
  const raw = success['attributes'];
  const attributes: CasAttributes = {};
  if (typeof raw === 'object' && raw !== null) {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      attributes[name] = (Array.isArray(value) ? value : [value]).map(text);
    }
  }
  return { user: text(success['user']), attributes };
}

export function fixtureXml(name: string): string {
  return readFileSync(new URL(`../fixtures/cas/${name}`, import.meta.url), 'utf8');
}

export function fixture(name: string): CasLogin {
  return parseCasSuccess(fixtureXml(name));
}

export const alice = (): CasLogin => fixture('p3-serviceValidate-success-alice.xml');
export const bob = (): CasLogin => fixture('p3-serviceValidate-success-bob.xml');
export const carol = (): CasLogin => fixture('p3-serviceValidate-success-carol-no-attributes.xml');

/**
 * A real response with some attribute elements replaced (synthetic values, real shape): each
 * replacement's values become repeated <cas:name> elements inside <cas:attributes>, XML-escaped.
 */
export function aliceWith(replace: Record<string, string[]>): CasLogin {
  let xml = fixtureXml('p3-serviceValidate-success-alice.xml');
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const [name, values] of Object.entries(replace)) {
    xml = xml.replace(new RegExp(`\\s*<cas:${name}>[^<]*</cas:${name}>`, 'g'), '');
    const elements = values.map((v) => `\n      <cas:${name}>${esc(v)}</cas:${name}>`).join('');
    xml = xml.replace('\n    </cas:attributes>', `${elements}\n    </cas:attributes>`);
  }
  return parseCasSuccess(xml);
}

/** The exact display name in bob's fixture (non-ASCII and XML specials). */
export const BOB_DISPLAY_NAME = 'B\u00f3b O\'Brien & <Co>';
