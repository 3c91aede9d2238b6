// Load generators: autocannon (closed loop) for throughput at saturation, and a paced open-loop sender for
// latency at a fixed rate. autocannon's `overallRate` is not a steady rate: each connection sends its share of
// the second's requests back to back as soon as the second starts, then waits for the next second, so its latency
// is that of a burst at full concurrency. The paced sender spreads the requests evenly and never waits for
// answers, so a stalled server is charged for every request that arrives during the stall.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';

export interface Traffic {
  path: string;
  /** The next request's body and headers. */
  next(): { body: string; headers: Record<string, string> };
  /** undefined for a good answer, else a short description of what is wrong (counted as an error). */
  check(status: number, body: string): string | undefined;
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LoadResult {
  /** Good answers per second. */
  rps: number;
  requests: number;
  errors: Map<string, number>;
  latency: Latency;
  seconds: number;
}

function countInto(errors: Map<string, number>, problem: string | undefined) {
  if (problem !== undefined) errors.set(problem, (errors.get(problem) ?? 0) + 1);
}

/** autocannon against `url`: `connections` connections each with one request in flight, for `seconds`. */
export async function closedLoop(
  url: string,
  traffic: Traffic,
  options: { connections: number; seconds: number; overallRate?: number },
): Promise<LoadResult> {
  const errors = new Map<string, number>();
  let good = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate && { overallRate: options.overallRate }),
    requests: [
      {
        method: 'POST',
        path: traffic.path,
        setupRequest: (request) => {
          const { body, headers } = traffic.next();
          return { ...request, body, headers };
        },
        onResponse: (status, body) => {
          const problem = traffic.check(status, body);
          if (problem === undefined) good += 1;
          else countInto(errors, problem);
        },
      },
    ],
  });
  if (result.errors > 0) errors.set('connection errors', result.errors);
  if (result.timeouts > 0) errors.set('timeouts', result.timeouts);
  const { latency } = result;
  return {
    rps: good / result.duration,
    requests: result.requests.total,
    errors,
    latency: { p50: latency.p50, p90: latency.p90, p99: latency.p99, p999: latency.p99_9, max: latency.max },
    seconds: result.duration,
  };
}

/**
 * Sends `rate` requests a second, evenly spaced, for `seconds`, whatever the server's answers take (open loop).
 * Latency runs from the moment a request is handed to the HTTP client (including any wait for a free socket) to
 * the end of its answer. `lagP99` says how late the sender itself was against its schedule: a large value means the
 * load generator was starved of CPU, not that the server was slow. Answers still missing `drainSeconds` after the
 * last request was sent are abandoned and counted as errors, their latency as the time waited (a lower bound).
 */
export async function paced(
  url: string,
  traffic: Traffic,
  options: { rate: number; seconds: number; drainSeconds?: number; timeline?: string },
): Promise<LoadResult & { lagP99: number; unanswered: number }> {
  const target = new URL(traffic.path, url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  const sentAt = new Float64Array(total);
  const done = new Uint8Array(total);
  const open = new Set<http.ClientRequest>();
  const errors = new Map<string, number>();
  let sent = 0;
  let finished = 0;
  let good = 0;
  let abandoned = false;
  const start = performance.now();
  const interval = 1000 / options.rate;

  await new Promise<void>((resolve) => {
    const finish = (index: number, problem: string | undefined) => {
      if (done[index]) return;
      done[index] = 1;
      latencies[index] = performance.now() - (sentAt[index] ?? 0);
      if (problem === undefined) good += 1;
      else countInto(errors, problem);
      if (++finished === total) resolve();
    };
    const fire = (index: number) => {
      const { body, headers } = traffic.next();
      sentAt[index] = performance.now();
      const request = http.request(
        target,
        { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            finish(index, traffic.check(response.statusCode ?? 0, Buffer.concat(chunks).toString())),
          );
          response.on('error', () =>
            finish(index, abandoned ? 'no answer before the deadline' : 'aborted answer'),
          );
        },
      );
      request.on('error', (error) =>
        finish(index, abandoned ? 'no answer before the deadline' : `request error: ${error.message}`),
      );
      request.on('close', () => {
        open.delete(request);
        finish(index, abandoned ? 'no answer before the deadline' : 'connection closed without an answer');
      });
      open.add(request);
      request.end(body);
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        lags[sent] = now - (start + sent * interval);
        fire(sent);
        sent += 1;
      }
      if (sent === total) {
        clearInterval(timer);
        setTimeout(
          () => {
            abandoned = true;
            for (const request of open) request.destroy();
          },
          1000 * (options.drainSeconds ?? 5),
        ).unref();
      }
    }, 1);
  });
  agent.destroy();
  if (options.timeline) writeTimeline(options.timeline, sentAt, latencies, start);
  const seconds = (performance.now() - start) / 1000;
  return {
    rps: good / seconds,
    requests: total,
    errors,
    latency: percentiles(latencies),
    seconds,
    lagP99: percentiles(lags).p99,
    unanswered: errors.get('no answer before the deadline') ?? 0,
  };
}

function percentiles(values: Float64Array): Latency {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted[sorted.length - 1] ?? 0 };
}

/**
 * Each request's send moment (ms from the start of the run) and latency, one CSV line each in sending order: shows
 * whether the slow answers are spread out or come in bursts (and when, to set beside a server's own log).
 */
function writeTimeline(path: string, sentAt: Float64Array, latencies: Float64Array, start: number): void {
  const lines = ['sent_ms,latency_ms'];
  for (let i = 0; i < sentAt.length; i++)
    lines.push(`${((sentAt[i] ?? 0) - start).toFixed(1)},${(latencies[i] ?? 0).toFixed(2)}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}
