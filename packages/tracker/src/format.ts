// Finding a phone number in printed text and rewriting it in the same print format.
// Pure string code (no DOM), so it is unit-tested in Node.
import { attempt } from './attempt.js';

/** One entry of the `/t/visit` answer's `swap` list: E.164 digits without `+`, and the country code. */
export interface SwapRule {
  from: string;
  to: string;
  cc?: string;
}

/** Rewrites every printed occurrence of the compiled numbers in a text; returns the text itself when none. */
export type Swapper = (text: string) => string;

// What may stand between two digits of a printed number: up to three spaces (any Unicode space, NBSP
// included), brackets, dots or dashes: "+7 (495) 123-45-67", "8 - 800 - 555", "555.123.4567".
const SEP = '[\\s().\\u2010-\\u2015-]{0,3}';

// The national trunk prefix written instead of "+cc" for domestic callers: 8 in Russia and Kazakhstan,
// 1 in NANP (the same digit as the country code), 0 in most other countries (below); none if cc is unknown.
const TRUNK: Record<string, string> = { 7: '8', 1: '1' };

/**
 * Writes `digits` into the digit positions of `printed` and keeps every other character, so
 * "8 (495) 123-45-67" stays "8 (…) …-…-…". Extra digits go at the end; missing ones are dropped.
 */
export function writeDigits(printed: string, digits: string): string {
  let i = 0;
  return printed.replace(/\d/g, () => digits.charAt(i++)) + digits.slice(i);
}

/**
 * Compiles swap rules into one function. Each number is looked for with its country code ("+7 495…",
 * "7 495…", "007 495…"), with the trunk prefix ("8 495…", "1-555-…") and as national digits only
 * ("(495) 123-45-67", "555.123.4567"), and replaced by the same form of `to`.
 * Returns undefined when no rule is usable.
 */
export function compileSwapper(rules: readonly SwapRule[]): Swapper | undefined {
  // Printed digits (prefix + national number) of each `from` → the same form of its `to`.
  const targets: Record<string, string> = {};
  for (const rule of rules) {
    const from = '' + rule.from;
    const to = '' + rule.to;
    let cc = '' + (rule.cc || '');
    if (!/^\d{1,3}$/.test(cc) || !from.startsWith(cc) || !to.startsWith(cc)) cc = '';
    const national = from.slice(cc.length);
    const nationalTo = to.slice(cc.length);
    // Six digits at least: a shorter "number" would match too much ordinary text.
    if (!/^\d{6,15}$/.test(national) || !/^\d{6,15}$/.test(nationalTo) || national === nationalTo) continue;
    for (const prefix of [cc, '00' + cc, TRUNK[cc] || (cc && '0'), ''])
      targets[prefix + national] = prefix + nationalTo;
  }
  // Longest first, so that at one position "+7 495…" wins over its national tail "495…".
  const keys = Object.keys(targets).sort((a, b) => b.length - a.length);
  if (!keys.length) return undefined;
  // A number glued to more digits, directly or through one dash or dot ("184951234567", "4951234567-89"),
  // is a piece of a longer number (an order id, an account), not the phone: leave it alone. A digit after
  // it fails the lookahead. A digit before it is taken into the match (the empty alternative comes first, so
  // only where no number starts at that digit itself), and then the match's digits are no key, so the
  // replacer writes them back as they are.
  const pattern = new RegExp(
    '(|\\d[-.]?)(' + keys.map((key) => key.split('').join(SEP)).join('|') + ')(?![-.]?\\d)',
    'g',
  );
  return (text) =>
    text.replace(pattern, (match) => {
      const digits = match.replace(/\D/g, '');
      return writeDigits(match, targets[digits] || digits);
    });
}

/**
 * Swaps numbers in text printed across several pieces (the text nodes of one small element, e.g.
 * `<span>+7 (495)</span> <b>123-45-67</b>`) and returns each piece's new text, or undefined when nothing
 * changed. Every character stays in its piece, so the digits keep their styling; when `to` is longer or
 * shorter, the pieces at the end of the changed stretch take the extra digits or lose the missing ones.
 */
export function swapParts(parts: readonly string[], swapper: Swapper): string[] | undefined {
  const text = parts.join('');
  const next = swapper(text);
  if (next === text) return undefined;
  // The changed stretch is text[from, end), now next[from, end + shift); what lies around it is unchanged.
  const shift = next.length - text.length;
  let from = 0;
  let end = text.length;
  while (text[from] === next[from]) from++;
  while (end > from && end + shift > from && text[end - 1] === next[end - 1 + shift]) end--;
  // Where a piece boundary of `text` lies in `next`: in place up to the end of the change, shifted after it.
  const at = (i: number): number => (i < end ? Math.min(i, end + shift) : i + shift);
  let start = 0;
  return parts.map((part) => {
    const begin = at(start);
    start += part.length;
    return next.slice(begin, at(start));
  });
}

/** Rewrites a `tel:` link (percent-encoded or not); any other href comes back unchanged. */
export function swapHref(href: string, swapper: Swapper): string {
  if (!/^\s*tel:/i.test(href)) return href;
  // A malformed escape: match the raw text.
  const plain = attempt(() => decodeURIComponent(href)) || href;
  const next = swapper(plain);
  return next === plain ? href : next;
}
