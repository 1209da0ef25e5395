import { Client } from 'pg';
import { childInput, FULL_CHILD, REGISTER } from '../support/fixtures';
import { databaseUrlOf, startTestHub, target, type TestHub } from '../support/hub';

let hub: TestHub;
const tokens: Record<string, string> = {};
let child: ReturnType<typeof childInput>;

const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

/** Each department's mutation with one valid record, and what reading it back must show. */
const SECTIONS = [
  { dept: 'EDU', mutation: 'upsertEducationRecords', type: 'EducationRecordInput', field: 'education',
    record: { status: 'ENROLLED', stage: 'PRIMARY', grade: 4, schoolName: '鼓楼第一中心小学' } },
  { dept: 'PSB', mutation: 'upsertPublicSecurityRecords', type: 'PublicSecurityRecordInput', field: 'publicSecurity',
    record: { hukouStatus: 'REGISTERED', whereabouts: 'PRESENT', verifiedOn: '2026-09-10' } },
  { dept: 'CIVIL', mutation: 'upsertCivilAffairsRecords', type: 'CivilAffairsRecordInput', field: 'civilAffairs',
    record: { leftBehind: true, subsistenceAllowance: true } },
  { dept: 'POVERTY', mutation: 'upsertPovertyRecords', type: 'PovertyRecordInput', field: 'poverty',
    record: { registeredPoor: true, monitoredHousehold: false, householdId: 'FJ-350102-0042' } },
  { dept: 'HEALTH', mutation: 'upsertHealthRecords', type: 'HealthRecordInput', field: 'health',
    record: { seriousIllness: true, diagnosisSummary: '先天性心脏病，术后康复期', screenedOn: '2026-09-01' } },
  { dept: 'DPF', mutation: 'upsertDisabilityRecords', type: 'DisabilityRecordInput', field: 'disability',
    record: { disabilityType: 'HEARING', disabilityLevel: 2, certificateNo: '' } },
] as const;

const upsert = (mutation: string, type: string) => `mutation($records: [${type}!]!, $key: String) {
  ${mutation}(records: $records, idempotencyKey: $key) { replayed children { id } }
}`;

beforeAll(async () => {
  hub = await startTestHub();
  for (const dept of ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const) tokens[dept] = await hub.token({ dept, region: '350102' });
  child = childInput({ name: '郑一鸣' });
  const res = await hub.gql(REGISTER, { records: [child] }, tokens.EDU);
  expect(res.body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

describe('each department writes its own section', () => {
  it.each(SECTIONS)('$dept writes $field through $mutation', async (section) => {
    const record: Record<string, unknown> = { childId: child.id, ...section.record };
    if (section.dept === 'DPF') record.certificateNo = `${child.idNumber}22`;
    const res = await hub.gql(upsert(section.mutation, section.type), { records: [record] }, tokens[section.dept]);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as any)[section.mutation].children).toEqual([{ id: child.id }]);

    const read = await hub.gql(FULL_CHILD, { id: child.id }, tokens[section.dept]);
    const { childId: _id, ...expected } = record;
    expect((read.body.data as any).child[section.field]).toMatchObject({ ...expected, version: 1 });
  });

  it('refuses a write to another department\'s section', async () => {
    for (const section of SECTIONS) {
      const other = section.dept === 'EDU' ? 'PSB' : 'EDU';
      const res = await hub.gql(upsert(section.mutation, section.type), { records: [{ childId: child.id, ...section.record }] }, tokens[other]);
      expect(codes(res)).toEqual(['FORBIDDEN']);
    }
  });

  it('refuses writes by roles that do not write (liaison, analyst, supervisor)', async () => {
    for (const roles of [['liaison'], ['analyst'], ['supervisor']] as const) {
      const token = await hub.token({ dept: 'EDU', region: '350102', roles: [...roles] });
      const res = await hub.gql(upsert('upsertEducationRecords', 'EducationRecordInput'), { records: [{ childId: child.id, status: 'ENROLLED' }] }, token);
      expect(codes(res)).toEqual(['FORBIDDEN']);
    }
  });

  it('updates with the current expectedVersion and refuses a stale one with CONFLICT', async () => {
    const mutation = upsert('upsertEducationRecords', 'EducationRecordInput');
    const ok = await hub.gql(mutation, { records: [{ childId: child.id, expectedVersion: 1, grade: 5 }] }, tokens.EDU);
    expect(ok.body.errors).toBeUndefined();
    const stale = await hub.gql(mutation, { records: [{ childId: child.id, expectedVersion: 1, grade: 6 }] }, tokens.EDU);
    expect(codes(stale)).toEqual(['CONFLICT']);
    expect(stale.body.errors![0].extensions).toMatchObject({ path: 'records[0].expectedVersion', currentVersion: 2 });
    const [row] = await hub.sql<{ grade: number; version: number }>('SELECT grade, version FROM edu.education_record WHERE child_id = $1', [child.id]);
    expect(row).toEqual({ grade: 5, version: 2 });
  });

  it('refuses expectedVersion 0 (create) when the record already exists', async () => {
    const res = await hub.gql(upsert('upsertEducationRecords', 'EducationRecordInput'), { records: [{ childId: child.id, expectedVersion: 0, status: 'ENROLLED' }] }, tokens.EDU);
    expect(codes(res)).toEqual(['CONFLICT']);
  });

  it('replays a retried idempotency key without writing again', async () => {
    const mutation = upsert('upsertPublicSecurityRecords', 'PublicSecurityRecordInput');
    const records = [{ childId: child.id, whereabouts: 'MISSING' }];
    const first = await hub.gql(mutation, { records, key: 'psb-2026-10-15-a' }, tokens.PSB);
    expect((first.body.data as any).upsertPublicSecurityRecords.replayed).toBe(false);
    const [before] = await hub.sql<{ version: number }>('SELECT version FROM psb.public_security_record WHERE child_id = $1', [child.id]);
    const retry = await hub.gql(mutation, { records, key: 'psb-2026-10-15-a' }, tokens.PSB);
    expect((retry.body.data as any).upsertPublicSecurityRecords.replayed).toBe(true);
    const [after] = await hub.sql<{ version: number }>('SELECT version FROM psb.public_security_record WHERE child_id = $1', [child.id]);
    expect(after.version).toBe(before.version);
  });

  it.each([
    ['a missing required field on create', 'upsertDisabilityRecords', 'DisabilityRecordInput', 'DPF', { disabilityType: 'VISUAL' }, 'records[0].disabilityLevel'],
    ['a disability level outside 1–4', 'upsertDisabilityRecords', 'DisabilityRecordInput', 'DPF', { disabilityLevel: 5 }, 'records[0].disabilityLevel'],
    ['a malformed certificate number', 'upsertDisabilityRecords', 'DisabilityRecordInput', 'DPF', { certificateNo: 'ABC' }, 'records[0].certificateNo'],
    ['a grade outside the stage', 'upsertEducationRecords', 'EducationRecordInput', 'EDU', { stage: 'JUNIOR_SECONDARY', grade: 3 }, 'records[0].grade'],
    ['a grade over 9', 'upsertEducationRecords', 'EducationRecordInput', 'EDU', { grade: 10 }, 'records[0].grade'],
    ['a school name over 100 characters', 'upsertEducationRecords', 'EducationRecordInput', 'EDU', { schoolName: '校'.repeat(101) }, 'records[0].schoolName'],
    ['a diagnosis over 500 characters', 'upsertHealthRecords', 'HealthRecordInput', 'HEALTH', { diagnosisSummary: '病'.repeat(501) }, 'records[0].diagnosisSummary'],
    ['null for a required field', 'upsertPublicSecurityRecords', 'PublicSecurityRecordInput', 'PSB', { hukouStatus: null, whereabouts: 'PRESENT' }, 'records[0].hukouStatus'],
    ['a child id that is not a UUID', 'upsertPovertyRecords', 'PovertyRecordInput', 'POVERTY', { childId: 'abc' }, 'records[0].childId'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, mutation, type, dept, record, path) => {
    const fresh = childInput();
    await hub.gql(REGISTER, { records: [fresh] }, tokens.EDU);
    const res = await hub.gql(upsert(mutation, type), { records: [{ childId: fresh.id, ...record }] }, tokens[dept]);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect((res.body.errors![0].extensions.problems as Array<{ path: string }>).map((p) => p.path)).toContain(path);
  });

  // PGlite serves every connection from one session, so a transaction cannot be held open beside the hub's there.
  (target === 'postgresql' ? it : it.skip)('refuses a batch with CONFLICT, writing and logging nothing, when another writer creates one of its records meanwhile', async () => {
    const [a, b] = [childInput(), childInput()];
    expect((await hub.gql(REGISTER, { records: [a, b] }, tokens.EDU)).body.errors).toBeUndefined();
    const seqBefore = (await hub.sql<{ n: number }>('SELECT coalesce(max(seq), 0)::int AS n FROM hub.change_log'))[0].n;
    const other = new Client({ connectionString: databaseUrlOf(hub) });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("INSERT INTO psb.public_security_record (child_id, updated_by, hukou_status, whereabouts) VALUES ($1, 'other-writer', 'REGISTERED', 'PRESENT')", [b.id]);
      // The hub reads no row for b, so it creates one, and waits on the other writer's uncommitted key.
      const pending = hub.gql(upsert('upsertPublicSecurityRecords', 'PublicSecurityRecordInput'),
        { records: [{ childId: a.id, hukouStatus: 'REGISTERED', whereabouts: 'PRESENT' }, { childId: b.id, hukouStatus: 'NO_HUKOU', whereabouts: 'MISSING' }] }, tokens.PSB);
      const [{ pid }] = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      for (let waited = 0; ; waited += 20) {
        const blocked = await other.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid]);
        if (blocked.rowCount) break;
        if (waited > 10_000) throw new Error('the hub never waited on the other writer');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query('COMMIT');
      const res = await pending;
      expect(codes(res)).toEqual(['CONFLICT']);
      expect(res.body.errors![0].message).toContain('记录已被他人修改');
    } finally {
      await other.end();
    }
    const rows = await hub.sql<{ child_id: string; updated_by: string }>('SELECT child_id, updated_by FROM psb.public_security_record WHERE child_id = ANY($1::uuid[])', [[a.id, b.id]]);
    expect(rows).toEqual([{ child_id: b.id, updated_by: 'other-writer' }]);
    expect(await hub.sql('SELECT seq FROM hub.change_log WHERE seq > $1', [seqBefore])).toHaveLength(0);
  });

  it('writes nothing of a batch when one record fails', async () => {
    const [a, b] = [childInput(), childInput()];
    await hub.gql(REGISTER, { records: [a, b] }, tokens.EDU);
    const res = await hub.gql(upsert('upsertEducationRecords', 'EducationRecordInput'),
      { records: [{ childId: a.id, status: 'ENROLLED' }, { childId: b.id }] }, tokens.EDU);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(await hub.sql('SELECT 1 FROM edu.education_record WHERE child_id = ANY($1::uuid[])', [[a.id, b.id]])).toHaveLength(0);
  });

  it('writes a mixed batch set-based: new and changed records logged one entry each, unchanged ones left alone', async () => {
    const children = Array.from({ length: 40 }, () => childInput());
    expect((await hub.gql(REGISTER, { records: children }, tokens.EDU)).body.errors).toBeUndefined();
    const ids = children.map((c) => c.id);
    const mutation = upsert('upsertCivilAffairsRecords', 'CivilAffairsRecordInput');
    expect((await hub.gql(mutation, { records: ids.slice(0, 20).map((childId) => ({ childId, migrant: true })) }, tokens.CIVIL)).body.errors).toBeUndefined();
    const seqBefore = (await hub.sql<{ n: number }>('SELECT coalesce(max(seq), 0)::int AS n FROM hub.change_log'))[0].n;
    // 0–9 unchanged, 10–19 changed (one with its version), 20–39 new (one with expectedVersion 0).
    const records = ids.map((childId, i) => (i < 10 ? { childId, migrant: true } : i < 20 ? { childId, orphan: true, ...(i === 10 ? { expectedVersion: 1 } : {}) } : { childId, leftBehind: i % 2 === 0, ...(i === 20 ? { expectedVersion: 0 } : {}) }));
    expect((await hub.gql(mutation, { records }, tokens.CIVIL)).body.errors).toBeUndefined();
    const entries = await hub.sql<{ operation: string; entity_id: string; version: number; changes: Record<string, unknown> }>(
      'SELECT operation, entity_id, version, changes FROM hub.change_log WHERE seq > $1 ORDER BY seq', [seqBefore]);
    expect(entries.map((e) => e.entity_id)).toEqual(ids.slice(10));
    expect(entries.slice(0, 10).every((e) => e.operation === 'UPDATE' && e.version === 2 && JSON.stringify(e.changes) === '{"orphan":{"after":true,"before":null}}')).toBe(true);
    // A new record logs what it was created with, and nothing it was not told (not said is not no).
    expect(entries[10]).toMatchObject({ operation: 'CREATE', version: 1 });
    expect(Object.keys(entries[10].changes)).toEqual(['leftBehind']);
    const versions = await hub.sql<{ child_id: string; version: number }>('SELECT child_id, version FROM civil.civil_affairs_record WHERE child_id = ANY($1::uuid[])', [ids]);
    const version = new Map(versions.map((v) => [v.child_id, v.version]));
    expect(ids.map((id) => version.get(id))).toEqual([...Array(10).fill(1), ...Array(10).fill(2), ...Array(20).fill(1)]);
    // A stale version anywhere in the batch: CONFLICT, and nothing of it is written.
    const stale = await hub.gql(mutation, { records: [{ childId: ids[30], orphan: true }, { childId: ids[11], migrant: false, expectedVersion: 1 }] }, tokens.CIVIL);
    expect(codes(stale)).toEqual(['CONFLICT']);
    expect((await hub.sql<{ orphan: boolean | null }>('SELECT orphan FROM civil.civil_affairs_record WHERE child_id = $1', [ids[30]]))[0].orphan).toBeNull();
    const supervisor = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
    expect((await hub.gql('{ verifyChangeLog { ok } }', {}, supervisor)).body.data).toEqual({ verifyChangeLog: { ok: true } });
  });

  it('answers NOT_FOUND for a child outside the writer\'s region, and writes nothing', async () => {
    const far = childInput({ hukouRegion: '350203' });
    const xiamen = await hub.token({ dept: 'EDU', region: '350203' });
    await hub.gql(REGISTER, { records: [far] }, xiamen);
    const res = await hub.gql(upsert('upsertEducationRecords', 'EducationRecordInput'), { records: [{ childId: far.id, status: 'DROPPED_OUT' }] }, tokens.EDU);
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.body.errors![0].message).toMatch(/records\[0\]\.childId/);
    expect(await hub.sql('SELECT 1 FROM edu.education_record WHERE child_id = $1', [far.id])).toHaveLength(0);
  });
});
