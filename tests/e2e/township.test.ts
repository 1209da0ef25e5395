/**
 * Township confinement (乡镇、街道): a TOWNSHIP user, whose token names a 9-digit township code,
 * sees the children whose township is its own, and nothing else: not the children of another
 * township of the same county, not those without a township, by id, in lists and counts, through
 * enrollment notices, in the change log, the audit or the exchange notices. It records persuasion
 * visits (劝返) on its children's cases and writes nothing else. Education (and police) clerks set
 * the township a child lives in; the code is checked against the child's county of residence, and
 * the change is logged as 乡镇（街道）.
 */
import { randomUUID } from 'node:crypto';
import { accessFor } from '../../src/permissions/access';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

const HOME = '350102001';
const NEIGHBOUR = '350102002';
// Ids in this order, so that the other township's child sits between two of the home township's.
const id = (n: number) => `70000000-0000-4000-8000-00000000000${n}`;
const home = { ...childInput({ id: id(1), name: '本镇儿童', gender: 'FEMALE', birthDate: '2014-03-10' }), township: HOME };
const neighbour = { ...childInput({ id: id(2), name: '邻镇秘密', birthDate: '2014-04-11' }), township: NEIGHBOUR };
// Hukou in Taijiang, living in the home township: a township goes by where a child lives.
const incomer = { ...childInput({ id: id(3), hukouRegion: '350103', residenceRegion: '350102', name: '外来本镇', birthDate: '2014-05-12' }), township: HOME };
const unplaced = { ...childInput({ id: id(4), name: '无镇秘密', gender: 'FEMALE', birthDate: '2014-06-13' }), township: null };
// Moved between townships in the last tests; no township until then.
const mover = { ...childInput({ id: id(5), name: '迁居儿童', birthDate: '2014-07-14' }), township: null };
const taijiang = { ...childInput({ id: id(6), hukouRegion: '350103', name: '台江秘密', birthDate: '2014-08-15' }), township: '350103001' };
const SECRETS = [neighbour, unplaced, taijiang].flatMap((c) => [c.name, c.idNumber!]);
const cases: Record<string, string> = {};
const notices: Record<string, string> = {};

const LIST = `query($filter: ChildFilter, $first: Int, $after: String) {
  children(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name township } } }
}`;
const LOG = 'query($filter: ChangeLogFilter) { changeLog(filter: $filter, first: 100) { edges { node { seq childId entity mutation actorSub changes { field label before after } } } } }';
const NOTICES = `query($filter: EnrollmentNoticeFilter!, $first: Int!, $after: String) {
  enrollmentNotices(filter: $filter, first: $first, after: $after) { totalCount hasNextPage endCursor nodes { id number child { id name township } } }
}`;
const VISITS = 'mutation($v: [PersuasionVisitInput!]!) { recordPersuasionVisits(visits: $v) { replayed } }';
const ASSIGN = 'mutation($r: [AssignTownshipInput!]!) { assignTownships(records: $r) { replayed } }';

async function listed(token: string, variables: Record<string, unknown> = {}) {
  const res = await hub.gql(LIST, { first: 100, ...variables }, token);
  expect(res.body.errors).toBeUndefined();
  const conn = (res.body.data as any).children;
  return { ids: conn.edges.map((e: any) => e.node.id) as string[], total: conn.totalCount as number, pageInfo: conn.pageInfo, text: res.text };
}

const visitsOn = async (caseId: string) => (await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM edu.persuasion_visit WHERE case_id = $1', [caseId]))[0].n;
const townshipOf = async (childId: string) => (await hub.sql<{ township: string | null }>('SELECT township FROM hub.child WHERE id = $1', [childId]))[0].township;

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, claims] of Object.entries({
    town: { dept: 'TOWNSHIP', region: HOME }, townLiaison: { dept: 'TOWNSHIP', region: HOME, roles: ['liaison'] },
    townAnalyst: { dept: 'TOWNSHIP', region: HOME, roles: ['analyst'] }, neighbourTown: { dept: 'TOWNSHIP', region: NEIGHBOUR },
    edu: { dept: 'EDU', region: '350102' }, eduTaijiang: { dept: 'EDU', region: '350103' }, psb: { dept: 'PSB', region: '350100' },
    eduLiaison: { dept: 'EDU', region: '350102', roles: ['liaison'] }, province: { dept: 'EDU', region: '350000', roles: ['supervisor'] },
  } as const)) t[name] = await hub.token({ ...claims, sub: `township-test-${name}` } as never);
  expect((await hub.gql(REGISTER, { records: [home, neighbour, incomer, unplaced, mover, taijiang] }, t.psb)).body.errors).toBeUndefined();
  const write = async (token: string, mutation: string, variables: Record<string, unknown>) => {
    const res = await hub.gql(mutation, variables, token);
    expect(res.body.errors).toBeUndefined();
  };
  await write(t.edu, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', {
    r: [home, neighbour, incomer, unplaced].map((c) => ({ childId: c.id, status: 'DROPPED_OUT', stage: 'PRIMARY', grade: 6 })),
  });
  await write(t.edu, 'mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', {
    r: [home, neighbour, unplaced].map((c) => ({ childId: c.id, reason: 'STUDY_WEARINESS', responsiblePerson: '责任人', responsibleUnit: '鼓楼区教育局' })),
  });
  for (const row of await hub.sql<{ id: string; child_id: string }>('SELECT id, child_id FROM edu.dropout_case')) cases[row.child_id] = row.id;
  // Enrollment notices, put in place directly: issuing them is the enrollment tests' and the leak
  // suite's concern; here only who can reach them, and their children, matters.
  for (const [i, child] of [home, neighbour, incomer, unplaced].entries()) {
    notices[child.id] = randomUUID();
    await hub.sql(
      `INSERT INTO edu.enrollment_notice (id, child_id, region, school_year, stage, number, school_name, school_kind, priority, report_on, issued_on, status, updated_by)
       VALUES ($1, $2, '350102', 2026, 'JUNIOR_SECONDARY', $3, '鼓楼第一中学', 'PUBLIC', false, '2026-10-20', '2026-10-10', 'ISSUED', 'township-test')`,
      [notices[child.id], child.id, `2026-350102-00000${i + 1}`],
    );
  }
});
afterAll(() => hub?.stop());

describe('township tokens', () => {
  it('accepts a township user at a 9-digit code within a known county, and says where it sits', async () => {
    const res = await hub.gql('{ me { dept township region { code } roles } }', {}, t.town);
    expect(res.body).toEqual({ data: { me: { dept: 'TOWNSHIP', township: HOME, region: { code: '350102' }, roles: ['clerk'] } } });
  });

  it('refuses a 6-digit region for TOWNSHIP, a 9-digit region for any other department, and a township in an unknown county', async () => {
    const refused: Array<[string, string]> = [
      ['TOWNSHIP', '350102'], ['TOWNSHIP', '350100'], ['TOWNSHIP', '35010200'], ['TOWNSHIP', '3501020011'],
      ['TOWNSHIP', '359999001'], ['TOWNSHIP', '350100001'], ['TOWNSHIP', '350000001'],
      ['EDU', HOME], ['PSB', HOME], ['CIVIL', HOME], ['POVERTY', HOME], ['HEALTH', HOME], ['DPF', HOME],
    ];
    for (const [dept, region] of refused) {
      const token = await hub.token({ dept: dept as never, region });
      const res = await hub.gql('query($id: ID!) { me { sub } child(id: $id) { name } }', { id: home.id }, token);
      expect([dept, region, codes(res), res.body.data ?? null]).toEqual([dept, region, ['UNAUTHENTICATED'], null]);
      expect(res.text).not.toContain(home.name);
    }
  });
});

describe('a township user reads', () => {
  it('a child of its township, the ID number masked as the matrix gives it', async () => {
    expect(accessFor({ dept: 'TOWNSHIP', roles: ['clerk'] }).level('Child.idNumber')).toBe('M');
    for (const child of [home, incomer]) {
      const res = await hub.gql('query($id: ID!) { child(id: $id) { id name township idNumber education { status } dropoutCases { status } enrollmentNotices { number } } }', { id: child.id }, t.town);
      expect(res.body.errors).toBeUndefined();
      expect((res.body.data as any).child).toMatchObject({ id: child.id, name: child.name, township: HOME, idNumber: `${child.idNumber!.slice(0, 6)}************`, education: { status: 'DROPPED_OUT' } });
      expect(res.text).not.toContain(child.idNumber!);
    }
  });

  it('nothing of a child of another township of the county, or of one without a township: by id, beside its own, as of a time', async () => {
    for (const other of [neighbour, unplaced, taijiang]) {
      for (const query of ['query($id: ID!) { child(id: $id) { id name } }', `query($id: ID!) { child(id: $id, asOf: "${new Date().toISOString()}") { id name } }`]) {
        const res = await hub.gql(query, { id: other.id }, t.town);
        expect([other.name, codes(res), res.body.data]).toEqual([other.name, ['NOT_FOUND'], null]);
      }
      const beside = await hub.gql('query($own: ID!, $other: ID!) { own: child(id: $own) { id } other: child(id: $other) { name idNumber dropoutCases { id } } }', { own: home.id, other: other.id }, t.town);
      expect(codes(beside)).toEqual(['NOT_FOUND']);
      expect(beside.body.errors![0].path).toEqual(['other']);
      for (const secret of SECRETS) expect(beside.text).not.toContain(secret);
    }
    // The neighbouring township's user is confined the same way, the other way round.
    expect(codes(await hub.gql('query($id: ID!) { child(id: $id) { id } }', { id: home.id }, t.neighbourTown))).toEqual(['NOT_FOUND']);
    expect((await hub.gql('query($id: ID!) { child(id: $id) { id } }', { id: neighbour.id }, t.neighbourTown)).body.data).toEqual({ child: { id: neighbour.id } });
  });

  it('lists and counts only its township\'s children, under every filter it may use, on every page, after a forged cursor', async () => {
    const counts: Array<[Record<string, unknown> | undefined, string[]]> = [
      [undefined, [home.id, incomer.id]],
      [{ schoolStatus: ['DROPPED_OUT'] }, [home.id, incomer.id]],
      [{ stage: 'PRIMARY' }, [home.id, incomer.id]],
      [{ hasOpenDropoutCase: true }, [home.id]],
      [{ hasOpenDropoutCase: false }, [incomer.id]],
    ];
    for (const [filter, expected] of counts) {
      const whole = await listed(t.town, { filter });
      const one = await listed(t.town, { filter, first: 1 });
      expect([filter, whole.ids, whole.total, one.total]).toEqual([filter, expected, expected.length, expected.length]);
      for (const secret of SECRETS) expect(whole.text).not.toContain(secret);
    }
    // A cursor made from the neighbouring township's child is a position only.
    const after = await listed(t.town, { after: Buffer.from(`child:${neighbour.id}`).toString('base64url') });
    expect([after.ids, after.total]).toEqual([[incomer.id], 2]);
    const first = await listed(t.town, { first: 1 });
    const second = await listed(t.town, { first: 1, after: first.pageInfo.endCursor });
    expect([first.ids, second.ids, second.pageInfo.hasNextPage]).toEqual([[home.id], [incomer.id], false]);
    // The county's clerk still sees every township's children, and those without one.
    expect((await listed(t.edu)).ids).toEqual([home.id, neighbour.id, incomer.id, unplaced.id, mover.id]);
  });

  it('no other child through a region filter: a region around its township narrows nothing, another is refused', async () => {
    for (const region of ['350102', '350100', '350000']) {
      const res = await hub.gql(LIST, { filter: { region }, first: 100 }, t.town);
      const ids: string[] = ((res.body.data as any)?.children?.edges ?? []).map((e: any) => e.node.id);
      expect([region, res.body.errors, ids.sort()]).toEqual([region, undefined, [home.id, incomer.id].sort()]);
      for (const secret of SECRETS) expect(res.text).not.toContain(secret);
    }
    const elsewhere = await hub.gql(LIST, { filter: { region: '350103' }, first: 100 }, t.town);
    expect(codes(elsewhere)).toEqual(['FORBIDDEN']);
    for (const secret of SECRETS) expect(elsewhere.text).not.toContain(secret);
  });

  it('is refused ID-number lookups (it reads Child.idNumber masked), for its own children and others alike', async () => {
    for (const child of [home, neighbour, unplaced]) {
      const res = await hub.gql('query($n: String!) { childByIdNumber(idNumber: $n) { id name } }', { n: child.idNumber }, t.town);
      expect([child.name, codes(res), res.body.data]).toEqual([child.name, ['FORBIDDEN'], { childByIdNumber: null }]);
      expect(res.text).not.toContain(child.name);
    }
  });

  it('only its township\'s children through enrollment notices: the list, its count, each notice\'s child', async () => {
    for (const filter of [{ schoolYear: 2026 }, { schoolYear: 2026, region: '350102' }, { schoolYear: 2026, status: 'ISSUED' }]) {
      const res = await hub.gql(NOTICES, { filter, first: 100 }, t.town);
      expect(res.body.errors).toBeUndefined();
      const page = (res.body.data as any).enrollmentNotices;
      expect([filter, page.nodes.map((n: any) => n.id), page.totalCount]).toEqual([filter, [notices[home.id], notices[incomer.id]], 2]);
      expect(page.nodes.map((n: any) => n.child)).toEqual([{ id: home.id, name: home.name, township: HOME }, { id: incomer.id, name: incomer.name, township: HOME }]);
      for (const secret of SECRETS) expect(res.text).not.toContain(secret);
    }
    // One notice a page: the pages walk its township's notices and no other.
    const first = await hub.gql(NOTICES, { filter: { schoolYear: 2026 }, first: 1 }, t.town);
    const firstPage = (first.body.data as any).enrollmentNotices;
    const second = await hub.gql(NOTICES, { filter: { schoolYear: 2026 }, first: 1, after: firstPage.endCursor }, t.town);
    expect([firstPage.totalCount, firstPage.nodes[0].id, (second.body.data as any).enrollmentNotices.nodes.map((n: any) => n.id), (second.body.data as any).enrollmentNotices.hasNextPage])
      .toEqual([2, notices[home.id], [notices[incomer.id]], false]);
    // Another county, or a filter on hukou status it may not read, is refused.
    expect(codes(await hub.gql(NOTICES, { filter: { schoolYear: 2026, region: '350103' }, first: 10 }, t.town))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(NOTICES, { filter: { schoolYear: 2026, withoutHukou: true }, first: 10 }, t.town))).toEqual(['FORBIDDEN']);
    // Through its own child's notices, only that child.
    const own = await hub.gql('query($id: ID!) { child(id: $id) { enrollmentNotices { id child { id } } } }', { id: home.id }, t.town);
    expect((own.body.data as any).child.enrollmentNotices).toEqual([{ id: notices[home.id], child: { id: home.id } }]);
    // The county's clerk sees all four.
    expect((await hub.gql(NOTICES, { filter: { schoolYear: 2026 }, first: 100 }, t.edu)).body.data).toMatchObject({ enrollmentNotices: { totalCount: 4 } });
  });

  it('nothing from the change log, the sensitive-read audit or the exchange notices', async () => {
    const issued = await hub.gql('mutation($p: String!) { issueMonthlyNotices(period: $p) { count } }', { p: '2026-09' }, t.province);
    expect(issued.body.errors).toBeUndefined();
    // The township's analyst reads no row at all (aggregates only): refused at the root.
    for (const query of [LOG, '{ sensitiveReads(first: 100) { edges { node { childId } } } }']) expect(codes(await hub.gql(query, {}, t.townAnalyst))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql('query($id: ID!) { child(id: $id) { id } }', { id: home.id }, t.townAnalyst))).toEqual(['FORBIDDEN']);
    for (const token of [t.town, t.townLiaison]) {
      for (const filter of [undefined, { childId: home.id }, { childId: neighbour.id }, { entity: 'Child' }]) {
        const log = await hub.gql(LOG, { filter }, token);
        expect([filter, log.body.errors, (log.body.data as any).changeLog.edges]).toEqual([filter, undefined, []]);
      }
      const changes = await hub.gql('query($id: ID!) { child(id: $id) { id changes { seq } } }', { id: home.id }, token);
      expect(changes.body.data).toEqual({ child: { id: home.id, changes: null } });
      expect(changes.body.errors!.map((e) => [e.extensions.code, e.path])).toEqual([['FORBIDDEN', ['child', 'changes']]]);
      const audit = await hub.gql('{ sensitiveReads(first: 100) { edges { node { childId field } } } }', {}, token);
      expect([codes(audit), audit.body.data]).toEqual([['FORBIDDEN'], null]);
    }
    // Exchange notices: the clerk may not list them; the township's liaison has none, though its county has.
    expect(codes(await hub.gql('{ exchangeNotices(first: 100) { nodes { id } } }', {}, t.town))).toEqual(['FORBIDDEN']);
    const county = await hub.gql('{ exchangeNotices(first: 100) { nodes { id dept region { code } } } }', {}, t.eduLiaison);
    expect(county.body.errors).toBeUndefined();
    const countyNotice = (county.body.data as any).exchangeNotices.nodes.find((n: any) => n.region.code === '350102');
    expect(countyNotice).toBeDefined();
    expect((await hub.gql('{ exchangeNotices(first: 100) { nodes { id } } }', {}, t.townLiaison)).body).toEqual({ data: { exchangeNotices: { nodes: [] } } });
    const one = await hub.gql('query($id: ID!) { exchangeNotice(id: $id) { id entries { nodes { childId } } } }', { id: countyNotice.id }, t.townLiaison);
    expect([codes(one), one.body.data]).toEqual([['NOT_FOUND'], null]);
  });
});

describe('a township user writes', () => {
  it('persuasion visits on its township\'s cases, and finds no case of another township, all or none', async () => {
    const visit = (caseId: string) => ({ caseId, visitedOn: '2026-10-12', visitor: '乡镇干部', method: 'HOME_VISIT', outcome: 'AGREED_TO_RETURN' });
    const before = { neighbour: await visitsOn(cases[neighbour.id]), unplaced: await visitsOn(cases[unplaced.id]), home: await visitsOn(cases[home.id]) };
    for (const other of [neighbour, unplaced]) {
      const res = await hub.gql(VISITS, { v: [visit(cases[home.id]), visit(cases[other.id])] }, t.town);
      expect([other.name, codes(res)]).toEqual([other.name, ['NOT_FOUND']]);
      expect(res.text).toContain('visits[1].caseId');
    }
    expect(await visitsOn(cases[home.id])).toBe(before.home);
    expect(await visitsOn(cases[neighbour.id])).toBe(before.neighbour);
    expect(await visitsOn(cases[unplaced.id])).toBe(before.unplaced);
    const ok = await hub.gql(VISITS, { v: [visit(cases[home.id])] }, t.town);
    expect(ok.body.errors).toBeUndefined();
    expect(await visitsOn(cases[home.id])).toBe(before.home + 1);
    const read = await hub.gql('query($id: ID!) { child(id: $id) { persuasionVisits { visitor updatedBy } } }', { id: home.id }, t.town);
    expect((read.body.data as any).child.persuasionVisits).toEqual([{ visitor: '乡镇干部', updatedBy: 'township-test-town' }]);
    // A case id that exists nowhere is as unknown as another township's.
    expect(codes(await hub.gql(VISITS, { v: [visit(randomUUID())] }, t.town))).toEqual(['NOT_FOUND']);
  });

  it('nothing else: no cases opened, no sections, no registrations, no townships', async () => {
    const counts = async () => hub.sql(`SELECT (SELECT count(*) FROM edu.dropout_case)::int AS cases, (SELECT count(*) FROM hub.child)::int AS children,
      (SELECT count(*) FROM hub.change_log)::int AS log, (SELECT string_agg(coalesce(township, '-'), ',' ORDER BY id) FROM hub.child) AS townships`);
    const before = await counts();
    const refused: Array<[string, string, Record<string, unknown>]> = [
      ['openDropoutCases', 'mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', { r: [{ childId: incomer.id, reason: 'STUDY_WEARINESS', responsiblePerson: '乡镇干部', responsibleUnit: '鼓楼区某街道' }] }],
      ['transitionDropoutCase', 'mutation($i: TransitionDropoutCaseInput!) { transitionDropoutCase(input: $i) { replayed } }', { i: { caseId: cases[home.id], status: 'RETURNED', expectedVersion: 1 } }],
      ['upsertEducationRecords', 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId: home.id, status: 'ENROLLED' }] }],
      ['upsertPublicSecurityRecords', 'mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }', { r: [{ childId: home.id, hukouStatus: 'REGISTERED' }] }],
      ['upsertCivilAffairsRecords', 'mutation($r: [CivilAffairsRecordInput!]!) { upsertCivilAffairsRecords(records: $r) { replayed } }', { r: [{ childId: home.id, leftBehind: true }] }],
      ['upsertPovertyRecords', 'mutation($r: [PovertyRecordInput!]!) { upsertPovertyRecords(records: $r) { replayed } }', { r: [{ childId: home.id, registeredPoor: true }] }],
      ['upsertHealthRecords', 'mutation($r: [HealthRecordInput!]!) { upsertHealthRecords(records: $r) { replayed } }', { r: [{ childId: home.id, seriousIllness: true }] }],
      ['upsertDisabilityRecords', 'mutation($r: [DisabilityRecordInput!]!) { upsertDisabilityRecords(records: $r) { replayed } }', { r: [{ childId: home.id, disabilityType: 'MULTIPLE', disabilityLevel: 2 }] }],
      ['registerChildren', REGISTER, { records: [{ ...childInput({ name: '乡镇登记' }), township: HOME }] }],
      ['assignTownships', ASSIGN, { r: [{ childId: home.id, township: NEIGHBOUR }] }],
      ['assignTownships (its own)', ASSIGN, { r: [{ childId: mover.id, township: HOME }] }],
    ];
    for (const [what, mutation, variables] of refused) {
      const res = await hub.gql(mutation, variables, t.town);
      expect([what, codes(res)]).toEqual([what, ['FORBIDDEN']]);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('assigning townships (an EDU clerk)', () => {
  const problems = (r: { body: { errors?: Array<{ extensions: Record<string, unknown> }> } }) =>
    (r.body.errors ?? []).flatMap((e) => ((e.extensions.problems ?? []) as Array<{ path: string }>).map((p) => p.path));

  it('checks the code: nine digits, in the child\'s county of residence; each problem names its record, and nothing is written', async () => {
    const attempts: Array<[string, Array<{ childId: string; township: string | null }>, string[]]> = [
      ['eight digits', [{ childId: mover.id, township: '35010200' }], ['records[0].township']],
      ['not digits', [{ childId: mover.id, township: '35010200a' }], ['records[0].township']],
      ['ten digits', [{ childId: mover.id, township: '3501020011' }], ['records[0].township']],
      ['another county', [{ childId: home.id, township: HOME }, { childId: mover.id, township: '350103001' }], ['records[1].township']],
      // Her hukou is in Taijiang, but she lives in Gulou: the township is where she lives.
      ['the hukou county', [{ childId: incomer.id, township: '350103001' }], ['records[0].township']],
    ];
    for (const [what, records, paths] of attempts) {
      const res = await hub.gql(ASSIGN, { r: records }, t.edu);
      expect([what, codes(res), problems(res)]).toEqual([what, ['BAD_USER_INPUT'], paths]);
    }
    expect([await townshipOf(mover.id), await townshipOf(incomer.id), await townshipOf(home.id)]).toEqual([null, HOME, HOME]);
  });

  it('finds no child outside the clerk\'s region, and a batch naming one writes nothing', async () => {
    const res = await hub.gql(ASSIGN, { r: [{ childId: mover.id, township: '350102003' }, { childId: taijiang.id, township: '350103002' }] }, t.edu);
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.text).toContain('records[1].childId');
    expect(res.text).not.toContain(taijiang.name);
    expect([await townshipOf(mover.id), await townshipOf(taijiang.id)]).toEqual([null, '350103001']);
    // Taijiang's clerk may set it.
    expect((await hub.gql(ASSIGN, { r: [{ childId: taijiang.id, township: '350103002' }] }, t.eduTaijiang)).body.errors).toBeUndefined();
    expect(await townshipOf(taijiang.id)).toBe('350103002');
  });

  it('moves a child between townships, logged as 乡镇（街道）, and the township users follow the child', async () => {
    const [third, fourth] = [await hub.token({ dept: 'TOWNSHIP', region: '350102003' }), await hub.token({ dept: 'TOWNSHIP', region: '350102004' })];
    const sees = async (token: string) => (await hub.gql('query($id: ID!) { child(id: $id) { id } }', { id: mover.id }, token)).body.data !== null;
    expect([await sees(third), await sees(fourth), (await listed(third)).total]).toEqual([false, false, 0]);

    expect((await hub.gql(ASSIGN, { r: [{ childId: mover.id, township: '350102003' }] }, t.edu)).body.errors).toBeUndefined();
    expect([await sees(third), await sees(fourth), (await listed(third)).ids]).toEqual([true, false, [mover.id]]);
    expect((await hub.gql(ASSIGN, { r: [{ childId: mover.id, township: '350102004' }] }, t.edu)).body.errors).toBeUndefined();
    expect([await sees(third), await sees(fourth), (await listed(third)).total, (await listed(fourth)).ids]).toEqual([false, true, 0, [mover.id]]);

    const log = await hub.gql(LOG, { filter: { childId: mover.id, entity: 'Child' } }, t.edu);
    const moves = (log.body.data as any).changeLog.edges.map((e: any) => e.node).filter((n: any) => n.mutation === 'assignTownships');
    expect(moves.map((n: any) => [n.actorSub, n.changes])).toEqual([
      ['township-test-edu', [{ field: 'township', label: '乡镇（街道）', before: null, after: '"350102003"' }]],
      ['township-test-edu', [{ field: 'township', label: '乡镇（街道）', before: '"350102003"', after: '"350102004"' }]],
    ]);
    // Clearing it (null) hides the child from every township again.
    expect((await hub.gql(ASSIGN, { r: [{ childId: mover.id, township: null }] }, t.edu)).body.errors).toBeUndefined();
    expect([await sees(third), await sees(fourth), await townshipOf(mover.id)]).toEqual([false, false, null]);
  });
});
