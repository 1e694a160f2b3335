// XML with its namespaces resolved, for protocols where the namespace, not the prefix, says what an
// element is (SAML 1.1: django-cas-server writes `samlp:`, Apereo `saml1p:`, either may use a
// default namespace). fast-xml-parser parses; this only resolves each element's prefix against the
// xmlns declarations in scope. The body passes the checks of every CAS answer first (xml.ts).
import { XMLParser } from 'fast-xml-parser';
import { CasProtocolError } from './errors.js';
import { CAS_XML_OPTIONS, checkXmlBody } from './xml.js';

export interface XmlElement {
  /** namespace URI ('' for none) */
  readonly ns: string;
  readonly local: string;
  /** unprefixed attributes by name (prefixed ones, such as xsi:type, are not kept) */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** the element's own text, trimmed (text of child elements not included) */
  readonly text: string;
  /** namespace declarations in scope, for QName values such as StatusCode/@Value */
  readonly scope: ReadonlyMap<string, string>;
}

const parser = new XMLParser({
  ...CAS_XML_OPTIONS,
  removeNSPrefix: false,
  alwaysCreateTextNode: true,
  // every element a list, so that one walker reads one and many alike
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function splitName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon === -1 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function element(qname: string, raw: Raw, parentScope: ReadonlyMap<string, string>): XmlElement {
  let scope = parentScope;
  const attributes = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith('@_') || typeof value !== 'string') continue;
    const name = key.slice(2);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
    } else if (!name.includes(':')) {
      attributes.set(name, value);
    }
  }
  const [prefix, local] = splitName(qname);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw new CasProtocolError(`XML element ${qname} uses an undeclared namespace prefix`);
  const children: XmlElement[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('@_') || key === '#text' || !Array.isArray(value)) continue;
    for (const item of value) if (isRaw(item)) children.push(element(key, item, scope));
  }
  const text = typeof raw['#text'] === 'string' ? raw['#text'] : '';
  return { ns: ns ?? '', local, attributes, children, text, scope };
}

/** Parses a document into its root element, namespaces resolved. */
export function parseNamespacedXml(body: string, what: string): XmlElement {
  checkXmlBody(body, what);
  let doc: unknown;
  try {
    doc = parser.parse(body, true);
  } catch (err) {
    throw new CasProtocolError(`${what} is not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
  const roots = isRaw(doc) ? Object.entries(doc).filter(([key]) => !key.startsWith('@_') && key !== '#text') : [];
  const [root] = roots;
  const items = root?.[1];
  if (roots.length !== 1 || !root || !Array.isArray(items) || items.length !== 1 || !isRaw(items[0])) {
    throw new CasProtocolError(`${what} has no single root element`);
  }
  return element(root[0], items[0], new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

/** Children with this namespace and local name. */
export const childrenNamed = (parent: XmlElement, ns: string, local: string): XmlElement[] =>
  parent.children.filter((c) => c.ns === ns && c.local === local);

/** A QName attribute value (`samlp:Success`) resolved against the element's scope: [namespace, local]. */
export function resolveQName(el: XmlElement, value: string): [ns: string | undefined, local: string] {
  const [prefix, local] = splitName(value.trim());
  return [el.scope.get(prefix), local];
}
