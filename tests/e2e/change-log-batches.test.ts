import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { childInput, REGISTER } from '../support/fixtures';
import { randomUUID } from 'node:crypto';
import { startTestHub, target, type TestHub } from '../support/hub';
import { APPEND_SLICE, arrayLiteral, CHANGE_LOG_CHANNEL, smallAppendStatements, type Unchained } from '../../src/changelog/change-log.append';
import { canonicalAroundChain, entryHash } from '../../src/changelog/hash-chain';
import { appendChangeLog, type LoggedChange } from '../../src/changelog/change-log.writer';
import { writeContexts, type WriteContext } from '../../src/core/unit-of-work';

/**
 * The change log's writer records a write's entries as its changes are made and appends them just
 * before the write's transaction commits; more than 20 entries at once (a bulk import) are chained
 * early, on a guess at the head, and go in as typed arrays. These tests hold that path to what
 * the one-message path for a few entries stores, and to the chain.
 */
let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
const EDU = `mutation($r: [EducationRecordInput!]!, $key: String, $reason: String) {
  upsertEducationRecords(records: $r, idempotencyKey: $key, reason: $reason) { replayed }
}`;
const VERIFY = '{ verifyChangeLog { ok entries firstBadSeq problem } }';
/** PostgreSQL takes a large batch's entries by COPY; PGlite's socket takes no COPY FROM STDIN, and gets them as arrays. */
const onPostgres = target === 'postgresql';
const ODD_TEXT = '为什么? $1 ?? \'引号\' "双" \\ \\u003f \t\n \\N NULL {a,"b"} 😀';

/** The statements the hub's ORM sent while `work` ran. */
async function statementsSent(work: () => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const knex = hub.server.db.orm.em.getConnection().getKnex();
  const onQuery = (query: { sql: string }) => sent.push(query.sql);
  knex.on('query', onQuery);
  try {
    await work();
  } finally {
    knex.off('query', onQuery);
  }
  return sent;
}
const headSeq = async () => (await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log'))[0].n;
const entriesAfter = (seq: number) => hub.sql<Record<string, any>>('SELECT * FROM hub.change_log WHERE seq > $1 ORDER BY seq', [seq]);
async function verified(): Promise<void> {
  const res = await hub.gql(VERIFY, {}, t.supervisor);
  expect(res.body.errors).toBeUndefined();
  expect((res.body.data as any).verifyChangeLog).toMatchObject({ ok: true, firstBadSeq: null });
}
async function register(count: number): Promise<string[]> {
  const records = Array.from({ length: count }, () => childInput());
  const res = await hub.gql(REGISTER, { records }, t.EDU);
  expect(res.body.errors).toBeUndefined();
  return records.map((r) => r.id);
}
/** What an entry stores apart from its place in the chain and its request. */
const content = (row: Record<string, any>) => ({
  actor: [row.actor_sub, row.actor_dept, row.actor_region, row.actor_roles],
  what: [row.operation, row.entity, row.mutation, row.version],
  ids: row.entity_id === row.child_id,
  regions: [row.hukou_region, row.residence_region],
  changes: row.changes,
  reason: row.reason,
  idempotencyKey: row.idempotency_key,
});

beforeAll(async () => {
  hub = await startTestHub();
  t.EDU = await hub.token({ dept: 'EDU', region: '350102', sub: 'edu-clerk' });
  t.supervisor = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
});
afterAll(() => hub?.stop());

describe('large batches', () => {
  it('stores each entry of a batch of 30 exactly as a batch of 3 stores its own, seq after seq, and the chain verifies', async () => {
    const ids = await register(33);
    const small = ids.slice(0, 3);
    const large = ids.slice(3);
    const write = (childIds: string[], key: string) =>
      hub.gql(EDU, { r: childIds.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 4, schoolName: `学校 ${ODD_TEXT}` })), key, reason: ODD_TEXT }, t.EDU);

    const beforeSmall = await headSeq();
    expect((await write(small, `small ${ODD_TEXT}`)).body.errors).toBeUndefined();
    const beforeLarge = await headSeq();
    expect((await write(large, `large ${ODD_TEXT}`)).body.errors).toBeUndefined();
    const smallRows = await hub.sql<Record<string, any>>('SELECT * FROM hub.change_log WHERE seq > $1 AND seq <= $2 ORDER BY seq', [beforeSmall, beforeLarge]);
    const largeRows = await entriesAfter(beforeLarge);

    expect(smallRows.map((r) => r.entity_id)).toEqual(small);
    expect(largeRows.map((r) => r.entity_id)).toEqual(large);
    expect(largeRows.map((r) => Number(r.seq))).toEqual(large.map((_, i) => beforeLarge + 1 + i));
    expect(largeRows.map((r) => r.prev_hash)).toEqual([smallRows.at(-1)!.hash, ...largeRows.slice(0, -1).map((r) => r.hash)]);
    expect(new Set(largeRows.map((r) => r.request_id)).size).toBe(1);
    expect(new Set(largeRows.map((r) => r.at.toISOString())).size).toBe(1);
    const expected = { ...content(smallRows[0]), idempotencyKey: `large ${ODD_TEXT}` };
    for (const row of largeRows) expect(content(row)).toEqual(expected);
    expect(expected).toMatchObject({ reason: ODD_TEXT, actor: ['edu-clerk', 'EDU', '350102', ['clerk']], what: ['CREATE', 'EducationRecord', 'upsertEducationRecords', 1] });
    await verified();
  });

  it('logs a registration of 40 children (the ORM\'s flush) and the sections written after it, in order', async () => {
    const before = await headSeq();
    const ids = await register(40);
    const res = await hub.gql(EDU, { r: ids.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 2 })) }, t.EDU);
    expect(res.body.errors).toBeUndefined();
    const rows = await entriesAfter(before);
    expect(rows.map((r) => `${r.entity} ${r.entity_id}`)).toEqual([...ids.map((id) => `Child ${id}`), ...ids.map((id) => `EducationRecord ${id}`)]);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => before + 1 + i));
    await verified();
  });

  it('keeps one chain without gaps when large and single writes of one hub meet at the lock', async () => {
    const ids = await register(80);
    const before = await headSeq();
    const batch = (childIds: string[], grade: number) => hub.gql(EDU, { r: childIds.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade })) }, t.EDU);
    const results = await Promise.all([
      batch(ids.slice(0, 25), 3),
      ...ids.slice(25, 30).map((id) => batch([id], 3)),
      batch(ids.slice(30, 55), 3),
      ...ids.slice(55, 60).map((id) => batch([id], 3)),
      batch(ids.slice(60, 80), 3),
    ]);
    for (const res of results) expect(res.body.errors).toBeUndefined();
    const rows = await entriesAfter(before);
    expect(rows.map((r) => Number(r.seq))).toEqual(ids.map((_, i) => before + 1 + i));
    expect(new Set(rows.map((r) => r.entity_id))).toEqual(new Set(ids));
    await verified();
  });

  it('chains large batches of one county sent at once (a client with several in flight) one after another, gap-free, and the chain verifies', async () => {
    const ids = await register(90);
    const before = await headSeq();
    const sent = await statementsSent(async () => {
      const results = await Promise.all([0, 30, 60].map((from) => hub.gql(EDU, { r: ids.slice(from, from + 30).map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 5 })) }, t.EDU)));
      for (const res of results) expect(res.body.errors).toBeUndefined();
    });
    const rows = await entriesAfter(before);
    expect(rows.map((r) => Number(r.seq))).toEqual(ids.map((_, i) => before + 1 + i));
    expect(new Set(rows.map((r) => r.entity_id))).toEqual(new Set(ids));
    // Each batch's entries together: 30 seqs in a row, one batch after another.
    const batches = [...new Set(rows.map((r) => r.request_id))];
    expect(batches).toHaveLength(3);
    for (const id of batches) {
      const seqs = rows.filter((r) => r.request_id === id).map((r) => Number(r.seq));
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
      expect(seqs).toHaveLength(30);
    }
    expect(sent.filter((sql) => sql.startsWith('COPY hub.change_log')).length).toBe(onPostgres ? 3 : 0);
    await verified();
  });

  it('writes none of a large batch when its entries cannot be appended at the commit (fail closed)', async () => {
    const ids = await register(25);
    const before = await headSeq();
    await hub.sql(`CREATE FUNCTION hub.refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log unavailable'; END $$;
      CREATE TRIGGER refuse_log BEFORE INSERT ON hub.change_log FOR EACH ROW EXECUTE FUNCTION hub.refuse_log()`);
    try {
      const res = await hub.gql(EDU, { r: ids.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 1 })) }, t.EDU);
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      await hub.sql('DROP TRIGGER refuse_log ON hub.change_log; DROP FUNCTION hub.refuse_log()');
    }
    expect(await hub.sql('SELECT 1 FROM edu.education_record WHERE child_id = ANY($1::uuid[])', [ids])).toHaveLength(0);
    expect(await headSeq()).toBe(before);
    // The chain goes on where it was: the next write appends right after the head.
    expect((await hub.gql(EDU, { r: ids.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 1 })) }, t.EDU)).body.errors).toBeUndefined();
    expect(await headSeq()).toBe(before + 25);
    await verified();
  });

  it('refuses text the hash would cover otherwise than stored (a lone surrogate), in a large batch as in a single write', async () => {
    const ids = await register(25);
    const before = await headSeq();
    for (const childIds of [ids.slice(0, 1), ids]) {
      const res = await hub.gql(EDU, { r: childIds.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 1 })), reason: `x \ud800 y` }, t.EDU);
      // Refused before anything runs (src/web/input-text.ts), naming the argument.
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'reason' })]);
    }
    expect(await hub.sql('SELECT 1 FROM edu.education_record WHERE child_id = ANY($1::uuid[])', [ids])).toHaveLength(0);
    expect(await headSeq()).toBe(before);
    await verified();
  });
});

describe('the columns of a large batch, as array literals', () => {
  it('are read back by PostgreSQL element for element, whatever the text', async () => {
    const texts = [...ODD_TEXT, ODD_TEXT, 'NULL', 'null', '', ' ', '"', '\\', '\\"', '{}', '{a,b}', ',', 'a b', '\'', '张三', '😀', '2026-10-15T08:00:00.000Z', 'f'.repeat(64)];
    const [{ back }] = await hub.sql<{ back: string[] }>('SELECT $1::text[] AS back', [arrayLiteral(texts)]);
    expect(back).toEqual(texts);
    const [{ mixed, versions }] = await hub.sql<{ mixed: Array<string | null>; versions: Array<number | null> }>(
      'SELECT $1::text[] AS mixed, $2::integer[] AS versions', [arrayLiteral(['a', null, 'NULL']), arrayLiteral([1, null, -3, 0])]);
    expect(mixed).toEqual(['a', null, 'NULL']);
    expect(versions).toEqual([1, null, -3, 0]);
    expect((await hub.sql<{ n: number }>('SELECT cardinality($1::text[]) AS n', [arrayLiteral([])]))[0].n).toBe(0);
  });
});

describe('two instances on one log', () => {
  it('chains to the head the other instance left, a single write as a large batch, and the chain holds', async () => {
    const other = await startTestHub({ sameDatabaseAs: hub });
    const sent: string[] = [];
    const knex = hub.server.db.orm.em.getConnection().getKnex();
    const onQuery = (query: { sql: string }) => sent.push(query.sql);
    try {
      const ids = await register(60);
      const before = await headSeq();
      knex.on('query', onQuery);
      // Every other write finds the other instance's entries at the head: a large batch chained early on its own guess chains again.
      const writes: Array<[TestHub, string[]]> = [
        [hub, ids.slice(0, 1)], [other, ids.slice(1, 2)], [hub, ids.slice(2, 3)], [other, ids.slice(3, 28)],
        [hub, ids.slice(28, 53)], [other, ids.slice(53, 54)], [hub, ids.slice(54, 60)],
      ];
      for (const [instance, childIds] of writes) {
        const res = await instance.gql(EDU, { r: childIds.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 5 })) }, t.EDU);
        expect(res.body.errors).toBeUndefined();
      }
      const rows = await entriesAfter(before);
      expect(rows.map((r) => r.entity_id)).toEqual(ids);
      expect(rows.map((r) => Number(r.seq))).toEqual(ids.map((_, i) => before + 1 + i));
      // This instance's three small writes went in one message each, chained by the database to whatever the head was.
      expect(sent.filter((sql) => sql.includes('hub.append_change_log_entry(')).length).toBe(3);
      await verified();
    } finally {
      knex.off('query', onQuery);
      await other.stop();
    }
  });
});

describe('the commit of a large batch', () => {
  it('is asynchronous and then durable, in one message, as a small write\'s: the notify lock and the chain\'s head are not held while its WAL is flushed', async () => {
    const ids = await register(25);
    const before = await headSeq();
    const sent = await statementsSent(async () => {
      const res = await hub.gql(EDU, { r: ids.map((childId) => ({ childId, status: 'ENROLLED', stage: 'PRIMARY', grade: 6 })) }, t.EDU);
      expect(res.body.errors).toBeUndefined();
    });
    // Before, the ORM's COMMIT ended it, synchronously, holding both until the flush.
    // On PostgreSQL the entries go in by COPY, and the heads are moved on in the message that commits.
    const appended = sent.findIndex((sql) => sql.includes(onPostgres ? 'COPY hub.change_log' : 'INSERT INTO hub.change_log'));
    expect(appended).toBeGreaterThanOrEqual(0);
    const heads = onPostgres ? 'WITH heads AS \\(UPDATE hub\\.chain_head [^;]*; ' : '';
    expect(sent.slice(appended + 1)).toEqual([expect.stringMatching(new RegExp(`^${heads}SET LOCAL synchronous_commit TO off; COMMIT; BEGIN; SELECT pg_logical_emit_message\\(true, 'baoxue', 'durable'\\); COMMIT$`))]);
    expect(sent).not.toContain('COMMIT;');
    expect((await entriesAfter(before)).map((r) => r.entity_id)).toEqual(ids);
    await verified();
  });
});

describe('a batch larger than one statement', () => {
  it(`goes in as statements of ${APPEND_SLICE} entries, in order, each chain gap-free to its head, and the log verifies`, async () => {
    // Two counties' chains, interleaved, so that a slice ends in the middle of each.
    const children = [await register(1), await register(1)].flat();
    const other = childInput({ hukouRegion: '350103', residenceRegion: '350103' });
    const province = await hub.token({ dept: 'EDU', region: '350000', sub: 'edu-province' });
    expect((await hub.gql(REGISTER, { records: [other] }, province)).body.errors).toBeUndefined();
    children.push(other.id);
    const count = 2 * APPEND_SLICE + 3;
    const heads = async () => hub.sql<{ chain: string; seq: string; hash: string }>(`SELECT chain, seq::text AS seq, hash::text AS hash FROM hub.chain_head WHERE chain IN ('350102', '350103') ORDER BY chain`);
    const before = await heads();
    const write: WriteContext = { actor: { identity: { sub: 'edu-province', dept: 'EDU', region: '350000', roles: ['clerk'] }, requestId: 'slices' }, operation: 'test', idempotencyKey: null };
    const changes = Array.from({ length: count }, (_, i): LoggedChange => {
      const childId = children[i % 3];
      return { entityName: 'EducationRecordEntity', operation: 'CREATE', entityId: randomUUID(), entity: { childId, status: 'ENROLLED', grade: (i % 9) + 1, version: 1 }, original: {}, payload: {} };
    });
    await hub.server.db.orm.em.fork().transactional(async (em) => {
      writeContexts.set(em, write);
      await appendChangeLog(em, write, changes);
    });
    const rows = await hub.sql<{ chain: string; seq: string; hash: string; prev_hash: string; entity_id: string }>(
      // Ordered by the column, not the text it is selected as ('10' < '9').
      `SELECT l.chain, l.seq::text AS seq, l.hash::text AS hash, l.prev_hash::text AS prev_hash, l.entity_id::text AS entity_id
       FROM hub.change_log l WHERE l.request_id = 'slices' ORDER BY l.chain, l.seq`);
    expect(rows).toHaveLength(count);
    for (const chain of ['350102', '350103']) {
      const mine = rows.filter((r) => r.chain === chain);
      const start = before.find((h) => h.chain === chain);
      // Gap-free from the head before, each entry linked to the one before it, the head on the last.
      expect(mine.map((r) => Number(r.seq))).toEqual(mine.map((_, i) => Number(start?.seq ?? 0) + 1 + i));
      mine.slice(1).forEach((r, i) => expect(r.prev_hash).toBe(mine[i].hash));
      if (start) expect(mine[0].prev_hash).toBe(start.hash);
      expect((await heads()).find((h) => h.chain === chain)).toMatchObject({ seq: mine.at(-1)!.seq, hash: mine.at(-1)!.hash });
    }
    // In the order the changes were made, per chain.
    expect(rows.filter((r) => r.chain === '350102').map((r) => r.entity_id)).toEqual(changes.filter((_, i) => i % 3 !== 2).map((c) => c.entityId));
    expect(rows.filter((r) => r.chain === '350103').map((r) => r.entity_id)).toEqual(changes.filter((_, i) => i % 3 === 2).map((c) => c.entityId));
    await verified();
  });
});

describe('a batch of long lines', () => {
  it('stores every line whole, across the slices it is sent in and with a line longer than a slice, and the log verifies', async () => {
    // About 2.5 KB of UTF-8 a line, so that a batch fills many 64 KB slices; one line of about 84 KB.
    const [childId] = await register(1);
    const write: WriteContext = { actor: { identity: { sub: 'edu-province', dept: 'EDU', region: '350000', roles: ['clerk'] }, requestId: 'long-lines' }, operation: 'test', idempotencyKey: null };
    const texts = Array.from({ length: 150 }, (_, i) => (i === 77 ? `鼓楼${ODD_TEXT}`.repeat(1200) : `${i} ${ODD_TEXT.repeat(20 + (i % 7))}`));
    const changes = texts.map((schoolName): LoggedChange => ({
      entityName: 'EducationRecordEntity', operation: 'CREATE', entityId: randomUUID(), entity: { childId, status: 'ENROLLED', schoolName, version: 1 }, original: {}, payload: {},
    }));
    const sent = await statementsSent(() => hub.server.db.orm.em.fork().transactional(async (em) => {
      writeContexts.set(em, write);
      await appendChangeLog(em, write, changes);
    }));
    expect(sent.filter((sql) => sql.startsWith('COPY hub.change_log')).length).toBe(onPostgres ? 1 : 0);
    const rows = await hub.sql<{ entity_id: string; school: string }>(
      "SELECT entity_id::text AS entity_id, changes->'schoolName'->>'after' AS school FROM hub.change_log WHERE request_id = 'long-lines' ORDER BY seq");
    expect(Buffer.byteLength(texts[77])).toBeGreaterThan(64 * 1024);
    expect(rows.map((r) => r.entity_id)).toEqual(changes.map((c) => c.entityId));
    expect(rows.map((r) => r.school)).toEqual(texts);
    await verified();
  });
});

describe('the database\'s append', () => {
  it('locks the heads of its chains in code order, as the hub does, and notifies the channel the change feed listens on', async () => {
    const [fn] = await hub.sql<{ source: string }>("SELECT prosrc AS source FROM pg_proc WHERE proname = 'append_change_log'");
    expect(fn.source).toMatch(/FROM hub\.chain_head h WHERE h\.chain = ANY\(chains\) AND NOT h\.frozen ORDER BY h\.chain FOR UPDATE/);
    expect(fn.source).toContain(`pg_notify('${CHANGE_LOG_CHANNEL}'`);
  });

  it('refuses an entry without the canonical text to hash, and appends none of the call\'s entries', async () => {
    const before = await headSeq();
    await expect(hub.sql(`SELECT * FROM hub.append_change_log('[{"chain": "350102", "before": "{", "between": ",", "after": "}"}, {"chain": "350102", "before": "{"}]'::jsonb)`))
      .rejects.toThrow(/entry 2 has no canonical text/);
    await expect(hub.sql(`SELECT * FROM hub.append_change_log('[{"before": "{", "between": ",", "after": "}"}]'::jsonb)`))
      .rejects.toThrow(/names no county chain/);
    await expect(hub.sql(`SELECT * FROM hub.append_change_log('[{"chain": "global", "before": "{", "between": ",", "after": "}"}]'::jsonb)`))
      .rejects.toThrow(/names no county chain/);
    expect(await headSeq()).toBe(before);
  });
});

describe('the database\'s append of one entry', () => {
  // A chain no other test writes to: six digits, as every county chain's code.
  const CHAIN = '359901';
  const CALL = 'SELECT chain, seq::int AS seq, hash FROM hub.append_change_log_entry($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)';
  const unchained = (n: number): Unchained => ({
    at: new Date(Date.UTC(2026, 9, 15, 8, 0, n)), actorSub: 'edu-clerk', actorDept: 'EDU', actorRegion: '350102', actorRoles: ['clerk'], operation: 'UPDATE',
    entity: 'EducationRecord', entityId: `entity-${n}`, childId: randomUUID(), hukouRegion: '350102', residenceRegion: CHAIN, version: n,
    changes: { schoolName: { after: `学校 ${n} ${ODD_TEXT}`, before: null } }, mutation: 'upsertEducationRecords', reason: ODD_TEXT, requestId: `one-${n}`, idempotencyKey: null,
  });
  const args = (e: Unchained, chain: string | null = CHAIN, pieces: Array<string | null> = canonicalAroundChain(e), notify: string[] | null = null) => [
    chain, e.at, e.actorSub, e.actorDept, e.actorRegion, e.actorRoles, e.operation, e.entity, e.entityId, e.childId, e.hukouRegion, e.residenceRegion,
    e.version, JSON.stringify(e.changes), e.mutation, e.reason, e.requestId, e.idempotencyKey, ...pieces, notify,
  ];
  const chainEntries = () => hub.sql<Record<string, any>>('SELECT * FROM hub.change_log WHERE chain = $1 ORDER BY seq', [CHAIN]);

  it('makes a new chain\'s head from its genesis, chains each entry on from the head and moves the head, and the log verifies', async () => {
    const [genesis] = await hub.sql<{ hash: string }>('SELECT hub.chain_genesis($1) AS hash', [CHAIN]);
    const first = unchained(1);
    const second = unchained(2);
    const [a] = await hub.sql<{ chain: string; seq: number; hash: string }>(CALL, args(first));
    const [b] = await hub.sql<{ chain: string; seq: number; hash: string }>(CALL, args(second));
    // The hash the verifier computes from the entry's fields, not from the canonical text the call was given.
    const hashOf = (e: Unchained, seq: number, prevHash: string) => entryHash({ ...e, seq, prevHash });
    expect(a).toEqual({ chain: CHAIN, seq: 1, hash: hashOf(first, 1, genesis.hash) });
    expect(b).toEqual({ chain: CHAIN, seq: 2, hash: hashOf(second, 2, a.hash) });
    const rows = await chainEntries();
    expect(rows.map((r) => [Number(r.seq), r.prev_hash, r.hash, r.reason, r.changes])).toEqual([
      [1, genesis.hash, a.hash, ODD_TEXT, first.changes], [2, a.hash, b.hash, ODD_TEXT, second.changes],
    ]);
    expect(await hub.sql('SELECT seq::int AS seq, hash::text AS hash FROM hub.chain_head WHERE chain = $1', [CHAIN])).toEqual([{ seq: 2, hash: b.hash }]);
    await verified();
  });

  it('refuses an entry without its canonical text, outside a county chain, or in a frozen chain, and appends nothing', async () => {
    const before = (await chainEntries()).length;
    const entry = unchained(3);
    await expect(hub.sql(CALL, args(entry, CHAIN, ['{', ',', null]))).rejects.toThrow(/has no canonical text/);
    await expect(hub.sql(CALL, args(entry, 'global'))).rejects.toThrow(/names no county chain/);
    await expect(hub.sql(CALL, args(entry, null))).rejects.toThrow(/names no county chain/);
    await hub.sql('UPDATE hub.chain_head SET frozen = true WHERE chain = $1', [CHAIN]);
    try {
      await expect(hub.sql(CALL, args(entry))).rejects.toThrow(/a chain is frozen/);
    } finally {
      await hub.sql('UPDATE hub.chain_head SET frozen = false WHERE chain = $1', [CHAIN]);
    }
    expect((await chainEntries()).length).toBe(before);
    await verified();
  });

  (onPostgres ? it : it.skip)('makes the new heads of a write over several chains before it locks any, so that it never waits in a circle with a large batch making one of them', async () => {
    // B has a head; C is new. A large batch has made C's head (uncommitted) and will lock B and C next,
    // as lockChainsAndReadHeads does; the small write over B and C, sent as the hub sends it, must not
    // hold B's lock while it waits for C's head.
    const [B, C] = ['359970', '359971'];
    await hub.sql('INSERT INTO hub.chain_head (chain, seq, hash) SELECT $1::text, 0, hub.chain_genesis($1) ON CONFLICT DO NOTHING', [B]);
    const [{ db }] = await hub.sql<{ db: string }>('SELECT current_database() AS db');
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${db}`;
    const [batch, write] = [new Client({ connectionString: url.toString() }), new Client({ connectionString: url.toString() })];
    await Promise.all([batch.connect(), write.connect()]);
    try {
      await batch.query('BEGIN');
      await batch.query("INSERT INTO hub.chain_head (chain, seq, hash) SELECT c, 0, hub.chain_genesis(c) FROM unnest($1::text[]) AS c ON CONFLICT DO NOTHING", [[C]]);
      await write.query('BEGIN');
      const placed = [{ chain: C, entry: { ...unchained(10), residenceRegion: C } }, { chain: B, entry: { ...unchained(11), residenceRegion: B } }];
      const appended = write.query(smallAppendStatements(placed).text);
      appended.catch(() => undefined);
      // Let the write's message reach the point where it waits for the batch.
      for (let i = 0; i < 100; i++) {
        const waiting = await hub.sql('SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = $1 AND query LIKE $2', ['Lock', '%append_change_log_entry%']);
        if (waiting.length) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // The batch now locks its heads in code order (B, then C): B must be free.
      await batch.query('SELECT chain FROM hub.chain_head WHERE chain = ANY($1::text[]) ORDER BY chain FOR UPDATE', [[B, C]]);
      await batch.query('COMMIT');
      const results = (await appended) as unknown as Array<{ rows: Array<{ chain: string; seq: string }> }>;
      expect(results.slice(1).map((r) => [r.rows[0].chain, Number(r.rows[0].seq)])).toEqual([[B, 1], [C, 1]]);
      await write.query('ROLLBACK');
    } finally {
      await Promise.all([batch.end(), write.end()]);
    }
  });

  it('locks its chain\'s head FOR UPDATE and notifies the channel the change feed listens on', async () => {
    const [fn] = await hub.sql<{ source: string }>("SELECT prosrc AS source FROM pg_proc WHERE proname = 'append_change_log_entry'");
    expect(fn.source).toMatch(/FROM hub\.chain_head h WHERE h\.chain = p_chain FOR UPDATE/);
    expect(fn.source).toContain(`pg_notify('${CHANGE_LOG_CHANNEL}', p_chain || ':' || head_seq)`);
    expect(fn.source).toContain(`pg_notify('${CHANGE_LOG_CHANNEL}', (SELECT string_agg(h.chain || ':' || h.seq, ',' ORDER BY h.chain) FROM hub.chain_head h WHERE h.chain = ANY(p_notify)))`);
  });
});

describe('what the writer refuses', () => {
  const change = (childId: string): LoggedChange => ({
    entityName: 'EducationRecordEntity', operation: 'CREATE', entityId: childId, entity: { childId, status: 'ENROLLED', version: 1 }, original: {}, payload: {},
  });
  const context = (): WriteContext => ({ actor: { identity: { sub: 'edu-clerk', dept: 'EDU', region: '350102', roles: ['clerk'] }, requestId: 'writer-test' }, operation: 'test', idempotencyKey: null });

  it('leaves the commit to the ORM when another hook runs after its own: that hook\'s failure still fails the whole write', async () => {
    const other = await startTestHub({ sameDatabaseAs: hub });
    try {
      other.server.db.orm.em.getEventManager().registerSubscriber({
        beforeTransactionCommit: () => {
          throw new Error('a later hook failed');
        },
      });
      const [id] = await register(1);
      const before = await headSeq();
      const res = await other.gql(EDU, { r: [{ childId: id, status: 'ENROLLED', stage: 'PRIMARY', grade: 6 }] }, t.EDU);
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(await hub.sql('SELECT 1 FROM edu.education_record WHERE child_id = $1', [id])).toHaveLength(0);
      expect(await headSeq()).toBe(before);
    } finally {
      await other.stop();
    }
  });

  it('refuses entries in a nested transaction (a savepoint\'s commit appends nothing), and the write with them', async () => {
    const [id] = await register(1);
    const before = await headSeq();
    const write = context();
    const run = hub.server.db.orm.em.fork().transactional(async (em) => {
      writeContexts.set(em, write);
      await em.transactional(async (inner) => {
        writeContexts.set(inner, write);
        await appendChangeLog(inner, write, [change(id)]);
      });
    });
    await expect(run).rejects.toThrow(/outermost/);
    expect(await headSeq()).toBe(before);
  });

  it('refuses entries on an ORM without the subscriber that appends them at the commit', async () => {
    const [id] = await register(1);
    const before = await headSeq();
    const orm = await MikroORM.init({ ...hub.server.db.orm.config.getAll(), subscribers: [], pool: { min: 0, max: 1 } });
    try {
      const write = context();
      const run = orm.em.fork().transactional(async (em) => {
        writeContexts.set(em, write);
        await appendChangeLog(em, write, [change(id)]);
      });
      await expect(run).rejects.toThrow(/no subscriber/);
    } finally {
      await orm.close();
    }
    expect(await headSeq()).toBe(before);
  });
});
