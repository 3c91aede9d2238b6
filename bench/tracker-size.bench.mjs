// Size of the site script packages/tracker/dist/rt.js: raw, gzip (level 9) and brotli (quality 11).
// Measures the built file as it is (`npm run build` makes it); `--build` rebuilds it first with the tracker's own
// build. The same measure() backs the tracker's size budget test.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildTracker, outfile } from '../packages/tracker/build.mjs';
import { GZIP_BUDGET, measure } from '../packages/tracker/size.mjs';

const { values } = parseArgs({ options: { build: { type: 'boolean', default: false } } });
/** The goal named in size.mjs, below the hard budget. */
const GZIP_GOAL = 2048;

let code;
if (values.build) code = await buildTracker();
else {
  try {
    code = readFileSync(outfile, 'utf8');
  } catch {
    console.error(`${outfile} is missing: run \`npm run build\` (or pass --build)`);
    process.exit(1);
  }
}
const size = measure(code);
const b = (n) => `${n.toLocaleString('en-US')} B`;
const verdict =
  size.gzip <= GZIP_GOAL
    ? 'within the goal'
    : size.gzip <= GZIP_BUDGET
      ? 'within the budget, above the goal'
      : 'OVER BUDGET';
console.log(`file: ${outfile}`);
console.log(`raw ${b(size.raw)}, gzip ${b(size.gzip)}, brotli ${b(size.brotli)}`);
console.log(`gzip budget ${b(GZIP_BUDGET)} (hard limit), goal ${b(GZIP_GOAL)}: ${verdict}`);
console.log(
  `tracker-size: rt.js ${b(size.gzip)} gzip, ${b(size.brotli)} brotli (${b(size.raw)} raw; budget ${b(GZIP_BUDGET)} gzip, goal ${b(GZIP_GOAL)})`,
);
if (size.gzip > GZIP_BUDGET) process.exit(1);
