// Rule one of the script: never throw into the host page.

/** Runs `f` and returns its result, or undefined when it throws (blocked storage, a page's broken API). */
export function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    // The caller gets undefined.
  }
}
