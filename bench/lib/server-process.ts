// The server under test runs in a child process of its own: autocannon needs a core of its own too, and on a
// 2-core machine a server sharing the load generator's event loop would be measured against itself.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ParentMessage =
  | { type: 'cpu' }
  | { type: 'stats' }
  | { type: 'trace-reset' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; path: string }
  | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number; publicKey: string }
  | {
      type: 'cpu';
      usage: NodeJS.CpuUsage;
      rss: number;
      health: Health;
      /** CPU ms of each thread so far, by thread id (Linux), and the process id (the main thread's). */
      threads: Record<string, number>;
      pid: number;
    }
  | { type: 'stats'; stats: Record<string, unknown> }
  | { type: 'trace-reset' }
  | { type: 'profile-start' }
  | { type: 'profile-stop' };

/** Event-loop delay and garbage-collection pauses of the server since the previous `cpu()` call. */
export interface Health {
  loopP99Ms: number;
  loopMaxMs: number;
  gcMs: number;
  gcMaxMs: number;
}

export interface ServerProcess {
  url: string;
  publicKey: string;
  /**
   * Process CPU time so far (user + system, ms), resident memory (bytes), health since the last call, and CPU ms
   * per thread (Linux; `pid` is the main thread's id).
   */
  cpu(): Promise<{ ms: number; rss: number; health: Health; threads: Record<string, number>; pid: number }>;
  stats(): Promise<Record<string, unknown>>;
  /** Forgets the SQL timings gathered so far (with `traceSql`). */
  traceReset(): Promise<void>;
  /** CPU profile of the server between the two calls (V8's sampling profiler, as `node --cpu-prof` uses). */
  profileStart(): Promise<void>;
  profileStop(path: string): Promise<void>;
  stop(): Promise<void>;
  /** Ends the server at once (on an interrupted run). */
  kill(): void;
}

const TSX = import.meta.resolve('tsx');

/**
 * Starts bench/lib/NAME.ts in a child process under tsx and waits for its `ready` message. `traceSql` makes the
 * server time every SQL statement (lib/sql-trace.ts), at some cost in throughput.
 */
export async function startServer(
  name: 'ring-server' | 'bare-server',
  args: string[],
  options: { traceSql?: boolean } = {},
): Promise<ServerProcess> {
  const child = fork(
    fileURLToPath(new URL(`./${name}.ts`, import.meta.url)),
    [...args, ...(options.traceSql ? ['--trace-sql'] : [])],
    {
      execArgv: ['--import', TSX, ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const ready = await next(child, 'ready', 120_000);
  const ask = async <T extends ChildMessage['type'] & ParentMessage['type']>(
    type: T,
    extra: Record<string, unknown> = {},
  ) => {
    child.send({ type, ...extra });
    return next(child, type, 30_000);
  };
  return {
    url: `http://127.0.0.1:${ready.port}`,
    publicKey: ready.publicKey,
    async cpu() {
      const { usage, rss, health, threads, pid } = await ask('cpu');
      return { ms: (usage.user + usage.system) / 1000, rss, health, threads, pid };
    },
    async stats() {
      return (await ask('stats')).stats;
    },
    async traceReset() {
      await ask('trace-reset');
    },
    async profileStart() {
      await ask('profile-start');
    },
    async profileStop(path) {
      await ask('profile-stop', { path });
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

function next<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`server did not answer "${type}" in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) done(undefined, message as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`server exited (${code}) before "${type}"`));
    function done(error?: Error, message?: Extract<ChildMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as Extract<ChildMessage, { type: T }>);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
