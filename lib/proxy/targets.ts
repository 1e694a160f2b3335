// Which back-end services a client may obtain CAS proxy tickets for (`cas_proxy_targets`). Three
// forms, none of which a look-alike URL can pass the way a plain string prefix can:
//   https://api.example.edu/service      exact: the target must be this string, byte for byte
//   https://api.example.edu/reports/*    scheme, host and port exact; the path /reports/ or below it
//                                        (never /reports itself), compared on the parsed URL
//   ^https://api\.example\.edu/(a|b)$    a regular expression that must match the whole target
// A target that reaches a /* entry or a regular expression must also be plain: canonical (what the
// URL parser would write itself), no empty path segment, no percent-encoded dot, slash, backslash,
// percent sign or control character in the path, and no `ticket` parameter (CAS appends its own).

type Matcher =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly origin: string; readonly path: string }
  | { readonly kind: 'regex'; readonly re: RegExp };

const ENCODED_SPECIAL = /%(2e|2f|5c|25|[01][0-9a-f]|7f)/i;

/** Whether a target is plain enough for a /* entry or a regular expression to judge it. */
function plain(url: URL, target: string): boolean {
  return url.href === target
    && !url.pathname.includes('//')
    && !ENCODED_SPECIAL.test(url.pathname)
    && !url.searchParams.has('ticket');
}

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
  if (URL.parse(entry)?.searchParams.has('ticket')) return 'must not carry a ticket parameter (CAS adds the ticket itself)';
  return plainUrlProblem(entry);
}

function compile(entry: string): Matcher {
  if (entry.startsWith('^')) return { kind: 'regex', re: new RegExp(`^(?:${entry})$`) };
  if (entry.endsWith('/*')) {
    const base = new URL(entry.slice(0, -1));
    return { kind: 'prefix', origin: base.origin, path: base.pathname };
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
    // patterns see plain URLs only: `/reports/../admin`, `%252e%252e` or `//evil.test` never
    // reach CAS through one
    const isPlain = plain(url, target);
    return this.#matchers.some((m) => {
      switch (m.kind) {
        case 'exact':
          return target === m.value;
        case 'prefix':
          return isPlain && url.origin === m.origin && url.pathname.startsWith(m.path);
        case 'regex':
          return isPlain && m.re.test(target);
      }
    });
  }
}
