// Compiles regexes written in the configuration, at startup. `g` and `y` are refused: a RegExp with
// them keeps `lastIndex` between calls, so the same value would match on one login and not the next.

const ALLOWED_FLAGS = /^[imsu]*$/;

export type RegexResult = { ok: true; re: RegExp } | { ok: false; message: string };

export function compileRegex(pattern: unknown, flags: unknown): RegexResult {
  if (typeof pattern !== 'string' || pattern === '') {
    return { ok: false, message: `regex must be a non-empty string, got ${JSON.stringify(pattern)}` };
  }
  const f = flags ?? '';
  if (typeof f !== 'string' || !ALLOWED_FLAGS.test(f)) {
    return { ok: false, message: `regex flags ${JSON.stringify(f)} not allowed (use any of "i", "m", "s", "u")` };
  }
  try {
    return { ok: true, re: new RegExp(pattern, f) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `regex ${JSON.stringify(pattern)} does not compile: ${why}` };
  }
}

/** Number of capture groups and the names of named ones (an alternation with '' always matches). */
export function captureGroups(re: RegExp): { count: number; names: string[] } {
  const m = new RegExp(`${re.source}|`, re.flags).exec('');
  return { count: m ? m.length - 1 : 0, names: Object.keys(m?.groups ?? {}) };
}

/** A regex as written, for descriptions: /source/flags. */
export function showRegex(re: RegExp): string {
  return `/${re.source}/${re.flags}`;
}
