// SIP message model, parser and serializer (RFC 3261 §7, §20), UDP only.
// Header text is decoded as latin1 so every byte survives a parse → serialize round trip unchanged
// (SIP is UTF-8 on the wire; we only decode UTF-8 where a value reaches the domain, e.g. display names).

export interface SipHeader {
  /** Canonical lower-case long name ('via', 'call-id', …); compact forms are expanded. */
  name: string;
  value: string;
}

interface MessageBase {
  headers: SipHeader[];
  body: Buffer;
}
export interface SipRequest extends MessageBase {
  kind: 'request';
  method: string;
  uri: string;
}
export interface SipResponse extends MessageBase {
  kind: 'response';
  status: number;
  reason: string;
}
export type SipMessage = SipRequest | SipResponse;

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; reason: string };

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  r: 'refer-to',
  o: 'event',
  u: 'allow-events',
  x: 'session-expires',
  b: 'referred-by',
};

/** Headers we split into one entry per value, because the proxy adds or removes single values of them. */
const SPLIT = new Set(['via', 'route', 'record-route']);

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  rack: 'RAck',
  rseq: 'RSeq',
};

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_MESSAGE = 65_535;

export function parseMessage(data: Buffer): ParseResult {
  if (data.length > MAX_MESSAGE) return { ok: false, reason: 'too-large' };
  const text = data.toString('latin1');
  let headEnd = text.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = text.indexOf('\n\n');
    sepLen = 2;
  }
  if (headEnd < 0) return { ok: false, reason: 'no-header-end' };
  const lines = text
    .slice(0, headEnd)
    .replace(/^(\r?\n)+/, '')
    .split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      // Folded continuation of the previous header (§7.3.1).
      const last = headers.at(-1);
      if (!last) return { ok: false, reason: 'bad-folding' };
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, reason: 'bad-header-line' };
    const rawName = line.slice(0, colon).trim().toLowerCase();
    if (!TOKEN.test(rawName)) return { ok: false, reason: 'bad-header-name' };
    headers.push({ name: COMPACT[rawName] ?? rawName, value: line.slice(colon + 1).trim() });
  }
  const normalized: SipHeader[] = [];
  for (const h of headers) {
    if (SPLIT.has(h.name)) {
      for (const v of splitList(h.value)) normalized.push({ name: h.name, value: v });
    } else normalized.push(h);
  }

  // latin1 maps one byte to one character, so string offsets are byte offsets.
  let body = data.subarray(headEnd + sepLen);
  const cl = normalized.find((h) => h.name === 'content-length');
  if (cl) {
    const n = Number(cl.value);
    if (!Number.isInteger(n) || n < 0) return { ok: false, reason: 'bad-content-length' };
    if (n > body.length) return { ok: false, reason: 'truncated-body' };
    body = body.subarray(0, n);
  }

  const base = { headers: normalized, body: Buffer.from(body) };
  let message: SipMessage;
  const resp = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/i.exec(startLine);
  if (resp) {
    message = { kind: 'response', status: Number(resp[1]), reason: resp[2] ?? '', ...base };
  } else {
    const req = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/i.exec(startLine);
    if (!req?.[1] || !req[2]) return { ok: false, reason: 'bad-start-line' };
    message = { kind: 'request', method: req[1].toUpperCase(), uri: req[2], ...base };
  }
  for (const required of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!getHeader(message, required)) return { ok: false, reason: `missing-${required}` };
  }
  if (!parseCSeq(message)) return { ok: false, reason: 'bad-cseq' };
  return { ok: true, message };
}

export function serializeMessage(msg: SipMessage): Buffer {
  const start =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const h of msg.headers) {
    if (h.name === 'content-length') continue;
    lines.push(`${canonicalName(h.name)}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), msg.body]);
}

export function canonicalName(name: string): string {
  return (
    CANONICAL[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
  );
}

export function getHeader(msg: SipMessage, name: string): string | undefined {
  return msg.headers.find((h) => h.name === name)?.value;
}

export function getHeaders(msg: SipMessage, name: string): string[] {
  return msg.headers.filter((h) => h.name === name).map((h) => h.value);
}

export function setHeader(msg: SipMessage, name: string, value: string): void {
  const i = msg.headers.findIndex((h) => h.name === name);
  if (i < 0) msg.headers.push({ name, value });
  else {
    msg.headers[i] = { name, value };
    msg.headers = msg.headers.filter((h, j) => j <= i || h.name !== name);
  }
}

export function removeHeaders(msg: SipMessage, name: string): void {
  msg.headers = msg.headers.filter((h) => h.name !== name);
}

/** Inserts a header value before the first existing header of that name (or else right after the Vias). */
export function prependHeader(msg: SipMessage, name: string, value: string): void {
  const i = msg.headers.findIndex((h) => h.name === name);
  if (i >= 0) {
    msg.headers.splice(i, 0, { name, value });
    return;
  }
  const lastVia = msg.headers.findLastIndex((h) => h.name === 'via');
  msg.headers.splice(lastVia + 1, 0, { name, value });
}

/** Removes the first value of a header; returns it. */
export function shiftHeader(msg: SipMessage, name: string): string | undefined {
  const i = msg.headers.findIndex((h) => h.name === name);
  if (i < 0) return undefined;
  const [h] = msg.headers.splice(i, 1);
  return h?.value;
}

export function parseCSeq(msg: SipMessage): { seq: number; method: string } | undefined {
  const m = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(getHeader(msg, 'cseq') ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  return { seq: Number(m[1]), method: m[2].toUpperCase() };
}

export function cloneMessage<T extends SipMessage>(msg: T): T {
  return { ...msg, headers: msg.headers.map((h) => ({ ...h })) };
}

/** Splits a comma-separated header value, ignoring commas inside quotes and <…>. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (quoted && c === '\\') {
      cur += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    if (c === ',' && !quoted && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
