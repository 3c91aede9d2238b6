// Size budget of the tracker: `node size.mjs` builds dist/rt.js, prints raw, gzip and brotli sizes, and
// exits 1 when gzip is above the budget. The same check runs in the test suite (test/size.test.ts).
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildTracker } from './build.mjs';

/** Hard limit for the gzipped script, in bytes: about 5% over its size (2,220 B). The goal is 2048. */
export const GZIP_BUDGET = 2336;

/**
 * @param {string} code
 * @returns {{ raw: number, gzip: number, brotli: number }}
 */
export function measure(code) {
  const bytes = Buffer.from(code);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const size = measure(await buildTracker());
  console.log(
    `dist/rt.js: ${size.raw} B raw, ${size.gzip} B gzip, ${size.brotli} B brotli (gzip budget ${GZIP_BUDGET} B)`,
  );
  if (size.gzip > GZIP_BUDGET) {
    console.error(`over budget by ${size.gzip - GZIP_BUDGET} B`);
    process.exit(1);
  }
}
