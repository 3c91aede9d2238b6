import { describe, expect, it } from 'vitest';
import { classifyFinal } from './call-outcome.js';
import { decodeDisplayName, getTag, parseNameAddr, parseUri, parseVia, uriUser } from './header-values.js';

describe('header values', () => {
  it('parses Via with IPv4, IPv6 and params', () => {
    expect(parseVia('SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKa;rport')).toEqual({
      protocol: 'SIP/2.0/UDP',
      host: '10.0.0.1',
      port: 5070,
      params: [
        ['branch', 'z9hG4bKa'],
        ['rport', undefined],
      ],
    });
    expect(parseVia('SIP / 2.0 / UDP [2001:db8::1];branch=z9hG4bKb')?.host).toBe('[2001:db8::1]');
    expect(parseVia('SIP/2.0/UDP host:99999')).toBeUndefined();
    expect(parseVia('garbage')).toBeUndefined();
  });

  it('parses SIP and tel URIs', () => {
    expect(parseUri('sip:101@10.0.0.5:5060;transport=udp')).toEqual({
      scheme: 'sip',
      user: '101',
      host: '10.0.0.5',
      port: 5060,
    });
    expect(parseUri('sip:pbx.example.com')).toEqual({ scheme: 'sip', host: 'pbx.example.com' });
    expect(uriUser('sip:%2B74951234567@x;user=phone')).toBe('+74951234567');
    expect(uriUser('tel:+74951234567;phone-context=x')).toBe('+74951234567');
    expect(parseUri('http://x')).toBeUndefined();
  });

  it('parses name-addr and addr-spec forms', () => {
    expect(parseNameAddr('"A <b>" <sip:1@h>;tag=9')).toEqual({
      rawDisplayName: '"A <b>"',
      uri: 'sip:1@h',
      params: [['tag', '9']],
    });
    expect(getTag('sip:1@h;tag=7')).toBe('7');
    expect(getTag('<sip:1@h;tag=no>')).toBeUndefined();
  });

  it('decodes UTF-8 display names carried as latin1 text', () => {
    const wire = Buffer.from('"Алиса \\"Ф\\""', 'utf8').toString('latin1');
    expect(decodeDisplayName(wire)).toBe('Алиса "Ф"');
    expect(decodeDisplayName('Bob')).toBe('Bob');
    expect(decodeDisplayName('"\xff"')).toBe('\xff'); // not UTF-8: latin1 reading kept
    expect(decodeDisplayName('""')).toBeUndefined();
  });

  it('maps final statuses to dispositions', () => {
    expect(classifyFinal(486)).toEqual({ status: 'busy', cause: 'busy-here' });
    expect(classifyFinal(480)).toEqual({ status: 'no-answer', cause: '480' });
    expect(classifyFinal(404)).toEqual({ status: 'failed', cause: '404' });
    expect(classifyFinal(603)).toEqual({ status: 'busy', cause: 'declined' });
  });
});
