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

/** Must run while the script itself executes: `document.currentScript` is null afterwards. */
export function readConfig(): Config | undefined {
  try {
    // Fallback for loaders that hide currentScript (it is null in some tag managers' wrappers).
    const script = (document.currentScript ||
      document.querySelector('script[data-project]')) as HTMLScriptElement | null;
    const key = script?.getAttribute('data-project');
    if (!script || !key) return undefined;
    const api = script.getAttribute('data-api') || new URL(script.src || location.href).origin;
    const wait =
      script.getAttribute('data-consent') === 'required' ||
      (script.hasAttribute('data-respect-gpc') &&
        (navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl === true);
    return { key, api: api.replace(/\/+$/, ''), wait };
  } catch {
    return undefined;
  }
}
