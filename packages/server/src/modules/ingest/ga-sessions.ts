/**
 * Google Analytics 4 session ids, from the site's `_ga_<stream>` cookies as the site script sends them
 * (`_ga_XYZ=GS1.1.1732456789.…` or, since 2025, `_ga_XYZ=GS2.1.s1732456789$o…`): the session id is the moment
 * the session started, in seconds, and the cookie's suffix is the measurement id without its `G-`. GA4 credits a
 * Measurement Protocol event to the session (its source, medium and campaign) only when the event carries that
 * session's id, so a call sent to GA4 needs the id of the visit's session for that measurement id.
 */
const COOKIE = /_ga_(\w{1,20})=GS\d\.\d+\.s?(\d{1,20})/g;
const MAX_STREAMS = 8;

/** `{"G-XYZ": "1732456789"}` for each GA4 stream cookie in `raw`, or undefined when there is none. */
export function parseGaSessions(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  let sessions: Record<string, string> | undefined;
  let count = 0;
  for (const [, stream, id] of raw.matchAll(COOKIE)) {
    if (count === MAX_STREAMS) break;
    sessions ??= {};
    sessions[`G-${stream}`] = id as string;
    count += 1;
  }
  return sessions;
}
