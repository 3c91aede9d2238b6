// Applying a compiled swapper to the page: visible text nodes and tel: links, and numbers whose digits are
// spread over the children of one small element.
import { type Swapper, swapHref, swapParts } from './format.js';

// Never rewrite code, structured data (JSON-LD is a script), form values, templates, editors, or regions
// the site owner opted out of.
const SKIP = 'script,style,noscript,textarea,select,template,[contenteditable],[data-rt-noswap]';

// Elements searched for a number split over their children (`<a><span>+7 (495)</span> <b>123…</b></a>`):
// links, inline text elements, paragraphs, headings, list items and cells, with little text (at most 80
// characters, below), so the search stays cheap and never joins the text of a whole layout block.
const SPLIT_TAGS = /^([abipu]|big|em|font|h[1-6]|label|li|nobr|small|span|strong|td)$/i;

/**
 * Swaps the numbers in the text of `nodes`, one text node or the text nodes of one element in order, and
 * writes the result into the same nodes, position for position. Writes happen only on a real change: the
 * MutationObserver sees them, and an unchanged rescan must not write again.
 */
function rewrite(nodes: Node[], swapper: Swapper): void {
  (
    swapParts(
      nodes.map((node) => node.nodeValue || ''),
      swapper,
    ) || []
  ).forEach((next, i) => {
    const node = nodes[i]!;
    if (node.nodeValue !== next) node.nodeValue = next;
  });
}

/** Whether a number split over the children of `element` is searched for in its text (see SPLIT_TAGS). */
const small = (element: Element): boolean =>
  SPLIT_TAGS.test(element.tagName) && (element.textContent || '').length <= 80;

/** Rewrites the numbers in `root` and below, unless `root` sits inside a skipped element. Never throws. */
export function swapTree(root: Node, swapper: Swapper): void {
  try {
    // A changed piece of a split number (one text node, one <b>) completes it: the walk starts at the
    // largest small container around it.
    while (root.parentElement && small(root.parentElement)) root = root.parentElement;
    const host = root.nodeType === 1 ? (root as Element) : root.parentElement;
    if (!host || host.closest(SKIP)) return;
    const texts: Node[] = []; // every text node walked so far, in document order
    const walk = (node: Node): void => {
      if (node.nodeType === 3) {
        rewrite([node], swapper);
        texts.push(node);
      } else if (node.nodeType === 1 && !(node as Element).matches(SKIP)) {
        const element = node as Element;
        const first = texts.length;
        element.childNodes.forEach(walk);
        // A number split over the children of a small container: its text nodes in order are its text.
        // With no child element, its text node was matched on its own. A skipped child would be joined
        // with the text around it, so its container is left alone.
        if (element.childElementCount && small(element) && !element.querySelector(SKIP)) {
          rewrite(texts.slice(first), swapper);
        }
        const href = element.getAttribute('href');
        const next = href && swapHref(href, swapper);
        if (next && next !== href) element.setAttribute('href', next);
      }
    };
    walk(root);
  } catch {
    // The host page comes first: a DOM error leaves the rest of the page as it is.
  }
}
