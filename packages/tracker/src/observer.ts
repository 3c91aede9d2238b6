// Content that the page adds or changes after the first scan (SPAs, lazy blocks, popups).
import { attempt } from './attempt.js';

/** Calls `onNode` for every added node, changed text and changed href. Returns undefined if unsupported. */
export function observe(onNode: (node: Node) => void): MutationObserver | undefined {
  // Unsupported: later content keeps its numbers; ringtrace.swap() still rescans.
  return attempt(() => {
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'childList') record.addedNodes.forEach(onNode);
        else onNode(record.target);
      }
      // Our own rewrites in onNode queued records too. Dropping them keeps one change from triggering
      // another scan of the same nodes (and a loop if a rewrite ever produced a match again).
      observer.takeRecords();
    });
    observer.observe(document.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
      attributeFilter: ['href'],
    });
    return observer;
  });
}
