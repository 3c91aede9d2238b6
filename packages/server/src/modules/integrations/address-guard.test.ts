import { describe, expect, it } from 'vitest';
import { isPrivateAddress, PrivateAddressError, publicOnlyLookup } from './address-guard.js';

describe('isPrivateAddress', () => {
  it('refuses loopback, private, link-local and other non-public ranges', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not an address',
    ])
      expect(isPrivateAddress(address), address).toBe(true);
  });

  it('admits public addresses', () => {
    for (const address of [
      '8.8.8.8',
      '172.32.0.1',
      '77.88.55.242',
      '142.250.74.46',
      '2a02:6b8::2:242',
      '::ffff:8.8.8.8',
    ])
      expect(isPrivateAddress(address), address).toBe(false);
  });
});

describe('publicOnlyLookup', () => {
  const resolve = (host: string, all = false) =>
    new Promise<{ error: Error | null; address: unknown }>((done) =>
      publicOnlyLookup(host, { all }, (error, address) => done({ error, address })),
    );

  it('fails a name that resolves to a private address, saying how to allow it', async () => {
    const { error } = await resolve('localhost');
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect(error?.message).toMatch(
      /^localhost is (127\.0\.0\.1|::1), a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true/,
    );
  });

  it('passes resolution errors through', async () => {
    const { error } = await resolve('no-such-host.invalid');
    expect((error as NodeJS.ErrnoException | null)?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
