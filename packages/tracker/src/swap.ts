// Applying a compiled swapper to the page: visible text nodes and tel: links.
import { type Swapper, swapHref } from './format.js';

// Never rewrite code, structured data (JSON-LD is a script), form values, templates, editors, or regions
// the site owner opted out of.
const SKIP = 'script,style,noscript,textarea,select,template,[contenteditable],[data-rt-noswap]';

const SHOW_ELEMENT_AND_TEXT = 5; // NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT
const FILTER_ACCEPT = 1;
const FILTER_REJECT = 2; // skips the element's whole subtree

/** Rewrites the numbers in `root` and below, unless `root` sits inside a skipped element. Never throws. */
export function swapTree(root: Node, swapper: Swapper): void {
  try {
    const host = root.nodeType === 1 ? (root as Element) : root.parentElement;
    if (!host || host.closest(SKIP)) return;
    const walker = document.createTreeWalker(root, SHOW_ELEMENT_AND_TEXT, {
      acceptNode: (node) =>
        node.nodeType === 1 && (node as Element).matches(SKIP) ? FILTER_REJECT : FILTER_ACCEPT,
    });
    for (let node: Node | null = root; node; node = walker.nextNode()) {
      // Writes happen only on a real change: the MutationObserver sees them, and an unchanged rescan
      // must not write again.
      if (node.nodeType === 3) {
        const text = node.nodeValue || '';
        const next = swapper(text);
        if (next !== text) node.nodeValue = next;
      } else if (node.nodeType === 1) {
        const href = (node as Element).getAttribute('href');
        const next = href && swapHref(href, swapper);
        if (next && next !== href) (node as Element).setAttribute('href', next);
      }
    }
  } catch {
    // The host page comes first: a DOM error leaves the rest of the page as it is.
  }
}
