import { BlockList, isIP } from 'node:net';

/** At most this many entries per account: providers publish a handful of ranges. */
export const MAX_SOURCES = 50;

/**
 * Parses a list of IPv4/IPv6 addresses and CIDR ranges ("185.45.152.42", "185.45.152.0/24", "2001:db8::/32").
 * Answers the problem with the first bad entry, or the normalised list.
 */
export function parseSources(
  list: readonly string[],
): { ok: true; sources: string[] } | { ok: false; message: string } {
  if (list.length > MAX_SOURCES) return { ok: false, message: `at most ${MAX_SOURCES} addresses or ranges` };
  const sources: string[] = [];
  for (const raw of list) {
    const entry = raw.trim();
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      rest.length > 0 ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || (bits as number) > max))
    )
      return { ok: false, message: `"${raw}" is not an IP address or a CIDR range` };
    sources.push(entry);
  }
  return { ok: true, sources };
}

/** A matcher for parsed sources; an empty list admits every address. */
export function sourceMatcher(sources: readonly string[]): (address: string) => boolean {
  if (sources.length === 0) return () => true;
  const list = new BlockList();
  for (const entry of sources) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d, which BlockList checks against the IPv4 entries.
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
