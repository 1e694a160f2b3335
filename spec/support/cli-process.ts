// Runs the real command line (`cas-oidc-bridge …` from the sources, through tsx) as a child
// process for specs about processes: restarts, several nodes, cluster workers. JSON log lines on
// stdout are parsed as they arrive.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'lib', 'cli', 'bin.ts');

export type LogLine = Record<string, unknown>;

export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** stderr so far */
  stderr(): string;
  /** stdout so far, as written */
  stdout(): string;
  readonly exited: Promise<number | null>;
  /** resolves with the first log line matching, or fails after `ms` */
  waitForLine(match: (line: LogLine) => boolean, ms?: number): Promise<LogLine>;
}

export function runCli(args: readonly string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let buffered = '';
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p.trim().startsWith('{')) lines.push(JSON.parse(p) as LogLine);
  });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLine = async (match: (line: LogLine) => boolean, ms = 30_000): Promise<LogLine> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`log line not seen (exit ${child.exitCode ?? child.signalCode}): ${stderr.slice(-2000)}\n${lines.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, lines, stderr: () => stderr, stdout: () => stdout, exited, waitForLine };
}

/** `start` with the environment given; resolves once the process logged `started` (or `ready`). */
export async function startCli(
  env: Record<string, string>,
  args: readonly string[] = [],
  ready: (line: LogLine) => boolean = (l) => l.event === 'started',
): Promise<CliProcess> {
  const running = runCli(['start', ...args], env);
  try {
    await running.waitForLine(ready, 60_000);
  } catch (err) {
    running.child.kill('SIGKILL');
    throw err;
  }
  return running;
}

/** Stops a process with `signal` and answers its exit code (SIGKILL after `ms`). */
export async function stopCli(running: CliProcess, signal: NodeJS.Signals = 'SIGTERM', ms = 20_000): Promise<number | null> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return running.exited;
  running.child.kill(signal);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), ms);
  const code = await running.exited;
  clearTimeout(timer);
  return code;
}

export interface FinishedRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** tsx's loader by absolute URL: a command run in a temp directory cannot resolve `tsx` there */
const TSX = import.meta.resolve('tsx');

/** Runs a command to its end from the sources, in `cwd`, with a clean environment (SIGKILL after `ms`). */
export function runCliToEnd(args: readonly string[], env: Record<string, string>, cwd: string, ms = 20_000): Promise<FinishedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, '--no-warnings', BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
