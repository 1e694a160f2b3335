// `npm run bench -- --cpu-prof DIR`: where each server's CPU goes during the measured logins. V8
// writes one .cpuprofile per process (main thread only, sampled); the bench records when the
// measured logins ran (monotonic clock, the one V8 stamps samples with) and which processes served
// them. Each sample is charged to the first frame on its stack, from the leaf up, that belongs to a
// known part (node's own internals are passed over, so a socket write counts for whoever wrote).
// Samples are wall time: on a busy machine a thread waiting for a core is sampled too, so the
// parts share out the main thread's CPU from /proc in proportion to their samples; the CPU of the
// other threads (SQLite's thread pool, the garbage collector's helpers) is a part of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** the measured logins of one server in one run */
export interface ProfileWindow {
  readonly server: 'bridge' | 'bare';
  readonly run: number;
  readonly pids: readonly number[];
  /** process.hrtime in microseconds */
  readonly fromUs: number;
  readonly toUs: number;
  readonly logins: number;
  /** CPU of the server's processes over the window, from /proc */
  readonly cpuMs: number;
  /** of which their main threads */
  readonly mainThreadCpuMs: number;
}

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<{ id: number; callFrame: CallFrame; children?: number[] }>;
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export const PARTS = [
  'adapter and SQL driver',
  'ORM (Sequelize)',
  'CAS client and XML',
  'claims mapping',
  'cookies and crypto',
  'logging and metrics',
  'oidc-provider',
  'koa, bridge routes, pages',
  'node internals (HTTP, streams)',
  'garbage collection (main thread)',
  'native, outside JavaScript (main thread)',
  'outside the main thread (thread pool, GC helpers)',
] as const;
export type Part = typeof PARTS[number];
const OTHER_THREADS: Part = 'outside the main thread (thread pool, GC helpers)';

/** the owner of a frame by where its code lives; undefined: look further up the stack */
const OWNERS: ReadonlyArray<[RegExp, Part]> = [
  [/\/node_modules\/(sqlite3|pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-[a-z]+|mariadb|denque|iconv-lite)\//, 'adapter and SQL driver'],
  [/\/node_modules\/(sequelize|umzug|lodash|dottie|inflection|retry-as-promised|toposort-class|wkx|moment|moment-timezone|validator|uuid|debug|pg-hstore)\//, 'ORM (Sequelize)'],
  [/\/node_modules\/(fast-xml-parser|strnum|got|@sindresorhus|@szmarczak|cacheable-request|cacheable-lookup|http2-wrapper|decompress-response|responselike|keyv|lowercase-keys|p-cancelable|form-data-encoder|byte-counter|chunk-data|type-fest)\//, 'CAS client and XML'],
  [/\/node_modules\/(pinyin-pro)\//, 'claims mapping'],
  [/\/node_modules\/(cookies|keygrip|tsscmp|jose|node-forge)\//, 'cookies and crypto'],
  [/\/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|on-exit-leak-free|atomic-sleep|fast-redact|quick-format-unescaped|safe-stable-stringify|real-require|process-warning|prom-client|tdigest|bintrees)\//, 'logging and metrics'],
  [/\/node_modules\/oidc-provider\//, 'oidc-provider'],
  [/\/node_modules\//, 'koa, bridge routes, pages'],
  [/\/adapters\//, 'adapter and SQL driver'],
  [/\/lib\/cas\//, 'CAS client and XML'],
  [/\/lib\/claims\//, 'claims mapping'],
  [/\/lib\/keys\//, 'cookies and crypto'],
  [/\/interactions\/pending-(cookie|logout)\./, 'cookies and crypto'],
  [/\/lib\/observability\//, 'logging and metrics'],
  [/^file:/, 'koa, bridge routes, pages'],
];

function ownerOf(frame: CallFrame): Part | undefined {
  for (const [pattern, part] of OWNERS) if (pattern.test(frame.url)) return part;
  return undefined;
}

/** ms of main-thread samples per part within [fromUs, toUs) */
function sampledMs(profile: CpuProfile, fromUs: number, toUs: number): Map<Part, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, Part | null>();
  const classify = (id: number): Part | null => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const name = byId.get(id)!.callFrame.functionName;
    let part: Part | null;
    if (name === '(idle)' || name === '(root)') part = null;
    else if (name === '(garbage collector)') part = 'garbage collection (main thread)';
    else if (name === '(program)') part = 'native, outside JavaScript (main thread)';
    else {
      part = null;
      for (let at: number | undefined = id; at !== undefined && !part; at = parent.get(at)) part = ownerOf(byId.get(at)!.callFrame) ?? null;
      part ??= 'node internals (HTTP, streams)';
    }
    partOf.set(id, part);
    return part;
  };
  const totals = new Map<Part, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t >= toUs) continue;
    // a sample stands for the interval up to the next one
    const span = profile.timeDeltas[i + 1] ?? delta;
    const part = classify(profile.samples[i]!);
    if (part) totals.set(part, (totals.get(part) ?? 0) + span / 1000);
  }
  return totals;
}

/** ms per login by part, for one server, averaged over its windows */
export function breakdown(dir: string, windows: readonly ProfileWindow[]): Map<Part, number> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const sum = new Map<Part, number>();
  let logins = 0;
  for (const w of windows) {
    const mainThread = new Map<Part, number>();
    for (const file of files) {
      const pid = Number(file.split('.')[3]);
      if (!w.pids.includes(pid)) continue;
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      for (const [part, ms] of sampledMs(profile, w.fromUs, w.toUs)) mainThread.set(part, (mainThread.get(part) ?? 0) + ms);
    }
    const sampled = [...mainThread.values()].reduce((a, b) => a + b, 0);
    for (const [part, ms] of mainThread) sum.set(part, (sum.get(part) ?? 0) + (sampled ? (ms / sampled) * w.mainThreadCpuMs : 0));
    sum.set(OTHER_THREADS, (sum.get(OTHER_THREADS) ?? 0) + w.cpuMs - w.mainThreadCpuMs);
    logins += w.logins;
  }
  return new Map(PARTS.map((p) => [p, logins ? (sum.get(p) ?? 0) / logins : NaN]));
}

/** the table `--cpu-prof` prints: ms per login by part, bridge, bare and the difference */
export function breakdownTable(dir: string, windows: readonly ProfileWindow[]): string {
  const bridge = breakdown(dir, windows.filter((w) => w.server === 'bridge'));
  const bare = breakdown(dir, windows.filter((w) => w.server === 'bare'));
  const f = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(2));
  const lines = [['CPU ms per login, by part', 'bridge', 'bare', 'extra']];
  let totals = [0, 0];
  for (const part of PARTS) {
    const b = bridge.get(part) ?? NaN;
    const o = bare.get(part) ?? NaN;
    totals = [totals[0]! + (Number.isFinite(b) ? b : 0), totals[1]! + (Number.isFinite(o) ? o : 0)];
    lines.push([part, f(b), f(o), f(b - o)]);
  }
  lines.push(['total (= /proc CPU)', f(totals[0]), f(totals[1]), f(totals[0]! - totals[1]!)]);
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}
