// The child side of server-process.ts: answers the parent's requests for CPU time, run statistics and CPU
// profiles, and stops the server cleanly when told to.
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { threadCpu } from './machine.js';
import type { ChildMessage, ParentMessage } from './server-process.js';

export function serveParent(handlers: {
  stats(): Promise<Record<string, unknown>>;
  traceReset?(): void;
  close(): Promise<void>;
}) {
  const send = (message: ChildMessage) => process.send?.(message);
  // A parent that dies (an error, Ctrl-C) must not leave a server listening behind it.
  process.on('disconnect', () => process.exit(1));
  let session: Session | undefined;
  // How long the event loop was blocked, and by garbage collection, since the parent last asked.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const pauses: number[] = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  }).observe({ entryTypes: ['gc'] });
  const health = () => {
    const result = {
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
      gcMs: pauses.reduce((a, b) => a + b, 0),
      gcMaxMs: Math.max(0, ...pauses),
    };
    loop.reset();
    pauses.length = 0;
    return result;
  };
  process.on('message', async (message: ParentMessage) => {
    switch (message.type) {
      case 'cpu':
        return send({
          type: 'cpu',
          usage: process.cpuUsage(),
          rss: process.memoryUsage().rss,
          health: health(),
          threads: threadCpu(),
          pid: process.pid,
        });
      case 'stats':
        return send({ type: 'stats', stats: await handlers.stats() });
      case 'trace-reset':
        handlers.traceReset?.();
        return send({ type: 'trace-reset' });
      case 'profile-start':
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        // 100 µs between samples (V8's default is 1 ms): enough samples for a 10-second run.
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        await session.post('Profiler.start');
        return send({ type: 'profile-start' });
      case 'profile-stop': {
        const result = await session?.post('Profiler.stop');
        session?.disconnect();
        await mkdir(dirname(message.path), { recursive: true });
        await writeFile(message.path, JSON.stringify(result?.profile ?? {}));
        return send({ type: 'profile-stop' });
      }
      case 'stop':
        await handlers.close();
        process.exit(0);
    }
  });
}

export function announce(port: number, publicKey: string) {
  process.send?.({ type: 'ready', port, publicKey } satisfies ChildMessage);
}
