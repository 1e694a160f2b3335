// Redirect URI allowlist entries of the compat form: scheme, host and port must be equal, and the
// path of the entry must be a prefix of the candidate's path on a `/` boundary. Comparison is on
// parsed URLs, never on strings, so look-alike hosts (`sso.example.org.evil.test`,
// `sso.example.org@evil.test`) cannot pass.

export interface AllowlistEntry {
  readonly origin: string;
  /** path without a trailing slash ('' for the root) */
  readonly pathPrefix: string;
  /** an entry with a query string must be matched exactly */
  readonly exact: string | undefined;
  readonly source: string;
}

export function allowlistEntryProblem(entry: string): string | undefined {
  const url = URL.parse(entry);
  if (!url) return 'must be an absolute URL';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not carry a fragment';
  return undefined;
}

export function compileAllowlist(entries: readonly string[]): AllowlistEntry[] {
  return entries.map((source) => {
    const url = new URL(source);
    return {
      origin: url.origin,
      pathPrefix: url.pathname.replace(/\/+$/, ''),
      exact: url.search ? url.href : undefined,
      source,
    };
  });
}

function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function allowlistMatches(entries: readonly AllowlistEntry[], candidate: string): boolean {
  const url = URL.parse(candidate);
  if (!url) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password || url.hash) return false;
  // a candidate whose path escapes the prefix with dot segments is normalised by URL already;
  // encoded dot segments or backslashes are refused outright
  if (/%2e|%2f|%5c|\\/i.test(url.pathname)) return false;
  return entries.some((entry) => {
    if (entry.exact !== undefined) return url.href === entry.exact;
    return url.origin === entry.origin && pathHasPrefix(url.pathname, entry.pathPrefix);
  });
}
