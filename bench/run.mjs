// `npm run bench` lists the benchmarks; `npm run bench -- NAME [options]` runs bench/NAME.bench.ts (or .mjs).
// TypeScript benchmarks run under tsx; the servers they start run the server's build, which is made first. Each
// benchmark prints its headline figure as its last line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SUFFIX = /\.bench\.(ts|mjs)$/;

/** The first line of a benchmark's leading comment, as its description. */
function describe(file) {
  const first = readFileSync(join(here, file), 'utf8').split('\n', 1)[0] ?? '';
  return first.replace(/^\/\/\s?/, '').trim();
}

const [name, ...options] = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => SUFFIX.test(f))
  .sort();

if (!name || name === '--help' || name === '-h') {
  console.log('usage: npm run bench -- NAME [options]   (options: NAME --help)\n\nbenchmarks:');
  for (const file of files) console.log(`  ${file.replace(SUFFIX, '').padEnd(16)} ${describe(file)}`);
  process.exit(0);
}

const file = [`${name}.bench.ts`, `${name}.bench.mjs`].find((f) => existsSync(join(here, f)));
if (!file) {
  console.error(`no benchmark "${name}"; known: ${files.map((f) => f.replace(SUFFIX, '')).join(', ')}`);
  process.exit(2);
}

// Servers under test run the build of the server, as `npm start` does (lib/ringtrace-app.ts): build it first.
if (file.endsWith('.ts')) {
  const build = spawnSync('npm', ['run', 'build', '--silent', '-w', '@ringtrace/server'], {
    cwd: join(here, '..'),
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Resolved from here so the runner works from any working directory.
const execArgv = file.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
const child = spawn(process.execPath, [...execArgv, join(here, file), ...options], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
