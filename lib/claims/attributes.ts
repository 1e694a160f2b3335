// Reading CAS attributes. Names are matched exactly first, then ignoring case: LDAP attribute names
// are case-insensitive and CAS servers release them with whatever case the directory or the
// attribute release policy used (mail/Mail, displayName/displayname).
import type { CasAttributes } from '../cas/types.js';

/** Attributes the CAS protocol itself adds (CAS 3.0 appendix A); they describe the login, not the user. */
export const PROTOCOL_ATTRIBUTES: readonly string[] = [
  'authenticationDate',
  'isFromNewLogin',
  'longTermAuthenticationRequestTokenUsed',
];

/** One CAS authentication, with a lazily built case-insensitive index. */
export class AttributeReader {
  readonly user: string;
  readonly attributes: CasAttributes;
  private lower: Map<string, string> | undefined;

  constructor(user: string, attributes: CasAttributes) {
    this.user = user;
    this.attributes = attributes;
  }

  /** The attribute's values without empty strings; [] when absent. */
  values(name: string): string[] {
    const key = this.key(name);
    const list = key === undefined ? undefined : this.attributes[key];
    return Array.isArray(list) ? list.filter((v) => typeof v === 'string' && v !== '') : [];
  }

  private key(name: string): string | undefined {
    if (Object.hasOwn(this.attributes, name)) return name;
    if (!this.lower) {
      this.lower = new Map();
      for (const k of Object.keys(this.attributes)) {
        const lk = k.toLowerCase();
        if (!this.lower.has(lk)) this.lower.set(lk, k);
      }
    }
    return this.lower.get(name.toLowerCase());
  }
}
