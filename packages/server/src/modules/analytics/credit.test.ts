import { describe, expect, it } from 'vitest';
import { creditVisit, LOOKBACK_MS, type VisitTouch } from './credit.js';

const DAY = 86_400_000;
const v = (id: string, channel: string, day: number): VisitTouch => ({ id, channel, startedAt: day * DAY });

describe('creditVisit', () => {
  const paidA = v('a', 'paid', 10);
  const organic = v('b', 'organic', 20);
  const directEarlier = v('c', 'direct', 25);

  it('keeps a non-direct visit under last non-direct click', () => {
    const credits = creditVisit(v('x', 'paid', 30), [paidA, organic]);
    expect(credits).toEqual({ of: 'x', lastNonDirectClick: 'x', firstClick: 'a' });
  });

  it('credits a direct visit to the latest earlier non-direct one, and first click to the earliest', () => {
    const credits = creditVisit(v('x', 'direct', 30), [organic, directEarlier, paidA]);
    expect(credits).toEqual({ of: 'x', lastNonDirectClick: 'b', firstClick: 'a' });
  });

  it('keeps the visit itself when nothing earlier counts', () => {
    expect(creditVisit(v('x', 'direct', 30), [directEarlier])).toEqual({
      of: 'x',
      lastNonDirectClick: 'x',
      firstClick: 'c',
    });
    expect(creditVisit(v('x', 'direct', 30), [])).toEqual({
      of: 'x',
      lastNonDirectClick: 'x',
      firstClick: 'x',
    });
  });

  it('looks back 90 days, not further, and never forward', () => {
    const x = v('x', 'direct', 200);
    const edge = { id: 'edge', channel: 'paid', startedAt: x.startedAt - LOOKBACK_MS };
    const tooOld = { id: 'old', channel: 'paid', startedAt: x.startedAt - LOOKBACK_MS - 1 };
    const later = v('later', 'paid', 201);
    expect(creditVisit(x, [tooOld, edge, later, x])).toEqual({
      of: 'x',
      lastNonDirectClick: 'edge',
      firstClick: 'edge',
    });
    expect(creditVisit(x, [tooOld, later])).toEqual({ of: 'x', lastNonDirectClick: 'x', firstClick: 'x' });
  });

  it('orders visits that started at the same moment by id, whatever the input order', () => {
    const x = v('x', 'direct', 30);
    const p = v('p', 'paid', 20);
    const q = v('q', 'organic', 20);
    expect(creditVisit(x, [p, q])).toEqual(creditVisit(x, [q, p]));
    expect(creditVisit(x, [q, p])).toEqual({ of: 'x', lastNonDirectClick: 'q', firstClick: 'p' });
  });
});
