// Reads a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof` or the inspector) and says where the time
// went: self time by package or area, self time by function, and time "caused" by each Ringtrace function (the
// sample's innermost frame in the server's own sources, with every library frame below it charged to it).
// Usage: node --import tsx bench/lib/profile-summary.ts FILE.cpuprofile
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const OWN = /\/packages\/server\/(?:src|dist)\/(.+)$/;

/** Where a frame's code lives: a package name, a Ringtrace source folder, Node itself, or a V8 pseudo-frame. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const own = OWN.exec(url);
  if (own) return `ringtrace ${own[1]?.split('/').slice(0, -1).join('/') || '.'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node (http, streams, timers…)';
  return url.replace(/^.*\/(bench\/.*)$/, '$1');
}

const where = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|packages)\//, '')}:${frame.lineNumber + 1}`;

export function summarize(profile: Profile, top = 20): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const caused = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + time);
    add(areas, areaOf(node.callFrame));
    add(functions, where(node.callFrame));
    let cursor: ProfileNode | undefined = node;
    while (cursor && !OWN.test(cursor.callFrame.url)) cursor = byId.get(parent.get(cursor.id) ?? -1);
    add(caused, cursor ? where(cursor.callFrame) : `(no Ringtrace frame) ${areaOf(node.callFrame)}`);
  }
  const table = (title: string, map: Map<string, number>) =>
    [
      title,
      ...[...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([key, t]) => `  ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${key}`),
    ].join('\n');
  return [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, busy ${((100 * busy) / total).toFixed(0)}% (percentages below are of busy time)`,
    table('self time by area:', areas),
    table('self time by function:', functions),
    table(
      'time by innermost Ringtrace function (library and runtime frames charged to their caller):',
      caused,
    ),
  ].join('\n\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile');
  console.log(summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25)));
}
