import { describe, expect, it } from 'vitest';
import { classifyVisit } from './classify-source.js';
import {
  choosePool,
  compileMatch,
  compilePoolRules,
  compileStaticSwaps,
  type PoolMatchSubject,
  staticSwapFor,
  validatePoolMatch,
} from './pool-rules.js';

const visit = (url: string, referrer?: string): PoolMatchSubject =>
  classifyVisit(referrer === undefined ? { url } : { url, referrer });

const yandexDirect = visit(
  'https://okna-msk.ru/plastikovye/?utm_source=yandex&utm_medium=cpc&utm_campaign=poisk_msk%7C109876543&utm_content=15678901234&utm_term=%D0%BE%D0%BA%D0%BD%D0%B0&yclid=88237492837',
  'https://yandex.ru/',
);
const googleAds = visit('https://okna-msk.ru/?gad_source=1&gclid=Cj0KCQjw', 'https://www.google.com/');
const yandexOrganic = visit('https://okna-msk.ru/balkony/', 'https://yandex.ru/');
const vkPost = visit('https://okna-msk.ru/?utm_source=vk&utm_medium=social', 'https://vk.com/');
const billboard = visit('https://okna-msk.ru/?utm_source=billboard&utm_medium=offline&utm_campaign=mkad');
const directVisit = visit('https://okna-msk.ru/');

describe('validatePoolMatch', () => {
  it.each([
    [{}, {}],
    [{ all: [] }, { all: [] }],
    [
      { all: [{ field: 'utm_source', op: 'equals', value: ' yandex ' }] },
      { all: [{ field: 'utm_source', op: 'equals', value: 'yandex' }] },
    ],
    [{ any: [{ field: 'ad_network', op: 'exists' }] }, { any: [{ field: 'ad_network', op: 'exists' }] }],
    [
      { all: [{ field: 'landing_path', op: 'matches', value: '^/(?:okna|balkony)/' }] },
      { all: [{ field: 'landing_path', op: 'matches', value: '^/(?:okna|balkony)/' }] },
    ],
    [
      { all: [{ field: 'channel', op: 'equals', value: 'Paid' }] },
      { all: [{ field: 'channel', op: 'equals', value: 'Paid' }] },
    ],
    [
      { all: [{ field: 'utm_term', op: 'exists', value: 'ignored' }] },
      { all: [{ field: 'utm_term', op: 'exists' }] },
    ],
  ])('accepts %j', (input, value) => {
    expect(validatePoolMatch(input)).toEqual({ ok: true, value });
  });

  it.each([
    [null, 'match must be an object'],
    [[], 'match must be an object'],
    ['utm_source=yandex', 'match must be an object'],
    [{ every: [] }, 'unknown property "every"'],
    [{ all: {} }, 'all: must be an array'],
    [{ all: ['utm_source'] }, 'all[0]: must be an object'],
    [{ all: [{ field: 'utm_foo', op: 'equals', value: 'x' }] }, 'all[0].field: unknown field "utm_foo"'],
    [{ any: [{ field: 'source', op: 'like', value: 'x' }] }, 'any[0].op: unknown op "like"'],
    [{ all: [{ field: 'source', op: 'equals' }] }, 'all[0].value: required for op "equals"'],
    [{ all: [{ field: 'source', op: 'contains', value: '   ' }] }, 'all[0].value: required'],
    [{ all: [{ field: 'source', op: 'equals', value: 42 }] }, 'all[0].value: required'],
    [{ all: [{ field: 'source', op: 'equals', value: 'x'.repeat(300) }] }, 'longer than 256'],
    [{ all: [{ field: 'source', op: 'matches', value: 'x'.repeat(201) }] }, 'longer than 200'],
    [{ all: [{ field: 'source', op: 'matches', value: '(yandex' }] }, 'invalid regex'],
    [{ all: [{ field: 'source', op: 'matches', value: '[a-' }] }, 'invalid regex'],
    [{ all: [{ field: 'landing_url', op: 'matches', value: '(a+)+$' }] }, 'catastrophic backtracking'],
    [{ all: [{ field: 'landing_url', op: 'matches', value: '(a|aa)*b' }] }, 'catastrophic backtracking'],
    [{ all: [{ field: 'landing_url', op: 'matches', value: '((ab)*c)+' }] }, 'catastrophic backtracking'],
    [
      { all: [{ field: 'landing_url', op: 'matches', value: '(\\w+\\s?){2,}' }] },
      'catastrophic backtracking',
    ],
    [{ all: [{ field: 'landing_url', op: 'matches', value: '(.)\\1' }] }, 'backreferences'],
    [
      { all: [{ field: 'landing_url', op: 'matches', value: 'a.*b.*c$' }] },
      'at most one unbounded quantifier',
    ],
    [
      { all: [{ field: 'landing_url', op: 'matches', value: '[ab]+[ab]+c' }] },
      'at most one unbounded quantifier',
    ],
    [
      { all: [{ field: 'landing_url', op: 'matches', value: '\\w+\\d{2,}' }] },
      'at most one unbounded quantifier',
    ],
    [{ all: [{ field: 'landing_url', op: 'matches', value: '[ab]{0,20}c' }] }, 'too many optional parts'],
    [{ all: [{ field: 'landing_url', op: 'matches', value: 'a?b?c?d?e?' }] }, 'too many optional parts'],
    [
      { all: [{ field: 'landing_url', op: 'matches', value: '(a|b)(c|d)(e|f)(g|h)(i|j)' }] },
      'too many optional parts',
    ],
    [{ all: [{ field: 'landing_url', op: 'matches', value: '^/(?:x|y)+z' }] }, 'catastrophic backtracking'],
    [{ all: [{ field: 'channel', op: 'equals', value: 'payd' }] }, 'unknown channel "payd"'],
    [{ all: [{ field: 'ad_network', op: 'equals', value: 'adwords' }] }, 'unknown ad network "adwords"'],
    [{ all: [{ field: 'source', op: 'equals', value: 'x', extra: 1 }] }, 'unknown property "extra"'],
    [{ all: Array.from({ length: 51 }, () => ({ field: 'source', op: 'exists' })) }, 'at most 50 rules'],
  ])('refuses %j', (input, message) => {
    const result = validatePoolMatch(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain(message);
  });

  it('reports every problem at once, with its path', () => {
    const result = validatePoolMatch({
      all: [{ field: 'nope', op: 'equals', value: 'x' }],
      any: [
        { field: 'source', op: 'matches', value: '(' },
        { field: 'medium', op: 'exists' },
      ],
    });
    expect(result).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^all\[0\]\.field/), expect.stringMatching(/^any\[0\]\.value/)],
    });
  });

  it('allows safe regexes with groups, classes and bounded repeats', () => {
    const safe = [
      '^/catalog/.*',
      '(?:www\\.)?yandex\\.(ru|by|kz|com)$',
      '^[a-z]{2,5}-\\d+$',
      '(\\d+)?x',
      '[(+*)]+',
      'a{2}b|c',
      '^/okna/.*|^/dveri/.*|^/balkony/.*',
      'brand.*?moscow',
      '(?<year>\\d{4})',
      '^(?!/admin)',
    ];
    for (const value of safe) {
      expect(validatePoolMatch({ all: [{ field: 'landing_url', op: 'matches', value }] }).ok, value).toBe(
        true,
      );
    }
  });
});

describe('rule operators', () => {
  const matches = (rule: object, subject: PoolMatchSubject) => compileMatch({ all: [rule] })?.(subject);

  it.each([
    [{ field: 'utm_source', op: 'equals', value: 'YANDEX' }, yandexDirect, true],
    [{ field: 'utm_source', op: 'equals', value: 'yandex' }, googleAds, false],
    [{ field: 'utm_source', op: 'not_equals', value: 'google' }, directVisit, true],
    [{ field: 'utm_source', op: 'not_equals', value: 'yandex' }, yandexDirect, false],
    [{ field: 'utm_campaign', op: 'contains', value: '109876543' }, yandexDirect, true],
    [{ field: 'utm_campaign', op: 'contains', value: 'x' }, directVisit, false],
    [{ field: 'utm_campaign', op: 'starts_with', value: 'Poisk_' }, yandexDirect, true],
    [{ field: 'utm_term', op: 'equals', value: 'ОКНА' }, yandexDirect, true],
    [{ field: 'utm_term', op: 'exists' }, yandexDirect, true],
    [{ field: 'utm_term', op: 'exists' }, googleAds, false],
    [{ field: 'channel', op: 'equals', value: 'paid' }, googleAds, true],
    [{ field: 'channel', op: 'equals', value: 'organic' }, yandexOrganic, true],
    [{ field: 'channel', op: 'equals', value: 'offline' }, billboard, true],
    [{ field: 'source', op: 'equals', value: 'vk' }, vkPost, true],
    [{ field: 'medium', op: 'equals', value: 'cpc' }, googleAds, true],
    [{ field: 'ad_network', op: 'equals', value: 'yandex_direct' }, yandexDirect, true],
    [{ field: 'ad_network', op: 'exists' }, yandexOrganic, false],
    [{ field: 'referrer_host', op: 'equals', value: 'yandex.ru' }, yandexOrganic, true],
    [{ field: 'referrer_host', op: 'exists' }, directVisit, false],
    [{ field: 'landing_url', op: 'contains', value: 'yclid=' }, yandexDirect, true],
    [{ field: 'landing_path', op: 'starts_with', value: '/plastikovye' }, yandexDirect, true],
    [{ field: 'landing_path', op: 'matches', value: '^/(plastikovye|balkony)/' }, yandexOrganic, true],
    [{ field: 'landing_path', op: 'matches', value: '^/(plastikovye|balkony)/' }, directVisit, false],
    [{ field: 'landing_url', op: 'matches', value: 'UTM_SOURCE=yandex' }, yandexDirect, true],
  ])('%j', (rule, subject, expected) => {
    expect(matches(rule, subject)).toBe(expected);
  });

  it('derives the landing path from the URL when the subject lacks it', () => {
    const subject: PoolMatchSubject = {
      ...directVisit,
      landingUrl: 'https://okna-msk.ru/dveri/',
      landingPath: undefined,
    };
    expect(matches({ field: 'landing_path', op: 'equals', value: '/dveri/' }, subject)).toBe(true);
  });

  it('combines all and any', () => {
    const test = compileMatch({
      all: [{ field: 'channel', op: 'equals', value: 'paid' }],
      any: [
        { field: 'ad_network', op: 'equals', value: 'yandex_direct' },
        { field: 'ad_network', op: 'equals', value: 'vk_ads' },
      ],
    });
    expect(test?.(yandexDirect)).toBe(true);
    expect(test?.(googleAds)).toBe(false);
    expect(test?.(yandexOrganic)).toBe(false);
  });

  it('treats an empty match as a catch-all and an invalid one as never', () => {
    expect(compileMatch({})?.(directVisit)).toBe(true);
    expect(compileMatch({ all: [], any: [] })?.(directVisit)).toBe(true);
    expect(compileMatch({ all: [{ field: 'bogus', op: 'exists' }] })).toBeUndefined();
    expect(compileMatch('{}')).toBeUndefined();
  });
});

describe('choosePool', () => {
  const pools = [
    { id: '0190-catch-all', priority: 100, match: {} },
    {
      id: '0190-yandex-direct',
      priority: 10,
      match: { all: [{ field: 'ad_network', op: 'equals', value: 'yandex_direct' }] },
    },
    { id: '0190-paid', priority: 20, match: { all: [{ field: 'channel', op: 'equals', value: 'paid' }] } },
    {
      id: '0190-organic-b',
      priority: 30,
      match: { all: [{ field: 'channel', op: 'equals', value: 'organic' }] },
    },
    {
      id: '0190-organic-a',
      priority: 30,
      match: { all: [{ field: 'channel', op: 'equals', value: 'organic' }] },
    },
    { id: '0190-broken', priority: 0, match: { all: [{ field: 'utm_source', op: 'matches', value: '(' }] } },
  ];
  const compiled = compilePoolRules(pools);

  it.each([
    ['Yandex Direct goes to its own pool', yandexDirect, '0190-yandex-direct'],
    ['other paid traffic to the paid pool', googleAds, '0190-paid'],
    ['organic: same priority, lower id first', yandexOrganic, '0190-organic-a'],
    ['everything else to the catch-all', directVisit, '0190-catch-all'],
  ])('%s', (_name, subject, id) => {
    expect(choosePool(compiled, subject)?.id).toBe(id);
    expect(choosePool(pools, subject)?.id).toBe(id);
  });

  it('skips pools whose stored match is invalid, and says which', () => {
    expect(compiled.invalid).toEqual(['0190-broken']);
    expect(compiled.entries.map((entry) => entry.pool.id)).not.toContain('0190-broken');
  });

  it('returns undefined when nothing matches and there is no catch-all', () => {
    expect(choosePool(compilePoolRules(pools.slice(1, 3)), directVisit)).toBeUndefined();
    expect(choosePool([], directVisit)).toBeUndefined();
  });

  it('returns the caller’s own pool object', () => {
    const [first] = pools;
    expect(choosePool(compiled, directVisit)).toBe(first);
  });

  it('stays fast with regex rules against a hostile URL', () => {
    const regexPools = compilePoolRules([
      // The most expensive shapes validation still allows.
      {
        id: 'a',
        priority: 1,
        match: { all: [{ field: 'landing_url', op: 'matches', value: '[ab]{0,15}[ab]*c' }] },
      },
      { id: 'b', priority: 2, match: { any: [{ field: 'landing_path', op: 'matches', value: '.*a$' }] } },
      {
        id: 'c',
        priority: 3,
        match: { any: [{ field: 'landing_path', op: 'matches', value: 'a?b?[ab]?[ab]?[ab]+c' }] },
      },
    ]);
    expect(regexPools.invalid).toEqual([]);
    const hostile = visit(`https://okna-msk.ru/${'ab'.repeat(5000)}?${'a'.repeat(5000)}`);
    const started = performance.now();
    for (let i = 0; i < 20; i++) choosePool(regexPools, hostile);
    // Per hit: tens of milliseconds at worst, where unrestricted patterns take seconds.
    expect((performance.now() - started) / 20).toBeLessThan(100);
  });
});

describe('staticSwapFor', () => {
  const swaps = [
    {
      numberId: 'num-billboard',
      match: { all: [{ field: 'utm_source', op: 'equals', value: 'billboard' }] },
    },
    { numberId: 'num-offline', match: { all: [{ field: 'channel', op: 'equals', value: 'offline' }] } },
    { numberId: 'num-broken', match: { any: [{ field: 'utm_source' }] } },
  ];

  it('returns the first matching number in the given order', () => {
    expect(staticSwapFor(swaps, billboard)).toBe('num-billboard');
    expect(
      staticSwapFor(compileStaticSwaps(swaps), visit('https://x.ru/?utm_source=radio&utm_medium=offline')),
    ).toBe('num-offline');
  });

  it('returns undefined for visits no swap targets', () => {
    expect(staticSwapFor(swaps, yandexDirect)).toBeUndefined();
    expect(staticSwapFor(swaps, directVisit)).toBeUndefined();
    expect(compileStaticSwaps(swaps).entries).toHaveLength(2);
  });
});
