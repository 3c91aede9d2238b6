// SIP over a byte stream (RFC 3261 §18.3): each message is its header block, then exactly Content-Length bytes of
// body. Keep-alives between messages are CRLFs (RFC 5626 §3.5.1: a double CRLF "ping" is answered by one CRLF).

/** Larger than any INVITE a PBX sends; a peer past it is broken or hostile, and its connection is closed. */
export const MAX_STREAM_MESSAGE = 64 * 1024;

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im;

export type Framed =
  | { kind: 'message'; data: Buffer }
  | { kind: 'ping' }
  /** The stream cannot be read on from here: the connection must close. */
  | { kind: 'error'; reason: string };

/** Cuts a connection's bytes into messages, whatever the chunks they arrive in. */
export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0);

  /** The messages (and pings) completed by this chunk, in order; an error ends the stream. */
  push(chunk: Buffer): Framed[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: Framed[] = [];
    for (;;) {
      const b = this.#buffer;
      if (b.length >= 4 && b.subarray(0, 4).equals(HEADER_END)) {
        out.push({ kind: 'ping' });
        this.#buffer = b.subarray(4);
        continue;
      }
      // What may still become a ping waits for the rest; a lone CRLF (a pong, or padding) is skipped.
      if (b.length < 4 && b.length > 0 && HEADER_END.subarray(0, b.length).equals(b)) return out;
      if (b.length >= 2 && b[0] === 13 && b[1] === 10) {
        this.#buffer = b.subarray(2);
        continue;
      }
      const end = b.indexOf(HEADER_END);
      if (end < 0) {
        if (b.length > MAX_STREAM_MESSAGE) return [...out, { kind: 'error', reason: 'header-too-large' }];
        return out;
      }
      const length = CONTENT_LENGTH.exec(b.subarray(0, end).toString('latin1'))?.[1];
      if (length === undefined) return [...out, { kind: 'error', reason: 'no-content-length' }];
      const total = end + 4 + Number(length);
      if (total > MAX_STREAM_MESSAGE) return [...out, { kind: 'error', reason: 'message-too-large' }];
      if (b.length < total) return out;
      out.push({ kind: 'message', data: Buffer.from(b.subarray(0, total)) });
      this.#buffer = b.subarray(total);
    }
  }
}
