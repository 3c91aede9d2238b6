// First-party visitor id and the analytics ids the site already has. Storage and cookies can throw
// (sandboxed iframes, blocked storage), so every access is guarded.
import { attempt } from './attempt.js';

const VID = 'rt_vid';

/** The value of a cookie of this page, or undefined (also when cookies are unreadable). */
export const cookie = (name: string): string | undefined =>
  attempt(() => {
    const found = document.cookie.match('(?:^|;)\\s*' + name + '=([^;]*)');
    return found && decodeURIComponent(found[1]!);
  }) || undefined;

/** Google Analytics client id: `_ga` = "GA1.1.123.456" → "123.456". */
export const gaClientId = (): string | undefined =>
  (cookie('_ga') || '').split('.').slice(2).join('.') || undefined;

/**
 * GA4's session cookies (`_ga_<stream>=GS1.1.<session id>.…`, or `GS2.1.s<session id>$…`), each cut after its
 * session id: the server credits a call to the visit's GA4 session with it.
 */
export const gaSessions = (): string | undefined =>
  attempt(() => (document.cookie.match(/_ga_\w+=GS\d\.\d+\.s?\d+/g) || []).join(' ')) || undefined;

/** The visitor id from localStorage, or from its cookie mirror when storage was cleared or blocked. */
export const readVid = (): string | undefined => attempt(() => localStorage.getItem(VID)) || cookie(VID);

/** Stores the visitor id in both places; each may fail on its own, and the other still keeps it. */
export function writeVid(vid: string): void {
  attempt(() => localStorage.setItem(VID, vid));
  attempt(() => {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in older Safari and Firefox.
    document.cookie = VID + '=' + encodeURIComponent(vid) + ';path=/;max-age=31536000;samesite=lax'; // a year
  });
}
