import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { registerModules } from '../../src/app/modules';
import { chainGenesis, verifyChain } from '../../src/changelog/change-log.verify';
import { ChangeFeed } from '../../src/changelog/change-feed';
import { ChangeLogService } from '../../src/changelog/change-log.service';
import { readerFor } from '../../src/core/context';
import { canonicalAroundChain, entryHash, GENESIS_HASH, type StoredEntry } from '../../src/changelog/hash-chain';
import { loadConfig } from '../../src/config';
import { type Database, openDatabase } from '../../src/db/database';
import { openOrm } from '../../src/db/orm';
import { freshDatabase } from '../support/hub';
import { runTs } from '../support/processes';

/**
 * The switch from one global chain to a chain per county (migration 0015) on a database that
 * already has a log: the entries written before stay where they are, as the frozen chain
 * `global`, and still verify; every county chain hangs from the frozen head; nothing can be
 * appended to the frozen chain; and tampering is found in the chain where it was done.
 */
let database: Awaited<ReturnType<typeof freshDatabase>>;
let db: Database;
const LEGACY = 30;
let legacyHead = GENESIS_HASH;

type Unchained = Omit<StoredEntry, 'seq' | 'prevHash'>;

function entry(i: number, county: string, hukou = county): Unchained {
  return {
    at: new Date(Date.UTC(2026, 8, 1) + i * 60_000), actorSub: `clerk-${i % 3}`, actorDept: i % 2 ? 'EDU' : 'PSB', actorRegion: county, actorRoles: ['clerk'],
    operation: 'UPDATE', entity: 'EducationRecord', entityId: randomUUID(), childId: randomUUID(), hukouRegion: hukou, residenceRegion: county,
    version: 2, changes: { schoolName: { before: '旧校', after: `学校 ${i}` } }, mutation: 'upsertEducationRecords', reason: i % 4 ? null : '核实',
    requestId: `r-${i}`, idempotencyKey: null,
  };
}

/** Entries as the appending function takes them: their columns and canonical text around the chain's two values. */
const asJson = (entries: Array<Unchained & { chain?: string }>) => JSON.stringify(entries.map((e) => {
  const { chain, ...rest } = e;
  const [before, between, after] = canonicalAroundChain(rest);
  return { ...e, ...(chain ? { chain } : {}), at: e.at.toISOString(), before, between, after };
}));

async function sql<T = Record<string, any>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  database = await freshDatabase();
  registerModules();
  // The database as it was before per-county chains, with a log written by that version's function.
  const orm = await openOrm({ url: database.url, poolMax: 1 } as never);
  try {
    await orm.getMigrator().up({ to: 'Migration0014UnknownFlags' });
  } finally {
    await orm.close(true);
  }
  // Some legacy children live in one county with their hukou in another (every second one of 350102's, one in five of 350103's).
  const legacy = Array.from({ length: LEGACY }, (_, i) => entry(i, ['350102', '350103', '350203'][i % 3], i % 6 === 0 ? '350205' : i % 15 === 1 ? '350102' : undefined));
  for (let i = 0; i < LEGACY; i += 10) await sql('SELECT * FROM hub.append_change_log($1::jsonb)', [asJson(legacy.slice(i, i + 10))]);
  [{ hash: legacyHead }] = await sql<{ hash: string }>('SELECT hash FROM hub.change_log ORDER BY seq DESC LIMIT 1');
  // Then the hub's own opening, which applies migration 0015.
  db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, DATABASE_POOL_MAX: '2', LOG_LEVEL: 'silent' }), () => undefined);
}, 120_000);

afterAll(() => db?.close());

describe('the switch to one chain per county', () => {
  it('keeps every entry written before as the frozen chain global, unchanged, and its head', async () => {
    const rows = await sql<{ chain: string; seq: string }>('SELECT chain, seq FROM hub.change_log ORDER BY seq');
    expect(rows.map((r) => [r.chain, Number(r.seq)])).toEqual(Array.from({ length: LEGACY }, (_, i) => ['global', i + 1]));
    expect(await sql('SELECT chain, seq::int AS seq, hash, frozen FROM hub.chain_head')).toEqual([{ chain: 'global', seq: LEGACY, hash: legacyHead, frozen: true }]);
    const result = await verifyChain(db.sql);
    expect(result).toMatchObject({ ok: true, entries: LEGACY });
    expect(result.chains).toEqual([{ chain: 'global', ok: true, entries: LEGACY, headSeq: LEGACY, headHash: legacyHead, firstBadSeq: null, problem: null }]);
  });

  it('hangs every new county chain from the frozen head, in the database and in the verifier alike', async () => {
    const fresh = [entry(100, '350102'), entry(101, '350203'), entry(102, '350102')];
    await sql('SELECT * FROM hub.append_change_log($1::jsonb)', [asJson(fresh.map((e) => ({ ...e, chain: e.residenceRegion })))]);
    const rows = await sql<{ chain: string; seq: string; prev_hash: string; hash: string }>(`SELECT chain, seq, prev_hash, hash FROM hub.change_log WHERE chain <> 'global' ORDER BY chain, seq`);
    expect(rows.map((r) => [r.chain, Number(r.seq)])).toEqual([['350102', 1], ['350102', 2], ['350203', 1]]);
    const [{ genesis }] = await sql<{ genesis: string }>(`SELECT hub.chain_genesis('350102') AS genesis`);
    expect(genesis).toBe(chainGenesis('350102', legacyHead));
    expect(rows[0].prev_hash).toBe(genesis);
    expect(rows[2].prev_hash).toBe(chainGenesis('350203', legacyHead));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    // Each hash is the entry's hash as before: the chain's code is bound in through the genesis only.
    expect(rows[0].hash).toBe(entryHash({ ...fresh[0], seq: 1, prevHash: genesis }));
    const result = await verifyChain(db.sql);
    expect(result).toMatchObject({ ok: true, entries: LEGACY + 3 });
    expect(result.chains.map((c) => [c.chain, c.headSeq])).toEqual([['350102', 2], ['350203', 1], ['global', LEGACY]]);
  });

  it('shows a county reader the frozen chain\'s entries of children who live in its county or whose hukou is there, page by page', async () => {
    const reader = readerFor({ sub: 'edu-gulou', dept: 'EDU', region: '350102', roles: ['clerk'] });
    const expected = await sql<{ seq: string }>(`SELECT seq FROM hub.change_log WHERE chain = 'global' AND (hukou_region = '350102' OR residence_region = '350102') ORDER BY seq`);
    // Residents of 350102 with their hukou elsewhere are among them, and so are children of 350102's hukou living elsewhere.
    expect(await sql(`SELECT 1 FROM hub.change_log WHERE chain = 'global' AND residence_region = '350102' AND hukou_region <> '350102'`)).toHaveLength(5);
    expect(await sql(`SELECT 1 FROM hub.change_log WHERE chain = 'global' AND hukou_region = '350102' AND residence_region <> '350102'`)).toHaveLength(2);
    const service = new ChangeLogService(db.sql);
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result = await service.page(reader, { chain: 'global' }, 4, after);
      seen.push(...result.entries.map((e) => e.seq));
      if (!result.hasNextPage) break;
      after = result.cursors[result.cursors.length - 1];
    }
    expect(seen).toEqual(expected.map((r) => Number(r.seq)));
    // The whole log, without naming the chain: the same frozen entries, and the county chains' own.
    const all = await service.page(reader, undefined, 100, null);
    expect(all.entries.filter((e) => e.chain === 'global').map((e) => e.seq)).toEqual(seen);
    // And the change feed, catching up from the start, reads them the same way.
    const feed = new ChangeFeed(db);
    try {
      const stream = await feed.subscribe(reader, null, new Map());
      const fed: number[] = [];
      const timeout = setTimeout(() => void stream.return?.(), 20_000);
      try {
        for await (const entry of stream) {
          if (entry.chain === 'global') fed.push(entry.seq);
          if (fed.length === expected.length) break;
        }
      } finally {
        clearTimeout(timeout);
      }
      expect(fed).toEqual(expected.map((r) => Number(r.seq)));
    } finally {
      await feed.stop();
    }
  });

  it('appends nothing to the frozen chain, and nothing without a county chain', async () => {
    const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log');
    await expect(sql('SELECT * FROM hub.append_change_log($1::jsonb)', [asJson([{ ...entry(200, '350102'), chain: 'global' }])])).rejects.toThrow(/names no county chain/);
    await expect(sql('SELECT * FROM hub.append_change_log($1::jsonb)', [asJson([entry(201, '350102')])])).rejects.toThrow(/names no county chain/);
    expect(await sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(before);
  });

  it('finds tampering in the chain where it was done: a legacy entry in global, the county chains still whole; so does npm run verify-log', async () => {
    const guarded = (statement: string) => sql(`ALTER TABLE hub.change_log DISABLE TRIGGER USER; ${statement}; ALTER TABLE hub.change_log ENABLE TRIGGER USER`);
    const verifyLog = async () => {
      const cli = runTs('src/changelog/verify.cli.ts', [], { NODE_ENV: 'test', DATABASE_URL: database.url, DATABASE_POOL_MAX: '2', LOG_LEVEL: 'silent' });
      return { code: await cli.exited, output: cli.output() };
    };
    const intact = await verifyLog();
    expect(intact.code).toBe(0);
    expect(intact.output).toContain(`chain global: ${LEGACY} entries, head ${LEGACY} ${legacyHead}`);
    expect(intact.output).toMatch(/change log verified: 33 entries in 3 chains/);
    await guarded(`UPDATE hub.change_log SET reason = '改过' WHERE chain = 'global' AND seq = 17`);
    try {
      const result = await verifyChain(db.sql);
      expect(result).toMatchObject({ ok: false, firstBadChain: 'global', firstBadSeq: 17 });
      expect(result.chains.filter((c) => c.ok).map((c) => c.chain)).toEqual(['350102', '350203']);
      const broken = await verifyLog();
      expect(broken.code).toBe(1);
      expect(broken.output).toContain('CHAIN global BROKEN at entry 17');
      expect(broken.output).toContain('chain 350102: 2 entries');
      expect(broken.output).toContain('1 of 3 chains do not hold; first global at entry 17');
    } finally {
      await guarded(`UPDATE hub.change_log SET reason = '核实' WHERE chain = 'global' AND seq = 17`);
    }
    // The restored entry is a new row version, after its successors in the heap: the heap walk waits
    // for it and holds, reading no chain again by its index, and agrees with the walk by index.
    const [{ after }] = await sql<{ after: boolean }>(`SELECT (SELECT ctid FROM hub.change_log WHERE chain = 'global' AND seq = 17) > (SELECT ctid FROM hub.change_log WHERE chain = 'global' AND seq = 18) AS after`);
    expect(after).toBe(true);
    const copies: string[] = [];
    const recording = Object.assign(Object.create(db.sql), {
      copyOut: (text: string) => (copies.push(text), db.sql.copyOut(text)),
      copyOutMessages: (text: string) => (copies.push(text), db.sql.copyOutMessages(text)),
    });
    const byHeap = await verifyChain(recording);
    expect(byHeap.ok).toBe(true);
    expect(copies.filter((c) => c.includes('ORDER BY seq'))).toEqual([]);
    expect(copies.some((c) => c.includes('ctid'))).toBe(true);
    expect(byHeap).toEqual(await verifyChain(db.sql, { read: 'index' }));
  });

  it('finds a changed frozen head in every county chain, since each one\'s genesis hangs from it', async () => {
    await sql(`UPDATE hub.chain_head SET hash = repeat('a', 64) WHERE chain = 'global'`);
    try {
      const result = await verifyChain(db.sql);
      expect(result.chains.filter((c) => !c.ok).map((c) => [c.chain, c.firstBadSeq])).toEqual([['350102', 1], ['350203', 1], ['global', LEGACY]]);
    } finally {
      await sql(`UPDATE hub.chain_head SET hash = $1 WHERE chain = 'global'`, [legacyHead]);
    }
  });
});
