/**
 * A pool's numbers ordered by release moment (then id): the least-recently-released number is always on top, so
 * lending one is O(log n) instead of a scan. Release moments only move later while a number is lent or held,
 * which is the one update the heap needs (sift down).
 */
export interface HeapNumber {
  id: string;
  e164: string;
  releasedAt: number;
}

const before = (a: HeapNumber, b: HeapNumber) =>
  a.releasedAt < b.releasedAt || (a.releasedAt === b.releasedAt && a.id < b.id);

export class NumberHeap {
  private readonly items: HeapNumber[] = [];
  private readonly position = new Map<string, number>();

  constructor(numbers: Iterable<HeapNumber>) {
    for (const n of numbers) {
      this.position.set(n.id, this.items.length);
      this.items.push({ ...n });
    }
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  /** The number released longest ago (free when its moment has passed, else the one busy the shortest). */
  peek(): HeapNumber | undefined {
    return this.items[0];
  }

  get(id: string): HeapNumber | undefined {
    const i = this.position.get(id);
    return i === undefined ? undefined : this.items[i];
  }

  /** Moves a number's release moment later; earlier moments are ignored (a number is busy until its last holder leaves). */
  holdUntil(id: string, until: number): void {
    const i = this.position.get(id);
    const item = i === undefined ? undefined : this.items[i];
    if (i === undefined || !item || item.releasedAt >= until) return;
    item.releasedAt = until;
    this.siftDown(i);
  }

  private siftDown(start: number): void {
    const items = this.items;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && before(items[left] as HeapNumber, items[smallest] as HeapNumber))
        smallest = left;
      if (right < items.length && before(items[right] as HeapNumber, items[smallest] as HeapNumber))
        smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const x = this.items[a] as HeapNumber;
    const y = this.items[b] as HeapNumber;
    this.items[a] = y;
    this.items[b] = x;
    this.position.set(y.id, a);
    this.position.set(x.id, b);
  }
}
