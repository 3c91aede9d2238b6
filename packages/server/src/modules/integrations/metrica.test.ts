import { describe, expect, it } from 'vitest';
import { callEndedMessage } from '../../../test/helpers/call-message.js';
import { csvField, type MetricaRow, metricaCsv, metricaRow, metricaUpload } from './metrica.js';

const row: MetricaRow = {
  ClientId: '1768000000123456789',
  DateTime: 1768467600,
  PhoneNumber: '+74951234567',
  TalkDuration: 95,
  HoldDuration: 6,
  CallMissed: 0,
  FirstTimeCaller: 1,
  URL: 'https://site.ru/landing?a=1,2&b="x"',
  StaticCall: 0,
};

describe('Metrica calls CSV', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(95)).toBe('95');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes the header and one line per call', () => {
    expect(metricaCsv([row])).toBe(
      'ClientId,DateTime,PhoneNumber,TalkDuration,HoldDuration,CallMissed,FirstTimeCaller,URL,StaticCall\r\n' +
        '1768000000123456789,1768467600,+74951234567,95,6,0,1,"https://site.ru/landing?a=1,2&b=""x""",0\r\n',
    );
  });
});

describe('Metrica rows and uploads', () => {
  const message = (ymClientId: string | null, caller: string) => {
    const data = {
      call: {
        id: 'c1',
        startedAt: 1_768_467_600_500,
        caller,
        talkSeconds: null,
        waitSeconds: 20,
        status: 'no-answer',
        firstTimeCaller: false,
      },
      attribution: { ymClientId, landingUrl: null },
    };
    return callEndedMessage(data);
  };

  it('makes a row of a call with a ClientID, and skips one without', () => {
    expect(metricaRow(message('17680001', '+74951234567'))).toEqual({
      kind: 'row',
      row: {
        ClientId: '17680001',
        DateTime: 1768467600,
        PhoneNumber: '+74951234567',
        TalkDuration: 0,
        HoldDuration: 20,
        CallMissed: 1,
        FirstTimeCaller: 0,
        URL: '',
        StaticCall: 0,
      },
    });
    // A caller that is not E.164 (a hidden number) is left out rather than sent wrong.
    expect(metricaRow(message('17680001', 'anonymous'))).toMatchObject({ row: { PhoneNumber: '' } });
    expect(metricaRow(message(null, '+74951234567'))).toEqual({
      kind: 'skip',
      note: 'skipped: no Metrica client id',
    });
  });

  it('uploads the rows as a multipart file with the OAuth header', async () => {
    const upload = metricaUpload([row, row], { counterId: '123' }, { oauthToken: 'y0_t' }, 'https://m');
    expect(upload.kind).toBe('send');
    if (upload.kind !== 'send') return;
    expect(upload.request.url).toBe(
      'https://m/management/v1/counter/123/offline_conversions/upload_calls?comment=Ringtrace%3A+2+calls',
    );
    expect(upload.request.headers).toEqual({ authorization: 'OAuth y0_t' });
    const file = (upload.request.body as FormData).get('file') as File;
    expect(file.name).toBe('calls.csv');
    expect((await file.text()).split('\r\n')).toHaveLength(4);
    expect(metricaUpload([row], { counterId: '123' }, {}, 'https://m').kind).toBe('invalid');
  });
});
