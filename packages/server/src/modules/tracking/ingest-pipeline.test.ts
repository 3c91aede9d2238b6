import { describe, expect, it } from 'vitest';
import { classify, type Hit, type PipelineContext } from './ingest-pipeline.js';
import type { TrackingSetup } from './tracking-setup.js';

const ctx: PipelineContext = { setupFor: async () => undefined, allow: () => true, secret: 'test-secret' };
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

function sourceOf(url: string, referrer: string | undefined) {
  const hit: Hit = {
    publicKey: 'pk_test',
    visitorId: undefined,
    url,
    referrer,
    gaClientId: undefined,
    ymClientId: undefined,
    gaSessions: undefined,
    language: 'ru-RU',
    screen: '1920x1080',
    userAgent: CHROME,
    ip: '203.0.113.7',
    headers: {},
    at: Date.UTC(2026, 10, 24, 12),
  };
  const result = classify(hit, {} as TrackingSetup, ctx);
  if (!result.ok) throw new Error(`dropped: ${result.reason}`);
  return result.value.source;
}

describe('the classify step', () => {
  it('remembers the sources of untagged landings by URL and referrer, frozen', () => {
    const fromYandex = sourceOf('https://okna.example.ru/prices', 'https://yandex.ru/');
    expect(fromYandex).toMatchObject({ channel: 'organic', source: 'yandex' });
    expect(sourceOf('https://okna.example.ru/prices', undefined)).toMatchObject({ channel: 'direct' });
    expect(sourceOf('https://okna.example.ru/prices', 'https://www.google.com/')).toMatchObject({
      channel: 'organic',
      source: 'google',
    });
    // The same landing and referrer again: the very same (shared, so frozen) source.
    const again = sourceOf('https://okna.example.ru/prices', 'https://yandex.ru/');
    expect(again).toBe(fromYandex);
    expect(Object.isFrozen(again) && Object.isFrozen(again.utm) && Object.isFrozen(again.clickIds)).toBe(
      true,
    );
  });

  it('classifies tagged landings afresh: their click ids differ from one click to the next', () => {
    const first = sourceOf('https://okna.example.ru/?yclid=111', 'https://yandex.ru/');
    const second = sourceOf('https://okna.example.ru/?yclid=222', 'https://yandex.ru/');
    expect(first).toMatchObject({ channel: 'paid', adNetwork: 'yandex_direct', clickIds: { yclid: '111' } });
    expect(second.clickIds).toEqual({ yclid: '222' });
    expect(Object.isFrozen(first)).toBe(false);
  });
});
