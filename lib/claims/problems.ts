// Helpers to read untyped configuration JSON while collecting problems. The zod schemas only check
// the skeleton, so everything below a claim definition or an access rule is read from `unknown` here.

/** Collects problem lines; `at(path)` gives a reporter for one place in the configuration. */
export class Problems {
  readonly lines: string[] = [];

  add(path: string, message: string): void {
    this.lines.push(`${path}: ${message}`);
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** JSON-ish rendering of a configured value for messages and descriptions. */
export function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Reports keys of `obj` that are not in `allowed`. */
export function checkKeys(obj: JsonObject, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      problems.add(path, `unknown key ${show(key)} (expected one of: ${allowed.join(', ')})`);
    }
  }
}

/** obj[key] = value as an own data property, even for "__proto__" (attribute and claim names are input). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
