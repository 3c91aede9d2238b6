// Configuration comes from the script tag: <script async src="https://HOST/rt.js" data-project="KEY">.

export interface Config {
  /** Project public key (`data-project`). */
  key: string;
  /** Origin of the API, without a trailing slash: `data-api`, else the origin of the script's own src. */
  api: string;
  /**
   * Report nothing and swap nothing until the page calls `ringtrace.consent()`: `data-consent="required"`,
   * or `data-respect-gpc` while the browser sends Global Privacy Control.
   */
  wait: boolean;
}

/**
 * Must run while the script itself executes: `document.currentScript` is null afterwards. Undefined without
 * a usable tag; anything that throws here (a malformed src) is caught by start(), which then does nothing.
 */
export function readConfig(): Config | undefined {
  // Fallback for loaders that hide currentScript (it is null in some tag managers' wrappers).
  const script = (document.currentScript ||
    document.querySelector('script[data-project]')) as HTMLScriptElement | null;
  if (!script) return undefined;
  const data = (name: string): string | null => script.getAttribute('data-' + name);
  const key = data('project');
  if (!key) return undefined;
  return {
    key,
    api: (data('api') || new URL(script.src || location.href).origin).replace(/\/+$/, ''),
    wait:
      data('consent') === 'required' ||
      (data('respect-gpc') !== null &&
        (navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl === true),
  };
}
