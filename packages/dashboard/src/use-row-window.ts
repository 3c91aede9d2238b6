import { type RefObject, useEffect, useState } from 'react';

export interface RowWindow {
  first: number;
  last: number;
  padTop: number;
  padBottom: number;
}

/** Assumed when the container has no layout yet (first render, tests): about a screenful. */
const DEFAULT_VIEW_HEIGHT = 600;

/**
 * Which rows of a long list of fixed-height rows are within the scrolling container's view (plus `overscan`
 * rows each side), and the blank space that stands in for the rest: rendering 10,000 rows would take seconds
 * and keep 10,000 audio players in the page; rendering the window takes milliseconds at any length.
 */
export function useRowWindow(
  ref: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan = 10,
): RowWindow {
  const [view, setView] = useState({ top: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const resize = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(update);
    resize?.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      resize?.disconnect();
    };
  }, [ref]);
  const height = view.height || DEFAULT_VIEW_HEIGHT;
  const first = Math.min(count, Math.max(0, Math.floor(view.top / rowHeight) - overscan));
  const last = Math.min(count, Math.ceil((view.top + height) / rowHeight) + overscan);
  return { first, last, padTop: first * rowHeight, padBottom: Math.max(0, count - last) * rowHeight };
}
