// Runs SIPp (Debian `sip-tester`, /usr/bin/sipp) as a real SIP peer: always in the foreground, under
// `timeout`, with -nostdin and a bounded call count; never -bg. Results come from the exit code and the
// final statistics screen (-trace_screen), with the stats CSV (-trace_stat) as a fallback.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP = '/usr/bin/sipp';
export const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));

export interface SippOptions {
  /** Scenario file name in ./scenarios without '.xml', an absolute path, or 'builtin:uac' etc. (-sn). */
  scenario: string;
  /** 'ip:port' of the peer (the proxy); omitted for UAS scenarios. */
  remote?: string;
  localIp: string;
  localPort: number;
  /** RTP port SIPp binds (it opens it even if no media flows); keep it unique per address. */
  mediaPort: number;
  /** Request-URI user: the dialled tracking number. */
  service?: string;
  /** -m: exit after this many calls. */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -l: maximum simultaneous calls. */
  limit?: number;
  /** -d: length of <pause/> without an explicit duration (talk time). */
  pauseMs?: number;
  /** SIPp's own global timeout (-timeout … -timeout_error); `timeout` kills it 5 s later. */
  timeoutSec?: number;
  /** Write every SIP message to a file (handy when a test fails; off for load runs). */
  traceMessages?: boolean;
  extra?: string[];
}

export interface SippResult {
  /** Process exit code: 0 all calls OK, 1 some failed, 99 no calls, 255 fatal/timeout, 124 killed. */
  code: number | null;
  successful: number;
  failed: number;
  elapsedMs: number;
  stdout: string;
  stderr: string;
  errors: string;
  messages: string;
  dir: string;
}

export async function runSipp(o: SippOptions): Promise<SippResult> {
  if (!existsSync(SIPP)) throw new Error(`SIPp not found at ${SIPP} (apt-get install sip-tester)`);
  const dir = await mkdtemp(join(tmpdir(), 'ringtrace-sipp-'));
  const scenario = o.scenario.startsWith('builtin:')
    ? ['-sn', o.scenario.slice('builtin:'.length)]
    : ['-sf', o.scenario.startsWith('/') ? o.scenario : join(SCENARIOS, `${o.scenario}.xml`)];
  const timeoutSec = o.timeoutSec ?? 15;
  const args = [
    ...(o.remote ? [o.remote] : []),
    ...scenario,
    '-i',
    o.localIp,
    '-p',
    String(o.localPort),
    '-mi',
    o.localIp,
    '-mp',
    String(o.mediaPort),
    '-m',
    String(o.calls ?? 1),
    '-nostdin',
    '-timeout',
    `${timeoutSec}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    '-trace_screen',
    '-screen_file',
    join(dir, 'screen.log'),
    '-trace_stat',
    '-stf',
    join(dir, 'stat.csv'),
    ...(o.traceMessages === false ? [] : ['-trace_msg', '-message_file', join(dir, 'messages.log')]),
    ...(o.service ? ['-s', o.service] : []),
    ...(o.rate ? ['-r', String(o.rate)] : []),
    ...(o.limit ? ['-l', String(o.limit)] : []),
    ...(o.pauseMs !== undefined ? ['-d', String(o.pauseMs)] : []),
    ...(o.extra ?? []),
  ];
  const started = performance.now();
  const child = spawn('timeout', ['-k', '2', String(timeoutSec + 5), SIPP, ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout = (stdout + d).slice(-20_000); // SIPp repaints its screen; the tail holds the final one
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (c) => resolve(c));
  });
  const elapsedMs = performance.now() - started;
  const read = (f: string) => readFile(join(dir, f), 'utf8').catch(() => '');
  const [screen, stat, errors, messages] = await Promise.all([
    read('screen.log'),
    read('stat.csv'),
    read('errors.log'),
    read('messages.log'),
  ]);
  // Traces are in memory now; keep the files only when something went wrong (or SIPP_KEEP_TRACES is set).
  if (code === 0 && !process.env.SIPP_KEEP_TRACES) await rm(dir, { recursive: true, force: true });
  const counts = countsFromScreen(screen) ??
    countsFromScreen(stdout) ??
    countsFromStat(stat) ?? { successful: 0, failed: 0 };
  return { code, ...counts, elapsedMs, stdout, stderr, errors, messages, dir };
}

/** Cumulative column of the last "Successful call" / "Failed call" rows of a SIPp statistics screen. */
export function countsFromScreen(text: string): { successful: number; failed: number } | undefined {
  const last = (label: string) => {
    const rows = [...text.matchAll(new RegExp(`^\\s*${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'gm'))];
    const m = rows.at(-1);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const successful = last('Successful call');
  const failed = last('Failed call');
  return successful === undefined || failed === undefined ? undefined : { successful, failed };
}

export function countsFromStat(csv: string): { successful: number; failed: number } | undefined {
  const lines = csv.trim().split('\n');
  const head = lines[0]?.split(';') ?? [];
  const row = lines.at(-1)?.split(';') ?? [];
  const s = head.indexOf('SuccessfulCall(C)');
  const f = head.indexOf('FailedCall(C)');
  if (lines.length < 2 || s < 0 || f < 0) return undefined;
  return { successful: Number(row[s]), failed: Number(row[f]) };
}

/** A short human-readable dump for assertion messages. */
export function explainRun(r: SippResult): string {
  return [
    `exit ${r.code}, ${r.successful} ok / ${r.failed} failed, ${Math.round(r.elapsedMs)} ms, traces in ${r.dir}`,
    r.errors.slice(-3000),
    r.stderr.slice(-1000),
  ]
    .filter(Boolean)
    .join('\n');
}

/** True once some process has bound ip:port for UDP, or TCP (reads /proc/net/udp or tcp, IPv4 only). */
export async function isBound(ip: string, port: number, protocol: 'udp' | 'tcp' = 'udp'): Promise<boolean> {
  const table = await readFile(`/proc/net/${protocol}`, 'utf8');
  const hexIp = ip
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  const needle = `${hexIp}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return table.split('\n').some((line) => line.trim().split(/\s+/)[1] === needle);
}

export async function waitUntilBound(
  ip: string,
  port: number,
  timeoutMs = 5000,
  protocol: 'udp' | 'tcp' = 'udp',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isBound(ip, port, protocol))) {
    if (Date.now() > deadline) throw new Error(`nothing bound ${ip}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LoadOptions {
  /** Where the Ringtrace proxy listens. Its route() must forward to sip:…@calleeIp:calleePort. */
  proxy: { address: string; port: number };
  callerIp: string;
  callerPort: number;
  calleeIp: string;
  calleePort: number;
  /** RTP ports SIPp binds (and +2); default signalling port + 1000. */
  callerMediaPort?: number;
  calleeMediaPort?: number;
  /** Calls per second and total calls (sipp -r RATE -m N). */
  rate: number;
  calls: number;
  /** The dialled number (Request-URI user). */
  service?: string;
  /** Talk time per call before the caller's BYE; default 100 ms. */
  talkMs?: number;
  timeoutSec?: number;
  /** Both SIPp peers over one TCP connection each (`-t t1`) instead of UDP. */
  transport?: 'udp' | 'tcp';
}

export interface LoadResult {
  successful: number;
  failed: number;
  elapsedMs: number;
  callsPerSecond: number;
  caller: SippResult;
  callee: SippResult;
}

/**
 * Load through the proxy: a SIPp UAS (answers every call, waits for BYE) behind it and a SIPp UAC placing
 * `calls` calls at `rate` cps in front of it. Counts are the caller's (a call succeeds when INVITE, answer,
 * ACK, BYE and its 200 all passed the proxy). The caller must have started the proxy itself.
 */
export async function runSippLoad(o: LoadOptions): Promise<LoadResult> {
  const timeoutSec = o.timeoutSec ?? Math.ceil(o.calls / o.rate) + 20;
  const extra = o.transport === 'tcp' ? ['-t', 't1'] : [];
  const callee = runSipp({
    extra,
    scenario: 'uas-answer',
    localIp: o.calleeIp,
    localPort: o.calleePort,
    mediaPort: o.calleeMediaPort ?? o.calleePort + 1000,
    calls: o.calls,
    timeoutSec,
    traceMessages: false,
  });
  await waitUntilBound(o.calleeIp, o.calleePort, 5000, o.transport ?? 'udp');
  const started = performance.now();
  const caller = await runSipp({
    extra,
    scenario: 'uac-call',
    remote: `${o.proxy.address}:${o.proxy.port}`,
    localIp: o.callerIp,
    localPort: o.callerPort,
    mediaPort: o.callerMediaPort ?? o.callerPort + 1000,
    service: o.service ?? '74950000000',
    calls: o.calls,
    rate: o.rate,
    limit: Math.max(50, o.rate * 5),
    pauseMs: o.talkMs ?? 100,
    timeoutSec,
    traceMessages: false,
  });
  const elapsedMs = performance.now() - started;
  const calleeResult = await callee;
  return {
    successful: caller.successful,
    failed: caller.failed + Math.max(0, o.calls - caller.successful - caller.failed),
    elapsedMs,
    callsPerSecond: caller.successful / (elapsedMs / 1000),
    caller,
    callee: calleeResult,
  };
}
