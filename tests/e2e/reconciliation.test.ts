import { randomUUID } from 'node:crypto';
import { makeIdNumber } from '../../src/children/id-number';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * Reconciliation (issue 14): a fixture with exactly one planted fault per rule yields exactly one
 * discrepancy per rule, recounted by an independent query; a re-run changes nothing but its
 * summary; a correcting write followed by a run resolves and names the entry; readers see only
 * the rules whose fields they may read, and learn nothing of the others.
 */
let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

const RUN = `mutation($p: String!, $r: String!) { runReconciliation(period: $p, region: $r) { id period counts { rule county count } opened resolved contentHash chainHeads { chain seq } } }`;
const LIST = `query($f: DiscrepancyFilter, $first: Int) { discrepancies(filter: $f, first: $first) { totalCount edges { node { id rule { code } childId status deadline overdue version facts { field value } fixedBy { chain seq } history { status operation entry { chain seq } } } } } }`;

const c = Array.from({ length: 12 }, () => randomUUID());
const [clean, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11] = c;
const plantedBy: Record<string, string> = { R01: r01, R02: r02, R03: r03, R04: r04, R05: r05, R06: r06, R07: r07, R08: r08, R09: r09, R10: r10, R11: r11 };
const RULE_COUNT = Object.keys(plantedBy).length;

async function plant(): Promise<void> {
  let n = 0;
  for (const id of c) {
    const birth = id === r09 ? '2012-05-20' : '2016-05-20';
    // Every child has its ID number but R11's, which has none and no police record saying why.
    const number = id === r11 ? null : makeIdNumber('350102', birth, 2 * ++n + 1);
    await hub.sql(`INSERT INTO hub.child (id, id_number, name, gender, birth_date, hukou_region, residence_region, created_by, updated_by) VALUES ($1, $2, $3, 'MALE', $4, '350102', '350102', 'fixture', 'fixture')`, [id, number, `儿童${n}`, birth]);
  }
  const edu = (id: string, status: string, grade: number | null = null) =>
    hub.sql(`INSERT INTO edu.education_record (child_id, status, stage, grade, updated_by) VALUES ($1, $2, $3, $4, 'fixture')`, [id, status, grade ? 'PRIMARY' : null, grade]);
  const psb = (id: string, hukou: string, whereabouts: string) =>
    hub.sql(`INSERT INTO psb.public_security_record (child_id, hukou_status, whereabouts, updated_by) VALUES ($1, $2, $3, 'fixture')`, [id, hukou, whereabouts]);
  const dropoutCase = (id: string, reason: string, status: string, openedOn: string) =>
    hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, closed_on, updated_by) VALUES ($1, $2, $3, $4, $5, $6, 'fixture')`,
      [randomUUID(), id, reason, status, openedOn, ['RETURNED', 'CLOSED_NOT_DROPOUT'].includes(status) ? '2026-06-01' : null]);
  await edu(clean, 'ENROLLED', 5); await psb(clean, 'REGISTERED', 'PRESENT');
  await psb(r01, 'REGISTERED', 'PRESENT');
  await edu(r02, 'ENROLLED', 5); await psb(r02, 'REGISTERED', 'DECEASED');
  await edu(r03, 'DROPPED_OUT');
  await hub.sql(`INSERT INTO civil.civil_affairs_record (child_id, left_behind, updated_by) VALUES ($1, true, 'fixture')`, [r04]);
  await hub.sql(`INSERT INTO dpf.disability_record (child_id, disability_type, disability_level, updated_by) VALUES ($1, 'PHYSICAL', 2, 'fixture')`, [r05]);
  await edu(r05, 'DEFERRED');
  await edu(r06, 'DROPPED_OUT'); await dropoutCase(r06, 'ILLNESS', 'OPEN', '2026-09-01');
  await edu(r07, 'DROPPED_OUT'); await dropoutCase(r07, 'FAMILY_POVERTY', 'RETURNED', '2026-03-01'); await dropoutCase(r07, 'STUDY_WEARINESS', 'OPEN', '2026-10-01');
  await edu(r08, 'STUDYING_ELSEWHERE');
  await edu(r09, 'ENROLLED', 1);
  await edu(r10, 'ENROLLED', 5); await psb(r10, 'RECORD_ERROR', 'PRESENT');
}

beforeAll(async () => {
  hub = await startTestHub();
  t.province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'], sub: 'province' });
  t.eduLiaison = await hub.token({ dept: 'EDU', region: '350102', roles: ['liaison'], sub: 'edu-liaison' });
  t.edu = await hub.token({ dept: 'EDU', region: '350102', roles: ['clerk'], sub: 'edu' });
  t.psb = await hub.token({ dept: 'PSB', region: '350102', roles: ['clerk'], sub: 'psb' });
  t.health = await hub.token({ dept: 'HEALTH', region: '350102', roles: ['clerk'], sub: 'health' });
  t.otherCounty = await hub.token({ dept: 'EDU', region: '350103', roles: ['clerk'], sub: 'taijiang' });
  t.analyst = await hub.token({ dept: 'EDU', region: '350000', roles: ['analyst'], sub: 'analyst' });
  t.supervisor = await hub.token({ dept: 'EDU', region: '350102', roles: ['supervisor'], sub: 'supervisor' });
  t.civil = await hub.token({ dept: 'CIVIL', region: '350102', roles: ['clerk'], sub: 'civil' });
  await plant();
});
afterAll(() => hub?.stop());

async function list(token: string, filter: Record<string, unknown> = {}): Promise<{ totalCount: number; edges: Array<{ node: any }> }> {
  const res = await hub.gql(LIST, { f: filter, first: 20 }, token);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as any).discrepancies;
}

describe('reconciliation', () => {
  let firstIds: string[];

  it('finds exactly one discrepancy per rule, on the planted child, recounted independently', async () => {
    const res = await hub.gql(RUN, { p: '2026-10', r: '350000' }, t.province);
    expect(res.body.errors).toBeUndefined();
    const run = (res.body.data as any).runReconciliation;
    expect(run.opened).toBe(RULE_COUNT);
    expect(run.counts).toEqual(Object.keys(plantedBy).map((rule) => ({ rule, county: '350102', count: 1 })));
    const recount = await hub.sql<{ rule: string; child_id: string }>(`SELECT rule, child_id FROM hub.discrepancy WHERE status = 'OPEN' ORDER BY rule`);
    expect(recount.map((r) => [r.rule, r.child_id])).toEqual(Object.entries(plantedBy));
    const page = await list(t.province);
    expect(page.totalCount).toBe(RULE_COUNT);
    firstIds = page.edges.map((e) => e.node.id).sort();
    expect(page.edges.every((e) => e.node.status === 'OPEN' && e.node.history.length === 1 && e.node.history[0].entry.chain === '350102')).toBe(true);
  });

  it('re-running gives the same ids and writes nothing but its frozen summary', async () => {
    const before = await hub.sql<{ n: number }>(`SELECT count(*)::int AS n FROM hub.change_log WHERE entity = 'Discrepancy'`);
    const res = await hub.gql(RUN, { p: '2026-10', r: '350000' }, t.province);
    expect((res.body.data as any).runReconciliation).toMatchObject({ opened: 0, resolved: 0 });
    expect((await list(t.province)).edges.map((e) => e.node.id).sort()).toEqual(firstIds);
    expect(await hub.sql(`SELECT count(*)::int AS n FROM hub.change_log WHERE entity = 'Discrepancy'`)).toEqual(before);
    const runs = await hub.sql<{ content_hash: string }>(`SELECT content_hash FROM hub.reconciliation_run ORDER BY ran_at`);
    expect(runs).toHaveLength(2);
    // The chain heads moved (the first run's own entries), so the frozen hash differs; the counts do not.
    expect((res.body.data as any).runReconciliation.counts).toHaveLength(RULE_COUNT);
  });

  it('a correcting write followed by a run resolves the discrepancy and names its entry by chain and seq', async () => {
    const [psbRecord] = await hub.sql<{ version: number }>('SELECT version FROM psb.public_security_record WHERE child_id = $1', [r02]);
    const fix = await hub.gql(`mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }`,
      { r: [{ childId: r02, hukouStatus: 'REGISTERED', whereabouts: 'PRESENT', expectedVersion: psbRecord.version }] }, t.psb);
    expect(fix.body.errors).toBeUndefined();
    const [entry] = await hub.sql<{ chain: string; seq: string }>(`SELECT chain, seq::text AS seq FROM hub.change_log WHERE child_id = $1 AND entity = 'PublicSecurityRecord' ORDER BY at DESC LIMIT 1`, [r02]);
    const res = await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.eduLiaison);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as any).runReconciliation).toMatchObject({ opened: 0, resolved: 1 });
    const [resolved] = (await list(t.province, { rule: 'R02' })).edges;
    expect(resolved.node).toMatchObject({ status: 'RESOLVED', fixedBy: { chain: '350102', seq: entry.seq } });
    expect(resolved.node.history.map((h: any) => h.status)).toEqual(['OPEN', 'RESOLVED']);
  });

  it('a re-check resolves at once when the fault is corrected', async () => {
    const [d] = (await list(t.edu, { rule: 'R03' })).edges;
    const still = await hub.gql(`mutation($id: ID!) { recheckDiscrepancy(id: $id) { status } }`, { id: d.node.id }, t.edu);
    expect((still.body.data as any).recheckDiscrepancy.status).toBe('OPEN');
    await hub.gql(`mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`, { r: [{ childId: r03, status: 'ENROLLED', stage: 'PRIMARY', grade: 5 }] }, t.edu);
    const done = await hub.gql(`mutation($id: ID!) { recheckDiscrepancy(id: $id) { status fixedBy { chain } } }`, { id: d.node.id }, t.edu);
    expect((done.body.data as any).recheckDiscrepancy).toEqual({ status: 'RESOLVED', fixedBy: { chain: '350102' } });
  });

  it('start, explain and a supervisor\'s confirmation, each a change-log entry; never by another department', async () => {
    const [d] = (await list(t.edu, { rule: 'R09' })).edges;
    expect(codes(await hub.gql(`mutation($id: ID!) { startDiscrepancy(id: $id, expectedVersion: 1) { status } }`, { id: d.node.id }, t.health))).toEqual(['FORBIDDEN']);
    const started = await hub.gql(`mutation($id: ID!) { startDiscrepancy(id: $id, expectedVersion: 1) { status version } }`, { id: d.node.id }, t.edu);
    expect((started.body.data as any).startDiscrepancy).toEqual({ status: 'IN_PROGRESS', version: 2 });
    expect(codes(await hub.gql(`mutation($id: ID!) { startDiscrepancy(id: $id, expectedVersion: 1) { status } }`, { id: d.node.id }, t.edu))).toEqual(['CONFLICT']);
    const explained = await hub.gql(`mutation($id: ID!) { explainDiscrepancy(id: $id, reason: "随迁子女插班，经核实属实", evidence: "学籍转入证明", expectedVersion: 2) { status explanation version } }`, { id: d.node.id }, t.edu);
    expect((explained.body.data as any).explainDiscrepancy).toMatchObject({ status: 'IN_PROGRESS', version: 3 });
    expect(codes(await hub.gql(`mutation($id: ID!) { confirmExplanation(id: $id, expectedVersion: 3) { status } }`, { id: d.node.id }, t.edu))).toEqual(['FORBIDDEN']);
    const confirmed = await hub.gql(`mutation($id: ID!) { confirmExplanation(id: $id, expectedVersion: 3) { status confirmedBy history { status } } }`, { id: d.node.id }, t.supervisor);
    expect((confirmed.body.data as any).confirmExplanation).toMatchObject({ status: 'EXPLAINED', confirmedBy: 'supervisor' });
    expect((confirmed.body.data as any).confirmExplanation.history.map((h: any) => h.status)).toEqual(['OPEN', 'IN_PROGRESS', null, 'EXPLAINED']);
    // An explained exception is not reopened by the next run.
    const again = await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.supervisor);
    expect((again.body.data as any).runReconciliation.opened).toBe(0);
  });
});

describe('who sees what', () => {
  it('a reader sees only the rules whose compared fields it may all read, and only in its region', async () => {
    const seen = async (token: string) => (await list(token)).edges.map((e) => e.node.rule.code).sort();
    // HEALTH reads neither the police's record (R01, R02, R10, R11) nor civil affairs' rosters (R04), nor ID numbers unmasked (R11).
    expect(await seen(t.health)).toEqual(['R03', 'R05', 'R06', 'R07', 'R08', 'R09']);
    // PSB reads no roster of civil affairs, poverty or the DPF, and no assessment.
    expect(await seen(t.psb)).toEqual(['R01', 'R02', 'R03', 'R07', 'R08', 'R09', 'R10', 'R11']);
    // Civil affairs reads ID numbers masked only: it is not told which children lack one (R11).
    expect(await seen(t.civil)).not.toContain('R11');
    expect((await list(t.health)).totalCount).toBe(6);
    expect((await list(t.otherCounty)).totalCount).toBe(0);
  });

  it('a hidden discrepancy is NOT_FOUND exactly like a missing one: same code, same text shape', async () => {
    const [r01Item] = (await list(t.province, { rule: 'R01' })).edges;
    const hidden = await hub.gql(`mutation($id: ID!) { recheckDiscrepancy(id: $id) { status } }`, { id: r01Item.node.id }, t.health);
    const missingId = randomUUID();
    const missing = await hub.gql(`mutation($id: ID!) { recheckDiscrepancy(id: $id) { status } }`, { id: missingId }, t.health);
    expect(codes(hidden)).toEqual(['NOT_FOUND']);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    expect(hidden.body.errors![0].message.replace(r01Item.node.id, 'ID')).toBe(missing.body.errors![0].message.replace(missingId, 'ID'));
    // Filtering by a hidden rule's child tells nothing either.
    expect((await list(t.health, { childId: r01 })).totalCount).toBe(0);
    const child = await hub.gql(`query($id: ID!) { child(id: $id) { discrepancies { rule { code } } } }`, { id: r01 }, t.health);
    expect((child.body.data as any).child.discrepancies).toEqual([]);
  });

  it('a run\'s counts show only the rules and counties the reader sees; totals and hash only to readers of every rule', async () => {
    const res = await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.supervisor);
    const run = (res.body.data as any).runReconciliation;
    expect(run.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(codes(await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.health))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(RUN, { p: '2026-10', r: '350000' }, t.eduLiaison))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(RUN, { p: '2026-13', r: '350102' }, t.supervisor))).toEqual(['BAD_USER_INPUT']);
  });

  it('a run is this month (mid-month, as a check) or the last; a future or older month is refused on period and writes nothing', async () => {
    // The hub's clock says 2026-10-15: October is under way, September just ended.
    const runs = async () => (await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.reconciliation_run'))[0].n;
    const before = await runs();
    for (const p of ['2026-11', '2099-12', '2026-08', '2025-10']) {
      const res = await hub.gql(RUN, { p, r: '350102' }, t.supervisor);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].message).toMatch(/period/);
    }
    expect(await runs()).toBe(before);
    expect((await hub.gql(RUN, { p: '2026-09', r: '350102' }, t.supervisor)).body.errors).toBeUndefined();
    expect((await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.supervisor)).body.errors).toBeUndefined();
    expect(await runs()).toBe(before + 2);
  });

  it('filters by owning department and by still-open, as the liaison page asks; an unknown department is refused on the field', async () => {
    expect((await list(t.psb, { ownerDept: 'PSB', open: true })).edges.map((e) => e.node.rule.code).sort()).toEqual(['R10', 'R11']);
    const open = (await list(t.province, { ownerDept: 'EDU', open: true })).edges.map((e) => e.node.status);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((s: string) => s === 'OPEN' || s === 'IN_PROGRESS')).toBe(true);
    expect((await list(t.province, { open: false })).edges.every((e) => ['RESOLVED', 'EXPLAINED'].includes(e.node.status))).toBe(true);
    const bad = await hub.gql(LIST, { f: { ownerDept: 'NOPE' }, first: 5 }, t.psb);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.body.errors![0].message).toContain('filter.ownerDept');
  });

  it('analysts (no row access) see none', async () => {
    expect(codes(await hub.gql(LIST, { f: {}, first: 10 }, t.analyst))).toEqual(['FORBIDDEN']);
  });
});

describe('a child another department finds (二(二))', () => {
  it('a CIVIL clerk registers it; with no education record it is an R01 item for EDU after a run, not before', async () => {
    const found = { ...childInput({ name: '民政发现' }), idNumber: null };
    expect((await hub.gql(REGISTER, { records: [found] }, t.civil)).body.errors).toBeUndefined();
    expect((await list(t.edu, { childId: found.id })).totalCount).toBe(0);
    expect((await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.supervisor)).body.errors).toBeUndefined();
    // Found without an ID number, it is also the police's to settle (R11).
    const items = (await list(t.edu, { childId: found.id })).edges.map((e) => e.node);
    expect(items.map((d) => [d.rule.code, d.status]).sort()).toEqual([['R01', 'OPEN'], ['R11', 'OPEN']]);
    const owners = await hub.sql<{ rule: string; owner_dept: string }>('SELECT rule, owner_dept FROM hub.discrepancy WHERE child_id = $1 ORDER BY rule', [found.id]);
    expect(owners).toEqual([{ rule: 'R01', owner_dept: 'EDU' }, { rule: 'R11', owner_dept: 'PSB' }]);
    // Once education records the child, the next run resolves it and names that write.
    expect((await hub.gql(`mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`,
      { r: [{ childId: found.id, status: 'ENROLLED', stage: 'PRIMARY', grade: 5 }] }, t.edu)).body.errors).toBeUndefined();
    expect((await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.supervisor)).body.errors).toBeUndefined();
    expect((await list(t.edu, { childId: found.id, rule: 'R01' })).edges.map((e) => [e.node.status, e.node.fixedBy?.chain])).toEqual([['RESOLVED', '350102']]);
  });

  it('a child the police list as deceased is not an R01 item, whoever registered it', async () => {
    const found = { ...childInput({ name: '已故儿童' }), idNumber: null };
    expect((await hub.gql(REGISTER, { records: [found] }, t.civil)).body.errors).toBeUndefined();
    await hub.sql(`INSERT INTO psb.public_security_record (child_id, hukou_status, whereabouts, updated_by) VALUES ($1, 'REGISTERED', 'DECEASED', 'fixture')`, [found.id]);
    expect((await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.supervisor)).body.errors).toBeUndefined();
    expect((await list(t.province, { childId: found.id, rule: 'R01' })).totalCount).toBe(0);
  });
});

describe('a child without an ID number (三(一): 无户口通报公安)', () => {
  it('is the police\'s to settle (R11) until they give its number or record it as without hukou; other departments are not told', async () => {
    // Education registers two children without hukou, at school.
    const [given, recorded] = ['无户口甲', '无户口乙'].map((name) => ({ ...childInput({ name }), idNumber: null, hukouStatus: 'NO_HUKOU' }));
    expect((await hub.gql(REGISTER, { records: [given, recorded] }, t.edu)).body.errors).toBeUndefined();
    expect((await hub.gql(`mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`,
      { r: [given, recorded].map((child) => ({ childId: child.id, status: 'ENROLLED', stage: 'PRIMARY', grade: 5 })) }, t.edu)).body.errors).toBeUndefined();
    expect((await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.eduLiaison)).body.errors).toBeUndefined();
    for (const child of [given, recorded]) {
      const items = (await list(t.psb, { childId: child.id })).edges.map((e) => e.node);
      expect(items.map((d) => [d.rule.code, d.status, d.facts])).toEqual([
        ['R11', 'OPEN', [{ field: 'Child.idNumber', value: null }, { field: 'PublicSecurityRecord.hukouStatus', value: null }]],
      ]);
      // Civil affairs and health read ID numbers masked: that a child has none is not theirs to learn.
      expect((await list(t.civil, { childId: child.id })).totalCount).toBe(0);
      expect((await list(t.health, { childId: child.id })).totalCount).toBe(0);
    }
    const [open] = await hub.sql<{ owner_dept: string; n: number }>(`SELECT owner_dept, count(*)::int AS n FROM hub.discrepancy WHERE rule = 'R11' AND child_id = ANY($1::uuid[]) GROUP BY owner_dept`, [[given.id, recorded.id]]);
    expect(open).toEqual({ owner_dept: 'PSB', n: 2 });
    // The police give one its number, and record the other as without hukou: the next run resolves both, naming each write.
    expect((await hub.gql(`mutation($r: [ChildIdNumberInput!]!) { updateChildIdNumbers(records: $r, reason: "办理户口登记") { replayed } }`,
      { r: [{ childId: given.id, idNumber: makeIdNumber('350102', given.birthDate, 777) }] }, t.psb)).body.errors).toBeUndefined();
    expect((await hub.gql(`mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }`,
      { r: [{ childId: recorded.id, hukouStatus: 'NO_HUKOU', whereabouts: 'PRESENT' }] }, t.psb)).body.errors).toBeUndefined();
    expect((await hub.gql(RUN, { p: '2026-10', r: '350102' }, t.eduLiaison)).body.errors).toBeUndefined();
    for (const [child, entity] of [[given, 'Child'], [recorded, 'PublicSecurityRecord']] as const) {
      const [entry] = await hub.sql<{ seq: string }>(`SELECT seq::text AS seq FROM hub.change_log WHERE child_id = $1 AND entity = $2 ORDER BY seq DESC LIMIT 1`, [child.id, entity]);
      const items = (await list(t.psb, { childId: child.id })).edges.map((e) => e.node);
      expect(items.map((d) => [d.rule.code, d.status, d.fixedBy])).toEqual([['R11', 'RESOLVED', { chain: '350102', seq: entry.seq }]]);
    }
  });
});
