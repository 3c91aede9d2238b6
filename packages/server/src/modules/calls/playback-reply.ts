import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../errors.js';
import type { Playback } from './recording.service.js';

/** Byte ranges as browsers send them when seeking in audio; anything else is not passed to the provider. */
const BYTE_RANGE = /^bytes=\d*-\d*(,\s*\d*-\d*)*$/;

/** The request's `Range`, if it is one worth passing to a provider. */
export function byteRange(request: FastifyRequest): string | undefined {
  const range = request.headers.range;
  return typeof range === 'string' && BYTE_RANGE.test(range) ? range : undefined;
}

/** Answers with a recording: a redirect, Ringtrace's copy from the disk, or the provider's audio streamed through. */
export async function sendPlayback(request: FastifyRequest, reply: FastifyReply, answer: Playback) {
  if (answer.kind === 'redirect') return reply.redirect(answer.url, 302);
  if (answer.kind === 'file') return sendCopy(request, reply, answer);
  const body = Readable.fromWeb(answer.body as NodeReadableStream<Uint8Array>);
  // A client that goes away stops the download from the provider too.
  reply.raw.once('close', () => body.destroy());
  return reply
    .status(answer.status)
    .headers({
      ...answer.headers,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    })
    .send(body);
}

/** Ringtrace's copy of a recording, from the disk: byte ranges and conditional requests as for any file. */
async function sendCopy(
  request: FastifyRequest,
  reply: FastifyReply,
  copy: Extract<Playback, { kind: 'file' }>,
) {
  const { statusCode, headers, stream, type } = await send(request.raw, encodeURI(copy.path), {
    root: copy.root,
    contentType: false,
    cacheControl: false,
    dotfiles: 'deny',
  });
  if (type === 'error' && statusCode !== 416 && statusCode !== 412) {
    stream.destroy();
    throw notFound('the copy of this recording');
  }
  return reply
    .status(statusCode)
    .headers({
      ...headers,
      ...(statusCode < 300 && { 'content-type': copy.contentType }),
      'cache-control': 'private, no-cache',
      'x-content-type-options': 'nosniff',
    })
    .send(stream);
}
