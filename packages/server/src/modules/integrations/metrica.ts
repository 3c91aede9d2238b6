import type { Delivery } from './delivery.js';
import type { OutboxMessage } from './outbox-message.js';

/** The columns we fill, in Metrica's documented order (docs/integrations.md, Yandex Metrica). */
export const METRICA_COLUMNS = [
  'ClientId',
  'DateTime',
  'PhoneNumber',
  'TalkDuration',
  'HoldDuration',
  'CallMissed',
  'FirstTimeCaller',
  'URL',
  'StaticCall',
] as const;

export type MetricaRow = Record<(typeof METRICA_COLUMNS)[number], string | number>;

/** RFC 4180: a field with a comma, quote or line break is quoted, and its quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function metricaCsv(rows: readonly MetricaRow[]): string {
  const lines = [METRICA_COLUMNS.join(',')];
  for (const row of rows) lines.push(METRICA_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Rows per upload: the calls of one integration that are due together go in one file, up to this many. */
export const METRICA_MAX_ROWS = 100;

/**
 * A call as one row of Metrica's calls upload, for the visit's Metrica ClientID (`_ym_uid`); calls without one are
 * skipped, like calls without a GA client id.
 */
export function metricaRow(
  message: OutboxMessage,
): { kind: 'row'; row: MetricaRow } | { kind: 'skip'; note: string } {
  const { call, attribution } = message.payload.data;
  if (!attribution.ymClientId) return { kind: 'skip', note: 'skipped: no Metrica client id' };
  return {
    kind: 'row',
    row: {
      ClientId: attribution.ymClientId,
      DateTime: Math.floor(call.startedAt / 1000),
      // Metrica wants +7…, no spaces; a caller we could not read as E.164 is left out rather than sent wrong.
      PhoneNumber: /^\+\d{6,15}$/.test(call.caller) ? call.caller : '',
      TalkDuration: call.talkSeconds ?? 0,
      HoldDuration: call.waitSeconds ?? 0,
      CallMissed: call.status === 'answered' ? 0 : 1,
      FirstTimeCaller: call.firstTimeCaller ? 1 : 0,
      URL: attribution.landingUrl ?? '',
      // A call with a Metrica visit was matched to that visit (a pool number): dynamic.
      StaticCall: 0,
    },
  };
}

/** One upload of calls: `multipart/form-data` with the CSV in a part named `file`. */
export function metricaUpload(
  rows: readonly MetricaRow[],
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
  apiUrl: string,
): Delivery {
  const counterId = settings.counterId;
  const token = secrets.oauthToken;
  if (typeof counterId !== 'string' || !token)
    return { kind: 'invalid', reason: 'Metrica integration without counter id or OAuth token' };
  const form = new FormData();
  form.append('file', new Blob([metricaCsv(rows)], { type: 'text/csv' }), 'calls.csv');
  const query = new URLSearchParams({
    comment: `Ringtrace: ${rows.length} call${rows.length === 1 ? '' : 's'}`,
  });
  return {
    kind: 'send',
    request: {
      url: `${apiUrl}/management/v1/counter/${encodeURIComponent(counterId)}/offline_conversions/upload_calls?${query}`,
      method: 'POST',
      headers: { authorization: `OAuth ${token}` },
      body: form,
    },
  };
}
