// Applying a compiled swapper to the page: visible text nodes and tel: links, and numbers whose digits are
// spread over the children of one small element.
import { attempt } from './attempt.js';
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
function rewrite(nodes: Text[], swapper: Swapper): void {
  (
    swapParts(
      nodes.map((node) => node.data),
      swapper,
    ) || []
  ).forEach((next, i) => {
    if (nodes[i]!.data !== next) nodes[i]!.data = next;
  });
}

/** Whether a number split over the children of `element` is searched for in its text (see SPLIT_TAGS). */
const small = (element: Element): boolean =>
  SPLIT_TAGS.test(element.tagName) && element.textContent!.length <= 80;

/**
 * Rewrites the numbers in `root` and below, unless `root` sits inside a skipped element. Does nothing
 * without a swapper (no numbers to show). Never throws.
 */
export function swapTree(root: Node, swapper: Swapper | undefined): void {
  // The host page comes first: a DOM error leaves the rest of the page as it is.
  attempt(() => {
    if (!swapper) return;
    // A changed piece of a split number (one text node, one <b>) completes it: the walk starts at the
    // largest small container around it.
    while (root.parentElement && small(root.parentElement)) root = root.parentElement;
    // Inside a skipped element? (The walk checks `root` itself.) The root of the document has no parent;
    // a text node without one (removed before the observer saw its change) has no `closest` and throws.
    if ((root.parentElement || (root as Element)).closest(SKIP)) return;
    const texts: Text[] = []; // every text node walked so far, in document order
    const walk = (node: Node): void => {
      if (node.nodeType === 3) {
        rewrite([node as Text], swapper);
        texts.push(node as Text);
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
        // Without an href (null) or without a change, `next` is `href` itself and nothing is written.
        const href = element.getAttribute('href');
        const next = href && swapHref(href, swapper);
        if (next !== href) element.setAttribute('href', next!);
      }
    };
    walk(root);
  });
}
