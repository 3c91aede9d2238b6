// Bundles src/index.ts into dist/rt.js: one minified IIFE for ES2017 browsers, no dependencies.
// `node build.mjs` builds and prints the size; tests import buildTracker() so they test the real file.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));

/** Path of the built script. */
export const outfile = join(root, 'dist', 'rt.js');

/**
 * Builds dist/rt.js and returns its code. The file is written to a temporary name and renamed, so test
 * files building in parallel never serve a half-written script.
 * @returns {Promise<string>}
 */
export async function buildTracker() {
  const result = await build({
    entryPoints: [join(root, 'src', 'index.ts')],
    bundle: true,
    format: 'iife',
    minify: true,
    target: 'es2017',
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text ?? '';
  mkdirSync(dirname(outfile), { recursive: true });
  const temporary = `${outfile}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, outfile);
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await buildTracker();
  console.log(`dist/rt.js: ${Buffer.byteLength(code)} bytes`);
}
