// Ringtrace DNI script: reports the visit, gets the visitor's number and shows it in place of the site's
// own number, keeps the lease alive while the page is visible. See docs/tracker-protocol.md.
// Rule one: never break the host page. Everything is guarded; on any failure the page keeps its number.
import { readConfig } from './config.js';
import { compileSwapper, type Swapper, type SwapRule } from './format.js';
import { heartbeat } from './heartbeat.js';
import { observe } from './observer.js';
import { post, type VisitAnswer } from './send.js';
import { cookie, gaClientId, readVid, writeVid } from './storage.js';
import { swapTree } from './swap.js';

/** Sent as `sv`; bump when the payload changes. */
const VERSION = 1;
const DEFAULT_HEARTBEAT_SECONDS = 30;

declare global {
  interface Window {
    ringtrace?: { swap(): void };
  }
}

function start(): void {
  // A second copy of the script (theme plus tag manager, say) must not report the visit twice.
  if (window.ringtrace) return;
  const config = readConfig();
  if (!config) return;

  let shown: SwapRule[] = []; // the rules whose `to` the page shows now
  let swapper: Swapper | undefined;
  let observer: MutationObserver | undefined;
  let lease: string | undefined;

  const rescan = (): void => {
    if (!swapper) return;
    swapTree(document.documentElement, swapper);
    observer?.takeRecords(); // our own writes, not the page's
  };

  // Shows a new swap list. The page may already show numbers from an earlier answer (before a 410), so
  // each of those is rewritten to its new number, or back to the original when it has none now.
  const apply = (swap: SwapRule[]): void => {
    const rules = swap.slice();
    for (const old of shown) {
      const now = swap.find((rule) => rule.from === old.from);
      const to = now ? now.to : old.from;
      if (to !== old.to) rules.push({ from: old.to, to, cc: old.cc });
    }
    shown = swap;
    swapper = compileSwapper(rules);
    if (swapper && !observer) observer = observe((node) => swapper && swapTree(node, swapper));
    rescan();
  };

  const visit = (): void => {
    post(config.api + '/t/visit', {
      k: config.key,
      vid: readVid(),
      u: location.href,
      r: document.referrer,
      ga: gaClientId(),
      ym: cookie('_ym_uid'),
      l: navigator.language,
      s: screen.width + 'x' + screen.height,
      sv: VERSION,
    })
      .then((res) => (res?.ok ? (res.json() as Promise<VisitAnswer | null>) : undefined))
      .catch(() => undefined)
      .then((answer) => {
        // Any failure lands here with no answer: no lease, nothing (more) to show.
        const a = answer || {};
        if (a.vid && typeof a.vid === 'string') writeVid(a.vid);
        lease = a.lease;
        apply(Array.isArray(a.swap) ? a.swap.filter((rule) => rule?.from && rule.to) : []);
        setPeriod(lease ? (Number(a.hb) > 0 ? Number(a.hb) : DEFAULT_HEARTBEAT_SECONDS) : 0);
      })
      .catch(() => undefined);
  };

  const ping = (): void => {
    const sent = lease;
    if (!sent) return;
    post(config.api + '/t/ping', { k: config.key, lease: sent }).then((res) => {
      // 410: the lease is gone (the tab slept too long). Ask again; `apply` moves the page to the new
      // number or back to the original. `sent === lease` ignores a late answer to an older ping.
      if (res?.status === 410 && sent === lease) {
        lease = undefined;
        visit();
      }
    });
  };

  const setPeriod = heartbeat(ping);
  window.ringtrace = { swap: rescan };
  // The answer may come before the parser has finished the page; nodes it adds later are observed, and
  // this catches text the parser appended to nodes already scanned.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', rescan);
  visit();
}

try {
  start();
} catch {
  // Never throw into the host page.
}
