import { describe, expect, it } from 'vitest';
import {
  getHeader,
  getHeaders,
  parseMessage,
  prependHeader,
  serializeMessage,
  splitList,
} from './message.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

const INVITE = crlf([
  'INVITE sip:74951234567@10.0.0.1 SIP/2.0',
  'v: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK0',
  'f: "Алиса, \\"А\\"" <sip:+79161234567@10.0.0.9>;tag=a1',
  't: <sip:74951234567@10.0.0.1>',
  'i: abc@10.0.0.9',
  'CSeq: 1 INVITE',
  'Subject: long',
  '  folded',
  'Content-Type: application/sdp',
  'l: 5',
  '',
  'v=0\r\nEXTRA',
]);

describe('parseMessage', () => {
  it('expands compact names, splits Vias, unfolds, and cuts the body at Content-Length', () => {
    const r = parseMessage(INVITE);
    expect(r.ok).toBe(true);
    if (!r.ok || r.message.kind !== 'request') return;
    const m = r.message;
    expect(m.method).toBe('INVITE');
    expect(getHeaders(m, 'via')).toEqual([
      'SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1',
      'SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK0',
    ]);
    expect(getHeader(m, 'call-id')).toBe('abc@10.0.0.9');
    expect(getHeader(m, 'subject')).toBe('long folded');
    expect(m.body.toString()).toBe('v=0\r\n');
  });

  it('keeps UTF-8 bytes intact through a round trip', () => {
    const r = parseMessage(INVITE);
    if (!r.ok) throw new Error(r.reason);
    const out = serializeMessage(r.message).toString('utf8');
    expect(out).toContain('From: "Алиса, \\"А\\"" <sip:+79161234567@10.0.0.9>;tag=a1');
    expect(out).toContain('Content-Length: 5\r\n\r\nv=0\r\n');
    expect(out.startsWith('INVITE sip:74951234567@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060')).toBe(
      true,
    );
  });

  it('parses responses', () => {
    const r = parseMessage(
      crlf([
        'SIP/2.0 486 Busy Here',
        'Via: SIP/2.0/UDP h;branch=z9hG4bKx',
        'From: <sip:a@b>;tag=1',
        'To: <sip:c@d>;tag=2',
        'Call-ID: x',
        'CSeq: 1 INVITE',
        '',
        '',
      ]),
    );
    expect(r.ok && r.message.kind === 'response' && r.message.status).toBe(486);
  });

  it.each([
    ['no end of headers', 'INVITE sip:a@b SIP/2.0\r\nVia: x'],
    [
      'missing Call-ID',
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: <sip:a@b>\r\nCSeq: 1 OPTIONS\r\n\r\n',
    ],
    [
      'bad CSeq',
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: x\r\n\r\n',
    ],
    [
      'truncated body',
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 10\r\n\r\nabc',
    ],
    [
      'bad start line',
      'HELLO\r\nVia: SIP/2.0/UDP h\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n',
    ],
    ['header without colon', 'OPTIONS sip:a@b SIP/2.0\r\nVia SIP/2.0/UDP h\r\n\r\n'],
  ])('rejects %s', (_name, text) => {
    expect(parseMessage(Buffer.from(text)).ok).toBe(false);
  });
});

describe('header helpers', () => {
  it('splitList ignores commas in quotes and angle brackets', () => {
    expect(splitList('"a, b" <sip:x;p=1,2>, <sip:y>')).toEqual(['"a, b" <sip:x;p=1,2>', '<sip:y>']);
  });

  it('prependHeader puts a new header after the Vias, or before its first namesake', () => {
    const r = parseMessage(INVITE);
    if (!r.ok) throw new Error(r.reason);
    prependHeader(r.message, 'record-route', '<sip:p;lr>');
    prependHeader(r.message, 'via', 'SIP/2.0/UDP p;branch=z9hG4bK2');
    expect(r.message.headers.slice(0, 4).map((h) => h.name)).toEqual(['via', 'via', 'via', 'record-route']);
    expect(r.message.headers[0]?.value).toBe('SIP/2.0/UDP p;branch=z9hG4bK2');
  });
});
