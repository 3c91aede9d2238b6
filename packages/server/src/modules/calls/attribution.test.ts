import { describe, expect, it } from 'vitest';
import {
  attributeCall,
  isTargetCall,
  type LeaseCandidate,
  type NumberUse,
  staticChannelOf,
} from './attribution.js';

const MIN = 60_000;
const pool: NumberUse = { kind: 'pool', pool: { id: 'p', name: 'Директ', holdSeconds: 900 } };
const lease = (
  id: string,
  startedAt: number,
  lastSeenAt: number,
  holdMin = 15,
  shared = false,
): LeaseCandidate => ({
  leaseId: `l${id}`,
  visitId: `v${id}`,
  startedAt,
  lastSeenAt,
  expiresAt: lastSeenAt + holdMin * MIN,
  shared,
});

describe('attributeCall', () => {
  it('credits a static number to its channel with full confidence', () => {
    const use: NumberUse = {
      kind: 'static',
      channel: { id: 'c', name: 'Билборд', source: 'billboard', medium: 'offline', offline: true },
    };
    expect(attributeCall(0, use, [])).toMatchObject({
      rule: 'static_number',
      confidence: 100,
      staticChannelId: 'c',
    });
  });

  it('is sure when one visitor had the page open', () => {
    const a = attributeCall(10 * MIN, pool, [lease('1', 0, 10 * MIN - 20_000)]);
    expect(a).toMatchObject({ rule: 'lease_active', confidence: 100, visitId: 'v1', poolId: 'p' });
  });

  it('is less sure the later in the hold the call comes', () => {
    const early = attributeCall(5 * MIN, pool, [lease('1', 0, 2 * MIN)]).confidence;
    const late = attributeCall(16 * MIN, pool, [lease('1', 0, 2 * MIN)]).confidence;
    expect(early).toBeGreaterThan(late);
    expect(late).toBeGreaterThanOrEqual(40);
    expect(attributeCall(16 * MIN, pool, [lease('1', 0, 2 * MIN)]).rule).toBe('lease_in_hold');
  });

  it('halves confidence when two visitors shared the number', () => {
    const a = attributeCall(10 * MIN, pool, [
      lease('1', 0, 10 * MIN),
      lease('2', 5 * MIN, 10 * MIN, 15, true),
    ]);
    expect(a.confidence).toBe(50);
    expect(a.candidates).toHaveLength(2);
    expect(a.explanation).toContain('1 other visit');
  });

  it('prefers the holder over a visitor whose hold had ended, with a small discount for the doubt', () => {
    const a = attributeCall(20 * MIN, pool, [lease('old', 0, 1 * MIN), lease('new', 17 * MIN, 19.5 * MIN)]);
    expect(a.visitId).toBe('vnew');
    expect(a.confidence).toBeLessThan(100);
    expect(a.confidence).toBeGreaterThan(80);
  });

  it('falls back to a recent holder with low confidence, then to the pool', () => {
    const recent = attributeCall(20 * MIN, pool, [lease('1', 0, 0)]);
    expect(recent).toMatchObject({ rule: 'lease_recent', visitId: 'v1' });
    expect(recent.confidence).toBeLessThanOrEqual(30);
    expect(attributeCall(60 * MIN, pool, [lease('1', 0, 0)])).toMatchObject({
      rule: 'pool_without_lease',
      confidence: 5,
      visitId: null,
      poolId: 'p',
    });
  });

  it('ignores leases that started after the call', () => {
    expect(attributeCall(MIN, pool, [lease('1', 2 * MIN, 2 * MIN)]).rule).toBe('pool_without_lease');
  });

  it('keeps confidence within 1..100', () => {
    expect(attributeCall(0, { kind: 'unassigned' }, []).confidence).toBe(1);
  });
});

describe('isTargetCall', () => {
  const rules = { answeredOnly: true, minTalkSeconds: 30, firstCallOnly: false };
  it.each([
    [{ status: 'answered', talkSeconds: 45, firstTimeCaller: true }, rules, true],
    [{ status: 'answered', talkSeconds: 29, firstTimeCaller: true }, rules, false],
    [{ status: 'no-answer', talkSeconds: 0, firstTimeCaller: true }, rules, false],
    [
      { status: 'answered', talkSeconds: 60, firstTimeCaller: false },
      { ...rules, firstCallOnly: true },
      false,
    ],
    [
      { status: 'no-answer', talkSeconds: null, firstTimeCaller: true },
      { answeredOnly: false, minTalkSeconds: 0, firstCallOnly: false },
      true,
    ],
  ])('%o under %o → %s', (call, r, expected) => {
    expect(isTargetCall(call, r)).toBe(expected);
  });
});

describe('staticChannelOf', () => {
  it('reads an online static number’s channel from its medium and source, like UTM tags', () => {
    expect(staticChannelOf({ source: 'yandex', medium: 'cpc', offline: false })).toBe('paid');
    expect(staticChannelOf({ source: 'vk', medium: '', offline: false })).toBe('social');
    expect(staticChannelOf({ source: 'newsletter', medium: 'email', offline: false })).toBe('email');
    expect(staticChannelOf({ source: 'partner-site.ru', medium: 'referral', offline: false })).toBe(
      'referral',
    );
    expect(staticChannelOf({ source: 'maps', medium: 'listing', offline: false })).toBe('referral');
  });
  it('keeps offline channels offline whatever their tags', () => {
    expect(staticChannelOf({ source: 'billboard', medium: 'cpc', offline: true })).toBe('offline');
  });
});
