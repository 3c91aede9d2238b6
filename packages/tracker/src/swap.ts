// Applying a compiled swapper to the page: visible text nodes and tel: links, and numbers whose digits are
// spread over the children of one small element.
import { type Swapper, swapHref, swapParts } from './format.js';

// Never rewrite code, structured data (JSON-LD is a script), form values, templates, editors, or regions
// the site owner opted out of.
const SKIP = 'script,style,noscript,textarea,select,template,[contenteditable],[data-rt-noswap]';

// Elements searched for a number split over their children (`<a><span>+7 (495)</span> <b>123…</b></a>`):
// links, inline text elements, paragraphs, headings, list items and cells, with little text, so the
// search stays cheap and never joins the text of a whole layout block.
const SPLIT_TAGS = /^(a|b|big|em|font|h[1-6]|i|label|li|nobr|p|small|span|strong|td|u)$/i;
const SPLIT_MAX_CHARS = 80;

const SHOW_ELEMENT_AND_TEXT = 5; // NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT
const SHOW_TEXT = 4;
const FILTER_ACCEPT = 1;
const FILTER_REJECT = 2; // skips the element's whole subtree

/**
 * Swaps a number whose digits lie in several text nodes of `element`, writing into the same nodes.
 * Returns false when `element` is not a small container (so its ancestors are not either).
 */
function swapSplit(element: Element, swapper: Swapper): boolean {
  if (!SPLIT_TAGS.test(element.tagName)) return false;
  const text = element.textContent || '';
  if (text.length > SPLIT_MAX_CHARS) return false;
  // The text nodes in order are `textContent`: most elements hold no number and end here, cheaply. A skipped
  // child would be joined with the text around it, so its container is left alone.
  if (swapper(text) !== text && !element.querySelector(SKIP)) {
    const nodes: Node[] = [];
    const walker = document.createTreeWalker(element, SHOW_TEXT);
    while (walker.nextNode()) nodes.push(walker.currentNode);
    swapParts(
      nodes.map((node) => node.nodeValue || ''),
      swapper,
    )?.forEach((next, i) => {
      const node = nodes[i];
      if (node && node.nodeValue !== next) node.nodeValue = next;
    });
  }
  return true;
}

/** Rewrites the numbers in `root` and below, unless `root` sits inside a skipped element. Never throws. */
export function swapTree(root: Node, swapper: Swapper): void {
  try {
    const host = root.nodeType === 1 ? (root as Element) : root.parentElement;
    if (!host || host.closest(SKIP)) return;
    // A changed piece of a split number (one text node, one <b>) completes it with its small ancestors.
    for (let up = root.parentElement; up && swapSplit(up, swapper); ) up = up.parentElement;
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
        const element = node as Element;
        // With no child element, its text node is matched below on its own.
        if (element.childElementCount) swapSplit(element, swapper);
        const href = element.getAttribute('href');
        const next = href && swapHref(href, swapper);
        if (next && next !== href) element.setAttribute('href', next);
      }
    }
  } catch {
    // The host page comes first: a DOM error leaves the rest of the page as it is.
  }
}
