// Keeping the lease alive while the visitor is looking at the page, and only then.

/** The period when the answer gives none (or a wrong one). */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

/**
 * Calls `beat` every `seconds` while the page is visible and once when it becomes visible again; a hidden
 * page sends nothing. The returned function sets the period; 0 stops the heartbeat.
 */
export function heartbeat(beat: () => void): (seconds: number) => void {
  let period = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Restarts the timer, after a beat when `now`. Hiding the page fires visibilitychange, which stops it, so
  // the timer only ever fires on a visible page.
  const run = (now?: boolean): void => {
    clearTimeout(timer);
    if (period > 0 && !document.hidden) {
      if (now) beat();
      timer = setTimeout(() => run(true), period * 1000);
    }
  };
  document.addEventListener('visibilitychange', () => run(true));
  return (seconds) => {
    period = seconds;
    run();
  };
}
