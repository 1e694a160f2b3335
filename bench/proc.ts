// What a server process costs, read from /proc (Linux): CPU time of the process and its children
// (cluster workers), and each process's peak resident set size.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly cpuTicks: number;
}

function readStat(pid: number, file = `/proc/${pid}/stat`): ProcStat | undefined {
  try {
    const raw = readFileSync(file, 'utf8');
    // the command name is in parentheses and may hold spaces: parse after the last ')'
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** the process and every descendant still running */
export function processTree(root: number): number[] {
  const stats = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d))).filter((s): s is ProcStat => !!s);
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) for (const s of stats) if (s.ppid === tree[i]) tree.push(s.pid);
  return tree;
}

/** CPU milliseconds (user + system) used so far by the process and its descendants */
export function cpuMs(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) * (1000 / TICKS_PER_SECOND);
}

/** CPU milliseconds used so far by the main threads (the JavaScript threads) of these processes */
export function mainThreadCpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid, `/proc/${pid}/task/${pid}/stat`)?.cpuTicks ?? 0), 0) * (1000 / TICKS_PER_SECOND);
}

/** a memory line of /proc/PID/status (VmHWM, VmRSS), in MB; 0 once the process ended */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** the largest peak RSS (VmHWM) among the process and its descendants, in MB */
export function peakRssMb(root: number): number {
  return Math.max(0, ...processTree(root).map((pid) => statusMb(pid, 'VmHWM')));
}

/** the current resident set size (VmRSS) of the process and its descendants together, in MB */
export function rssMb(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + statusMb(pid, 'VmRSS'), 0);
}
