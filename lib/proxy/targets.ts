// Which back-end services a client may obtain CAS proxy tickets for (`cas_proxy_targets`). Three
// forms, none of which a look-alike URL can pass the way a plain string prefix can:
//   https://api.example.edu/service      exact: the target must be this string, byte for byte
//   https://api.example.edu/reports/*    scheme, host and port exact; path under /reports/ (on a
//                                        `/` boundary, compared on the parsed URL)
//   ^https://api\.example\.edu/(a|b)$    a regular expression that must match the whole target
import { allowlistMatches, compileAllowlist, type AllowlistEntry } from '../http/redirect-match.js';

type Matcher =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly entry: AllowlistEntry }
  | { readonly kind: 'regex'; readonly re: RegExp };

function plainUrlProblem(value: string): string | undefined {
  const url = URL.parse(value);
  if (!url) return 'must be an absolute URL, a URL ending in /*, or a regular expression starting with ^';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not carry a fragment';
  return undefined;
}

export function targetEntryProblem(entry: string): string | undefined {
  if (entry.startsWith('^')) {
    try {
      new RegExp(entry);
    } catch (err) {
      return `regular expression does not compile (${(err as Error).message})`;
    }
    return undefined;
  }
  if (entry.endsWith('/*')) {
    const base = entry.slice(0, -1);
    if (base.includes('*')) return 'may hold one * only, as the last path segment (/*)';
    const problem = plainUrlProblem(base);
    if (problem) return problem;
    if (URL.parse(base)?.search) return 'a /* entry must not carry a query';
    return undefined;
  }
  if (entry.includes('*')) return 'wildcards are allowed only as a final /* (or write a regular expression starting with ^)';
  return plainUrlProblem(entry);
}

function compile(entry: string): Matcher {
  if (entry.startsWith('^')) return { kind: 'regex', re: new RegExp(`^(?:${entry})$`) };
  if (entry.endsWith('/*')) {
    const [compiled] = compileAllowlist([entry.slice(0, -1)]);
    return { kind: 'prefix', entry: compiled as AllowlistEntry };
  }
  return { kind: 'exact', value: entry };
}

export class ProxyTargets {
  readonly #matchers: readonly Matcher[];

  /** Entries must have passed targetEntryProblem (checked at start). */
  constructor(entries: readonly string[]) {
    this.#matchers = entries.map(compile);
  }

  get empty(): boolean {
    return this.#matchers.length === 0;
  }

  allows(target: string): boolean {
    const url = URL.parse(target);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
    if (url.username || url.password || url.hash) return false;
    // patterns see canonical URLs only: `/reports/../admin` or `%2e%2e` never reach CAS through one
    const canonical = url.href === target;
    return this.#matchers.some((m) => {
      switch (m.kind) {
        case 'exact':
          return target === m.value;
        case 'prefix':
          return canonical && allowlistMatches([m.entry], target);
        case 'regex':
          return canonical && m.re.test(target);
      }
    });
  }
}
