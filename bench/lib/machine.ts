// How busy the rest of the machine was during a measurement: CPU time of every process (from /proc/stat) minus
// this process's and the server's. On a shared 2-core machine that is the noise in the figures. Linux only.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux architecture Node runs on

export interface CpuSnapshot {
  /** Busy CPU time of the whole machine, ms (user, nice, system, irq, softirq, steal). */
  machineMs: number;
  /** This process's CPU time, ms. */
  selfMs: number;
  at: number;
}

export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    const self = process.cpuUsage();
    return {
      machineMs: (user + nice + system + irq + softirq + steal) * TICK_MS,
      selfMs: (self.user + self.system) / 1000,
      at: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/** Cores kept busy by other processes between two snapshots, given the server's CPU time in between (ms). */
export function otherCores(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined, serverMs: number) {
  if (!a || !b) return undefined;
  const others = b.machineMs - a.machineMs - (b.selfMs - a.selfMs) - serverMs;
  return Math.max(0, others) / (b.at - a.at);
}

/**
 * CPU time of each thread of this process so far, ms, by thread id (the main thread's id is the process id).
 * Worker threads, libuv's pool and V8's helpers all count; empty off Linux.
 */
export function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 12 and 13.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[tid] = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    }
  } catch {
    // not Linux, or a thread ended while it was read
  }
  return out;
}

/** Per-thread CPU between two `threadCpu` readings, busiest first, with the main thread named. */
export function threadBreakdown(
  before: Record<string, number>,
  after: Record<string, number>,
  pid: number,
): { thread: string; ms: number }[] {
  return Object.entries(after)
    .map(([tid, ms]) => ({ thread: Number(tid) === pid ? 'main' : tid, ms: ms - (before[tid] ?? 0) }))
    .filter((t) => t.ms > 0)
    .sort((a, b) => b.ms - a.ms);
}
