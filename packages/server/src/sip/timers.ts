/** Named one-shot timers owned by one object, so it can cancel them all when it ends. */
export class Timers {
  readonly #handles = new Map<string, NodeJS.Timeout>();

  /** onError: a throwing timer callback must be reported, not crash the process. */
  constructor(private readonly onError: (err: unknown) => void) {}

  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.#handles.set(
      name,
      setTimeout(() => {
        this.#handles.delete(name);
        try {
          fn();
        } catch (err) {
          this.onError(err);
        }
      }, ms),
    );
  }

  clear(name: string): void {
    const h = this.#handles.get(name);
    if (h) clearTimeout(h);
    this.#handles.delete(name);
  }

  has(name: string): boolean {
    return this.#handles.has(name);
  }

  clearAll(): void {
    for (const h of this.#handles.values()) clearTimeout(h);
    this.#handles.clear();
  }
}

// RFC 3261 §17 timer values for UDP.
export const T1 = 500;
export const T2 = 4000;
export const T4 = 5000;
export const TX_TIMEOUT = 64 * T1;
