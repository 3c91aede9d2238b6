// The server's modules as `npm start` runs them: from its build (packages/server/dist, which bench/run.mjs makes
// first), typed by their sources. Every benchmark takes the server's code from here, so that none measures tsx's
// output (which wraps functions in a naming helper: the tracker measured ~7% slower under it) and none mixes a
// module's two copies (the sources under tsx and the build), whose classes and state differ.

/** `await fromBuild<typeof import('../../packages/server/src/ids.js')>('ids.js')` */
export function fromBuild<T>(path: string): Promise<T> {
  return import(new URL(`../../packages/server/dist/${path}`, import.meta.url).href) as Promise<T>;
}
