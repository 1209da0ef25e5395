import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { batchCopy, parseBatch } from '../../src/changelog/chain-batch';
import { storedEntry } from '../../src/changelog/change-log.verify';
import { HASHED_FIELDS } from '../../src/changelog/hash-chain';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

const LOG = `query($filter: ChangeLogFilter, $first: Int, $after: String) {
  changeLog(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { seq operation entity entityLabel entityId childId actorSub actorDept mutation reason requestId version
      changes { field label before after } } }
  }
}`;
const VERIFY = '{ verifyChangeLog { ok entries firstBadChain firstBadSeq problem chains { chain ok entries headSeq headHash firstBadSeq problem } } }';
/** The county chain of this file's children (their residence county). */
const CHAIN = '350102';

const upsert = (mutation: string, type: string) => `mutation($r: [${type}!]!, $key: String, $reason: String) {
  ${mutation}(records: $r, idempotencyKey: $key, reason: $reason) { replayed }
}`;
const EDU = upsert('upsertEducationRecords', 'EducationRecordInput');

async function log(token: string, filter?: Record<string, unknown>): Promise<any[]> {
  const res = await hub.gql(LOG, { filter, first: 100 }, token);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as any).changeLog.edges.map((e: any) => e.node);
}
const count = async () => (await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log'))[0].n;
async function verify() {
  const res = await hub.gql(VERIFY, {}, t.supervisor);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as any).verifyChangeLog;
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const dept of ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const) t[dept] = await hub.token({ dept, region: '350102', sub: `${dept.toLowerCase()}-clerk` });
  t.supervisor = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  t.analyst = await hub.token({ dept: 'EDU', region: '350102', roles: ['analyst'] });
});
afterAll(() => hub?.stop());

describe('every write is logged in the same transaction', () => {
  const child = childInput({ name: '谢雨晴', gender: 'FEMALE' });

  it('logs a registration with the actor, the mutation, the reason and every field', async () => {
    const res = await hub.gql(`mutation($r: [RegisterChildInput!]!) { registerChildren(records: $r, reason: "学籍新生登记") { replayed } }`, { r: [child] }, t.EDU);
    expect(res.body.errors).toBeUndefined();
    const [entry] = await log(t.EDU, { childId: child.id });
    expect(entry).toMatchObject({
      seq: 1, operation: 'CREATE', entity: 'Child', entityLabel: '儿童基本信息', entityId: child.id, childId: child.id,
      actorSub: 'edu-clerk', actorDept: 'EDU', mutation: 'registerChildren', reason: '学籍新生登记', version: 1,
    });
    expect(entry.changes).toContainEqual({ field: 'name', label: '姓名', before: null, after: '"谢雨晴"' });
    expect(entry.changes).toContainEqual({ field: 'idNumber', label: '身份证号', before: null, after: JSON.stringify(child.idNumber) });
  });

  it('logs each department\'s section writes with field-level before and after', async () => {
    const writes: Array<[string, string, string, Record<string, unknown>]> = [
      ['EDU', 'upsertEducationRecords', 'EducationRecordInput', { status: 'ENROLLED', stage: 'PRIMARY', grade: 3 }],
      ['PSB', 'upsertPublicSecurityRecords', 'PublicSecurityRecordInput', { hukouStatus: 'REGISTERED', whereabouts: 'PRESENT' }],
      ['CIVIL', 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', { migrant: true }],
      ['POVERTY', 'upsertPovertyRecords', 'PovertyRecordInput', { registeredPoor: true, householdId: 'HH-77' }],
      ['HEALTH', 'upsertHealthRecords', 'HealthRecordInput', { seriousIllness: true, diagnosisSummary: '哮喘' }],
      ['DPF', 'upsertDisabilityRecords', 'DisabilityRecordInput', { disabilityType: 'SPEECH', disabilityLevel: 4 }],
    ];
    for (const [dept, mutation, type, record] of writes) {
      const res = await hub.gql(upsert(mutation, type), { r: [{ childId: child.id, ...record }] }, t[dept]);
      expect(res.body.errors).toBeUndefined();
    }
    expect((await hub.gql(EDU, { r: [{ childId: child.id, grade: 4, expectedVersion: 1 }], reason: '升级' }, t.EDU)).body.errors).toBeUndefined();
    const entries = await log(t.supervisor, { childId: child.id });
    expect(entries.map((e) => `${e.operation} ${e.entity} ${e.mutation}`)).toEqual([
      'CREATE Child registerChildren',
      'CREATE EducationRecord upsertEducationRecords',
      'CREATE PublicSecurityRecord upsertPublicSecurityRecords',
      'CREATE CivilAffairsRecord upsertCivilAffairsRecords',
      'CREATE PovertyRecord upsertPovertyRecords',
      'CREATE HealthRecord upsertHealthRecords',
      'CREATE DisabilityRecord upsertDisabilityRecords',
      'UPDATE EducationRecord upsertEducationRecords',
    ]);
    expect(entries.at(-1)).toMatchObject({ version: 2, reason: '升级', changes: [{ field: 'grade', label: '年级', before: '3', after: '4' }] });
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('writes nothing to the log when a batch fails or a version is stale', async () => {
    const before = await count();
    const [a, b] = [childInput(), childInput()];
    expect(codes(await hub.gql(REGISTER, { records: [a, { ...b, name: '' }] }, t.EDU))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.gql(EDU, { r: [{ childId: child.id, grade: 5, expectedVersion: 1 }] }, t.EDU))).toEqual(['CONFLICT']);
    expect(await count()).toBe(before);
  });

  it('writes one set of entries for an idempotent retry', async () => {
    const records = [childInput()];
    await hub.gql(REGISTER, { records, key: 'log-retry-1' }, t.EDU);
    const after = await count();
    const retry = await hub.gql(REGISTER, { records, key: 'log-retry-1' }, t.EDU);
    expect((retry.body.data as any).registerChildren.replayed).toBe(true);
    expect(await count()).toBe(after);
  });

  it('logs text exactly as written, whatever it holds, and the chain still verifies', async () => {
    // One write after another: each is appended to the head the last one left, in one message with its entries quoted in it.
    const reasons = ['为什么? 因为 $1 ?? :name', "O'Brien \\ \\? \\\\", '?', '"引号" \'单\' \\u003f', 'tab\there\nnext line \\N', '\\N', 'NULL', '{a,"b"}\r'];
    for (const reason of reasons) {
      const res = await hub.gql(EDU, { r: [{ childId: child.id, schoolName: `学校 ${reason}` }], reason }, t.EDU);
      expect(res.body.errors).toBeUndefined();
    }
    const entries = (await log(t.EDU, { childId: child.id })).slice(-reasons.length);
    expect(entries.map((e) => e.reason)).toEqual(reasons);
    expect(entries.map((e) => JSON.parse(e.changes.find((c: any) => c.field === 'schoolName').after))).toEqual(reasons.map((r) => `学校 ${r}`));
    expect((await verify()).ok).toBe(true);
  });

  it('reads every entry back by COPY exactly as a SELECT gives it (the verifier reads batches so)', async () => {
    const copied = parseBatch((await hub.server.db.sql.copyOut(batchCopy(CHAIN, 1, 1_000_000))).toString('utf8'));
    const selected = (await hub.sql(`SELECT * FROM hub.change_log WHERE chain = '${CHAIN}' ORDER BY seq`)).map((row) => {
      const { hash, ...entry } = storedEntry(row);
      return [...HASHED_FIELDS.map((field) => (field === 'at' ? entry.at.toISOString() : field === 'seq' ? String(entry.seq) : entry[field])), hash];
    });
    expect(selected.length).toBeGreaterThan(10);
    expect(copied).toEqual(selected);
  });

  it('fails the change when its entry cannot be written (fail closed)', async () => {
    await hub.sql(`CREATE FUNCTION hub.refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log unavailable'; END $$;
      CREATE TRIGGER refuse_log BEFORE INSERT ON hub.change_log FOR EACH ROW EXECUTE FUNCTION hub.refuse_log()`);
    try {
      const record = childInput();
      const res = await hub.gql(REGISTER, { records: [record] }, t.EDU);
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(await hub.sql('SELECT 1 FROM hub.child WHERE id = $1', [record.id])).toHaveLength(0);
    } finally {
      await hub.sql('DROP TRIGGER refuse_log ON hub.change_log; DROP FUNCTION hub.refuse_log()');
    }
  });
});

describe('projection: the log tells no department more than it may query', () => {
  it('hides sections and fields the reader may not see', async () => {
    const psb = await log(t.PSB);
    expect(new Set(psb.map((e) => e.entity))).toEqual(new Set(['Child', 'EducationRecord', 'PublicSecurityRecord']));

    const edu = await log(t.EDU);
    const poverty = edu.find((e) => e.entity === 'PovertyRecord');
    // The household id is hidden; monitoredHousehold was not sent, so it is not logged (not said is not no).
    expect(poverty.changes.map((c: any) => c.field)).toEqual(['registeredPoor']);
    const health = edu.find((e) => e.entity === 'HealthRecord');
    expect(health.changes.map((c: any) => c.field)).toEqual(['seriousIllness']);

    const civil = await log(t.CIVIL);
    const registered = civil.find((e) => e.entity === 'Child' && e.changes.some((c: any) => c.field === 'idNumber' && c.after));
    expect(registered.changes.find((c: any) => c.field === 'idNumber').after).toMatch(/^"\d{6}\*{12}"$/);

    const analyst = await hub.gql(LOG, { first: 100 }, t.analyst);
    expect(analyst.text).not.toContain('谢雨晴');
    expect(analyst.text).not.toMatch(/"idNumber"/);
    for (const res of [await hub.gql(LOG, { first: 100 }, t.PSB), await hub.gql(LOG, { first: 100 }, t.EDU), analyst]) {
      expect(res.text).not.toContain('哮喘');
      expect(res.text).not.toContain('HH-77');
    }
  });

  it('refuses to filter by an entity the reader may not see', async () => {
    expect(codes(await hub.gql(LOG, { filter: { entity: 'HealthRecord' } }, t.PSB))).toEqual(['FORBIDDEN']);
  });

  it('keeps other regions\' entries out', async () => {
    const taijiang = await hub.token({ dept: 'EDU', region: '350103' });
    expect(await log(taijiang)).toEqual([]);
  });

  it('shows a child\'s latest changes on the child', async () => {
    const [first] = await log(t.EDU, { entity: 'Child' });
    const res = await hub.gql('query($id: ID!) { child(id: $id) { changes(last: 3) { seq entity } } }', { id: first.childId }, t.PSB);
    const seqs = (res.body.data as any).child.changes.map((c: any) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
    expect(seqs.length).toBe(3);
  });

  it('pages through the log without missing or repeating an entry', async () => {
    const all = (await log(t.supervisor)).map((e) => e.seq);
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await hub.gql(LOG, { first: 2, after }, t.supervisor);
      const conn = (res.body.data as any).changeLog;
      seen.push(...conn.edges.map((e: any) => e.node.seq));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });
});

describe('immutability and tamper evidence', () => {
  it.each(['UPDATE hub.change_log SET reason = $$x$$ WHERE seq = 1', 'DELETE FROM hub.change_log WHERE seq = 1', 'TRUNCATE hub.change_log'])('refuses %s', async (statement) => {
    await expect(hub.sql(statement)).rejects.toThrow(/append-only/);
  });

  it('verifies intact chains, each to its head (supervisors only)', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true, firstBadChain: null, firstBadSeq: null, entries: await count() });
    const heads = await hub.sql<{ chain: string; seq: number; hash: string }>('SELECT chain, seq::int AS seq, hash FROM hub.chain_head WHERE seq > 0 ORDER BY chain');
    expect(result.chains.filter((c: any) => c.entries > 0).map((c: any) => [c.chain, c.headSeq, c.headHash])).toEqual(heads.map((h) => [h.chain, h.seq, h.hash]));
    expect(result.chains.find((c: any) => c.chain === CHAIN).entries).toBe(await count());
    expect(codes(await hub.gql(VERIFY, {}, t.EDU))).toEqual(['FORBIDDEN']);
  });

  /** Runs a tampering with the guard triggers off (as a database superuser could), then undoes it. */
  async function tampered(tamper: string, undo: string) {
    await hub.sql(`ALTER TABLE hub.change_log DISABLE TRIGGER USER; ${tamper}; ALTER TABLE hub.change_log ENABLE TRIGGER USER`);
    try {
      return await verify();
    } finally {
      await hub.sql(`ALTER TABLE hub.change_log DISABLE TRIGGER USER; ${undo}; ALTER TABLE hub.change_log ENABLE TRIGGER USER`);
      expect((await verify()).ok).toBe(true);
    }
  }

  it('detects one changed byte at its sequence number', async () => {
    const result = await tampered(
      `UPDATE hub.change_log SET changes = jsonb_set(changes, '{grade,after}', '5') WHERE chain = '${CHAIN}' AND seq = 8`,
      `UPDATE hub.change_log SET changes = jsonb_set(changes, '{grade,after}', '4') WHERE chain = '${CHAIN}' AND seq = 8`,
    );
    expect(result).toMatchObject({ ok: false, firstBadChain: CHAIN, firstBadSeq: 8 });
  });

  it('detects a deleted entry at its sequence number', async () => {
    await hub.sql(`CREATE TABLE hub.saved AS SELECT * FROM hub.change_log WHERE chain = '${CHAIN}' AND seq = 4`);
    const result = await tampered(`DELETE FROM hub.change_log WHERE chain = '${CHAIN}' AND seq = 4`, 'INSERT INTO hub.change_log SELECT * FROM hub.saved');
    await hub.sql('DROP TABLE hub.saved');
    expect(result).toMatchObject({ ok: false, firstBadChain: CHAIN, firstBadSeq: 4 });
  });

  it('detects two swapped entries at the first of them', async () => {
    const swap = `UPDATE hub.change_log SET seq = seq + 1000 WHERE chain = '${CHAIN}' AND seq IN (5, 6); UPDATE hub.change_log SET seq = 1011 - seq WHERE chain = '${CHAIN}' AND seq IN (1005, 1006)`;
    const result = await tampered(swap, swap);
    expect(result).toMatchObject({ ok: false, firstBadChain: CHAIN, firstBadSeq: 5 });
  });

  it('detects an entry moved to another county\'s chain, in both chains', async () => {
    // A second chain, then the first entry of this file's chain relabelled as the other's next one.
    const res = await hub.gql(REGISTER, { records: [childInput({ hukouRegion: '350102', residenceRegion: '350103' })] }, t.EDU);
    expect(res.body.errors).toBeUndefined();
    const move = (from: string, to: string, seq: number, toSeq: number) => `UPDATE hub.change_log SET chain = '${to}', seq = ${toSeq} WHERE chain = '${from}' AND seq = ${seq}`;
    const result = await tampered(move(CHAIN, '350103', 1, 2), move('350103', CHAIN, 2, 1));
    expect(result).toMatchObject({ ok: false, firstBadChain: CHAIN, firstBadSeq: 1 });
    expect(result.chains.filter((c: any) => !c.ok).map((c: any) => [c.chain, c.firstBadSeq])).toEqual([[CHAIN, 1], ['350103', 2]]);
  });

  it('detects a head row moved back or forward, which would let an entry be dropped from the end', async () => {
    const [head] = await hub.sql<{ seq: number }>(`SELECT seq::int AS seq FROM hub.chain_head WHERE chain = '${CHAIN}'`);
    await hub.sql(`UPDATE hub.chain_head SET seq = seq + 1 WHERE chain = '${CHAIN}'`);
    let result: any;
    try {
      result = await verify();
    } finally {
      await hub.sql(`UPDATE hub.chain_head SET seq = seq - 1 WHERE chain = '${CHAIN}'`);
    }
    expect(result).toMatchObject({ ok: false, firstBadChain: CHAIN, firstBadSeq: head.seq + 1 });
    expect(result.problem).toMatch(/head row/);
    expect((await verify()).ok).toBe(true);
  });
});

describe('concurrency', () => {
  it('keeps every county\'s chain unbroken with no gaps under concurrent writers in several counties, each write in its own county\'s chain', async () => {
    const counties = ['350102', '350103', '350104', '350105'];
    const before = await hub.sql<{ chain: string; n: number }>('SELECT chain, count(*)::int AS n FROM hub.change_log GROUP BY chain');
    const writers = Array.from({ length: 24 }, (_, i) =>
      hub.gql(REGISTER, { records: [childInput({ hukouRegion: '350102', residenceRegion: counties[i % 4], birthDate: `2015-0${1 + (i % 9)}-2${i % 8}` })] }, i % 2 ? t.EDU : t.PSB));
    const results = await Promise.all(writers);
    for (const res of results) expect(res.body.errors).toBeUndefined();
    for (const county of counties) {
      const seqs = (await hub.sql<{ seq: string }>(`SELECT seq FROM hub.change_log WHERE chain = '${county}' ORDER BY seq`)).map((r) => Number(r.seq));
      const had = before.find((b) => b.chain === county)?.n ?? 0;
      expect(seqs).toEqual(Array.from({ length: had + 6 }, (_, i) => i + 1));
    }
    const misplaced = await hub.sql(`SELECT 1 FROM hub.change_log WHERE chain <> residence_region`);
    expect(misplaced).toEqual([]);
    expect((await verify()).ok).toBe(true);
  });

  it('runs concurrent batches that each touch several counties, in every order, without deadlock or gap (heads are locked in code order)', async () => {
    const counties = ['350102', '350103', '350104', '350105'];
    const province = await hub.token({ dept: 'EDU', region: '350000', sub: 'edu-province' });
    const children = counties.flatMap((county) => Array.from({ length: 30 }, () => childInput({ hukouRegion: '350102', residenceRegion: county })));
    const registered = await hub.gql(REGISTER, { records: children }, province);
    expect(registered.body.errors).toBeUndefined();
    const before = new Map((await hub.sql<{ chain: string; n: number }>('SELECT chain, count(*)::int AS n FROM hub.change_log GROUP BY chain')).map((r) => [r.chain, r.n]));
    // Three large batches (chained here, as arrays) and three small ones (chained by the database), each over all four
    // counties, every other one in reverse order, on children of their own (no two writes of one record).
    const sizes = [30, 10, 30, 10, 30, 10];
    let next = 0;
    const batches = sizes.map((size, i) => {
      const picked = Array.from({ length: size }, (_, k) => children[((next + k) % 4) * 30 + Math.floor((next + k) / 4)]);
      next += size;
      const ordered = i % 2 ? [...picked].reverse() : picked;
      return ordered.map((c, k) => ({ childId: c.id, status: 'ENROLLED', schoolName: `学校 ${i}-${k}` }));
    });
    expect(new Set(batches.flat().map((r) => r.childId)).size).toBe(120);
    const results = await Promise.all(batches.map((records) => hub.gql(EDU, { r: records }, province)));
    for (const res of results) expect(res.body.errors).toBeUndefined();
    const written = batches.flat().reduce((n, r) => n.set(children.find((c) => c.id === r.childId)!.residenceRegion, (n.get(children.find((c) => c.id === r.childId)!.residenceRegion) ?? 0) + 1), new Map<string, number>());
    for (const county of counties) {
      const seqs = (await hub.sql<{ seq: string }>(`SELECT seq FROM hub.change_log WHERE chain = '${county}' ORDER BY seq`)).map((r) => Number(r.seq));
      expect(seqs).toEqual(Array.from({ length: (before.get(county) ?? 0) + written.get(county)! }, (_, i) => i + 1));
    }
    expect((await verify()).ok).toBe(true);
  });
});
