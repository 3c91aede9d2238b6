// First-party visitor id and the analytics ids the site already has. Storage and cookies can throw
// (sandboxed iframes, blocked storage), so every access is guarded.

const VID = 'rt_vid';
const YEAR = 31536000;

/** The value of a cookie of this page, or undefined. */
export function cookie(name: string): string | undefined {
  try {
    const found = document.cookie.match('(?:^|;)\\s*' + name + '=([^;]*)');
    return (found && decodeURIComponent(found[1]!)) || undefined;
  } catch {
    // Unreadable cookies: as if there were none.
  }
}

/** Google Analytics client id: `_ga` = "GA1.1.123.456" → "123.456". */
export function gaClientId(): string | undefined {
  return (cookie('_ga') || '').split('.').slice(2).join('.') || undefined;
}

/** The visitor id from localStorage, or from its cookie mirror when storage was cleared or blocked. */
export function readVid(): string | undefined {
  try {
    return localStorage.getItem(VID) || cookie(VID);
  } catch {
    return cookie(VID); // blocked storage
  }
}

export function writeVid(vid: string): void {
  try {
    localStorage.setItem(VID, vid);
  } catch {
    // The cookie below still keeps it.
  }
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in older Safari and Firefox.
    document.cookie = VID + '=' + encodeURIComponent(vid) + ';path=/;max-age=' + YEAR + ';samesite=lax';
  } catch {
    // Cookies disabled: the visitor simply counts as new next time.
  }
}
