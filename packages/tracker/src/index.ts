// Ringtrace DNI script: reports the visit, gets the visitor's number and shows it in place of the site's
// own number, keeps the lease alive while the page is visible. See docs/tracker-protocol.md.
// Rule one: never break the host page. Everything is guarded; on any failure the page keeps its number.
import { attempt } from './attempt.js';
import { compileSwapper, type Swapper, type SwapRule } from './format.js';
import { observe } from './observer.js';
import { DEFAULT_HEARTBEAT_SECONDS, post, VERSION, type VisitAnswer } from './send.js';
import { cookie, gaClientId, gaSessions, readVid, writeVid } from './storage.js';
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
  // The script tag holds the configuration: <script async src="https://HOST/rt.js" data-project="KEY">.
  // It must be read now, as `document.currentScript` is null afterwards; for loaders that hide it (some tag
  // managers' wrappers), the first script[data-project]. Without a script tag or with a malformed src,
  // this throws, and attempt(start) below makes that a no-op.
  const script = (document.currentScript ||
    document.querySelector('script[data-project]')) as HTMLScriptElement;
  const data = script.dataset;
  const key = data.project; // the project's public key
  if (!key) return;
  // Where the API is: `data-api`, else the origin of the script's own src; without a trailing slash.
  const api = (data.api || new URL(script.src || location.href).origin).replace(/\/+$/, '');

  let shown: SwapRule[] = []; // the rules whose `to` the page shows now
  let swapper: Swapper | undefined;
  let observer: MutationObserver | undefined;
  let lease: string | undefined;
  let period: number; // seconds between pings, set with the lease
  let timer: ReturnType<typeof setTimeout> | undefined;
  let started = false;
  // The page view reported last and its referrer: the landing page, then each SPA navigation's new URL
  // with the one before it. Held in memory only, so a page without consent yet still knows its landing.
  let url = location.href;
  let referrer = document.referrer;
  // One /t/visit at a time: a navigation right after landing must carry the visitor id from the first
  // answer, or a new visitor would be counted (and lent a number) twice.
  let visits: Promise<void> = Promise.resolve();

  const rescan = (): void => {
    swapTree(document.documentElement, swapper);
    if (observer) observer.takeRecords(); // our own writes, not the page's
  };

  // Shows a new swap list. The page may already show numbers from an earlier answer (before a 410, or
  // before an SPA navigation), so each of those is rewritten to its new number, or back to the original
  // when it has none now (a rule whose number stays the same is one compileSwapper ignores).
  const apply = (swap: SwapRule[]): void => {
    const rules = swap.concat(
      shown.map((old) => ({
        from: old.to,
        to: (swap.find((rule) => rule.from === old.from) || { to: old.from }).to,
        cc: old.cc,
      })),
    );
    shown = swap;
    swapper = compileSwapper(rules);
    rescan();
  };

  /** Reports the page view `url`; `navigation` for an SPA navigation, whose failure changes nothing. */
  const visit = (navigation?: boolean): void => {
    const body: Record<string, unknown> = {
      k: key,
      u: url,
      r: referrer,
      ga: gaClientId(),
      gs: gaSessions(),
      ym: cookie('_ym_uid'),
      l: navigator.language,
      s: screen.width + 'x' + screen.height,
      sv: VERSION,
    };
    visits = visits
      .then(() => {
        // Read only now: the answer to the page view before may have brought it.
        body.vid = readVid();
        return post(api + '/t/visit', body);
      })
      .then<VisitAnswer | null | false>((res) => res.ok && res.json())
      .catch(() => undefined)
      .then((answer) => {
        // Any failure lands here with no answer: no lease, nothing (more) to show. After a navigation
        // the page keeps what it shows, and the lease lives on through the heartbeat.
        const a: VisitAnswer = answer || {};
        // biome-ignore lint/complexity/useOptionalChain: `?.` is 11 bytes longer in the ES2017 build.
        const swap = Array.isArray(a.swap) && a.swap.filter((rule) => rule && rule.from && rule.to);
        if (navigation && !swap) return;
        if (a.vid && typeof a.vid === 'string') writeVid(a.vid);
        lease = a.lease;
        apply(swap || []);
        const hb = Number(a.hb);
        period = hb > 0 ? hb : DEFAULT_HEARTBEAT_SECONDS;
        heartbeat();
      })
      .catch(() => undefined);
  };

  // The heartbeat: pings when `now`, then restarts its timer. It pings every `period` seconds while there
  // is a lease and the page is visible. Hiding the page fires visibilitychange, which stops the timer, so
  // it only ever fires on a visible page; showing the page again pings at once (the event counts as `now`).
  // After a 410 there is no lease until the next answer, which restarts the heartbeat.
  const heartbeat = (now?: unknown): void => {
    const sent = lease;
    clearTimeout(timer);
    if (sent && !document.hidden) {
      if (now) {
        post(api + '/t/ping', { k: key, lease: sent })
          .then((res) => {
            // 410: the lease is gone (the tab slept too long). Ask again; `apply` moves the page to the
            // new number or back to the original. `sent === lease` ignores a late answer to an older ping.
            if (res.status === 410 && sent === lease) {
              lease = undefined;
              visit();
            }
          })
          .catch(() => undefined);
      }
      timer = setTimeout(heartbeat, period * 1000, true);
    }
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
    // Later content gets the numbers too (nothing is done while there are none).
    observer = observe((node) => swapTree(node, swapper));
    // Without the history hooks the landing page is still reported.
    attempt(() => {
      wrap('pushState');
      wrap('replaceState');
      // Back and forward between the page's own history entries.
      addEventListener('popstate', navigated);
    });
    // The page may have navigated while it waited for consent: its current URL is a page view too.
    navigated();
  };

  const ringtrace: Api = {
    swap: rescan,
    consent,
    // As a property key, ['consent'] is 'consent' too. A call naming no method throws here and does nothing.
    push: (call) => attempt(() => ringtrace[call as 'swap']()),
  };
  window.ringtrace = ringtrace;
  // The answer may come before the parser has finished the page; nodes it adds later are observed, and
  // this catches text the parser appended to nodes already scanned. (Once the event has fired, the
  // listener never runs.)
  document.addEventListener('DOMContentLoaded', rescan);
  document.addEventListener('visibilitychange', heartbeat); // the event counts as `now`
  // Until the page calls `ringtrace.consent()`, nothing is reported, stored or swapped when the tag says
  // data-consent="required", or has data-respect-gpc while the browser sends Global Privacy Control.
  const wait =
    data.consent === 'required' ||
    ('respectGpc' in data && (navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl === true);
  if (!wait) consent();
  if (queued) queued.forEach(ringtrace.push);
}

attempt(start);
