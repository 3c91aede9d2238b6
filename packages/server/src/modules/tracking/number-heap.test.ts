import { describe, expect, it } from 'vitest';
import { allocate, type PoolNumber } from './lease.js';
import { NumberHeap } from './number-heap.js';

const n = (id: string, releasedAt: number): PoolNumber => ({ id, e164: `+7495000${id}`, releasedAt });

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

describe('NumberHeap', () => {
  it('keeps the least-recently-released number on top, ties broken by id', () => {
    const heap = new NumberHeap([n('c', 300), n('b', 100), n('a', 100), n('d', 200)]);
    expect(heap.peek()?.id).toBe('a');
    heap.holdUntil('a', 1000);
    expect(heap.peek()?.id).toBe('b');
    heap.holdUntil('b', 250);
    expect(heap.peek()?.id).toBe('d');
  });

  it('never moves a release moment earlier', () => {
    const heap = new NumberHeap([n('a', 500), n('b', 600)]);
    heap.holdUntil('a', 100);
    expect(heap.get('a')?.releasedAt).toBe(500);
    expect(heap.peek()?.id).toBe('a');
  });

  it('ignores numbers it does not hold, and an empty pool has nothing on top', () => {
    const heap = new NumberHeap([]);
    heap.holdUntil('x', 10);
    expect(heap.peek()).toBeUndefined();
    expect(heap.size).toBe(0);
  });

  it('lends exactly what the lease rules would, over a long random run', () => {
    const next = random(42);
    const numbers = Array.from({ length: 37 }, (_, i) =>
      n(String(i).padStart(2, '0'), Math.floor(next() * 50)),
    );
    const heap = new NumberHeap(numbers);
    const model = numbers.map((x) => ({ ...x }));
    let now = 0;
    for (let step = 0; step < 5000; step++) {
      now += Math.floor(next() * 20);
      const expected = allocate(model, now, 'reuse_oldest');
      const top = heap.peek();
      if (expected.kind !== 'free' && expected.kind !== 'shared') throw new Error('pool is never empty');
      expect(top?.id).toBe(expected.number.id);
      expect(top && top.releasedAt <= now ? 'free' : 'shared').toBe(expected.kind);
      // Lend it (or extend a random other holder) for a random hold, in the heap and in the model alike.
      const id =
        next() < 0.7 ? expected.number.id : (model[Math.floor(next() * model.length)] as PoolNumber).id;
      const until = now + Math.floor(next() * 300);
      heap.holdUntil(id, until);
      const held = model.find((x) => x.id === id) as PoolNumber;
      held.releasedAt = Math.max(held.releasedAt, until);
    }
  });
});
