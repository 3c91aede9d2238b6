import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { CHROME_UA, createNumber, createProject } from '../helpers/factories.js';

// A visitor's tabs and ads opened at once: each visit keeps one lease, on the number the visitor already holds. The
// test clock stands still, so every visit and lease here starts in the same millisecond, and the page views that
// arrive together run in one group in shared mode.
const cases = testDatabases().flatMap((database) =>
  (['memory', 'shared'] as const).map((state) => ({ name: database.name, state, database })),
);

describe.each(cases)('a visitor’s tabs at once on $name, $state lease state', ({ database, state }) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };

  const send = (vid: string | undefined, query = '') =>
    t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({ k: project.publicKey, u: `https://okna.example.ru/${query}`, vid }),
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME_UA },
    });
  const ad = (campaign: string) => `?utm_source=vk&utm_medium=cpc&utm_campaign=${campaign}`;
  const leasesOf = (vid: string) =>
    t.deps.database.db
      .selectFrom('lease')
      .select(['visit_id', 'tracking_number_id'])
      .where('visitor_id', '=', vid)
      .execute();

  beforeAll(async () => {
    t = await createTestApp(await database.open(), {
      TRACKER_STATE: state,
      TRACKER_RATE_BURST: '1000',
      TRACKER_RATE_PER_MINUTE: '100000',
    });
    project = await createProject(t, { siteNumbers: ['+7 (495) 123-45-67'] });
    const numbers = await Promise.all(Array.from({ length: 4 }, () => createNumber(t, project.id)));
    const res = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/pools`,
      payload: { name: 'Весь сайт', numberIds: numbers.map((n) => n.id), exhaustionPolicy: 'reuse_oldest' },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('keeps one lease for a new visit whose page views arrive together, on the number the visitor held', async () => {
    const first = (await send(undefined)).json();
    // Back through an ad: a new visit that takes the visitor's number over, opened in two tabs at once (the second
    // tab continues the visit the first started, with the lease the first moved to it).
    const tabs = await Promise.all([send(first.vid, ad('okna-zima')), send(first.vid, ad('okna-zima'))]);
    for (const tab of tabs) {
      expect(tab.statusCode).toBe(200);
      expect(tab.json().swap[0].to).toBe(first.swap[0].to);
    }
    expect(tabs[1]?.json().visit).toBe(tabs[0]?.json().visit);
    expect(tabs[0]?.json().visit).not.toBe(first.visit);
    await t.deps.services.tracking.flush();
    const leases = await leasesOf(first.vid);
    expect(leases.map((l) => l.visit_id).sort()).toEqual([first.visit, tabs[0]?.json().visit].sort());
    expect(new Set(leases.map((l) => l.tracking_number_id)).size).toBe(1);
  });

  it('takes the last made of a visitor’s visits and leases started in the same millisecond as the latest', async () => {
    const first = (await send(undefined, ad('okna'))).json();
    // Two ads at once: two new visits, each taking the number over from the one before.
    await Promise.all([send(first.vid, ad('balkony')), send(first.vid, ad('dveri'))]);
    // The next page view of the last visit continues it, on the same number.
    const next = (await send(first.vid, ad('dveri'))).json();
    expect(next.swap[0].to).toBe(first.swap[0].to);
    await t.deps.services.tracking.flush();
    const visits = await t.deps.database.db
      .selectFrom('visit')
      .select(['id', 'page_views'])
      .where('visitor_id', '=', first.vid)
      .execute();
    expect(visits).toHaveLength(3);
    expect(visits.find((v) => v.id === next.visit)?.page_views).toBe(2);
    expect(new Set((await leasesOf(first.vid)).map((l) => l.tracking_number_id)).size).toBe(1);
  });
});
