import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { executeInTransaction } from '../../src/changelog/change-log.append';
import { ChildEntity } from '../../src/children/child.entity';
import { makeIdNumber } from '../../src/children/id-number';
import { beforeCommit, runWrite } from '../../src/core/unit-of-work';
import { childInput } from '../support/fixtures';
import { startTestHub, target, type TestHub } from '../support/hub';

let hub: TestHub;
let eduGulou: string;
let psbGulou: string;
let eduTaijiang: string;
let civilGulou: string;
let citySupervisor: string;
let analyst: string;

beforeAll(async () => {
  hub = await startTestHub();
  eduGulou = await hub.token({ dept: 'EDU', region: '350102' });
  psbGulou = await hub.token({ dept: 'PSB', region: '350102' });
  eduTaijiang = await hub.token({ dept: 'EDU', region: '350103' });
  civilGulou = await hub.token({ dept: 'CIVIL', region: '350102' });
  citySupervisor = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  analyst = await hub.token({ dept: 'EDU', region: '350100', roles: ['analyst'] });
});
afterAll(() => hub?.stop());

const REGISTER = `mutation($records: [RegisterChildInput!]!, $key: String) {
  registerChildren(records: $records, idempotencyKey: $key) {
    replayed children { id }
    possibleDuplicates { index pairId score band features candidate { id name idNumber } }
  }
}`;
const CANDIDATES = `query($filter: DuplicatePairFilter, $first: Int, $after: String) {
  duplicateCandidates(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id score band features status childA { id name } childB { id name } } }
  }
}`;

/** A child without hukou (无户口): no number, as education and the police must then say. */
const noNumber = (overrides: Parameters<typeof childInput>[0]) => ({ ...childInput({ ...overrides, idNumber: null }), hukouStatus: 'NO_HUKOU' });
const data = (r: { body: { data?: unknown } }) => r.body.data as any;
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

describe('duplicate candidates', () => {
  it('reports, without refusing it, a record that looks like a child already registered, and why', async () => {
    const first = childInput({ name: '陈伟', birthDate: '2015-03-12' });
    expect(codes(await hub.gql(REGISTER, { records: [first] }, eduGulou))).toEqual([]);
    // The police find the same child without an ID number (无户口), and an unrelated one.
    const again = noNumber({ name: '陈伟', birthDate: '2015-03-12' });
    const other = childInput({ name: '黄志强', birthDate: '2014-01-05' });
    const res = await hub.gql(REGISTER, { records: [other, again] }, psbGulou);
    expect(res.body.errors).toBeUndefined();
    const payload = data(res).registerChildren;
    expect(payload.children.map((c: any) => c.id)).toEqual([other.id, again.id]);
    expect(payload.possibleDuplicates).toEqual([{
      index: 1, pairId: expect.any(String), score: 12.5, band: 'LIKELY',
      features: ['NAME_SAME', 'BIRTH_DATE_SAME', 'GENDER_SAME', 'ID_NUMBER_MISSING', 'HUKOU_SAME', 'RESIDENCE_SAME'],
      candidate: { id: first.id, name: '陈伟', idNumber: first.idNumber },
    }]);
    const [row] = await hub.sql<{ status: string }>('SELECT status FROM hub.duplicate_pair WHERE id = $1', [payload.possibleDuplicates[0].pairId]);
    expect(row.status).toBe('OPEN');
    // A retry answers the same, and finds nothing new.
    const retryKey = await hub.gql(REGISTER, { records: [childInput({ name: '郑一鸣', birthDate: '2013-02-02' })], key: 'k1' }, psbGulou);
    expect(data(retryKey).registerChildren.possibleDuplicates).toEqual([]);
  });

  it('finds two records of one child within one batch, and a number one swap apart', async () => {
    const a = childInput({ name: '林佳怡', gender: 'FEMALE', birthDate: '2016-07-08', idNumber: makeIdNumber('350102', '2016-07-08', 120) });
    const b = { ...childInput({ name: '林佳怡', gender: 'FEMALE', birthDate: '2016-07-08' }), idNumber: makeIdNumber('350102', '2016-07-08', 102) };
    const res = await hub.gql(REGISTER, { records: [a, b] }, eduGulou);
    expect(res.body.errors).toBeUndefined();
    const [found] = data(res).registerChildren.possibleDuplicates;
    expect(found).toMatchObject({ index: 1, band: 'LIKELY', candidate: { id: a.id } });
    expect(found.features).toContain('ID_NUMBER_SWAPPED');
  });

  it('lists pairs by score to readers of every field they show, both children in region; refuses the rest', async () => {
    const mine = await hub.gql(CANDIDATES, {}, eduGulou);
    expect(mine.body.errors).toBeUndefined();
    const list = data(mine).duplicateCandidates;
    expect(list.totalCount).toBe(2);
    const scores = list.edges.map((e: any) => e.node.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(list.edges[0].node.childA.name).toBeTruthy();

    // Another county's clerk sees none of Gulou's pairs (no count either).
    expect(data(await hub.gql(CANDIDATES, {}, eduTaijiang)).duplicateCandidates).toMatchObject({ totalCount: 0, edges: [] });
    // Civil affairs sees ID numbers masked: "one digit apart" would tell it the hidden digits.
    expect(codes(await hub.gql(CANDIDATES, {}, civilGulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(CANDIDATES, {}, analyst))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(CANDIDATES, {}, null))).toEqual(['UNAUTHENTICATED']);

    // Paging: one at a time, the cursor carries on; a forged cursor and a region outside are bad input.
    const page1 = data(await hub.gql(CANDIDATES, { first: 1 }, eduGulou)).duplicateCandidates;
    const page2 = data(await hub.gql(CANDIDATES, { first: 1, after: page1.pageInfo.endCursor }, eduGulou)).duplicateCandidates;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page2.edges[0].node.id).not.toBe(page1.edges[0].node.id);
    expect(codes(await hub.gql(CANDIDATES, { after: 'bm9wZQ' }, eduGulou))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.gql(CANDIDATES, { filter: { region: '350103' } }, eduGulou))).toEqual(['BAD_USER_INPUT']);
  });

  it('a pair across two counties: recorded, but shown neither to the registering clerk nor to the other county; the city sees it', async () => {
    const gulou = childInput({ name: '吴思源', birthDate: '2015-09-09', hukouRegion: '350102' });
    await hub.gql(REGISTER, { records: [gulou] }, eduGulou);
    const taijiang = noNumber({ name: '吴思源', birthDate: '2015-09-09', hukouRegion: '350103' });
    const res = await hub.gql(REGISTER, { records: [taijiang] }, eduTaijiang);
    expect(data(res).registerChildren.possibleDuplicates).toEqual([]);
    const rows = await hub.sql('SELECT band FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [taijiang.id]);
    expect(rows).toHaveLength(1);
    for (const token of [eduGulou, eduTaijiang]) {
      const list = data(await hub.gql(CANDIDATES, { filter: { childId: taijiang.id } }, token)).duplicateCandidates;
      expect(list).toMatchObject({ totalCount: 0, edges: [] });
    }
    const city = data(await hub.gql(CANDIDATES, { filter: { childId: taijiang.id } }, citySupervisor)).duplicateCandidates;
    expect(city.edges.map((e: any) => [e.node.childA.id, e.node.childB.id].sort())).toEqual([[gulou.id, taijiang.id].sort()]);
  });

  it('tells readers of household ids (supervisors) whether a pair shares a poverty household, outside the score; others get null', async () => {
    const SHARED = `query($filter: DuplicatePairFilter) { duplicateCandidates(filter: $filter) { edges { node { id score sameHousehold } } } }`;
    const povertyGulou = await hub.token({ dept: 'POVERTY', region: '350102' });
    const pairOf = async (name: string, birthDate: string, households: [string | null, string | null]) => {
      const a = childInput({ name, birthDate });
      const b = noNumber({ name, birthDate });
      expect(codes(await hub.gql(REGISTER, { records: [a] }, eduGulou))).toEqual([]);
      const pairId = data(await hub.gql(REGISTER, { records: [b] }, psbGulou)).registerChildren.possibleDuplicates[0].pairId as string;
      const records = [a, b].flatMap((child, i) => (households[i] ? [{ childId: child.id, registeredPoor: true, householdId: households[i] }] : []));
      if (records.length) expect(codes(await hub.gql('mutation($r: [PovertyRecordInput!]!) { upsertPovertyRecords(records: $r) { replayed } }', { r: records }, povertyGulou))).toEqual([]);
      return { a, pairId };
    };
    const shared = await pairOf('彭语桐', '2015-04-04', ['H3501020001', 'H3501020001']);
    const apart = await pairOf('袁思远', '2015-05-05', ['H3501020002', 'H3501020003']);
    const unknown = await pairOf('蒋若曦', '2015-06-06', ['H3501020004', null]);
    const read = async (token: string, childId: string) => data(await hub.gql(SHARED, { filter: { childId } }, token)).duplicateCandidates.edges.map((e: any) => e.node);
    const expected = [[shared, true], [apart, false], [unknown, null]] as const;
    for (const [pair, same] of expected) {
      const [forSupervisor] = await read(citySupervisor, pair.a.id);
      const [forClerk] = await read(eduGulou, pair.a.id);
      expect(forSupervisor).toMatchObject({ id: pair.pairId, sameHousehold: same });
      // Education reads pairs but no household id: null, and the same score, whatever the households.
      expect(forClerk).toEqual({ ...forSupervisor, sameHousehold: null });
    }
    // Poverty alleviation reads household ids but ID numbers masked: it sees no pairs at all.
    expect(codes(await hub.gql(SHARED, {}, povertyGulou))).toEqual(['FORBIDDEN']);
  });

  it('finding a pair writes no change-log entry (a suggestion, not a change to any record)', async () => {
    expect(await hub.sql(`SELECT 1 FROM hub.change_log WHERE entity = 'DuplicatePair'`)).toEqual([]);
  });
});

const RESOLVE = `mutation($pairId: ID!, $decision: DuplicateDecision!, $survivorId: ID, $reason: String!) {
  resolveDuplicate(pairId: $pairId, decision: $decision, survivorId: $survivorId, reason: $reason) { id status reason decidedBy survivor { id } }
}`;
const EDU_UPSERT = `mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`;
const PSB_UPSERT = `mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }`;
const OPEN_CASE = `mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { children { id } } }`;
const CHILD = `query($id: ID!, $asOf: DateTimeISO) { child(id: $id, asOf: $asOf) { id name idNumber education { status } publicSecurity { hukouStatus } dropoutCases { id reason } } }`;

describe('resolving a pair', () => {
  /** The same child, registered by education with a number and by the police without (无户口), each with records of its own. */
  async function twoRecordsOfOneChild(name: string, birthDate: string) {
    const a = childInput({ name, birthDate });
    const b = noNumber({ name, birthDate });
    expect(codes(await hub.gql(REGISTER, { records: [a] }, eduGulou))).toEqual([]);
    const res = await hub.gql(REGISTER, { records: [b] }, psbGulou);
    const pairId = data(res).registerChildren.possibleDuplicates[0].pairId as string;
    return { a, b, pairId };
  }

  it('refuses readers who may not decide, out-of-region pairs as missing ones, and bad input, writing nothing', async () => {
    const { pairId } = await twoRecordsOfOneChild('郭子涵', '2015-11-03');
    const before = await hub.sql('SELECT count(*)::int AS n FROM hub.change_log');
    const reason = '入户核查 checked at home';
    expect(codes(await hub.gql(RESOLVE, { pairId, decision: 'DIFFERENT', reason }, civilGulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(RESOLVE, { pairId, decision: 'DIFFERENT', reason }, analyst))).toEqual(['FORBIDDEN']);
    // DPF reads every field a pair shows, but registers no child: it may look, not decide.
    const dpf = await hub.token({ dept: 'DPF', region: '350102' });
    expect(data(await hub.gql(CANDIDATES, { filter: { childId: null } }, dpf)).duplicateCandidates.totalCount).toBeGreaterThan(0);
    expect(codes(await hub.gql(RESOLVE, { pairId, decision: 'DIFFERENT', reason }, dpf))).toEqual(['FORBIDDEN']);
    const elsewhere = await hub.gql(RESOLVE, { pairId, decision: 'DIFFERENT', reason }, eduTaijiang);
    const missing = await hub.gql(RESOLVE, { pairId: '00000000-0000-4000-8000-000000000000', decision: 'DIFFERENT', reason }, eduTaijiang);
    expect(codes(elsewhere)).toEqual(['NOT_FOUND']);
    expect(elsewhere.body.errors![0].message.replace(pairId, 'X')).toBe(missing.body.errors![0].message.replace('00000000-0000-4000-8000-000000000000', 'X'));
    for (const [variables, path] of [
      [{ decision: 'DIFFERENT', reason: '  ' }, 'reason'],
      [{ decision: 'SAME', reason }, 'survivorId'],
      [{ decision: 'SAME', reason, survivorId: '00000000-0000-4000-8000-000000000000' }, 'survivorId'],
      [{ decision: 'DIFFERENT', reason, survivorId: '00000000-0000-4000-8000-000000000000' }, 'survivorId'],
    ] as const) {
      const res = await hub.gql(RESOLVE, { pairId, ...variables }, eduGulou);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect((res.body.errors![0].extensions.problems as any)[0].path).toBe(path);
    }
    expect(await hub.sql('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(before);
  });

  it('DIFFERENT is recorded, logged, and the pair leaves the open list', async () => {
    const { pairId } = await twoRecordsOfOneChild('何雨萱', '2016-02-14');
    const res = await hub.gql(RESOLVE, { pairId, decision: 'DIFFERENT', reason: '双胞胎 twins' }, psbGulou);
    expect(res.body.errors).toBeUndefined();
    expect(data(res).resolveDuplicate).toMatchObject({ status: 'DIFFERENT', reason: '双胞胎 twins', survivor: null });
    const open = data(await hub.gql(CANDIDATES, { filter: { status: 'OPEN' } }, eduGulou)).duplicateCandidates.edges.map((e: any) => e.node.id);
    expect(open).not.toContain(pairId);
    const [entry] = await hub.sql<{ changes: any; reason: string }>(`SELECT changes, reason FROM hub.change_log WHERE entity = 'DuplicatePair' AND entity_id = $1 AND operation = 'UPDATE'`, [pairId]);
    expect(entry.changes.status).toEqual({ before: 'OPEN', after: 'DIFFERENT' });
    expect(codes(await hub.gql(RESOLVE, { pairId, decision: 'DIFFERENT', reason: 'again' }, psbGulou))).toEqual(['CONFLICT']);
    // The decision is told to readers who may see pairs, not to civil affairs (ID numbers masked).
    const q = `{ changeLog(filter: { entity: "DuplicatePair" }, first: 50) { edges { node { entityId operation } } } }`;
    expect(data(await hub.gql(q, {}, eduGulou)).changeLog.edges.map((e: any) => e.node.entityId)).toContain(pairId);
    expect(data(await hub.gql(q, {}, civilGulou)).changeLog.edges).toEqual([]);
  });

  it('SAME merges: refused while two sections disagree, then every record moves, the old id and number find the survivor, both chains log it, the past still shows two', async () => {
    const { a, b, pairId } = await twoRecordsOfOneChild('黄诗琪', '2014-06-30');
    expect(codes(await hub.gql(EDU_UPSERT, { r: [{ childId: a.id, status: 'ENROLLED' }, { childId: b.id, status: 'DROPPED_OUT' }] }, eduGulou))).toEqual([]);
    expect(codes(await hub.gql(PSB_UPSERT, { r: [{ childId: b.id, hukouStatus: 'NO_HUKOU', whereabouts: 'PRESENT' }] }, psbGulou))).toEqual([]);
    expect(codes(await hub.gql(OPEN_CASE, { r: [{ childId: a.id, reason: 'STUDY_WEARINESS', responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] }, eduGulou))).toEqual([]);

    // The police's record (b, no number) is kept; education's (a) is merged into it.
    const refused = await hub.gql(RESOLVE, { pairId, decision: 'SAME', survivorId: b.id, reason: '同一人 one child' }, psbGulou);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.body.errors![0].extensions.fields).toEqual(['education.status']);
    expect((await hub.sql('SELECT id FROM hub.child WHERE id = $1', [a.id]))).toHaveLength(1);

    expect(codes(await hub.gql(EDU_UPSERT, { r: [{ childId: b.id, status: 'ENROLLED', expectedVersion: 1 }] }, eduGulou))).toEqual([]);
    // A third record of the same child, registered by civil affairs with a misheard name: open pairs with both.
    const third = childInput({ name: '黄诗淇', birthDate: '2014-06-30', idNumber: null });
    expect(codes(await hub.gql(REGISTER, { records: [third] }, civilGulou))).toEqual([]);
    const pairsOf = (id: string) => hub.sql<{ child_a: string; child_b: string }>(`SELECT child_a, child_b FROM hub.duplicate_pair WHERE status = 'OPEN' AND $1 IN (child_a, child_b)`, [id]);
    expect((await pairsOf(third.id)).flatMap((p) => [p.child_a, p.child_b]).filter((id) => id !== third.id).sort()).toEqual([a.id, b.id].sort());
    await hub.sql('DELETE FROM hub.duplicate_pair WHERE child_a = least($1::uuid, $2::uuid) AND child_b = greatest($1::uuid, $2::uuid)', [b.id, third.id]);

    const beforeMerge = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const merged = await hub.gql(RESOLVE, { pairId, decision: 'SAME', survivorId: b.id, reason: '同一人 one child' }, psbGulou);
    expect(merged.body.errors).toBeUndefined();
    expect(data(merged).resolveDuplicate).toMatchObject({ status: 'SAME', survivor: { id: b.id } });

    // The merged record's open pair with the third is gone; the survivor, checked afresh (it now has a's number), pairs with the third.
    expect(await pairsOf(a.id)).toEqual([]);
    // The merged child's sound key goes with its row (no foreign key cascades it, Migration0030); the survivor's stays.
    expect(await hub.sql('SELECT child_id FROM hub.child_match_key WHERE child_id = ANY($1::uuid[])', [[a.id, b.id]])).toEqual([{ child_id: b.id }]);
    expect((await pairsOf(third.id)).map((p) => [p.child_a, p.child_b].sort())).toEqual([[b.id, third.id].sort()]);

    const byOldId = data(await hub.gql(CHILD, { id: a.id }, eduGulou)).child;
    expect(byOldId).toMatchObject({ id: b.id, idNumber: a.idNumber, education: { status: 'ENROLLED' }, publicSecurity: { hukouStatus: 'NO_HUKOU' } });
    expect(byOldId.dropoutCases).toHaveLength(1);
    expect(data(await hub.gql('query($n: String!) { childByIdNumber(idNumber: $n) { id } }', { n: a.idNumber }, eduGulou)).childByIdNumber).toEqual({ id: b.id });
    // Out of region, the old id answers as any missing child.
    expect(codes(await hub.gql(CHILD, { id: a.id }, eduTaijiang))).toEqual(['NOT_FOUND']);

    const merges = await hub.sql<{ child_id: string; chain: string }>(`SELECT child_id, chain FROM hub.change_log WHERE entity = 'ChildMerge' ORDER BY child_id`);
    expect(merges.map((m) => m.child_id).sort()).toEqual([a.id, b.id].sort());
    const deleted = await hub.sql(`SELECT 1 FROM hub.change_log WHERE entity = 'Child' AND entity_id = $1 AND operation = 'DELETE'`, [a.id]);
    expect(deleted).toHaveLength(1);
    const province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
    expect(data(await hub.gql('{ verifyChangeLog { ok } }', {}, province)).verifyChangeLog.ok).toBe(true);

    // The moved case carries an entry of its own, on the survivor's chain, told to its readers; the survivor's past after the merge has it.
    const [caseRow] = await hub.sql<{ id: string }>('SELECT id FROM edu.dropout_case WHERE child_id = $1', [b.id]);
    const moves = await hub.sql<{ child_id: string; chain: string; changes: any; reason: string }>(
      `SELECT child_id, chain, changes, reason FROM hub.change_log WHERE entity = 'DropoutCase' AND entity_id = $1 AND operation = 'UPDATE'`, [caseRow.id]);
    expect(moves).toEqual([{ child_id: b.id, chain: '350102', changes: { childId: { before: a.id, after: b.id } }, reason: '同一人 one child' }]);
    const told = data(await hub.gql(`query($c: ID!) { changeLog(filter: { childId: $c, entity: "DropoutCase" }, first: 10) { edges { node { operation changes { field before after } } } } }`, { c: b.id }, eduGulou)).changeLog.edges;
    expect(told.map((e: any) => e.node)).toEqual([{ operation: 'UPDATE', changes: [{ field: 'childId', before: JSON.stringify(a.id), after: JSON.stringify(b.id) }] }]);
    const afterMerge = data(await hub.gql(CHILD, { id: b.id, asOf: new Date().toISOString() }, eduGulou)).child;
    expect(afterMerge).toMatchObject({ id: b.id, idNumber: a.idNumber, dropoutCases: [{ id: caseRow.id, reason: 'STUDY_WEARINESS' }] });

    // The survivor's own history, read live, holds the merged record's as well (as its past after the merge does).
    const HISTORY = `query($id: ID!) { child(id: $id) { changes(last: 100) { entity entityId childId operation } } }`;
    const history = data(await hub.gql(HISTORY, { id: b.id }, eduGulou)).child.changes;
    expect(history).toEqual(expect.arrayContaining([
      { entity: 'Child', entityId: a.id, childId: a.id, operation: 'CREATE' }, { entity: 'EducationRecord', entityId: a.id, childId: a.id, operation: 'CREATE' },
      { entity: 'Child', entityId: b.id, childId: b.id, operation: 'CREATE' }, { entity: 'DropoutCase', entityId: caseRow.id, childId: b.id, operation: 'UPDATE' },
    ]));
    expect(data(await hub.gql(HISTORY, { id: a.id }, eduGulou)).child.changes).toEqual(history);
    const pastA = data(await hub.gql(CHILD, { id: a.id, asOf: beforeMerge.toISOString() }, eduGulou)).child;
    const pastB = data(await hub.gql(CHILD, { id: b.id, asOf: beforeMerge.toISOString() }, eduGulou)).child;
    expect(pastA).toMatchObject({ id: a.id, idNumber: a.idNumber, dropoutCases: [expect.anything()] });
    expect(pastB).toMatchObject({ id: b.id, idNumber: null, dropoutCases: [] });

    // The number now belongs to the survivor: registering it again is refused as taken.
    const again = await hub.gql(REGISTER, { records: [{ ...childInput({ name: '黄诗琪', birthDate: '2014-06-30' }), idNumber: a.idNumber }] }, eduGulou);
    expect(codes(again)).toEqual(['CONFLICT']);
  });

  it('a merged pair stays listed (status SAME) to the readers who saw both children, the merged child as it was; not to a county that saw only the survivor', async () => {
    const DECIDED = `query($filter: DuplicatePairFilter) { duplicateCandidates(filter: $filter) { totalCount edges { node { id status reason childA { id } childB { id } survivor { id } } } } }`;
    // In one county: its clerks saw both.
    const { a, b, pairId } = await twoRecordsOfOneChild('冯子墨', '2014-01-19');
    expect(data(await hub.gql(RESOLVE, { pairId, decision: 'SAME', survivorId: b.id, reason: '同一人 one child' }, psbGulou)).resolveDuplicate.status).toBe('SAME');
    const gulou = data(await hub.gql(DECIDED, { filter: { status: 'SAME', childId: a.id } }, eduGulou)).duplicateCandidates;
    expect(gulou.totalCount).toBe(1);
    // The merged child's id answers as a child that is gone (its id is an alias, read through child(id)).
    expect(gulou.edges.map((e: any) => e.node)).toEqual([{ id: pairId, status: 'SAME', reason: '同一人 one child', survivor: { id: b.id },
      childA: a.id < b.id ? null : { id: b.id }, childB: a.id < b.id ? { id: b.id } : null }]);
    expect(data(await hub.gql(DECIDED, { filter: { status: 'SAME', region: '350102' } }, eduGulou)).duplicateCandidates.edges.map((e: any) => e.node.id)).toContain(pairId);
    expect(data(await hub.gql(DECIDED, { filter: { status: 'SAME', childId: a.id } }, eduTaijiang)).duplicateCandidates).toEqual({ totalCount: 0, edges: [] });

    // Across two counties, merged by the city into the Gulou record: the city saw both, each county only its own.
    const inGulou = childInput({ name: '褚明轩', birthDate: '2013-08-08', hukouRegion: '350102' });
    const inTaijiang = noNumber({ name: '褚明轩', birthDate: '2013-08-08', hukouRegion: '350103' });
    expect(codes(await hub.gql(REGISTER, { records: [inGulou] }, eduGulou))).toEqual([]);
    expect(codes(await hub.gql(REGISTER, { records: [inTaijiang] }, eduTaijiang))).toEqual([]);
    const [pair] = await hub.sql<{ id: string }>('SELECT id FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [inTaijiang.id]);
    expect(codes(await hub.gql(RESOLVE, { pairId: pair.id, decision: 'SAME', survivorId: inGulou.id, reason: '跨区同一人 one child in two districts' }, citySupervisor))).toEqual([]);
    const city = data(await hub.gql(DECIDED, { filter: { status: 'SAME', childId: inTaijiang.id } }, citySupervisor)).duplicateCandidates;
    expect(city.edges.map((e: any) => [e.node.id, e.node.survivor])).toEqual([[pair.id, { id: inGulou.id }]]);
    for (const token of [eduGulou, eduTaijiang]) {
      for (const filter of [{ status: 'SAME', childId: inTaijiang.id }, { status: 'SAME', childId: inGulou.id }, { status: 'SAME' }]) {
        const list = data(await hub.gql(DECIDED, { filter }, token)).duplicateCandidates;
        expect(list.edges.map((e: any) => e.node.id)).not.toContain(pair.id);
      }
    }
  });

  it('a write naming a merged record is refused as not found, naming the child it was merged into; outside the survivor\'s region, as any missing child; nothing written', async () => {
    const { a, b, pairId } = await twoRecordsOfOneChild('曹雨桐', '2015-07-07');
    expect(codes(await hub.gql(RESOLVE, { pairId, decision: 'SAME', survivorId: b.id, reason: '同一人 one child' }, psbGulou))).toEqual([]);
    const before = await hub.sql('SELECT count(*)::int AS n FROM hub.change_log');
    const writes: Array<[string, object, string]> = [
      [EDU_UPSERT, { r: [{ childId: a.id, status: 'ENROLLED' }] }, eduGulou],
      [OPEN_CASE, { r: [{ childId: a.id, reason: 'STUDY_WEARINESS', responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] }, eduGulou],
      ['mutation($r: [AssignTownshipInput!]!) { assignTownships(records: $r) { replayed } }', { r: [{ childId: a.id, township: '350102001' }] }, eduGulou],
      [SET_NUMBERS, { r: [{ childId: a.id, idNumber: childInput({ birthDate: '2015-07-07' }).idNumber }] }, psbGulou],
    ];
    for (const [mutation, variables, token] of writes) {
      const res = await hub.gql(mutation, variables, token);
      expect(codes(res)).toEqual(['NOT_FOUND']);
      expect(res.body.errors![0].extensions.mergedInto).toBe(b.id);
      expect(res.body.errors![0].message).toContain(`records[0].childId: 儿童 ${a.id} 已合并至 ${b.id}`);
    }
    // Taijiang cannot see the survivor: the merged id is refused there as an id that never existed.
    const missingId = '00000000-0000-4000-8000-000000000000';
    const elsewhere = await hub.gql(EDU_UPSERT, { r: [{ childId: a.id, status: 'ENROLLED' }] }, eduTaijiang);
    const missing = await hub.gql(EDU_UPSERT, { r: [{ childId: missingId, status: 'ENROLLED' }] }, eduTaijiang);
    expect(codes(elsewhere)).toEqual(['NOT_FOUND']);
    expect(elsewhere.body.errors![0].extensions).not.toHaveProperty('mergedInto');
    expect(elsewhere.body.errors![0].message.replace(a.id, 'X')).toBe(missing.body.errors![0].message.replace(missingId, 'X'));
    expect(await hub.sql('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(before);
  });

  it('a merge of a merge: the last survivor\'s past holds every record moved to it through both, and each earlier past still shows its own', async () => {
    const { a, b, pairId } = await twoRecordsOfOneChild('邓梓萱', '2014-03-08');
    expect(codes(await hub.gql(EDU_UPSERT, { r: [{ childId: a.id, status: 'ENROLLED' }] }, eduGulou))).toEqual([]);
    expect(codes(await hub.gql(OPEN_CASE, { r: [{ childId: a.id, reason: 'STUDY_WEARINESS', responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] }, eduGulou))).toEqual([]);
    const [caseRow] = await hub.sql<{ id: string }>('SELECT id FROM edu.dropout_case WHERE child_id = $1', [a.id]);
    // A third record of the child, found by civil affairs.
    const third = childInput({ name: '邓梓萱', birthDate: '2014-03-08', idNumber: null });
    expect(codes(await hub.gql(REGISTER, { records: [third] }, civilGulou))).toEqual([]);
    const pause = () => new Promise((r) => setTimeout(r, 20));

    // a into b, then b into the third.
    expect(codes(await hub.gql(RESOLVE, { pairId, decision: 'SAME', survivorId: b.id, reason: '同一人 one child' }, psbGulou))).toEqual([]);
    await pause();
    const betweenMerges = new Date();
    await pause();
    const [second] = await hub.sql<{ id: string }>(`SELECT id FROM hub.duplicate_pair WHERE status = 'OPEN' AND child_a = least($1::uuid, $2::uuid) AND child_b = greatest($1::uuid, $2::uuid)`, [b.id, third.id]);
    expect(second).toBeDefined();
    expect(codes(await hub.gql(RESOLVE, { pairId: second.id, decision: 'SAME', survivorId: third.id, reason: '同一人 one child' }, psbGulou))).toEqual([]);

    // Today, every id answers with the last survivor, which holds a's number, education record and case.
    const now = new Date().toISOString();
    const live = data(await hub.gql(CHILD, { id: a.id }, eduGulou)).child;
    expect(live).toMatchObject({ id: third.id, idNumber: a.idNumber, education: { status: 'ENROLLED' }, dropoutCases: [{ id: caseRow.id }] });
    // Its past after both merges is rebuilt from the entries of all three records: the case created under a is there.
    const past = data(await hub.gql(CHILD, { id: third.id, asOf: now }, eduGulou)).child;
    expect(past).toMatchObject({ id: third.id, idNumber: a.idNumber, education: { status: 'ENROLLED' }, dropoutCases: [{ id: caseRow.id, reason: 'STUDY_WEARINESS' }] });
    // Between the merges: b held it all, and the third was a record of its own.
    expect(data(await hub.gql(CHILD, { id: b.id, asOf: betweenMerges.toISOString() }, eduGulou)).child)
      .toMatchObject({ id: b.id, idNumber: a.idNumber, dropoutCases: [{ id: caseRow.id }] });
    expect(data(await hub.gql(CHILD, { id: third.id, asOf: betweenMerges.toISOString() }, eduGulou)).child)
      .toMatchObject({ id: third.id, idNumber: null, education: null, dropoutCases: [] });
    const province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
    expect(data(await hub.gql('{ verifyChangeLog { ok } }', {}, province)).verifyChangeLog.ok).toBe(true);
  });
});

const SET_NUMBERS = `mutation($r: [ChildIdNumberInput!]!, $reason: String) {
  updateChildIdNumbers(records: $r, reason: $reason) { children { id idNumber birthDate gender version } possibleDuplicates { index band features candidate { id } } }
}`;
const BY_NUMBER = 'query($n: String!) { childByIdNumber(idNumber: $n) { id idNumber } }';

describe('children without ID numbers, and corrected numbers', () => {
  it('a child without hukou is registered without a number, matched, and later given its number by a logged update', async () => {
    const found = noNumber({ name: '蔡梓轩', birthDate: '2017-04-18' });
    const res = await hub.gql(REGISTER, { records: [found] }, eduGulou);
    expect(res.body.errors).toBeUndefined();
    // The police register the same child again, without a number either: matched.
    const again = noNumber({ name: '蔡梓轩', birthDate: '2017-04-18' });
    expect(data(await hub.gql(REGISTER, { records: [again] }, psbGulou)).registerChildren.possibleDuplicates).toMatchObject([{ index: 0, band: 'LIKELY', candidate: { id: found.id } }]);

    const number = makeIdNumber('350102', '2017-04-18', 331);
    expect(codes(await hub.gql(SET_NUMBERS, { r: [{ childId: found.id, idNumber: number }] }, eduGulou))).toEqual(['FORBIDDEN']);
    const given = await hub.gql(SET_NUMBERS, { r: [{ childId: found.id, idNumber: number, expectedVersion: 1 }], reason: '户口登记 hukou registered' }, psbGulou);
    expect(given.body.errors).toBeUndefined();
    expect(data(given).updateChildIdNumbers.children).toEqual([{ id: found.id, idNumber: number, birthDate: '2017-04-18', gender: 'MALE', version: 2 }]);
    const entries = await hub.sql<{ operation: string; changes: any; reason: string }>(`SELECT operation, changes, reason FROM hub.change_log WHERE entity = 'Child' AND entity_id = $1 ORDER BY seq`, [found.id]);
    expect(entries.map((e) => e.operation)).toEqual(['CREATE', 'UPDATE']);
    expect(entries[1].changes).toEqual({ idNumber: { before: null, after: number } });
    expect(entries[1].reason).toBe('户口登记 hukou registered');
    expect(await hub.sql('SELECT 1 FROM hub.child WHERE name = $1', ['蔡梓轩'])).toHaveLength(2);
  });

  it('a number is required from education and the police unless the child has no hukou; other departments may leave it out; nothing written when refused', async () => {
    const count = async () => (await hub.sql<{ c: number; l: number }>('SELECT (SELECT count(*) FROM hub.child)::int AS c, (SELECT count(*) FROM hub.change_log)::int AS l'))[0];
    const before = await count();
    for (const [token, record, path, reason] of [
      [eduGulou, childInput({ name: '宋无号', birthDate: '2016-03-03', idNumber: null }), 'records[0].idNumber', /EDU and PSB register a child with its ID number/],
      [psbGulou, childInput({ name: '宋无号', birthDate: '2016-03-03', idNumber: null }), 'records[0].idNumber', /hukouStatus: NO_HUKOU/],
      [psbGulou, { ...childInput({ name: '宋有号', birthDate: '2016-03-03' }), hukouStatus: 'NO_HUKOU' }, 'records[0].hukouStatus', /either the number or NO_HUKOU/],
      [eduGulou, { ...childInput({ name: '宋无号', birthDate: '2016-03-03', idNumber: null }), hukouStatus: 'REGISTERED' }, 'records[0].hukouStatus', /only NO_HUKOU/],
    ] as const) {
      const res = await hub.gql(REGISTER, { records: [record] }, token);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      const problems = res.body.errors![0].extensions.problems as Array<{ path: string; reason: string }>;
      expect(problems.map((p) => p.path)).toEqual([path]);
      expect(problems[0].reason).toMatch(reason);
    }
    expect(await count()).toEqual(before);
    // Civil affairs finds a child in a household and does not know its number: registered, and matched with the strictest check.
    const found = childInput({ name: '宋无号', birthDate: '2016-03-03', idNumber: null });
    expect(codes(await hub.gql(REGISTER, { records: [found] }, civilGulou))).toEqual([]);
    expect(codes(await hub.gql(REGISTER, { records: [noNumber({ name: '宋无号', birthDate: '2016-03-03' })] }, eduGulou))).toEqual([]);
  });

  it('a record without a number meets children of the same birth date with only a city in common, and namesakes born another month of the year', async () => {
    // In Gulou with a number; the same child found without one in Cangshan (350104: another county of Fuzhou), and with its birth month misheard.
    const known = childInput({ name: '傅嘉懿', birthDate: '2015-05-06', hukouRegion: '350102' });
    expect(codes(await hub.gql(REGISTER, { records: [known] }, eduGulou))).toEqual([]);
    const psbCangshan = await hub.token({ dept: 'PSB', region: '350104' });
    const sameDay = noNumber({ name: '傅嘉懿', birthDate: '2015-05-06', hukouRegion: '350104' });
    const otherMonth = noNumber({ name: '傅嘉懿', birthDate: '2015-07-06', hukouRegion: '350104' });
    expect(codes(await hub.gql(REGISTER, { records: [sameDay] }, psbCangshan))).toEqual([]);
    expect(codes(await hub.gql(REGISTER, { records: [otherMonth] }, psbCangshan))).toEqual([]);
    const paired = await hub.sql<{ other: string; features: string[] }>(
      `SELECT CASE WHEN child_a = $1 THEN child_b ELSE child_a END AS other, features FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)`, [known.id]);
    expect(paired.map((p) => p.other).sort()).toEqual([sameDay.id, otherMonth.id].sort());
    expect(paired.find((p) => p.other === otherMonth.id)!.features).toEqual(expect.arrayContaining(['NAME_SAME', 'BIRTH_DATE_NEAR']));
    // With a number, the same look-alike in Cangshan is not looked for across the city: only by name and month, as before.
    const numbered = childInput({ name: '傅嘉懿', birthDate: '2015-07-06', hukouRegion: '350104' });
    const psbRes = await hub.gql(REGISTER, { records: [numbered] }, psbCangshan);
    expect(codes(psbRes)).toEqual([]);
    expect(await hub.sql('SELECT 1 FROM hub.duplicate_pair WHERE child_a = least($1::uuid, $2::uuid) AND child_b = greatest($1::uuid, $2::uuid)', [known.id, numbered.id])).toEqual([]);
  });

  it('the police correct a wrong number (户籍信息错误): the old number is kept as an alias and cannot be registered again', async () => {
    const wrong = makeIdNumber('350102', '2015-08-19', 445);
    const child = childInput({ name: '曾子墨', birthDate: '2015-08-19', idNumber: wrong });
    await hub.gql(REGISTER, { records: [child] }, psbGulou);
    const right = makeIdNumber('350102', '2015-08-09', 445);
    const res = await hub.gql(SET_NUMBERS, { r: [{ childId: child.id, idNumber: right }], reason: '户籍信息错误 record error' }, psbGulou);
    expect(res.body.errors).toBeUndefined();
    // The birth date in the number is the child's: corrected with it.
    expect(data(res).updateChildIdNumbers.children[0]).toMatchObject({ idNumber: right, birthDate: '2015-08-09' });
    expect(data(await hub.gql(BY_NUMBER, { n: wrong }, eduGulou)).childByIdNumber).toEqual({ id: child.id, idNumber: right });
    expect(data(await hub.gql(BY_NUMBER, { n: right }, eduGulou)).childByIdNumber).toEqual({ id: child.id, idNumber: right });
    expect(data(await hub.gql(BY_NUMBER, { n: wrong }, eduTaijiang)).childByIdNumber).toBeNull();
    const taken = await hub.gql(REGISTER, { records: [{ ...childInput({ name: '曾子墨', birthDate: '2015-08-19' }), idNumber: wrong }] }, psbGulou);
    expect(codes(taken)).toEqual(['CONFLICT']);
  });

  it('refuses a bad number, a taken one and an out-of-region child, writing nothing', async () => {
    const child = noNumber({ name: '邱一诺', birthDate: '2016-10-10' });
    await hub.gql(REGISTER, { records: [child] }, psbGulou);
    const before = await hub.sql('SELECT count(*)::int AS n FROM hub.change_log');
    const bad = await hub.gql(SET_NUMBERS, { r: [{ childId: child.id, idNumber: '35010220161010123' + '0' }] }, psbGulou);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect((bad.body.errors![0].extensions.problems as any)[0].path).toBe('records[0].idNumber');
    const other = childInput({ name: '邱二诺', birthDate: '2016-10-10' });
    await hub.gql(REGISTER, { records: [other] }, psbGulou);
    const afterOther = await hub.sql('SELECT count(*)::int AS n FROM hub.change_log');
    expect(codes(await hub.gql(SET_NUMBERS, { r: [{ childId: child.id, idNumber: other.idNumber }] }, psbGulou))).toEqual(['CONFLICT']);
    const psbTaijiang = await hub.token({ dept: 'PSB', region: '350103' });
    expect(codes(await hub.gql(SET_NUMBERS, { r: [{ childId: child.id, idNumber: makeIdNumber('350102', '2016-10-10', 777) }] }, psbTaijiang))).toEqual(['NOT_FOUND']);
    expect(await hub.sql('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(afterOther);
    expect(before).not.toEqual(afterOther);
  });
});

describe('the sweep', () => {
  const SWEEP = 'mutation($region: String!) { findDuplicates(region: $region) { children pairsFound } }';

  it('finds pairs among children registered before the check existed, writes their sound keys, and never proposes a DIFFERENT pair again', async () => {
    const a = childInput({ name: '骆嘉豪', birthDate: '2013-12-01' });
    const b = noNumber({ name: '骆嘉豪', birthDate: '2013-12-01' });
    await hub.gql(REGISTER, { records: [a, b] }, eduGulou);
    // As children seeded before migration 0019 would be: no pair, no sound key.
    await hub.sql('DELETE FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [a.id]);
    await hub.sql('DELETE FROM hub.child_match_key WHERE child_id = ANY($1::uuid[])', [[a.id, b.id]]);

    expect(codes(await hub.gql(SWEEP, { region: '350102' }, civilGulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(SWEEP, { region: '350102' }, analyst))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(SWEEP, { region: '350102' }, eduTaijiang))).toEqual(['BAD_USER_INPUT']);

    const first = await hub.gql(SWEEP, { region: '350102' }, eduGulou);
    expect(first.body.errors).toBeUndefined();
    expect(data(first).findDuplicates.pairsFound).toBe(1);
    expect(await hub.sql('SELECT child_id FROM hub.child_match_key WHERE child_id = ANY($1::uuid[])', [[a.id, b.id]])).toHaveLength(2);
    const [pair] = await hub.sql<{ id: string }>('SELECT id FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [a.id]);
    expect(codes(await hub.gql(RESOLVE, { pairId: pair.id, decision: 'DIFFERENT', reason: '堂兄弟 cousins' }, eduGulou))).toEqual([]);

    // A pair across counties found by Gulou's sweep is recorded but not counted to Gulou: the count would tell of the Taijiang child.
    const here = childInput({ name: '滕子航', birthDate: '2013-11-11' });
    const there = noNumber({ name: '滕子航', birthDate: '2013-11-11', hukouRegion: '350103' });
    await hub.gql(REGISTER, { records: [here] }, eduGulou);
    await hub.gql(REGISTER, { records: [there] }, eduTaijiang);
    await hub.sql('DELETE FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [here.id]);
    const cross = await hub.gql(SWEEP, { region: '350102' }, eduGulou);
    expect(data(cross).findDuplicates.pairsFound).toBe(0);
    expect(await hub.sql('SELECT 1 FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [here.id])).toHaveLength(1);

    // The province-wide sweep (birth year by birth year): every child checked, the lost pair and its keys found again, nothing else new.
    const province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
    await hub.sql('DELETE FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [here.id]);
    await hub.sql('DELETE FROM hub.child_match_key WHERE child_id = ANY($1::uuid[])', [[here.id, there.id]]);
    const all = await hub.gql(SWEEP, { region: '350000' }, province);
    expect(all.body.errors).toBeUndefined();
    const [{ n }] = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.child');
    expect(data(all).findDuplicates).toEqual({ children: n, pairsFound: 1 });
    expect(await hub.sql('SELECT child_id FROM hub.child_match_key WHERE child_id = ANY($1::uuid[])', [[here.id, there.id]])).toHaveLength(2);
    expect(data(await hub.gql(SWEEP, { region: '350000' }, province)).findDuplicates.pairsFound).toBe(0);

    const again = await hub.gql(SWEEP, { region: '350102' }, eduGulou);
    expect(data(again).findDuplicates.pairsFound).toBe(0);
    expect(await hub.sql('SELECT status FROM hub.duplicate_pair WHERE $1 IN (child_a, child_b)', [a.id])).toEqual([{ status: 'DIFFERENT' }]);
  });
});

describe('the check of a large registration, its lookup beside the write', () => {
  const actor = { identity: { sub: 'edu-clerk', dept: 'EDU' as const, region: '350102', roles: ['clerk' as const] }, requestId: 'beside' };
  const counts = async () => (await hub.sql<{ c: number; k: number; p: number; l: number }>(`SELECT (SELECT count(*) FROM hub.child)::int AS c,
    (SELECT count(*) FROM hub.child_match_key)::int AS k, (SELECT count(*) FROM hub.duplicate_pair)::int AS p, (SELECT count(*) FROM hub.change_log)::int AS l`))[0];
  // Names one character apart, born on days of their own year, so that no two of them, and no batch and another, make a pair.
  const many = (n: number, name: string, year: number) => Array.from({ length: n }, (_, i) => noNumber({ name: `${name}${'一二三四五六七八九十'[i % 10]}${'甲乙丙丁戊己庚辛壬癸'[Math.floor(i / 10)]}`, birthDate: `${year}-${String(1 + (i % 12)).padStart(2, '0')}-0${1 + Math.floor(i / 12)}` }));

  it('finds what the check finds for a few (a child already registered, two records of one child in the batch) and writes every sound key', async () => {
    const earlier = noNumber({ name: '褚若曦', gender: 'FEMALE', birthDate: '2014-06-06' });
    expect(codes(await hub.gql(REGISTER, { records: [earlier] }, eduGulou))).toEqual([]);
    const batch = many(30, '褚', 2012);
    batch[7] = noNumber({ name: '褚若曦', gender: 'FEMALE', birthDate: '2014-06-06' });
    batch[20] = noNumber({ name: '伏子墨', birthDate: '2011-09-09' });
    batch[25] = noNumber({ name: '伏子墨', birthDate: '2011-09-09' });
    const res = await hub.gql(REGISTER, { records: batch }, psbGulou);
    expect(res.body.errors).toBeUndefined();
    const found = data(res).registerChildren.possibleDuplicates.map((d: any) => [d.index, d.band, d.candidate.id]).sort();
    expect(found).toEqual(expect.arrayContaining([[25, 'LIKELY', batch[20].id], [7, 'LIKELY', earlier.id]]));
    expect(await hub.sql('SELECT child_id FROM hub.child_match_key WHERE child_id = ANY($1::uuid[])', [batch.map((c) => c.id)])).toHaveLength(30);
  });

  it('a large registration replayed by its idempotency key answers as the first did and writes nothing more, though its lookup began again', async () => {
    const batch = many(25, '鲍', 2011);
    batch[4] = noNumber({ name: '鲍思远', birthDate: '2013-08-08' });
    batch[9] = noNumber({ name: '鲍思远', birthDate: '2013-08-08' });
    const first = await hub.gql(REGISTER, { records: batch, key: 'large-replay' }, psbGulou);
    expect(first.body.errors).toBeUndefined();
    expect(data(first).registerChildren.possibleDuplicates).toEqual(expect.arrayContaining([expect.objectContaining({ index: 9, candidate: expect.objectContaining({ id: batch[4].id }) })]));
    const before = await counts();
    const again = await hub.gql(REGISTER, { records: batch, key: 'large-replay' }, psbGulou);
    expect(data(again).registerChildren).toEqual({ ...data(first).registerChildren, replayed: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await counts()).toEqual(before);
  });

  it('a registration refused at its insert, the lookup already begun beside it, writes nothing: no child, sound key, pair or entry', async () => {
    const taken = noNumber({ name: '臧一凡', birthDate: '2013-05-05' });
    expect(codes(await hub.gql(REGISTER, { records: [taken] }, eduGulou))).toEqual([]);
    const before = await counts();
    const batch = many(30, '臧', 2010);
    batch[3] = noNumber({ name: '臧一凡', birthDate: '2013-05-05' });
    // The last record names the id of a child already registered: the insert of the batch's rows fails.
    batch[29] = { ...noNumber({ name: '臧二凡', birthDate: '2013-05-06' }), id: taken.id };
    const res = await hub.gql(REGISTER, { records: batch }, psbGulou);
    expect(codes(res)).toEqual(['CONFLICT']);
    // The lookup beside it may still be running: give it time to answer into a write that is gone.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await counts()).toEqual(before);
  });

  it('reads beside a transaction only on a connection to be had at once: never on PGlite\'s one; on PostgreSQL, not once the pool is held', async () => {
    const { orm, sql } = hub.server.db;
    const inside = await runWrite(orm, actor, 'test', null, null, async (em) => {
      await executeInTransaction(em, 'SELECT 1', []);
      const read = sql.readBeside<{ one: number }>([], 'SELECT 1 AS one');
      return read ? await read : null;
    });
    expect(inside.result).toEqual(target === 'pglite' ? null : [{ one: 1 }]);
    // PGlite's connections share its one session: nothing is read beside anything there, even with no transaction open.
    const outside = sql.readBeside<{ one: number }>([], 'SELECT 1 AS one');
    expect(outside && await outside).toEqual(target === 'pglite' ? null : [{ one: 1 }]);
    if (target === 'pglite') return;
    // Every connection of the pool held by a transaction: none to be had without waiting.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: Array<Promise<unknown>> = [];
    const started: Array<Promise<void>> = [];
    for (let i = 0; i < 5; i++) {
      let began!: () => void;
      started.push(new Promise<void>((resolve) => (began = resolve)));
      held.push(runWrite(orm, actor, 'test', null, null, async (em) => {
        await executeInTransaction(em, 'SELECT 1', []);
        began();
        await gate;
      }));
    }
    await Promise.all(started);
    expect(sql.readBeside([], 'SELECT 1 AS one')).toBeNull();
    release();
    await Promise.all(held);
    expect(await sql.readBeside([], 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('an ending set before the commit runs after the flush, in the transaction; one that fails takes the whole write back', async () => {
    const { orm } = hub.server.db;
    const id = randomUUID();
    const make = (em: EntityManager) => em.create(ChildEntity, {
      id, idNumber: null, name: '尤结尾', gender: 'MALE', birthDate: '2012-02-02', hukouRegion: '350102', residenceRegion: '350102', township: null, createdBy: 'edu-clerk', updatedBy: 'edu-clerk',
    } as ChildEntity);
    await expect(runWrite(orm, actor, 'test', null, null, async (em) => {
      make(em);
      beforeCommit(em, async () => {
        // Flushed already: the ending sees the row in its transaction.
        expect(await executeInTransaction(em, 'SELECT name FROM hub.child WHERE id = ?', [id])).toEqual([{ name: '尤结尾' }]);
        throw new Error('ending failed');
      });
    })).rejects.toThrow('ending failed');
    expect(await hub.sql('SELECT 1 FROM hub.child WHERE id = $1', [id])).toEqual([]);
    expect(await hub.sql('SELECT 1 FROM hub.change_log WHERE entity_id = $1', [id])).toEqual([]);
    await runWrite(orm, actor, 'test', null, null, async (em) => {
      make(em);
      beforeCommit(em, async () => undefined);
    });
    expect(await hub.sql('SELECT name FROM hub.child WHERE id = $1', [id])).toEqual([{ name: '尤结尾' }]);
  });
});
