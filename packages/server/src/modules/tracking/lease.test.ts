import { describe, expect, it } from 'vitest';
import {
  allocate,
  continuesVisit,
  leaseExpiry,
  type PoolNumber,
  pickFreeNumber,
  VISIT_IDLE_MS,
} from './lease.js';

const n = (id: string, releasedAt: number): PoolNumber => ({ id, e164: `+7495000000${id}`, releasedAt });

describe('pickFreeNumber', () => {
  it('lends the number released longest ago, never one still held', () => {
    expect(pickFreeNumber([n('1', 500), n('2', 100), n('3', 2000)], 1000)?.id).toBe('2');
    expect(pickFreeNumber([n('1', 1001)], 1000)).toBeUndefined();
  });
  it('breaks ties by id, so two equal numbers are chosen the same way every time', () => {
    expect(pickFreeNumber([n('b', 0), n('a', 0)], 10)?.id).toBe('a');
  });
  it('treats a number released exactly now as free', () => {
    expect(pickFreeNumber([n('1', 1000)], 1000)?.id).toBe('1');
  });
});

describe('allocate', () => {
  const busy = [n('1', 5000), n('2', 3000), n('3', 4000)];
  it('shares the number whose holder went silent first when the pool is exhausted', () => {
    expect(allocate(busy, 1000, 'reuse_oldest')).toEqual({ kind: 'shared', number: busy[1] });
  });
  it('shows the fallback number instead when the pool says so', () => {
    expect(allocate(busy, 1000, 'fallback')).toEqual({ kind: 'fallback' });
  });
  it('uses a free number whatever the policy', () => {
    expect(allocate([...busy, n('4', 0)], 1000, 'fallback')).toMatchObject({
      kind: 'free',
      number: { id: '4' },
    });
  });
  it('says when a pool has no numbers at all', () => {
    expect(allocate([], 1000, 'reuse_oldest')).toEqual({ kind: 'empty_pool' });
    expect(allocate([], 1000, 'fallback')).toEqual({ kind: 'fallback' });
  });
});

describe('leaseExpiry', () => {
  it('is the last heartbeat plus the hold', () => {
    expect(leaseExpiry(1_000, 900)).toBe(901_000);
  });
});

describe('continuesVisit', () => {
  const current = { lastSeenAt: 0, channel: 'paid', source: 'yandex', campaign: 'spring' };
  const hit = { at: 60_000, tagged: false, channel: 'direct', source: '(direct)', campaign: null };
  it('continues an untagged page view within the idle window', () => {
    expect(continuesVisit(current, hit)).toBe(true);
  });
  it('starts a new visit after the idle window', () => {
    expect(continuesVisit(current, { ...hit, at: VISIT_IDLE_MS + 1 })).toBe(false);
  });
  it('starts a new visit for a new campaign, but not for the same one', () => {
    expect(
      continuesVisit(current, { ...hit, tagged: true, channel: 'paid', source: 'google', campaign: 'x' }),
    ).toBe(false);
    expect(
      continuesVisit(current, {
        ...hit,
        tagged: true,
        channel: 'paid',
        source: 'yandex',
        campaign: 'spring',
      }),
    ).toBe(true);
  });
  it('starts a first visit', () => {
    expect(continuesVisit(undefined, hit)).toBe(false);
  });
});
