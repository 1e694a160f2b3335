// The shape of a CLI command, and the exit codes scripts can rely on.
export const EXIT = {
  ok: 0,
  /** the command ran and failed (database unreachable, CAS probe failed, …) */
  failure: 1,
  /** bad configuration or bad usage */
  usage: 2,
} as const;

export interface Command {
  /** words that select it, e.g. ['db', 'migrate'] */
  readonly path: readonly string[];
  readonly summary: string;
  /** full help text shown by --help */
  readonly help: string;
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {}
