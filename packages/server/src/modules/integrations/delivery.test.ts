import { describe, expect, it } from 'vitest';
import { backoffMs, capped, MAX_ATTEMPTS, verdictOf } from './delivery.js';

const response = (status: number, body = '') => ({ kind: 'response' as const, status, body });

describe('delivery verdicts', () => {
  it('delivers on 2xx, retries passing trouble, and stops on other answers', () => {
    expect(verdictOf(response(200), 1)).toEqual({ kind: 'delivered' });
    expect(verdictOf(response(204), 1)).toEqual({ kind: 'delivered' });
    for (const status of [408, 429, 500, 502, 503])
      expect(verdictOf(response(status, 'busy'), 1)).toEqual({
        kind: 'retry',
        reason: `HTTP ${status}: busy`,
      });
    expect(verdictOf({ kind: 'error', reason: 'timed out after 10 s' }, 3)).toEqual({
      kind: 'retry',
      reason: 'timed out after 10 s',
    });
    for (const status of [301, 400, 401, 403, 404, 410, 422])
      expect(verdictOf(response(status), 1).kind).toBe('fail');
    expect(verdictOf(response(503), MAX_ATTEMPTS)).toEqual({
      kind: 'fail',
      reason: `gave up after ${MAX_ATTEMPTS} attempts: HTTP 503`,
    });
  });

  it('gives up a kind’s own retry (its reader’s, or its prepare step’s) after the last attempt', () => {
    const busy = { kind: 'retry' as const, reason: 'Google OAuth: HTTP 503' };
    expect(capped(busy, MAX_ATTEMPTS - 1)).toEqual(busy);
    expect(capped(busy, MAX_ATTEMPTS)).toEqual({
      kind: 'fail',
      reason: `gave up after ${MAX_ATTEMPTS} attempts: Google OAuth: HTTP 503`,
    });
    expect(capped({ kind: 'fail', reason: 'refused' }, 1)).toEqual({ kind: 'fail', reason: 'refused' });
    expect(verdictOf(response(200, 'busy'), MAX_ATTEMPTS, () => busy)).toMatchObject({ kind: 'fail' });
  });

  it('keeps the reason short and on one line', () => {
    const verdict = verdictOf(response(500, `<html>\n${'x'.repeat(1000)}</html>`), 1);
    expect(verdict.kind === 'retry' && verdict.reason.length).toBeLessThanOrEqual(170);
    expect(verdict.kind === 'retry' && verdict.reason).not.toContain('\n');
  });

  it('backs off from 30 s, doubling, capped at 3 h, with up to 20% jitter; 20 attempts span over a day', () => {
    expect(backoffMs(1, () => 0)).toBe(30_000);
    expect(backoffMs(2, () => 0)).toBe(60_000);
    expect(backoffMs(1, () => 1)).toBe(24_000);
    expect(backoffMs(30, () => 0)).toBe(3 * 3_600_000);
    let total = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) total += backoffMs(attempt, () => 0);
    expect(total / 3_600_000).toBeGreaterThan(30);
    expect(total / 3_600_000).toBeLessThan(40);
  });
});
