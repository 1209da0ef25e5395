import { makeIdNumber } from '../../src/children/id-number';
import { childInput } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

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

const data = (r: { body: { data?: unknown } }) => r.body.data as any;
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

describe('duplicate candidates', () => {
  it('reports, without refusing it, a record that looks like a child already registered, and why', async () => {
    const first = childInput({ name: '陈伟', birthDate: '2015-03-12' });
    expect(codes(await hub.gql(REGISTER, { records: [first] }, eduGulou))).toEqual([]);
    // The police find the same child without an ID number (无户口), and an unrelated one.
    const again = childInput({ name: '陈伟', birthDate: '2015-03-12', idNumber: null });
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
    const taijiang = childInput({ name: '吴思源', birthDate: '2015-09-09', hukouRegion: '350103', idNumber: null });
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

  it('logs each pair found, told only to readers who may see pairs', async () => {
    const q = `{ changeLog(filter: { entity: "DuplicatePair" }, first: 50) { edges { node { entity operation changes { field } } } } }`;
    const edu = await hub.gql(q, {}, eduGulou);
    expect(edu.body.errors).toBeUndefined();
    expect(data(edu).changeLog.edges.length).toBeGreaterThan(0);
    const civil = await hub.gql(q, {}, civilGulou);
    expect(data(civil).changeLog.edges).toEqual([]);
  });
});
