// Ringtrace DNI script: reports the visit, gets the visitor's number and shows it in place of the site's
// own number, keeps the lease alive while the page is visible. See docs/tracker-protocol.md.
// Rule one: never break the host page. Everything is guarded; on any failure the page keeps its number.
import { readConfig } from './config.js';
import { compileSwapper, type Swapper, type SwapRule } from './format.js';
import { DEFAULT_HEARTBEAT_SECONDS, heartbeat } from './heartbeat.js';
import { observe } from './observer.js';
import { post, VERSION, type VisitAnswer } from './send.js';
import { cookie, gaClientId, readVid, writeVid } from './storage.js';
import { swapTree } from './swap.js';

/** `window.ringtrace` once the script runs. Before, the page may keep calls in an array (see `push`). */
interface Api {
  /** Rescans the whole page with the current numbers. */
  swap(): void;
  /** Starts a script that waits for consent (`data-consent="required"`); a no-op once started. */
  consent(): void;
  /** Runs a queued call by its name: `push('consent')` (or `push(['consent'])`). */
  push(call: unknown): void;
}

declare global {
  interface Window {
    ringtrace?: Api | unknown[];
  }
}

function start(): void {
  // A second copy of the script (theme plus tag manager, say) must not report the visit twice. An array
  // is the page's queue of calls made before the script loaded.
  const queued = window.ringtrace;
  if (queued && !Array.isArray(queued)) return;
  const config = readConfig();
  if (!config) return;

  let shown: SwapRule[] = []; // the rules whose `to` the page shows now
  let swapper: Swapper | undefined;
  let observer: MutationObserver | undefined;
  let lease: string | undefined;
  let started = false;
  // The page view reported last and its referrer: the landing page, then each SPA navigation's new URL
  // with the one before it. Held in memory only, so a page without consent yet still knows its landing.
  let url = location.href;
  let referrer = document.referrer;
  // One /t/visit at a time: a navigation right after landing must carry the visitor id from the first
  // answer, or a new visitor would be counted (and lent a number) twice.
  let visits: Promise<void> = Promise.resolve();

  const rescan = (): void => {
    if (swapper) {
      swapTree(document.documentElement, swapper);
      if (observer) observer.takeRecords(); // our own writes, not the page's
    }
  };

  // Shows a new swap list. The page may already show numbers from an earlier answer (before a 410, or
  // before an SPA navigation), so each of those is rewritten to its new number, or back to the original
  // when it has none now (a rule whose number stays the same is one compileSwapper ignores).
  const apply = (swap: SwapRule[]): void => {
    const rules = swap.concat(
      shown.map((old) => {
        const now = swap.find((rule) => rule.from === old.from);
        return { from: old.to, to: now ? now.to : old.from, cc: old.cc };
      }),
    );
    shown = swap;
    swapper = compileSwapper(rules);
    if (swapper && !observer) observer = observe((node) => swapper && swapTree(node, swapper));
    rescan();
  };

  /** Reports the page view `url`; `navigation` for an SPA navigation, whose failure changes nothing. */
  const visit = (navigation?: boolean): void => {
    const body: Record<string, unknown> = {
      k: config.key,
      u: url,
      r: referrer,
      ga: gaClientId(),
      ym: cookie('_ym_uid'),
      l: navigator.language,
      s: screen.width + 'x' + screen.height,
      sv: VERSION,
    };
    visits = visits.then(() => {
      // Read only now: the answer to the page view before may have brought it.
      body.vid = readVid();
      return post(config.api + '/t/visit', body)
        .then<VisitAnswer | null | false>((res) => res.ok && res.json())
        .catch(() => undefined)
        .then((answer) => {
          // Any failure lands here with no answer: no lease, nothing (more) to show. After a navigation
          // the page keeps what it shows, and the lease lives on through the heartbeat.
          const a: VisitAnswer = answer || {};
          const swap = Array.isArray(a.swap) && a.swap.filter((rule) => rule?.from && rule.to);
          if (navigation && !swap) return;
          if (a.vid && typeof a.vid === 'string') writeVid(a.vid);
          lease = a.lease;
          apply(swap || []);
          const hb = Number(a.hb);
          setPeriod(lease ? (hb > 0 ? hb : DEFAULT_HEARTBEAT_SECONDS) : 0);
        })
        .catch(() => undefined);
    });
  };

  const ping = (): void => {
    const sent = lease;
    if (!sent) return;
    post(config.api + '/t/ping', { k: config.key, lease: sent })
      .then((res) => {
        // 410: the lease is gone (the tab slept too long). Ask again; `apply` moves the page to the new
        // number or back to the original. `sent === lease` ignores a late answer to an older ping.
        if (res.status === 410 && sent === lease) {
          lease = undefined;
          visit();
        }
      })
      .catch(() => undefined);
  };

  // An SPA navigation: a new path or query is a new page view. A change of the #fragment alone is an
  // anchor or a tab of the same page, and the same URL again (a router storing its state) is nothing.
  // Nothing here can throw into the page's own pushState call.
  const navigated = (): void => {
    const now = location.href;
    if (now.split('#')[0] !== url.split('#')[0]) {
      referrer = url;
      url = now;
      visit(true);
    }
  };

  // Calls through to the page's (or another script's) pushState / replaceState with its `this` and
  // arguments, returns what it returns and lets its exceptions through; only then looks at the URL.
  const wrap = (name: 'pushState' | 'replaceState'): void => {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      navigated();
      return result;
    };
  };

  const consent = (): void => {
    if (started) return;
    started = true;
    visit();
    try {
      wrap('pushState');
      wrap('replaceState');
      // Back and forward between the page's own history entries.
      addEventListener('popstate', navigated);
    } catch {
      // Without the history hooks the landing page is still reported.
    }
    // The page may have navigated while it waited for consent: its current URL is a page view too.
    navigated();
  };

  const setPeriod = heartbeat(ping);
  const api: Api = {
    swap: rescan,
    consent,
    push: (call) => {
      try {
        // As a property key, ['consent'] is 'consent' too. A call naming no method throws here and does
        // nothing.
        api[call as 'swap']();
      } catch {
        // Never throw into the page.
      }
    },
  };
  window.ringtrace = api;
  // The answer may come before the parser has finished the page; nodes it adds later are observed, and
  // this catches text the parser appended to nodes already scanned.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', rescan);
  if (!config.wait) consent();
  if (queued) queued.forEach(api.push);
}

try {
  start();
} catch {
  // Never throw into the host page.
}
