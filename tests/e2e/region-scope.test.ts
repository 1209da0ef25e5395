/**
 * Region scope, beyond the cases of reading.test.ts: a county user cannot read, look up, filter,
 * count or page into another county's children, whatever the path (aliases, sections, the change
 * log, a cursor forged from another county's child id); a city user sees all its counties; a child
 * with hukou in one county and residence in another is seen by both, and by no third.
 */
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
/** Cursors are opaque to clients, but the contract says what they are: base64url of `kind:key`. */
const encodeCursor = (kind: string, key: string) => Buffer.from(`${kind}:${key}`).toString('base64url');
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

// Ids chosen so that, in id order, Taijiang's child sits between Gulou's: a cursor forged from it
// must skip it, and a page that starts before it must not include it.
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const gulouA = childInput({ id: id(1), name: '鼓楼甲' });
const taijiang = childInput({ id: id(2), hukouRegion: '350103', name: '台江秘密', gender: 'FEMALE' });
const gulouC = childInput({ id: id(3), name: '鼓楼丙' });
// Hukou in Gulou, living in Taijiang: both counties must see her; Cangshan must not.
const straddler = childInput({ id: id(4), hukouRegion: '350102', residenceRegion: '350103', name: '两地跨区', gender: 'FEMALE' });
const xiamen = childInput({ id: id(5), hukouRegion: '350203', name: '厦门秘密' });
const DIAGNOSIS = '台江诊断标记-REGION';

const LIST = `query($filter: ChildFilter, $first: Int, $after: String) {
  children(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id name } }
  }
}`;
const LOG = `query($filter: ChangeLogFilter, $first: Int, $after: String) {
  changeLog(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { seq childId entity changes { field after } } } }
}`;

async function page(token: string, variables: Record<string, unknown>) {
  const res = await hub.gql(LIST, { first: 100, ...variables }, token);
  expect(res.body.errors).toBeUndefined();
  const conn = (res.body.data as any).children;
  return { ids: conn.edges.map((e: any) => e.node.id) as string[], total: conn.totalCount as number, pageInfo: conn.pageInfo, text: res.text };
}

/** Every change-log entry the token can reach, walking all pages. */
async function wholeLog(token: string, filter?: Record<string, unknown>): Promise<{ childIds: Set<string>; texts: string[] }> {
  const childIds = new Set<string>();
  const texts: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res: { text: string; body: { data?: any; errors?: unknown[] } } = await hub.gql(LOG, { filter, first: 5, after }, token);
    expect(res.body.errors).toBeUndefined();
    texts.push(res.text);
    const conn: any = res.body.data.changeLog;
    for (const edge of conn.edges) childIds.add(edge.node.childId);
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  return { childIds, texts };
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, claims] of Object.entries({
    gulou: { dept: 'EDU', region: '350102' }, taijiang: { dept: 'EDU', region: '350103' }, cangshan: { dept: 'EDU', region: '350104' },
    fuzhou: { dept: 'EDU', region: '350100', roles: ['liaison'] }, xiamenCity: { dept: 'EDU', region: '350200', roles: ['liaison'] },
    province: { dept: 'EDU', region: '350000', roles: ['supervisor'] },
    healthGulou: { dept: 'HEALTH', region: '350102' }, healthTaijiang: { dept: 'HEALTH', region: '350103' },
    civilGulou: { dept: 'CIVIL', region: '350102' },
  } as const)) t[name] = await hub.token(claims as never);
  const provincePsb = await hub.token({ dept: 'PSB', region: '350000' });
  expect((await hub.gql(REGISTER, { records: [gulouA, taijiang, gulouC, straddler, xiamen] }, provincePsb)).body.errors).toBeUndefined();
  const dropped = async (token: string, childId: string) => {
    const res = await hub.gql('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId, status: 'DROPPED_OUT', stage: 'PRIMARY', grade: 4 }] }, token);
    expect(res.body.errors).toBeUndefined();
  };
  await dropped(t.gulou, gulouA.id);
  await dropped(t.taijiang, taijiang.id);
  await dropped(await hub.token({ dept: 'EDU', region: '350203' }), xiamen.id);
  // The straddler's record is written from Taijiang, where she lives.
  await dropped(t.taijiang, straddler.id);
  const health = await hub.gql('mutation($r: [HealthRecordInput!]!) { upsertHealthRecords(records: $r) { replayed } }', { r: [{ childId: taijiang.id, seriousIllness: true, diagnosisSummary: DIAGNOSIS }] }, t.healthTaijiang);
  expect(health.body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

describe('read', () => {
  it('refuses another county\'s child under an alias, beside an own child, and names nothing of it', async () => {
    const res = await hub.gql(`query($own: ID!, $other: ID!) { own: child(id: $own) { name } other: child(id: $other) { name idNumber } }`, { own: gulouA.id, other: taijiang.id }, t.gulou);
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.body.errors![0].path).toEqual(['other']);
    expect(res.text).not.toContain(taijiang.name);
    expect(res.text).not.toContain(taijiang.idNumber!);
  });

  it('refuses another county\'s child\'s sections and history, even to the department that owns the section', async () => {
    const res = await hub.gql('query($id: ID!) { child(id: $id) { health { diagnosisSummary } education { status } changes { seq } } }', { id: taijiang.id }, t.healthGulou);
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.body.data).toBeNull();
    expect(res.text).not.toContain(DIAGNOSIS);
    const own = await hub.gql('query($id: ID!) { child(id: $id) { health { diagnosisSummary } } }', { id: taijiang.id }, t.healthTaijiang);
    expect((own.body.data as any).child.health.diagnosisSummary).toBe(DIAGNOSIS);
  });

  it('does not list another county\'s child on any page, with or without filters', async () => {
    for (const filter of [undefined, { schoolStatus: ['DROPPED_OUT'] }, { hasSeriousIllness: true }, { stage: 'PRIMARY' }]) {
      const { ids, text } = await page(t.gulou, { filter });
      expect(ids).not.toContain(taijiang.id);
      expect(ids).not.toContain(xiamen.id);
      expect(text).not.toContain(taijiang.name);
    }
  });
});

describe('look up', () => {
  it('finds nothing by another county\'s ID number, at county and at city level', async () => {
    const lookup = 'query($n: String!) { childByIdNumber(idNumber: $n) { id name } }';
    const cases: Array<[string, string, string | null]> = [
      ['gulou', taijiang.idNumber!, null], ['gulou', xiamen.idNumber!, null], ['fuzhou', xiamen.idNumber!, null], ['xiamenCity', gulouA.idNumber!, null],
      ['fuzhou', taijiang.idNumber!, taijiang.id], ['xiamenCity', xiamen.idNumber!, xiamen.id], ['province', xiamen.idNumber!, xiamen.id],
    ];
    for (const [who, number, expected] of cases) {
      const res = await hub.gql(lookup, { n: number }, t[who]);
      expect(res.body.errors).toBeUndefined();
      expect([who, (res.body.data as any).childByIdNumber?.id ?? null]).toEqual([who, expected]);
    }
  });
});

describe('filter', () => {
  it('refuses a region filter wider than the user\'s own region, or in another city', async () => {
    expect(codes(await hub.gql(LIST, { filter: { region: '350100' } }, t.gulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(LIST, { filter: { region: '350000' } }, t.gulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(LIST, { filter: { region: '350203' } }, t.fuzhou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(LIST, { filter: { region: '350200' } }, t.fuzhou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(LIST, { filter: { region: '359999' } }, t.gulou))).toEqual(['BAD_USER_INPUT']);
    const refused = await hub.gql(LIST, { filter: { region: '350103' } }, t.gulou);
    expect(refused.body.data).toBeNull();
    expect(refused.text).not.toContain(taijiang.id);
  });

  it('narrows within the user\'s region only', async () => {
    expect((await page(t.gulou, { filter: { region: '350102' } })).ids).toEqual([gulouA.id, gulouC.id, straddler.id]);
    expect((await page(t.fuzhou, { filter: { region: '350103' } })).ids).toEqual([taijiang.id, straddler.id]);
    expect((await page(t.province, { filter: { region: '350200' } })).ids).toEqual([xiamen.id]);
  });
});

describe('count', () => {
  it('counts only in-region children, under every filter and whatever the page', async () => {
    const counts: Array<[string, Record<string, unknown> | undefined, number]> = [
      ['gulou', undefined, 3], ['gulou', { schoolStatus: ['DROPPED_OUT'] }, 2], ['gulou', { hasSeriousIllness: true }, 0],
      ['taijiang', undefined, 2], ['taijiang', { schoolStatus: ['DROPPED_OUT'] }, 2], ['taijiang', { hasSeriousIllness: true }, 1],
      ['cangshan', undefined, 0], ['cangshan', { schoolStatus: ['DROPPED_OUT'] }, 0],
      ['fuzhou', undefined, 4], ['fuzhou', { schoolStatus: ['DROPPED_OUT'] }, 3],
      ['xiamenCity', undefined, 1], ['province', undefined, 5], ['province', { schoolStatus: ['DROPPED_OUT'] }, 4],
    ];
    for (const [who, filter, expected] of counts) {
      const whole = await page(t[who], { filter });
      const one = await page(t[who], { filter, first: 1 });
      expect([who, filter, whole.total, one.total, whole.ids.length]).toEqual([who, filter, expected, expected, expected]);
    }
  });
});

describe('page', () => {
  const cursorOf = (childId: string) => encodeCursor('child', childId);

  it('treats a cursor forged from another county\'s child as a position only: no child of that county, the same total', async () => {
    const after = await page(t.gulou, { after: cursorOf(taijiang.id) });
    expect(after.ids).toEqual([gulouC.id, straddler.id]);
    expect(after.total).toBe(3);
    expect(after.pageInfo.hasPreviousPage).toBe(true);
    expect(after.text).not.toContain(taijiang.name);

    const last = await page(t.gulou, { after: cursorOf(xiamen.id) });
    expect(last).toMatchObject({ ids: [], total: 3, pageInfo: { hasNextPage: false, endCursor: null } });
    expect(last.text).not.toContain(xiamen.name);
  });

  it('skips another county\'s child that sits between two pages of one\'s own', async () => {
    const first = await page(t.gulou, { first: 1 });
    expect(first.ids).toEqual([gulouA.id]);
    const second = await page(t.gulou, { first: 1, after: first.pageInfo.endCursor });
    expect(second.ids).toEqual([gulouC.id]);
    // Walking one child at a time from every forged position never reaches outside the region.
    for (const start of [gulouA, taijiang, gulouC, straddler, xiamen]) {
      const seen: string[] = [];
      let after: string | null = cursorOf(start.id);
      for (let i = 0; i < 10 && after; i++) {
        const p = await page(t.taijiang, { first: 1, after });
        seen.push(...p.ids);
        expect(p.total).toBe(2);
        after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
      }
      expect(seen.every((s) => s === taijiang.id || s === straddler.id)).toBe(true);
    }
  });

  it('refuses cursors that are not a child cursor', async () => {
    for (const cursor of [encodeCursor('log', '1'), encodeCursor('child', 'not-a-uuid'), encodeCursor('child', `${taijiang.id}' OR '1'='1`), encodeCursor('child', '')]) {
      const res = await hub.gql(LIST, { first: 5, after: cursor }, t.gulou);
      expect([cursor, codes(res)]).toEqual([cursor, ['BAD_USER_INPUT']]);
      expect(res.text).not.toContain(taijiang.name);
    }
  });
});

describe('a city user and the straddling child', () => {
  it('lets a city user read, look up and log every child of its counties, and none of another city', async () => {
    for (const child of [gulouA, taijiang, gulouC, straddler]) {
      const res = await hub.gql('query($id: ID!) { child(id: $id) { id name } }', { id: child.id }, t.fuzhou);
      expect((res.body.data as any).child).toEqual({ id: child.id, name: child.name });
    }
    expect(codes(await hub.gql('query($id: ID!) { child(id: $id) { id } }', { id: xiamen.id }, t.fuzhou))).toEqual(['NOT_FOUND']);
    const log = await wholeLog(t.fuzhou);
    expect([...log.childIds].sort()).toEqual([gulouA.id, taijiang.id, gulouC.id, straddler.id].sort());
  });

  it('shows the child with hukou in Gulou and residence in Taijiang to both counties, on every path, and to no third', async () => {
    const lookup = 'query($n: String!) { childByIdNumber(idNumber: $n) { id } }';
    for (const who of ['gulou', 'taijiang']) {
      expect((await page(t[who], {})).ids).toContain(straddler.id);
      expect((await page(t[who], { filter: { schoolStatus: ['DROPPED_OUT'] } })).ids).toContain(straddler.id);
      const read = await hub.gql('query($id: ID!) { child(id: $id) { education { status updatedBy } changes { entity } } }', { id: straddler.id }, t[who]);
      expect(read.body.errors).toBeUndefined();
      expect((read.body.data as any).child.education.status).toBe('DROPPED_OUT');
      expect((read.body.data as any).child.changes.map((c: any) => c.entity).sort()).toEqual(['Child', 'EducationRecord']);
      expect((await hub.gql(lookup, { n: straddler.idNumber }, t[who])).body.data).toEqual({ childByIdNumber: { id: straddler.id } });
      expect((await wholeLog(t[who], { childId: straddler.id })).childIds).toEqual(new Set([straddler.id]));
    }
    expect((await page(t.cangshan, {})).ids).toEqual([]);
    expect(codes(await hub.gql('query($id: ID!) { child(id: $id) { id } }', { id: straddler.id }, t.cangshan))).toEqual(['NOT_FOUND']);
    expect((await hub.gql(lookup, { n: straddler.idNumber }, t.cangshan)).body.data).toEqual({ childByIdNumber: null });
    expect((await wholeLog(t.cangshan)).childIds.size).toBe(0);
  });
});

describe('the change log', () => {
  it('carries no entry of another county\'s child, on any page, nor its name, number or diagnosis', async () => {
    const gulou = await wholeLog(t.gulou);
    expect([...gulou.childIds].sort()).toEqual([gulouA.id, gulouC.id, straddler.id].sort());
    const healthGulou = await wholeLog(t.healthGulou);
    for (const text of [...gulou.texts, ...healthGulou.texts]) {
      for (const secret of [taijiang.name, taijiang.idNumber!, DIAGNOSIS, xiamen.name, xiamen.idNumber!]) expect(text).not.toContain(secret);
    }
    expect((await wholeLog(t.healthTaijiang)).texts.join()).toContain(DIAGNOSIS);
  });

  it('answers an empty page when filtered to another county\'s child, and a forged log cursor changes nothing', async () => {
    expect((await wholeLog(t.gulou, { childId: taijiang.id })).childIds.size).toBe(0);
    expect((await wholeLog(t.gulou, { childId: xiamen.id, entity: 'Child' })).childIds.size).toBe(0);
    expect((await wholeLog(t.province, { childId: taijiang.id })).childIds).toEqual(new Set([taijiang.id]));
    for (const seq of [0, 1, 3, 7]) {
      const res = await hub.gql(LOG, { first: 100, after: encodeCursor('log', String(seq)) }, t.gulou);
      const ids = (res.body.data as any).changeLog.edges.map((e: any) => e.node.childId);
      expect(ids.every((c: string) => [gulouA.id, gulouC.id, straddler.id].includes(c))).toBe(true);
      expect(res.text).not.toContain(taijiang.name);
    }
  });
});
