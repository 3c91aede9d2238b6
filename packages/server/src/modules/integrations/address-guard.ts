import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Outbound integrations call URLs that project admins type in. Left open, that lets anyone who may add a webhook
 * make the server call its own private network (a cloud's metadata service at 169.254.169.254, an admin port on
 * localhost, a database on 10.x) and read the answer back in the delivery log. So, unless the operator allows
 * private networks (INTEGRATION_ALLOW_PRIVATE_NETWORKS, for a CRM on the office network), only public addresses
 * are called; the check runs on the address actually connected to, so a DNS name that turns private between a
 * check and the connection (DNS rebinding) is refused too.
 */
const NOT_PUBLIC: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private (RFC 1918)
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata services
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];
const notPublic = new BlockList();
for (const [network, prefix, type] of NOT_PUBLIC) notPublic.addSubnet(network, prefix, type);

/**
 * Whether an IP address is outside the public internet. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`) counts as its IPv4: BlockList checks those against the IPv4 ranges itself.
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  return family === 0 || notPublic.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The host of a URL when it is a private IP address typed as such (a name is only known when it is resolved). */
export function privateAddressIn(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
  return isIP(host) !== 0 && isPrivateAddress(host) ? host : undefined;
}

export class PrivateAddressError extends Error {
  readonly code = 'PRIVATE_ADDRESS';
  constructor(host: string, address: string) {
    const what = host === address ? `${address} is` : `${host} is ${address},`;
    super(`${what} a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true to allow private networks`);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that resolves as usual and fails when any address the name has is private
 * (a name with one public and one private address could be made to connect to either).
 */
export function publicOnlyLookup(
  hostname: string,
  options: { family?: number | string; all?: boolean },
  callback: LookupCallback,
): void {
  const all: LookupAllOptions = {
    all: true,
    family: options.family === 6 ? 6 : options.family === 4 ? 4 : 0,
  };
  dnsLookup(hostname, all, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    if (blocked) return callback(new PrivateAddressError(hostname, blocked.address), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}
