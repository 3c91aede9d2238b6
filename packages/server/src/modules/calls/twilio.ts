import { createHmac } from 'node:crypto';
import { sameSecret } from '../../secret.js';
import type { CallStatus } from './call.js';
import type { ForwardTarget } from './call.service.js';

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + every POST param as key+value, keys sorted)).
 * As twilio-node does, the URL is checked both with and without an explicit default port, because Twilio is not
 * consistent about it.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const key of Object.keys(params).sort()) data += key + params[key];
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  header: string,
): boolean {
  return urlVariants(url).some((candidate) =>
    sameSecret(twilioSignature(authToken, candidate, params), header),
  );
}

function urlVariants(url: string): string[] {
  try {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
    if (parsed.port === '') {
      const withPort = `${parsed.protocol}//${parsed.username ? `${parsed.username}:${parsed.password}@` : ''}${parsed.hostname}:${defaultPort}${parsed.pathname}${parsed.search}`;
      return [url, withPort];
    }
    if (parsed.port === defaultPort) {
      parsed.port = '';
      return [url, parsed.toString()];
    }
  } catch {
    // Not a URL: only the literal string can match.
  }
  return [url];
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

/** Forward the call to the destination, recording from answer, with callbacks that complete the call record. */
export function dialTwiml(
  target: ForwardTarget,
  hooks: { dial: string; status: string; recording: string },
  ringSeconds = 30,
): string {
  const leg = `statusCallbackEvent="initiated ringing answered completed" statusCallback="${escapeXml(hooks.status)}" statusCallbackMethod="POST"`;
  const dialed =
    target.kind === 'sip'
      ? `<Sip ${leg}>${escapeXml(target.target)}</Sip>`
      : `<Number ${leg}>${escapeXml(target.target)}</Number>`;
  return xml(
    `<Dial action="${escapeXml(hooks.dial)}" method="POST" timeout="${ringSeconds}" answerOnBridge="true" record="record-from-answer-dual" ` +
      `recordingStatusCallback="${escapeXml(hooks.recording)}" recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed">${dialed}</Dial>`,
  );
}

export const rejectTwiml = (reason: 'rejected' | 'busy') => xml(`<Reject reason="${reason}"/>`);
export const emptyTwiml = () => xml('');

/** DialCallStatus / CallStatus → our call status. */
export function twilioStatus(value: string | undefined): CallStatus | undefined {
  switch (value) {
    case 'completed':
    case 'answered':
      return 'answered';
    case 'in-progress':
      return 'in-progress';
    case 'ringing':
    case 'queued':
    case 'initiated':
      return 'ringing';
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no-answer';
    case 'canceled':
      return 'canceled';
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}
