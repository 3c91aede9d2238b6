// Synthetic analytics data for bench/reports.bench.ts: visits over the last year (channels, ~200 campaigns on two
// ad networks, ~5,000 keywords, returning visitors), calls linked to visits (some unattributed), deals linked to
// calls and daily spend per campaign. Deterministic (seeded), the same rows on every database. Rows come in
// batches of column arrays so a writer can insert them with multi-row statements.

export type ColumnType = 'text' | 'bigint';
export interface TableBatch {
  table: 'visit' | 'call' | 'deal' | 'spend';
  columns: [string, ColumnType][];
  /** One array per column, all of the same length. */
  values: (string | number | null)[][];
}

export interface DataSize {
  visits: number;
  calls: number;
  deals: number;
  days: number;
  campaigns: number;
  keywords: number;
}

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHANNELS: [string, string, string, number][] = [
  // channel, source, medium, cumulative share
  ['paid', '', 'cpc', 0.4],
  ['organic', '', 'organic', 0.65],
  ['direct', '(direct)', '(none)', 0.85],
  ['referral', 'okna-forum.ru', 'referral', 0.93],
  ['social', 'vk.com', 'social', 0.98],
  ['email', 'newsletter', 'email', 1],
];
const NETWORKS = [
  { network: 'yandex_direct', source: 'yandex' },
  { network: 'google_ads', source: 'google' },
];
const DEVICES = ['desktop', 'mobile', 'tablet'];
const STATUSES = ['answered', 'no-answer', 'busy', 'canceled'];
const DAY = 86_400_000;

/**
 * Generates the data for a project, calling `write` with batches of at most `batch` rows (awaited in order).
 * `from` is the first moment of the period (epoch ms), `firstDay` its date; the data ends at `until`.
 */
export async function generate(
  o: {
    projectId: string;
    currency: string;
    from: number;
    until: number;
    firstDay: string;
    size: DataSize;
    batch: number;
  },
  write: (b: TableBatch) => Promise<void>,
): Promise<void> {
  const rand = mulberry32(20261124);
  const { size } = o;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const id = (prefix: string, i: number) => `${prefix}${i.toString(36).padStart(8, '0')}`;
  const campaignOf = (c: number) => ({
    ...(NETWORKS[c < size.campaigns * 0.6 ? 0 : 1] as (typeof NETWORKS)[number]),
    name: `cmp_${String(c).padStart(3, '0')}`,
  });

  // Visits, in time order; 35% come back as a returning visitor from the last 50,000 visitors.
  const span = o.until - o.from;
  const vStarted = new Float64Array(size.visits);
  const vChannel = new Uint8Array(size.visits);
  const vSource: string[] = new Array(size.visits);
  const recent: string[] = [];
  let visitors = 0;
  const visitColumns: [string, ColumnType][] = [
    ['id', 'text'],
    ['project_id', 'text'],
    ['visitor_id', 'text'],
    ['started_at', 'bigint'],
    ['last_seen_at', 'bigint'],
    ['page_views', 'bigint'],
    ['landing_url', 'text'],
    ['click_ids', 'text'],
    ['channel', 'text'],
    ['source', 'text'],
    ['medium', 'text'],
    ['ad_network', 'text'],
    ['campaign', 'text'],
    ['ad_group', 'text'],
    ['keyword', 'text'],
    ['device_type', 'text'],
    ['is_returning', 'bigint'],
  ];
  for (let start = 0; start < size.visits; start += o.batch) {
    const n = Math.min(o.batch, size.visits - start);
    const cols: (string | number | null)[][] = visitColumns.map(() => new Array(n));
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const started = Math.floor(o.from + ((i + rand()) * span) / size.visits);
      const returning = recent.length > 1000 && rand() < 0.35;
      const visitor = returning ? pick(recent) : id('vr', visitors++);
      if (!returning) {
        if (recent.length < 50_000) recent.push(visitor);
        else recent[Math.floor(rand() * recent.length)] = visitor;
      }
      const r = rand();
      const ch = CHANNELS.findIndex((c) => r < c[3]);
      const [channel, source0, medium] = CHANNELS[ch] as (typeof CHANNELS)[number];
      let source = source0;
      let network: string | null = null;
      let campaign: string | null = null;
      let adGroup: string | null = null;
      let keyword: string | null = null;
      if (channel === 'paid') {
        const k = Math.floor(size.keywords * rand() ** 2); // popular keywords first
        const c = campaignOf(k % size.campaigns);
        network = c.network;
        source = c.source;
        campaign = c.name;
        adGroup = `${c.name}_g${k % 7}`;
        keyword = `kw_${String(k).padStart(4, '0')}`;
      } else if (channel === 'organic') {
        source = rand() < 0.6 ? 'yandex' : 'google';
      }
      vStarted[i] = started;
      vChannel[i] = ch;
      vSource[i] = source;
      const row = [
        id('v', i),
        o.projectId,
        visitor,
        started,
        started + Math.floor(rand() * 600_000),
        1 + Math.floor(rand() * 6),
        `https://okna.example.ru/${pick(['', 'catalog/', 'price/', 'contacts/'])}${channel === 'paid' ? `?utm_source=${source}&utm_term=${keyword}` : ''}`,
        '{}',
        channel,
        source,
        medium,
        network,
        campaign,
        adGroup,
        keyword,
        pick(DEVICES),
        returning ? 1 : 0,
      ];
      for (let c = 0; c < row.length; c++) (cols[c] as unknown[])[j] = row[c];
    }
    await write({ table: 'visit', columns: visitColumns, values: cols });
  }

  // Calls: 90% follow a visit within 30 minutes (the channel snapshot is the visit's), 10% unattributed.
  const cStarted = new Float64Array(size.calls);
  const cVisit = new Int32Array(size.calls);
  const callColumns: [string, ColumnType][] = [
    ['id', 'text'],
    ['project_id', 'text'],
    ['provider', 'text'],
    ['provider_call_id', 'text'],
    ['caller', 'text'],
    ['tracking_number', 'text'],
    ['started_at', 'bigint'],
    ['answered_at', 'bigint'],
    ['ended_at', 'bigint'],
    ['talk_seconds', 'bigint'],
    ['status', 'text'],
    ['visit_id', 'text'],
    ['channel', 'text'],
    ['source', 'text'],
    ['medium', 'text'],
    ['confidence', 'bigint'],
    ['first_time_caller', 'bigint'],
    ['is_target', 'bigint'],
    ['created_at', 'bigint'],
    ['updated_at', 'bigint'],
  ];
  for (let start = 0; start < size.calls; start += o.batch) {
    const n = Math.min(o.batch, size.calls - start);
    const cols: (string | number | null)[][] = callColumns.map(() => new Array(n));
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const linked = rand() < 0.9;
      const v = linked ? Math.floor(rand() * size.visits) : -1;
      const started = linked
        ? (vStarted[v] as number) + Math.floor(rand() * 1_800_000)
        : Math.floor(o.from + rand() * span);
      const r = rand();
      const status = (
        r < 0.72 ? STATUSES[0] : r < 0.87 ? STATUSES[1] : r < 0.95 ? STATUSES[2] : STATUSES[3]
      ) as string;
      const answered = status === 'answered';
      const talk = answered ? 20 + Math.floor(rand() * 400) : null;
      const ch = linked ? (CHANNELS[vChannel[v] as number] as (typeof CHANNELS)[number]) : undefined;
      cStarted[i] = started;
      cVisit[i] = v;
      const row = [
        id('c', i),
        o.projectId,
        'twilio',
        `CA${i.toString(16).padStart(32, '0')}`,
        `+7916${String(Math.floor(rand() * 70_000)).padStart(7, '0')}`,
        `+7499${String(1_000_000 + Math.floor(rand() * 1000)).slice(-7)}`,
        started,
        answered ? started + 8000 : null,
        started + 8000 + (talk ?? 20) * 1000,
        talk,
        status,
        linked ? id('v', v) : null,
        ch ? ch[0] : null,
        ch ? (vSource[v] as string) : null,
        ch ? ch[2] : null,
        linked ? 90 : null,
        rand() < 0.7 ? 1 : 0,
        answered && talk !== null && talk >= 60 ? 1 : 0,
        started,
        started,
      ];
      for (let c = 0; c < row.length; c++) (cols[c] as unknown[])[j] = row[c];
    }
    await write({ table: 'call', columns: callColumns, values: cols });
  }

  // Deals: each linked to a distinct call (a CRM deal carrying the call id), opened within two days of it.
  const dealColumns: [string, ColumnType][] = [
    ['id', 'text'],
    ['project_id', 'text'],
    ['source', 'text'],
    ['external_id', 'text'],
    ['status', 'text'],
    ['revenue_minor', 'bigint'],
    ['currency', 'text'],
    ['opened_at', 'bigint'],
    ['closed_at', 'bigint'],
    ['call_id', 'text'],
    ['visit_id', 'text'],
    ['linked_by', 'text'],
    ['created_at', 'bigint'],
    ['updated_at', 'bigint'],
  ];
  const step = Math.max(1, Math.floor(size.calls / size.deals));
  for (let start = 0; start < size.deals; start += o.batch) {
    const n = Math.min(o.batch, size.deals - start);
    const cols: (string | number | null)[][] = dealColumns.map(() => new Array(n));
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const c = (i * step) % size.calls;
      const opened = Math.min(o.until - 1, (cStarted[c] as number) + Math.floor(rand() * 2 * DAY));
      const r = rand();
      const status = r < 0.45 ? 'won' : r < 0.7 ? 'lost' : 'open';
      const v = cVisit[c] as number;
      const row = [
        id('d', i),
        o.projectId,
        'generic',
        `deal-${i}`,
        status,
        100 * (5_000 + Math.floor(rand() * 195_000)),
        o.currency,
        opened,
        status === 'open' ? null : opened + DAY,
        id('c', c),
        v >= 0 ? id('v', v) : null,
        'call_id',
        opened,
        opened,
      ];
      for (let k = 0; k < row.length; k++) (cols[k] as unknown[])[j] = row[k];
    }
    await write({ table: 'deal', columns: dealColumns, values: cols });
  }

  // Spend: every day of the period, every campaign.
  const spendColumns: [string, ColumnType][] = [
    ['id', 'text'],
    ['project_id', 'text'],
    ['day', 'text'],
    ['ad_network', 'text'],
    ['campaign', 'text'],
    ['impressions', 'bigint'],
    ['clicks', 'bigint'],
    ['cost_minor', 'bigint'],
    ['currency', 'text'],
    ['created_at', 'bigint'],
  ];
  const first = Date.parse(`${o.firstDay}T00:00:00Z`);
  const total = size.days * size.campaigns;
  for (let start = 0; start < total; start += o.batch) {
    const n = Math.min(o.batch, total - start);
    const cols: (string | number | null)[][] = spendColumns.map(() => new Array(n));
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const day = new Date(first + Math.floor(i / size.campaigns) * DAY).toISOString().slice(0, 10);
      const c = campaignOf(i % size.campaigns);
      const clicks = Math.floor(rand() * 200);
      const row = [
        id('s', i),
        o.projectId,
        day,
        c.network,
        c.name,
        clicks * 30,
        clicks,
        clicks * (1000 + Math.floor(rand() * 5000)),
        o.currency,
        o.from,
      ];
      for (let k = 0; k < row.length; k++) (cols[k] as unknown[])[j] = row[k];
    }
    await write({ table: 'spend', columns: spendColumns, values: cols });
  }
}
