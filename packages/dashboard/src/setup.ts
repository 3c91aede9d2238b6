// What the setup wizard does through the API, apart from the UI so that it reads as a list of steps.
import type { Api, Destination, Pool, Project, StaticChannel, TrackingNumber } from './api.js';

export async function listAllNumbers(api: Api, projectId: string): Promise<TrackingNumber[]> {
  const all: TrackingNumber[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api.get<TrackingNumber[]>(`/api/v1/projects/${projectId}/numbers`, {
      limit: 1000,
      after,
    });
    all.push(...page);
    if (page.length < 1000) return all;
    after = page[page.length - 1]?.id;
  }
}

/** The project's numbers for these printed forms: imported when new, found when already there. */
export async function ensureNumbers(
  api: Api,
  projectId: string,
  printed: string[],
): Promise<TrackingNumber[]> {
  if (printed.length === 0) return [];
  const result = await api.send<{ imported: TrackingNumber[]; skipped: { row: number; number: string }[] }>(
    'POST',
    `/api/v1/projects/${projectId}/numbers/import`,
    { numbers: printed.map((number) => ({ number })) },
  );
  if (result.skipped.length === 0) return result.imported;
  const existing = new Map((await listAllNumbers(api, projectId)).map((n) => [n.number, n]));
  return [
    ...result.imported,
    ...result.skipped.map((s) => existing.get(s.number)).filter((n): n is TrackingNumber => n !== undefined),
  ];
}

export const splitLines = (text: string) =>
  text
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export interface DynamicSetup {
  siteNumber: string;
  poolName: string;
  utmSource: string;
  numbers: string;
  holdMinutes: number;
  exhaustionPolicy: 'reuse_oldest' | 'fallback';
  fallbackNumber: string;
  forwardKind: 'phone' | 'sip';
  forwardTarget: string;
}

export async function createDynamicSetup(api: Api, project: Project, s: DynamicSetup): Promise<Pool> {
  const base = `/api/v1/projects/${project.id}`;
  if (s.siteNumber.trim()) {
    await api.send('PATCH', base, {
      siteNumbers: [...new Set([s.siteNumber.trim(), ...project.siteNumbers])],
    });
  }
  let destinationId: string | null = null;
  if (s.forwardTarget.trim()) {
    const destination = await api.send<Destination>('POST', `${base}/destinations`, {
      name: s.forwardKind === 'sip' ? 'PBX' : 'Office',
      kind: s.forwardKind,
      target: s.forwardTarget.trim(),
    });
    destinationId = destination.id;
    if (!project.defaultDestinationId)
      await api.send('PATCH', base, { defaultDestinationId: destination.id });
  }
  const members = await ensureNumbers(api, project.id, splitLines(s.numbers));
  const fallback =
    s.exhaustionPolicy === 'fallback' && s.fallbackNumber.trim()
      ? (await ensureNumbers(api, project.id, [s.fallbackNumber.trim()]))[0]
      : undefined;
  return api.send<Pool>('POST', `${base}/pools`, {
    name: s.poolName,
    match: s.utmSource.trim()
      ? { all: [{ field: 'utm_source', op: 'equals', value: s.utmSource.trim() }] }
      : {},
    holdSeconds: Math.max(30, Math.round(s.holdMinutes * 60)),
    exhaustionPolicy: s.exhaustionPolicy,
    fallbackNumberId: fallback?.id ?? null,
    destinationId,
    numberIds: members.map((n) => n.id),
  });
}

export interface StaticChannelInput {
  name: string;
  kind: 'online' | 'offline';
  offlineMedium: string;
  source: string;
  medium: string;
  number: string;
}

export async function createStaticChannels(
  api: Api,
  project: Project,
  channels: StaticChannelInput[],
): Promise<StaticChannel[]> {
  const created: StaticChannel[] = [];
  for (const c of channels) {
    const [number] = await ensureNumbers(api, project.id, [c.number]);
    if (!number) throw new Error(`${c.number}: not imported`);
    created.push(
      await api.send<StaticChannel>('POST', `/api/v1/projects/${project.id}/static-channels`, {
        name: c.name,
        kind: c.kind,
        numberId: number.id,
        ...(c.kind === 'offline' ? { offlineMedium: c.offlineMedium || 'other' } : {}),
        ...(c.source.trim() && { source: c.source.trim() }),
        ...(c.medium.trim() && { medium: c.medium.trim() }),
      }),
    );
  }
  return created;
}

export const installSnippet = (origin: string, publicKey: string) =>
  `<script async src="${origin}/rt.js" data-project="${publicKey}"></script>`;
