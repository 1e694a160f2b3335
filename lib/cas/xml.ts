// Pure parsers for CAS XML: response text in, typed result out. fast-xml-parser is configured so
// that values stay strings (`00123` is not a number), attributes are kept, and entities are
// decoded; any DOCTYPE is refused before parsing (CAS never sends one).
import { XMLParser } from 'fast-xml-parser';
import { CasProtocolError } from './errors.js';
import type { CasAttributes, CasValidationResult } from './types.js';

const SUCCESS_ATTRIBUTES = 'serviceResponse.authenticationSuccess.attributes.';

/** Options every CAS XML parser shares: values stay strings, attributes kept, entities decoded once. */
export const CAS_XML_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
} as const;

const parser = new XMLParser({
  ...CAS_XML_OPTIONS,
  removeNSPrefix: true,
  isArray: (_name, jpath) => {
    const path = String(jpath);
    return path.startsWith(SUCCESS_ATTRIBUTES)
      || path === 'serviceResponse.authenticationSuccess.attribute'
      || path === 'serviceResponse.authenticationSuccess.proxies.proxy';
  },
});

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of an element that may have been parsed as a string or as `{ '#text': … }`. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isNode(value)) {
    const text = value['#text'];
    if (typeof text === 'string') return text;
    // an element with attributes but no text
    if (Object.keys(value).every((k) => k.startsWith('@_'))) return '';
  }
  return undefined;
}

// characters XML 1.0 cannot carry (C0 but tab, line feed and carriage return; lone surrogates;
// U+FFFE/U+FFFF), written raw or as a character reference: fast-xml-parser would drop a reference
// silently (`ali&#0;ce` would read as `alice`), so such a document is refused instead
const FORBIDDEN_RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

function forbiddenCodePoint(n: number): boolean {
  return (n < 0x20 && n !== 0x9 && n !== 0xa && n !== 0xd) || (n >= 0xd800 && n <= 0xdfff) || n === 0xfffe || n === 0xffff || n > 0x10ffff;
}

/**
 * What every CAS XML body must pass before it is parsed: XML at all, no DOCTYPE (CAS never sends
 * one; entities could expand), no character XML 1.0 forbids.
 */
export function checkXmlBody(body: string, what: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new CasProtocolError(`${what} carries a DOCTYPE`);
  if (!body.trimStart().startsWith('<')) throw new CasProtocolError(`${what} is not XML`);
  const referenced = [...body.matchAll(CHARACTER_REFERENCE)].some(([, ref = '']) =>
    forbiddenCodePoint(ref.startsWith('x') ? Number.parseInt(ref.slice(1), 16) : Number(ref)));
  if (FORBIDDEN_RAW.test(body) || referenced) throw new CasProtocolError(`${what} holds characters XML does not allow`);
}

/** Parses any CAS XML document; refuses DTDs, non-XML bodies and characters XML forbids. */
export function parseCasXml(body: string): Node {
  checkXmlBody(body, 'CAS response');
  let doc: unknown;
  try {
    doc = parser.parse(body, true);
  } catch (err) {
    throw new CasProtocolError(`CAS response is not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isNode(doc)) throw new CasProtocolError('CAS response is not XML');
  return doc;
}

const RESERVED = new Set(['user', 'attributes', 'attribute', 'proxyGrantingTicket', 'proxies']);

const childNames = (node: Node): string[] => Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text');
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function collectAttributes(success: Node): CasAttributes {
  // names are data (`constructor`, `__proto__` may come in the name= form): test with Object.hasOwn,
  // group with a Map
  const attributes: CasAttributes = {};
  const add = (name: string, values: unknown[]): void => {
    const texts = values.map(textOf).filter((v): v is string => v !== undefined);
    // defineProperty: `attributes.__proto__ = …` would replace the object's prototype
    if (texts.length && !Object.hasOwn(attributes, name)) {
      Object.defineProperty(attributes, name, { value: texts, enumerable: true, writable: true, configurable: true });
    }
  };

  // CAS 3: <cas:attributes><cas:name>value</cas:name>…</cas:attributes>, repeated for multi-valued
  const block = success.attributes;
  if (isNode(block)) {
    for (const name of childNames(block)) add(name, asList(block[name]));
  }

  // <cas:attribute name="…" value="…"/> form (django-cas-server sends it beside the block above for
  // every attribute; a name already read from the block is not read again, so values are not doubled)
  const named = new Map<string, unknown[]>();
  for (const element of Array.isArray(success.attribute) ? success.attribute : []) {
    if (!isNode(element)) continue;
    const name = element['@_name'];
    const value = element['@_value'];
    if (typeof name !== 'string' || typeof value !== 'string') continue;
    const list = named.get(name) ?? [];
    list.push(value);
    named.set(name, list);
  }
  for (const [name, values] of named) add(name, values);

  // Non-standard servers (EU Login) put attributes straight under authenticationSuccess, lists in a
  // wrapper (<groups><group>a</group><group>b</group></groups>) and extra attributes in a named
  // wrapper (<extendedAttributes><extendedAttribute name="x"><attributeValue>…)
  for (const name of childNames(success)) {
    if (RESERVED.has(name)) continue;
    const value = success[name];
    if (asList(value).every((v) => textOf(v) !== undefined)) {
      add(name, asList(value));
      continue;
    }
    if (!isNode(value)) continue;
    const [child, ...others] = childNames(value);
    if (child === undefined || others.length) continue;
    const items = asList(value[child]);
    if (items.every((v) => textOf(v) !== undefined)) {
      add(name, items);
    } else {
      for (const item of items) {
        if (!isNode(item) || typeof item['@_name'] !== 'string') continue;
        const [valueName, ...more] = childNames(item);
        if (valueName !== undefined && !more.length) add(item['@_name'], asList(item[valueName]));
      }
    }
  }
  return attributes;
}

/** Parses a /serviceValidate, /proxyValidate or /p3/* response. */
export function parseValidationResponse(body: string): CasValidationResult {
  const doc = parseCasXml(body);
  const response = doc.serviceResponse;
  if (!isNode(response)) throw new CasProtocolError('CAS response has no serviceResponse element');

  const failure = response.authenticationFailure;
  if (failure !== undefined) {
    const code = isNode(failure) && typeof failure['@_code'] === 'string' ? failure['@_code'] : 'UNKNOWN';
    return { kind: 'failure', code, description: textOf(failure) ?? '' };
  }

  const success = response.authenticationSuccess;
  if (!isNode(success)) throw new CasProtocolError('CAS response has neither authenticationSuccess nor authenticationFailure');
  const user = textOf(success.user);
  if (user === undefined || user === '') throw new CasProtocolError('CAS response has no single cas:user');

  const proxies = isNode(success.proxies) && Array.isArray(success.proxies.proxy)
    ? success.proxies.proxy.map(textOf).filter((p): p is string => Boolean(p))
    : [];

  return {
    kind: 'success',
    user,
    attributes: collectAttributes(success),
    proxyGrantingTicketIou: textOf(success.proxyGrantingTicket) || undefined,
    proxies,
  };
}
