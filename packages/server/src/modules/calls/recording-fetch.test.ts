import { describe, expect, it } from 'vitest';
import { mangoSign } from './mango.js';
import {
  mangoRecording,
  plainRecording,
  twilioRecording,
  ZADARMA_RECORD_METHOD,
  zadarmaAuthorization,
  zadarmaParamsString,
  zadarmaRecording,
} from './recording-fetch.js';

describe('Zadarma API signature (zadarma/user-api-v1 lib/Client.php)', () => {
  it('matches a vector computed with md5sum, openssl and base64', () => {
    // P='call_id=1700000000.1234567&format=json'; M='/v1/pbx/record/request/'
    // printf '%s' "$M$P$(printf '%s' "$P" | md5sum | cut -d' ' -f1)" \
    //   | openssl dgst -sha1 -hmac 'f0e9d8c7b6a5f4e3d2c1' | awk '{print $2}' | tr -d '\n' | base64
    const params = zadarmaParamsString({ format: 'json', call_id: '1700000000.1234567' });
    expect(params).toBe('call_id=1700000000.1234567&format=json');
    expect(zadarmaAuthorization(ZADARMA_RECORD_METHOD, params, 'KEY', 'f0e9d8c7b6a5f4e3d2c1')).toBe(
      'KEY:YWZhODQyNjQ0NDJlZDIwZDM2MTZiMmE2Mzg3OTQzODQ1OWFhOGMzZQ==',
    );
  });

  it('sorts by name and encodes as PHP http_build_query does', () => {
    expect(zadarmaParamsString({ b: 'x y', a: "*~!'()", c: 'é/' })).toBe(
      'a=%2A%7E%21%27%28%29&b=x+y&c=%C3%A9%2F',
    );
  });
});

describe('Mango Office API sign', () => {
  it('is sha256_hex(key + json + salt) (research notes vector)', () => {
    expect(mangoSign('key', '{"a":1}', 'salt')).toBe(
      '0a14249b7c9fe83386698debbe9dd7e4a3c0adca8a825e1b5b6d2ed4dfb58f00',
    );
  });
});

describe('recording fetchers', () => {
  const never: typeof fetch = (_url, init) =>
    new Promise((_resolve, reject) =>
      init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
    );

  it('give up when the provider does not start answering in time', async () => {
    const answer = await zadarmaRecording(
      'https://api.zadarma.com/v1/pbx/record/request/?call_id=1.rec',
      { apiKey: 'k', apiSecret: 's' },
      { api: 'https://api.zadarma.com', timeoutMs: 30, fetch: never },
    );
    expect(answer).toEqual({ kind: 'unavailable', message: 'Zadarma did not answer within 0.03 s' });
  });

  it('never send Twilio credentials to another host', async () => {
    let called = false;
    const spy: typeof fetch = async () => {
      called = true;
      return new Response('');
    };
    const answer = await twilioRecording(
      `https://evil.example/2010-04-01/Accounts/AC${'1'.repeat(32)}/Recordings/RE1`,
      { authToken: 't' },
      { api: 'https://api.twilio.com', timeoutMs: 1000, fetch: spy },
    );
    expect(answer.kind).toBe('unavailable');
    expect(called).toBe(false);
  });

  it('report a Mango error code', async () => {
    const refuse: typeof fetch = async () =>
      new Response('{"result":3102}', { status: 401, headers: { 'content-type': 'application/json' } });
    const answer = await mangoRecording(
      'https://app.mango-office.ru/vpbx/queries/recording/post?recording_id=R1',
      { apiKey: 'k', apiSalt: 's' },
      { api: 'https://app.mango-office.ru/vpbx', timeoutMs: 1000, fetch: refuse },
    );
    expect(answer).toEqual({ kind: 'unavailable', message: 'Mango Office answered 401 (result 3102)' });
  });

  it('redirect only to http(s) URLs', () => {
    expect(plainRecording('https://pbx.example/r.mp3')).toEqual({
      kind: 'redirect',
      url: 'https://pbx.example/r.mp3',
    });
    expect(plainRecording('javascript:alert(1)').kind).toBe('unavailable');
  });
});
