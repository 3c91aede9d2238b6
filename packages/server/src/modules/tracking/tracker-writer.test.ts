import { describe, expect, it } from 'vitest';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import { createLogger } from '../../logger.js';
import { type BatchSink, type TrackerBatch, TrackerWriter } from './tracker-writer.js';

const log = createLogger({ logLevel: 'silent', logFile: undefined });
const visit = (id: string) => ({ id }) as unknown as VisitTable;
const lease = (id: string) => ({ id }) as unknown as LeaseTable;

/** A sink that records batches; each write waits until released, and can be told to fail. */
function recordingSink() {
  const batches: TrackerBatch[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const failIds = new Set<string>();
  const sink: BatchSink = {
    async write(batch) {
      if (hold) await new Promise<void>((r) => (release = r));
      if ([...batch.visits, ...batch.leases].some((row) => failIds.has(row.id))) throw new Error('bad row');
      batches.push(batch);
    },
    close: async () => {},
  };
  return {
    sink,
    batches,
    failIds,
    hold: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('TrackerWriter', () => {
  it('commits the rows queued in one turn together, and a caller waits for exactly its own', async () => {
    const s = recordingSink();
    const writer = new TrackerWriter(s.sink, log, () => {});
    writer.insertVisit(visit('v1'));
    writer.insertLease(lease('l1'));
    writer.claimNumber('n1', 500);
    const mine = writer.mark;
    await writer.durable(mine);
    expect(s.batches).toHaveLength(1);
    expect(s.batches[0]?.visits.map((v) => v.id)).toEqual(['v1']);
    expect(s.batches[0]?.claims).toEqual([['n1', 500]]);
    // A later batch in flight does not hold up a caller whose rows are already committed.
    s.hold();
    writer.insertVisit(visit('v2'));
    await new Promise((r) => setImmediate(r));
    await writer.durable(mine);
    s.release();
    await writer.durable(writer.mark);
  });

  it('writes what queues up during a slow commit as one next batch, however many turns it took', async () => {
    const s = recordingSink();
    const writer = new TrackerWriter(s.sink, log, () => {});
    s.hold();
    writer.insertVisit(visit('v0'));
    await new Promise((r) => setImmediate(r));
    // A hundred turns of the event loop, each with a page view, while the first batch is being committed.
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 100; i++) {
      writer.insertVisit(visit(`v${i}`));
      waits.push(writer.durable(writer.mark));
      await new Promise((r) => setImmediate(r));
    }
    s.release();
    await Promise.all(waits);
    expect(s.batches.map((b) => b.visits.length)).toEqual([1, 100]);
  });

  it('never writes two batches at once, whoever asks (page views, flushes, the touch timer)', async () => {
    let active = 0;
    let most = 0;
    let rows = 0;
    const sink: BatchSink = {
      async write(batch) {
        active += 1;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 1));
        rows += batch.visits.length;
        active -= 1;
      },
      close: async () => {},
    };
    const writer = new TrackerWriter(sink, log, () => {});
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      writer.insertVisit(visit(`v${i}`));
      for (let j = 0; j < 200; j++) writer.touchVisit(`t${i}-${j}`, 1_000 + i, 1);
      // A flush loops over chunks of touches, each continuation a microtask after the batch before it.
      if (i % 7 === 0) flushes.push(writer.flush());
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(flushes);
    await writer.flush();
    expect(rows).toBe(60);
    expect(most).toBe(1);
  });

  it('coalesces touches per row and keeps them out of the row batches until flushed', async () => {
    const s = recordingSink();
    const writer = new TrackerWriter(s.sink, log, () => {});
    writer.touchVisit('v1', 100, 1);
    writer.touchVisit('v1', 300, 1);
    writer.touchVisit('v1', 200, 0);
    writer.touchLease('l1', 300, 900);
    writer.touchLease('l1', undefined, 400); // ended early
    writer.holdNumber('n1', 900);
    writer.holdNumber('n1', 700);
    writer.insertVisit(visit('v2'));
    await writer.durable(writer.mark);
    expect(s.batches[0]?.visitTouches).toEqual([]);
    expect(writer.pendingVisit('v1')).toEqual({ lastSeenAt: 300 });
    expect(writer.pendingHold('n1')).toBe(900);
    await writer.flush();
    const touches = s.batches.at(-1) as TrackerBatch;
    expect(touches.visitTouches).toEqual([['v1', 300, 2]]);
    expect(touches.leaseTouches).toEqual([['l1', 300, 400]]);
    expect(touches.numberHolds).toEqual([['n1', 900]]);
    expect(writer.pendingHold('n1')).toBeUndefined();
  });

  it('shows the times of a batch still being written to readers', async () => {
    const s = recordingSink();
    const writer = new TrackerWriter(s.sink, log, () => {});
    writer.holdNumber('n1', 900);
    writer.touchLease('l1', 300, 1200);
    s.hold();
    const flushing = writer.flush();
    await new Promise((r) => setImmediate(r));
    expect(writer.pendingHold('n1')).toBe(900);
    expect(writer.pendingLease('l1')).toEqual({ lastSeenAt: 300, expiresAt: 1200 });
    s.release();
    await flushing;
    expect(writer.pendingLease('l1')).toBeUndefined();
  });

  it('writes many touches in chunks, oldest first', async () => {
    const s = recordingSink();
    const writer = new TrackerWriter(s.sink, log, () => {});
    for (let i = 0; i < 300; i++) writer.touchVisit(`v${String(i).padStart(3, '0')}`, i, 1);
    await writer.flush();
    expect(s.batches.map((b) => b.visitTouches.length)).toEqual([128, 128, 44]);
    expect(s.batches[0]?.visitTouches[0]?.[0]).toBe('v000');
  });

  it('retries a failed batch row by row: one bad row costs only its own page view, and memory is dropped', async () => {
    const s = recordingSink();
    let lost = 0;
    const writer = new TrackerWriter(s.sink, log, () => {
      lost += 1;
    });
    writer.insertVisit(visit('good'));
    writer.insertVisit(visit('bad'));
    s.failIds.add('bad');
    await expect(writer.durable(writer.mark)).rejects.toThrow('bad row');
    expect(lost).toBe(1);
    expect(s.batches.flatMap((b) => b.visits.map((v) => v.id))).toEqual(['good']);
    s.failIds.clear();
    writer.insertVisit(visit('next'));
    await writer.durable(writer.mark);
    expect(s.batches.at(-1)?.visits.map((v) => v.id)).toEqual(['next']);
  });
});
