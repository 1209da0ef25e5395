import { createHash, randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { registerModules } from '../../src/app/modules';
import { projectEntry } from '../../src/changelog/change-log.projection';
import { canonicalAroundChain, type StoredEntry } from '../../src/changelog/hash-chain';
import { canonicalJson } from '../../src/core/unit-of-work';
import { openOrm } from '../../src/db/orm';
import { contentHash, NoticeAccumulator, type Recipient, recipientReader } from '../../src/notices/notice.content';
import { compareChains } from '../../src/notices/notice.ranges';
import { childInput, REGISTER } from '../support/fixtures';
import { freshDatabase, startTestHub, type TestHub } from '../support/hub';

/**
 * Monthly notices across the switch from the one global chain to a chain per county (issue 17):
 * a database as it stood at migration 0014, with entries appended by that version's
 * `hub.append_change_log` and a notice issued over part of them as the code of that time wrote
 * it, is migrated to the latest; then entries are written through the API in several counties,
 * by concurrent writers while a month is being issued too, and months are issued through the API.
 * Every entry a recipient should be told of must be in exactly one of its notices.
 */

const LEGACY_ENTRIES = 12;
/** The legacy notice covers global entries 1..7; 8..12 are left for the first notice after the switch. */
const LEGACY_TO = 7;
const COUNTIES = ['350102', '350203', '350583', '350781'];
/** Told before the switch (a legacy notice), and never told anything before. */
const LEGACY_RECIPIENTS: Recipient[] = [{ dept: 'EDU', region: '350102' }, { dept: 'CIVIL', region: '350102' }];
const RECIPIENTS: Recipient[] = [
  ...LEGACY_RECIPIENTS, { dept: 'PSB', region: '350000' }, { dept: 'CIVIL', region: '350200' }, { dept: 'HEALTH', region: '350583' }, { dept: 'EDU', region: '350781' },
];

const ISSUE = 'mutation($p: String!) { issueMonthlyNotices(period: $p) { count issuedNow } }';
const LIST = 'query($f: ExchangeNoticeFilter) { exchangeNotices(filter: $f, first: 100) { nodes { id period } } }';
const NOTICE = `query($id: ID!, $after: String) { exchangeNotice(id: $id) {
  number fromSeq toSeq chainRanges { chain fromSeq toSeq } summary { entries } verification { contentHashOk chainHeadOk }
  entries(first: 100, after: $after) { nodes { chain seq } pageInfo { hasNextPage endCursor } } } }`;

let hub: TestHub;
const t: Record<string, string> = {};
const children = new Map<string, Array<ReturnType<typeof childInput>>>();

/** A legacy entry as the hub of migration 0014 sent it to `hub.append_change_log`: its columns and its canonical text around the chain's two values. */
function legacyEntry(i: number): Record<string, unknown> {
  const county = i % 2 === 0 ? '350102' : COUNTIES[1 + (i % 3)];
  const [actorDept, entity, operation, changes] = ([
    ['PSB', 'Child', 'CREATE', { name: { before: null, after: `旧档${i}` }, gender: { before: null, after: 'MALE' } }],
    ['EDU', 'EducationRecord', 'UPDATE', { status: { before: 'ENROLLED', after: 'DROPPED_OUT' } }],
    ['CIVIL', 'CivilAffairsRecord', 'CREATE', { leftBehind: { before: null, after: true } }],
    ['HEALTH', 'HealthRecord', 'CREATE', { seriousIllness: { before: null, after: true } }],
  ] as const)[i % 4];
  const entry: Omit<StoredEntry, 'seq' | 'prevHash'> = {
    at: new Date(Date.UTC(2026, 8, 1 + i)), actorSub: `legacy-${actorDept.toLowerCase()}`, actorDept, actorRegion: county, actorRoles: ['clerk'], operation,
    entity, entityId: randomUUID(), childId: randomUUID(), hukouRegion: county, residenceRegion: county, version: 1, changes: changes as never,
    mutation: 'legacyWrite', reason: null, requestId: `legacy-${i}`, idempotencyKey: null,
  };
  const [before, between, after] = canonicalAroundChain(entry);
  return { ...entry, before, between, after };
}

/**
 * The notice the code before per-county chains issued to `r` over global entries 1..LEGACY_TO:
 * its entries projected for the recipient, without a chain, hashed in seq order; its header the
 * old one (from_seq, to_seq, the head's hash).
 */
async function insertLegacyNotice(orm: MikroORM, r: Recipient): Promise<void> {
  const em = orm.em.fork();
  const rows: Array<Record<string, any>> = await em.execute(`SELECT * FROM hub.change_log WHERE seq <= ${LEGACY_TO} ORDER BY seq`);
  const reader = recipientReader(r);
  const acc = new NoticeAccumulator();
  for (const row of rows) {
    if (row.actor_dept === r.dept || !row.child_id) continue;
    if (reader.counties && !reader.counties.includes(row.hukou_region) && !reader.counties.includes(row.residence_region)) continue;
    const projected = projectEntry(row, reader);
    if (!projected) continue;
    const { chain: _, ...entry } = projected;
    acc.add(projected, createHash('sha256').update(canonicalJson({ ...entry, at: entry.at.toISOString() })).digest());
  }
  const number = `2026-09/${r.region}/${r.dept}`;
  const header = { number, period: '2026-09', dept: r.dept, region: r.region, fromSeq: 0, toSeq: LEGACY_TO, chainHeadHash: rows.at(-1)!.hash };
  const summary = acc.summary();
  await em.execute(
    `INSERT INTO hub.exchange_notice (id, number, period, dept, region, from_seq, to_seq, chain_head_hash, content_hash, entry_count, summary, issued_at, issued_by)
     VALUES (?, ?, '2026-09', ?, ?, 0, ?, ?, ?, ?, ?, '2026-10-01T01:00:00Z', 'notices-cli')`,
    [randomUUID(), number, r.dept, r.region, LEGACY_TO, header.chainHeadHash, contentHash(header, summary, acc.entriesDigest()), summary.entries, JSON.stringify(summary)],
  );
}

const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
  const res = await hub.gql<any>(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
};

/** Every notice of a recipient, oldest first, with every entry it lists (as `chain:seq`), read through the API page by page. */
async function noticesOf(r: Recipient) {
  const list = await gql(LIST, { f: { dept: r.dept, region: r.region } }, t.province);
  const notices = [];
  for (const { id, period } of [...list.exchangeNotices.nodes].sort((a: any, b: any) => (a.period < b.period ? -1 : 1))) {
    const entries: Array<{ chain: string; seq: number }> = [];
    let after: string | null = null;
    let notice: any;
    do {
      notice = (await gql(NOTICE, { id, after }, t.province)).exchangeNotice;
      entries.push(...notice.entries.nodes);
      after = notice.entries.pageInfo.hasNextPage ? notice.entries.pageInfo.endCursor : null;
    } while (after);
    notices.push({ ...notice, period, entries });
  }
  return notices;
}

/** What `r` should have been told, by `chain:seq`: every entry about a child of its region, by another department, that its department may see. */
async function owed(r: Recipient): Promise<string[]> {
  const reader = recipientReader(r);
  const rows = await hub.sql<Record<string, any>>('SELECT * FROM hub.change_log WHERE child_id IS NOT NULL');
  return rows
    .filter((row) => row.actor_dept !== r.dept && (!reader.counties || reader.counties.includes(row.hukou_region) || reader.counties.includes(row.residence_region)))
    .filter((row) => projectEntry(row, reader) !== null)
    .map((row) => `${row.chain}:${row.seq}`)
    .sort();
}

/** Every owed entry in exactly one notice, each notice in chain-then-seq order, consecutive notices meeting end to start on every chain. */
async function expectToldOnce(r: Recipient, periods: string[]) {
  const notices = await noticesOf(r);
  expect(notices.map((n) => n.period)).toEqual(periods);
  const told = notices.flatMap((n) => n.entries.map((e: any) => `${e.chain}:${e.seq}`));
  expect(new Set(told).size).toBe(told.length);
  expect([...told].sort()).toEqual(await owed(r));
  for (const n of notices) {
    const ordered = [...n.entries].sort((a: any, b: any) => compareChains(a.chain, b.chain) || a.seq - b.seq);
    expect(n.entries).toEqual(ordered);
    expect(n.summary.entries).toBe(n.entries.length);
    expect([n.number, n.verification]).toEqual([n.number, { contentHashOk: true, chainHeadOk: true }]);
  }
  for (let i = 1; i < notices.length; i++) {
    const ends = new Map(notices[i - 1].chainRanges.map((c: any) => [c.chain, c.toSeq]));
    for (const range of notices[i].chainRanges) expect([range.chain, range.fromSeq]).toEqual([range.chain, ends.get(range.chain) ?? 0]);
  }
  return notices;
}

const educationRound = (county: string, grade: number) =>
  gql('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: children.get(county)!.map((c) => ({ childId: c.id, status: 'ENROLLED', grade })) }, t[`edu${county}`]);
const civilRound = (county: string, flag: boolean) =>
  gql('mutation($r: [CivilAffairsRecordInput!]!) { upsertCivilAffairsRecords(records: $r) { replayed } }', { r: children.get(county)!.map((c) => ({ childId: c.id, migrant: flag })) }, t[`civil${county}`]);

beforeAll(async () => {
  // The database as migration 0014 left it, with the log and one notice written the way that version wrote them.
  registerModules();
  const database = await freshDatabase();
  const orm = await openOrm({ url: database.url, poolMax: database.poolMax });
  try {
    await orm.getMigrator().up({ to: 'Migration0014UnknownFlags' });
    const entries = Array.from({ length: LEGACY_ENTRIES }, (_, i) => legacyEntry(i));
    // Two appends, as two writes would have made them.
    await orm.em.fork().execute('SELECT * FROM hub.append_change_log(?::jsonb)', [JSON.stringify(entries.slice(0, 5))]);
    await orm.em.fork().execute('SELECT * FROM hub.append_change_log(?::jsonb)', [JSON.stringify(entries.slice(5))]);
    for (const r of LEGACY_RECIPIENTS) await insertLegacyNotice(orm, r);
  } finally {
    await orm.close(true);
  }
  // The hub migrates it to the latest at start. January: October to December have ended.
  hub = await startTestHub({ today: '2027-01-15', database });
  t.province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'], sub: 'province' });
  t.psb = await hub.token({ dept: 'PSB', region: '350000', roles: ['clerk'], sub: 'psb' });
  for (const county of COUNTIES) {
    t[`edu${county}`] = await hub.token({ dept: 'EDU', region: county, roles: ['clerk'], sub: `edu-${county}` });
    t[`civil${county}`] = await hub.token({ dept: 'CIVIL', region: county, roles: ['clerk'], sub: `civil-${county}` });
    children.set(county, [childInput({ hukouRegion: county }), childInput({ hukouRegion: county, gender: 'FEMALE' }), childInput({ hukouRegion: '350102', residenceRegion: county })]);
  }
}, 120_000);
afterAll(() => hub?.stop());

describe('notices across the switch to per-county chains', () => {
  it('reads the legacy notice as a range of the global chain, and it still verifies', async () => {
    expect(await hub.sql('SELECT chain, count(*)::int AS n, max(seq)::int AS head FROM hub.change_log GROUP BY chain')).toEqual([{ chain: 'global', n: LEGACY_ENTRIES, head: LEGACY_ENTRIES }]);
    const [legacy] = await noticesOf(LEGACY_RECIPIENTS[0]);
    expect(legacy).toMatchObject({ number: '2026-09/350102/EDU', fromSeq: 0, toSeq: LEGACY_TO, chainRanges: [{ chain: 'global', fromSeq: 0, toSeq: LEGACY_TO }] });
    expect(legacy.verification).toEqual({ contentHashOk: true, chainHeadOk: true });
    expect(legacy.entries.length).toBeGreaterThan(0);
    expect(legacy.entries.every((e: any) => e.chain === 'global' && e.seq <= LEGACY_TO)).toBe(true);
  });

  it('pages only within the notice, whatever cursor it is given, and refuses one it did not issue', async () => {
    const [legacy] = await noticesOf(LEGACY_RECIPIENTS[0]);
    const [{ id }] = (await gql(LIST, { f: { dept: 'EDU', region: '350102', period: '2026-09' } }, t.province)).exchangeNotices.nodes;
    const cursor = (key: string) => Buffer.from(`notice-entry:${key}`).toString('base64url');
    // Before the notice's range, or on a chain it does not cover: its own entries from the start, nothing before them.
    for (const key of ['global:0', '350101:0']) expect((await gql(NOTICE, { id, after: cursor(key) }, t.province)).exchangeNotice.entries.nodes).toEqual(key === 'global:0' ? legacy.entries : []);
    expect((await gql(NOTICE, { id, after: cursor(`global:${LEGACY_TO}`) }, t.province)).exchangeNotice.entries.nodes).toEqual([]);
    for (const bad of [cursor('global:-1'), cursor("350102' OR 1=1:1"), Buffer.from('log:3').toString('base64url'), 'x']) {
      const refused = await hub.gql(NOTICE, { id, after: bad }, t.province);
      expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'after' }] });
    }
  });

  it('covers the rest of the frozen global chain and every county chain from 0 in the first notice after it', async () => {
    for (const county of COUNTIES) expect((await hub.gql(REGISTER, { records: children.get(county) }, t.psb)).body.errors).toBeUndefined();
    for (const county of COUNTIES) await educationRound(county, 3);
    expect((await gql(ISSUE, { p: '2026-10' }, t.province)).issueMonthlyNotices).toEqual({ count: 6 * 94, issuedNow: true });

    const chains = (n: any) => Object.fromEntries(n.chainRanges.map((c: any) => [c.chain, [c.fromSeq, c.toSeq]]));
    const [, edu] = await noticesOf(LEGACY_RECIPIENTS[0]);
    expect(chains(edu)).toMatchObject({ global: [LEGACY_TO, LEGACY_ENTRIES], '350102': [0, expect.any(Number)], '350203': [0, expect.any(Number)] });
    expect([edu.fromSeq, edu.toSeq]).toEqual([LEGACY_TO, LEGACY_ENTRIES]);
    // Told of the legacy entries about Gulou after 7, and of the new ones.
    expect(edu.entries.some((e: any) => e.chain === 'global')).toBe(true);
    expect(edu.entries.some((e: any) => e.chain === '350102')).toBe(true);
    const [province] = await noticesOf({ dept: 'PSB', region: '350000' });
    expect(chains(province).global).toEqual([0, LEGACY_ENTRIES]);
    for (const county of COUNTIES) expect(chains(province)[county][0]).toBe(0);
    for (const r of RECIPIENTS) await expectToldOnce(r, LEGACY_RECIPIENTS.includes(r) ? ['2026-09', '2026-10'] : ['2026-10']);
  });

  it('misses and repeats nothing over two notices issued while writers in several counties append', async () => {
    const rounds = 6;
    const writer = async (county: string) => {
      for (let round = 0; round < rounds; round++) {
        await educationRound(county, 4 + round);
        await civilRound(county, round % 2 === 0);
      }
    };
    const issueMidway = (async () => {
      // Let the writers get going first.
      while (Number((await hub.sql<{ n: string }>(`SELECT count(*) AS n FROM hub.change_log WHERE chain <> 'global'`))[0].n) < 60) await new Promise((resolve) => setTimeout(resolve, 10));
      return gql(ISSUE, { p: '2026-11' }, t.province);
    })();
    await Promise.all([...COUNTIES.map(writer), issueMidway]);
    expect((await gql(ISSUE, { p: '2026-12' }, t.province)).issueMonthlyNotices.issuedNow).toBe(true);

    for (const r of RECIPIENTS) {
      const notices = await expectToldOnce(r, [...(LEGACY_RECIPIENTS.includes(r) ? ['2026-09'] : []), '2026-10', '2026-11', '2026-12']);
      if (r.dept === 'PSB') {
        // The province's police were told of education's writes in both months the writers wrote in.
        expect(notices.at(-2).entries.length).toBeGreaterThan(0);
        expect(notices.at(-1).entries.length).toBeGreaterThan(0);
      }
    }
  });
});
