import { describe, expect, it } from 'vitest';
import { inviteInfo } from './invite-info.js';
import { parseMessage, type SipRequest } from './message.js';

function invite(...identity: string[]): SipRequest {
  return request('sip:74951234567@10.0.0.1', 'To: <sip:74951234567@10.0.0.1>', ...identity);
}
function request(uri: string, ...headers: string[]): SipRequest {
  const text = [
    `INVITE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1',
    ...headers,
    'Call-ID: abc@10.0.0.9',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text, 'utf8'));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad test message');
  return parsed.message;
}
const callerOf = (...identity: string[]) => {
  const info = inviteInfo(invite(...identity), { host: '10.0.0.9', port: 5060 }, 0);
  return { from: info.from, name: info.fromDisplayName };
};
const ANONYMOUS = 'From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=a1';

describe('inviteInfo: who is calling', () => {
  it('reads the From user and display name when nothing else is asserted', () => {
    expect(callerOf('From: "Алиса" <sip:+79161234567@10.0.0.9>;tag=a1')).toEqual({
      from: '+79161234567',
      name: 'Алиса',
    });
  });

  it('prefers the P-Asserted-Identity (RFC 3325) to an anonymous From', () => {
    expect(
      callerOf(
        ANONYMOUS,
        'Privacy: id',
        'P-Asserted-Identity: "Иван" <sip:+79031234567@trunk.example;user=phone>',
      ),
    ).toEqual({ from: '+79031234567', name: 'Иван' });
  });

  it('takes the first asserted value that names a number, sip: or tel:, listed on one line or several', () => {
    expect(
      callerOf(ANONYMOUS, 'P-Asserted-Identity: <sip:anonymous@trunk.example>, <tel:+74957654321>'),
    ).toEqual({
      from: '+74957654321',
      name: undefined,
    });
    expect(
      callerOf(
        ANONYMOUS,
        'P-Asserted-Identity: <tel:84951112233;phone-context=+7>',
        'P-Asserted-Identity: <sip:x@y>',
      ),
    ).toEqual({ from: '84951112233', name: undefined });
  });

  it('prefers an asserted identity to the trunk number a From shows', () => {
    expect(
      callerOf(
        'From: <sip:74990000000@trunk.example>;tag=t',
        'P-Asserted-Identity: <sip:79161112233@trunk.example>',
      ),
    ).toMatchObject({ from: '79161112233' });
  });

  it('falls back to Remote-Party-ID with party=calling, never the called party', () => {
    expect(
      callerOf(
        ANONYMOUS,
        'Remote-Party-ID: <sip:74950000001@pbx>;party=called;screen=no',
        'Remote-Party-ID: "Пётр" <sip:79260000002@pbx>;party=calling;screen=yes;privacy=off',
      ),
    ).toEqual({ from: '79260000002', name: 'Пётр' });
    expect(callerOf(ANONYMOUS, 'Remote-Party-ID: <sip:79260000003@pbx>')).toMatchObject({
      from: '79260000003',
    });
  });

  it('keeps the anonymous From when no identity names anyone', () => {
    expect(callerOf(ANONYMOUS, 'P-Asserted-Identity: <sip:anonymous@anonymous.invalid>')).toEqual({
      from: 'anonymous',
      name: 'Anonymous',
    });
  });
});

describe('inviteInfo: the number dialled', () => {
  const calledOf = (uri: string, ...headers: string[]) => {
    const info = inviteInfo(
      request(uri, 'From: <sip:+79161234567@10.0.0.9>;tag=a1', ...headers),
      { host: '10.0.0.9', port: 5060 },
      0,
    );
    return { to: info.to, candidates: info.calledCandidates };
  };

  it('is the Request-URI user, with the To user as the next candidate', () => {
    expect(calledOf('sip:+74951234567@10.0.0.1', 'To: <sip:+74951234567@10.0.0.1>')).toEqual({
      to: '+74951234567',
      candidates: ['+74951234567'],
    });
    expect(calledOf('sip:ringtrace@10.0.0.1', 'To: "Офис" <sip:84951234567@trunk.example>')).toEqual({
      to: 'ringtrace',
      candidates: ['84951234567'],
    });
  });

  it('then the Diversion entries (RFC 5806), the number first dialled first', () => {
    expect(
      calledOf(
        'sip:ringtrace@10.0.0.1',
        'To: <sip:ringtrace@10.0.0.1>',
        'Diversion: <sip:74990000001@pbx>;reason=no-answer;counter=1',
        'Diversion: <tel:+74951234567>;reason=unconditional, <sip:anonymous@x>',
      ),
    ).toEqual({ to: 'ringtrace', candidates: ['ringtrace', '+74951234567', '74990000001'] });
  });
});
