import { expect, it } from 'vitest';
import { buildTracker } from '../build.mjs';
import { GZIP_BUDGET, measure } from '../size.mjs';

it(`dist/rt.js stays within the gzip budget of ${GZIP_BUDGET} bytes`, async () => {
  const size = measure(await buildTracker());
  expect(size.gzip).toBeGreaterThan(0);
  expect(size.gzip).toBeLessThanOrEqual(GZIP_BUDGET);
});

it('dist/rt.js is one self-contained IIFE for ES2017 browsers', async () => {
  const code = await buildTracker();
  expect(code.startsWith('"use strict";(()=>{')).toBe(true);
  // No module syntax and nothing newer than ES2017 left by the minifier.
  expect(code).not.toMatch(/\bimport\b|\bexport\b|\?\?|\?\.|catch\{/);
});
