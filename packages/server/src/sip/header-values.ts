// Parsers for the few header values the proxy must understand: Via, name-addr (From/To/Contact/Route)
// and SIP URIs. Anything else is forwarded as opaque text.

export type Param = [name: string, value: string | undefined];

export interface Via {
  /** e.g. 'SIP/2.0/UDP' */
  protocol: string;
  host: string;
  port?: number;
  params: Param[];
}

export interface SipUri {
  scheme: string;
  user?: string;
  host: string;
  port?: number;
}

export interface NameAddr {
  /** Raw display name as on the wire (latin1 string, quotes kept). */
  rawDisplayName?: string;
  uri: string;
  /** Header parameters after the URI, e.g. ';tag=abc'. */
  params: Param[];
}

export const MAGIC_COOKIE = 'z9hG4bK';

export function parseParams(text: string): Param[] {
  const out: Param[] = [];
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.push([p.toLowerCase(), undefined]);
    else out.push([p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()]);
  }
  return out;
}

export function formatParams(params: Param[]): string {
  return params.map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`)).join('');
}

export function getParam(params: Param[], name: string): string | undefined {
  return params.find(([k]) => k === name)?.[1];
}

export function hasParam(params: Param[], name: string): boolean {
  return params.some(([k]) => k === name);
}

export function setParam(params: Param[], name: string, value: string | undefined): void {
  const p = params.find(([k]) => k === name);
  if (p) p[1] = value;
  else params.push([name, value]);
}

/** Splits 'host', 'host:port', '[v6]' or '[v6]:port'. */
function parseHostPort(text: string): { host: string; port?: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return port === undefined ? { host: m[1] } : { host: m[1], port };
}

export function parseVia(value: string): Via | undefined {
  const m = /^(SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z]+)\s+([^;\s]+)\s*(;.*)?$/i.exec(value.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const hp = parseHostPort(m[2]);
  if (!hp) return undefined;
  return { protocol: m[1].replace(/\s+/g, '').toUpperCase(), ...hp, params: parseParams(m[3] ?? '') };
}

export function formatVia(v: Via): string {
  return `${v.protocol} ${v.host}${v.port === undefined ? '' : `:${v.port}`}${formatParams(v.params)}`;
}

export function parseUri(uri: string): SipUri | undefined {
  const m = /^(sips?|tel):(.*)$/i.exec(uri.trim());
  if (!m?.[1] || m[2] === undefined) return undefined;
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  if (scheme === 'tel') {
    const number = rest.split(';')[0] ?? '';
    return number ? { scheme, user: number, host: '' } : undefined;
  }
  // The user part may contain ';' (RFC 3261 user-unreserved), the host part never contains '@'.
  const at = rest.indexOf('@');
  const userInfo = at >= 0 ? rest.slice(0, at) : undefined;
  const hostPart = (at >= 0 ? rest.slice(at + 1) : rest).split(/[;?]/)[0] ?? '';
  const hp = parseHostPort(hostPart);
  if (!hp) return undefined;
  const user = userInfo?.split(':')[0];
  return { scheme, ...hp, ...(user ? { user } : {}) };
}

export function parseNameAddr(value: string): NameAddr | undefined {
  const v = value.trim();
  const lt = findUnquoted(v, '<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return undefined;
    const display = v.slice(0, lt).trim();
    const base = { uri: v.slice(lt + 1, gt).trim(), params: parseParams(v.slice(gt + 1)) };
    return display ? { rawDisplayName: display, ...base } : base;
  }
  // addr-spec form: parameters after the URI belong to the header (§20.10).
  const semi = v.indexOf(';');
  return semi < 0 ? { uri: v, params: [] } : { uri: v.slice(0, semi), params: parseParams(v.slice(semi)) };
}

function findUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ch) return i;
  }
  return -1;
}

export function getTag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return getParam(parseNameAddr(value)?.params ?? [], 'tag');
}

export function addTag(value: string, tag: string): string {
  return `${value};tag=${tag}`;
}

/** Turns a wire display name (latin1 bytes, maybe quoted) into a JS string, decoding UTF-8. */
export function decodeDisplayName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let s = raw.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1).replace(/\\(.)/g, '$1');
  if (!s) return undefined;
  const bytes = Buffer.from(s, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return s; // not UTF-8: keep the latin1 reading rather than inventing replacement characters
  }
}

/** User part of a SIP/tel URI, percent-decoded; undefined when absent. */
export function uriUser(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const user = parseUri(uri)?.user;
  if (user === undefined) return undefined;
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
