// Keeping the lease alive while the visitor is looking at the page, and only then.

const visible = (): boolean => document.visibilityState === 'visible';

/**
 * Calls `beat` every `seconds` while the page is visible and once when it becomes visible again; a hidden
 * page sends nothing. The returned function sets the period; 0 stops the heartbeat.
 */
export function heartbeat(beat: () => void): (seconds: number) => void {
  let period = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    clearTimeout(timer);
    if (period > 0 && visible()) {
      timer = setTimeout(() => {
        beat();
        schedule();
      }, period * 1000);
    }
  };
  try {
    document.addEventListener('visibilitychange', () => {
      if (period > 0 && visible()) beat();
      schedule();
    });
  } catch {
    // Without the event the heartbeat still runs on its timer.
  }
  return (seconds) => {
    period = seconds;
    schedule();
  };
}
