import { describe, expect, it } from 'vitest';
import { MAX_STREAM_MESSAGE, StreamFramer } from './stream-framer.js';

const message = (body = '', extra = '') =>
  `OPTIONS sip:ringtrace@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.9:5060;branch=z9hG4bK1\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const texts = (framed: ReturnType<StreamFramer['push']>) =>
  framed.map((f) => (f.kind === 'message' ? f.data.toString() : f.kind));

describe('StreamFramer', () => {
  it('cuts messages out of the stream whatever the chunks, body by Content-Length', () => {
    const one = message('v=0\r\n');
    const two = message();
    const stream = Buffer.from(one + two);
    // Byte by byte: each message once, when its last byte arrives.
    const framer = new StreamFramer();
    const out: string[] = [];
    for (const byte of stream) out.push(...texts(framer.push(Buffer.from([byte]))));
    expect(out).toEqual([one, two]);
    // All at once.
    expect(texts(new StreamFramer().push(stream))).toEqual([one, two]);
  });

  it('reads the compact form of Content-Length', () => {
    const compact = message('x').replace('Content-Length:', 'l:');
    expect(texts(new StreamFramer().push(Buffer.from(compact)))).toEqual([compact]);
  });

  it('answers double-CRLF pings and skips single CRLFs between messages (RFC 5626)', () => {
    const framer = new StreamFramer();
    expect(texts(framer.push(Buffer.from('\r\n')))).toEqual([]);
    expect(texts(framer.push(Buffer.from('\r\n')))).toEqual(['ping']);
    expect(texts(framer.push(Buffer.from(`\r\n${message()}`)))).toEqual([message()]);
  });

  it('gives up on a stream it cannot read on: no Content-Length, or a message too large', () => {
    const without = message().replace(/Content-Length: 0\r\n/, '');
    expect(new StreamFramer().push(Buffer.from(without))).toEqual([
      { kind: 'error', reason: 'no-content-length' },
    ]);
    const huge = `${message().replace('Content-Length: 0', `Content-Length: ${MAX_STREAM_MESSAGE}`)}`;
    expect(new StreamFramer().push(Buffer.from(huge))).toEqual([
      { kind: 'error', reason: 'message-too-large' },
    ]);
    const endless = new StreamFramer();
    expect(endless.push(Buffer.alloc(MAX_STREAM_MESSAGE + 1, 'a'))).toEqual([
      { kind: 'error', reason: 'header-too-large' },
    ]);
    // Garbage after a CRLF does not wait forever for a ping's second half.
    expect(
      new StreamFramer().push(Buffer.concat([Buffer.from('\r\n\rX'), Buffer.alloc(MAX_STREAM_MESSAGE)])),
    ).toEqual([{ kind: 'error', reason: 'header-too-large' }]);
  });
});
