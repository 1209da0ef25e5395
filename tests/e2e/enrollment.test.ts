/**
 * Enrollment notices (三(一)) and home-delivered teaching (二(四)), through the API: from the
 * police's roster to notices, arrivals and non-arrivals; from the panel's decision to a teacher's
 * dated visits. Each refusal writes nothing and logs nothing.
 */
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let august: TestHub;
let september: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
const message = (r: { body: { errors?: Array<{ message: string }> } }) => r.body.errors?.[0]?.message ?? '';
const data = (r: { body: { data?: unknown; errors?: unknown } }) => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data as any;
};

const ISSUE = `mutation($i: IssueEnrollmentNoticesInput!) { issueEnrollmentNotices(input: $i) { issued alreadyIssued priorityInPublic placesLeft } }`;
const NOTICES = `query($f: EnrollmentNoticeFilter!, $after: String) { enrollmentNotices(filter: $f, first: 3, after: $after) {
  totalCount hasNextPage endCursor nodes { id number schoolName schoolKind status reportOn arrivedOn caseId child { id name } } } }`;
const ARRIVE = `mutation($a: [EnrollmentArrivalInput!]!) { recordEnrollmentArrivals(arrivals: $a) { children { id education { status stage grade schoolName } enrollmentNotices { status arrivedOn } } } }`;
const MARK = `mutation($y: Int!, $r: String!) { markNonArrivals(schoolYear: $y, region: $r, responsiblePerson: "王主任") { marked casesOpened withoutHukou { id name } } }`;

// The entry cohort of 2026: six by 31 August 2026.
const poorA = childInput({ name: '陈一', birthDate: '2019-10-02' });
const poorB = childInput({ name: '陈二', birthDate: '2020-06-30', gender: 'FEMALE' });
const plain = [1, 2, 3].map((i) => childInput({ name: `林${'甲乙丙'[i - 1]}`, birthDate: `2020-0${i}-15` }));
const noHukou = { ...childInput({ name: '吴无户', birthDate: '2019-12-12', idNumber: null }), hukouStatus: 'NO_HUKOU' as const };
const older = childInput({ name: '黄七岁', birthDate: '2019-05-01' });
const elsewhere = childInput({ name: '郑台江', birthDate: '2020-01-20', hukouRegion: '350103' });
const cohort = [poorA, poorB, ...plain, noHukou];
const SCHOOLS = [{ name: '鼓楼第一中心小学', kind: 'PUBLIC', places: 2 }, { name: '鼓楼实验民办小学', kind: 'PRIVATE', places: 10 }];
const ISSUE_INPUT = { schoolYear: 2026, region: '350102', stage: 'PRIMARY', reportOn: '2026-09-01', schools: SCHOOLS };

const logCount = async (hub: TestHub) => Number((await hub.sql<{ n: string }>('SELECT count(*) AS n FROM hub.change_log'))[0].n);

beforeAll(async () => {
  august = await startTestHub({ today: '2026-08-10' });
  for (const [name, dept, region, roles] of [
    ['edu', 'EDU', '350102', 'clerk'], ['psb', 'PSB', '350102', 'clerk'], ['poverty', 'POVERTY', '350102', 'clerk'], ['health', 'HEALTH', '350102', 'clerk'],
    ['eduTaijiang', 'EDU', '350103', 'clerk'], ['psbTaijiang', 'PSB', '350103', 'clerk'], ['expert', 'HEALTH', '350102', 'expert'],
  ] as const) t[name] = await august.token({ dept, region, roles: [roles], sub: name });
  // In August, the police register the coming year's entrants (six by the next 1 September).
  data(await august.gql(REGISTER, { records: [...cohort, older] }, t.psb));
  data(await august.gql(REGISTER, { records: [elsewhere] }, t.psbTaijiang));
  const psb = (c: ReturnType<typeof childInput>) => ({ childId: c.id, hukouStatus: c === noHukou ? 'NO_HUKOU' : 'REGISTERED', whereabouts: 'PRESENT' });
  data(await august.gql(`mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }`, { r: [...cohort, older].map(psb) }, t.psb));
  data(await august.gql(`mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }`, { r: [psb(elsewhere)] }, t.psbTaijiang));
  data(await august.gql(`mutation($r: [PovertyRecordInput!]!) { upsertPovertyRecords(records: $r) { replayed } }`,
    { r: [{ childId: poorA.id, registeredPoor: true, monitoredHousehold: false, householdId: 'HH-1' }, { childId: poorB.id, registeredPoor: false, monitoredHousehold: true, householdId: 'HH-2' }] }, t.poverty));
});
afterAll(async () => {
  await september?.stop();
  await august?.stop();
});

describe('enrollment notices', () => {
  it('refuses too few places, another county\'s issuer and a report date in the past, writing nothing', async () => {
    const before = await logCount(august);
    const short = await august.gql(ISSUE, { i: { ...ISSUE_INPUT, schools: [{ name: '小学', kind: 'PUBLIC', places: 5 }] } }, t.edu);
    expect(codes(short)).toEqual(['BAD_USER_INPUT']);
    expect(message(short)).toMatch(/学位不足：需要 6 个，提供 5 个/);
    expect(codes(await august.gql(ISSUE, { i: ISSUE_INPUT }, t.eduTaijiang))).toEqual(['FORBIDDEN']);
    expect(codes(await august.gql(ISSUE, { i: ISSUE_INPUT }, t.psb))).toEqual(['FORBIDDEN']);
    const past = await august.gql(ISSUE, { i: { ...ISSUE_INPUT, reportOn: '2026-08-01' } }, t.edu);
    expect(past.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.reportOn' }] });
    expect(await august.sql('SELECT 1 FROM edu.enrollment_notice')).toEqual([]);
    expect(await logCount(august)).toBe(before);
  });

  it('issues one notice to every child of the cohort on the roster, public places first to poverty-registered families, once', async () => {
    const issued = data(await august.gql(ISSUE, { i: ISSUE_INPUT }, t.edu)).issueEnrollmentNotices;
    expect(issued).toEqual({ issued: 6, alreadyIssued: 0, priorityInPublic: 2, placesLeft: 6 });
    const rows = await august.sql<{ child_id: string; school_name: string; number: string; priority: boolean }>('SELECT child_id, school_name, number, priority FROM edu.enrollment_notice ORDER BY number');
    expect(new Set(rows.map((r) => r.child_id))).toEqual(new Set(cohort.map((c) => c.id)));
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `2026-350102-00000${n}`));
    expect(rows.filter((r) => r.school_name === '鼓楼第一中心小学').map((r) => r.child_id).sort()).toEqual([poorA.id, poorB.id].sort());
    expect(rows.filter((r) => r.priority).length).toBe(2);
    // Logged, one entry per notice, with Chinese labels.
    const log = data(await august.gql(`{ changeLog(filter: { entity: "EnrollmentNotice" }, first: 10) { edges { node { entityLabel changes { label after } } } } }`, {}, t.edu));
    expect(log.changeLog.edges).toHaveLength(6);
    expect(log.changeLog.edges[0].node.changes.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['就读学校', '报到日期', '通知书编号']));

    const again = data(await august.gql(ISSUE, { i: ISSUE_INPUT }, t.edu)).issueEnrollmentNotices;
    expect(again).toEqual({ issued: 0, alreadyIssued: 6, priorityInPublic: 0, placesLeft: 12 });
  });

  it('numbers the notices, and logs them, by birth date: neither numbers nor the log\'s order tell who had priority', async () => {
    const byNumber = await august.sql<{ child_id: string }>('SELECT child_id FROM edu.enrollment_notice ORDER BY number');
    const byBirth = [...cohort].sort((a, b) => a.birthDate.localeCompare(b.birthDate) || a.id.localeCompare(b.id)).map((c) => c.id);
    expect(byNumber.map((r) => r.child_id)).toEqual(byBirth);
    // poorB, the youngest, has priority and a public place, and still the last number.
    expect(byNumber.at(-1)!.child_id).toBe(poorB.id);
    const logged = await august.sql<{ child_id: string }>(`SELECT child_id FROM hub.change_log WHERE entity = 'EnrollmentNotice' ORDER BY seq`);
    expect(logged.map((r) => r.child_id)).toEqual(byBirth);
  });

  it('pages the notices by number, and shows poverty priority only to whom may read poverty records', async () => {
    const first = data(await august.gql(NOTICES, { f: { schoolYear: 2026 } }, t.edu)).enrollmentNotices;
    expect(first).toMatchObject({ totalCount: 6, hasNextPage: true });
    const second = data(await august.gql(NOTICES, { f: { schoolYear: 2026 }, after: first.endCursor }, t.edu)).enrollmentNotices;
    expect([...first.nodes, ...second.nodes].map((n: { number: string }) => n.number)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `2026-350102-00000${n}`));
    expect(second.hasNextPage).toBe(false);
    const psb = await august.gql(`{ enrollmentNotices(filter: { schoolYear: 2026 }) { nodes { number priority } } }`, {}, t.psb);
    expect(codes(psb)).toContain('FORBIDDEN');
    expect((psb.body.data as any).enrollmentNotices.nodes.every((n: { priority: unknown }) => n.priority === null)).toBe(true);
    const edu = data(await august.gql(`{ enrollmentNotices(filter: { schoolYear: 2026 }) { nodes { priority child { id } } } }`, {}, t.edu));
    expect(edu.enrollmentNotices.nodes.filter((n: { priority: boolean }) => n.priority).map((n: { child: { id: string } }) => n.child.id).sort()).toEqual([poorA.id, poorB.id].sort());
    // Another county sees none of them, and may not ask for this one.
    expect(data(await august.gql(NOTICES, { f: { schoolYear: 2026 } }, t.eduTaijiang)).enrollmentNotices.totalCount).toBe(0);
    expect(codes(await august.gql(NOTICES, { f: { schoolYear: 2026, region: '350102' } }, t.eduTaijiang))).toEqual(['FORBIDDEN']);
  });

  it('prints a notice in Chinese with the guardian\'s duty under the law, for readers in its region only', async () => {
    const [row] = await august.sql<{ id: string }>('SELECT id FROM edu.enrollment_notice WHERE child_id = $1', [poorA.id]);
    const get = (token?: string) => fetch(`${august.url}/enrollment-notices/${row.id}/print`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const page = await get(t.edu);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('入学通知书');
    expect(html).toContain('陈一');
    expect(html).toContain('鼓楼第一中心小学');
    expect(html).toContain('2026年9月1日');
    expect(html).toContain('《中华人民共和国义务教育法》第五条');
    expect(html).not.toContain(poorA.idNumber!);
    expect((await get()).status).toBe(401);
    expect((await get(t.eduTaijiang)).status).toBe(404);
  });

  it('records arrivals, which enrol the child; after the report date marks the rest and opens their cases', async () => {
    september ??= await startTestHub({ today: '2026-09-10', sameDatabaseAs: august });
    const notices = new Map((await september.sql<{ id: string; child_id: string }>('SELECT id, child_id FROM edu.enrollment_notice')).map((r) => [r.child_id, r.id]));
    const arrivals = [poorA, poorB, plain[0]].map((c) => ({ noticeId: notices.get(c.id), arrivedOn: '2026-09-01' }));
    const arrived = data(await september.gql(ARRIVE, { a: arrivals }, t.edu)).recordEnrollmentArrivals.children;
    expect(arrived[0]).toMatchObject({ education: { status: 'ENROLLED', stage: 'PRIMARY', grade: 1, schoolName: '鼓楼第一中心小学' }, enrollmentNotices: [{ status: 'ARRIVED', arrivedOn: '2026-09-01' }] });
    const twice = await september.gql(ARRIVE, { a: [arrivals[0]] }, t.edu);
    expect(twice.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'arrivals[0].noticeId' }] });

    // One of the rest already has an open case: it is linked, not doubled.
    const open = await september.gql(`mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }`,
      { r: [{ childId: plain[1].id, reason: 'FAMILY_POVERTY', responsiblePerson: '李老师', responsibleUnit: '鼓楼区教育局' }] }, t.edu);
    data(open);
    const marked = data(await september.gql(MARK, { y: 2026, r: '350102' }, t.edu)).markNonArrivals;
    expect(marked).toMatchObject({ marked: 3, casesOpened: 2, withoutHukou: [{ id: noHukou.id, name: '吴无户' }] });
    const cases = await september.sql<{ child_id: string; reason: string; responsible_unit: string; deadline: string }>(
      `SELECT child_id, reason, responsible_unit, deadline::text FROM edu.dropout_case WHERE reason = 'TO_BE_VERIFIED' ORDER BY child_id`);
    expect(cases.map((c) => c.child_id).sort()).toEqual([plain[2].id, noHukou.id].sort());
    expect(cases[0]).toMatchObject({ responsible_unit: '鼓楼实验民办小学', deadline: '2027-07-31' });
    const linked = await september.sql<{ case_id: string | null; status: string }>('SELECT case_id, status FROM edu.enrollment_notice WHERE child_id = $1', [plain[1].id]);
    expect(linked[0].status).toBe('NOT_ARRIVED');
    expect(linked[0].case_id).not.toBeNull();
    expect(data(await september.gql(MARK, { y: 2026, r: '350102' }, t.edu)).markNonArrivals).toMatchObject({ marked: 0, casesOpened: 0 });
  });

  it('lists non-arrivals without hukou for the police, and refuses that filter to whom may not read hukou status', async () => {
    const police = data(await september.gql(NOTICES, { f: { schoolYear: 2026, status: 'NOT_ARRIVED', withoutHukou: true } }, t.psb)).enrollmentNotices;
    expect(police.nodes.map((n: { child: { id: string } }) => n.child.id)).toEqual([noHukou.id]);
    expect(codes(await september.gql(NOTICES, { f: { schoolYear: 2026, withoutHukou: true } }, t.health))).toEqual(['FORBIDDEN']);
  });
});

describe('home-delivered teaching', () => {
  const child = childInput({ name: '周送教', birthDate: '2015-04-04' });
  const ASSIGN = `mutation($i: AssignHomeTeachingInput!) { assignHomeTeaching(input: $i) { children { homeTeaching { id schoolName teacher startedOn endedOn version visits { visitedOn teacher hours content } } } } }`;
  const VISITS = `mutation($v: [HomeTeachingVisitInput!]!) { recordHomeTeachingVisits(visits: $v) { children { homeTeaching { visits { visitedOn teacher hours content } } } } }`;
  const UPDATE = `mutation($i: UpdateHomeTeachingInput!) { updateHomeTeaching(input: $i) { children { homeTeaching { endedOn teacher version } } } }`;
  const assignment = { childId: child.id, schoolName: '鼓楼区特殊教育学校', teacher: '郑老师', startedOn: '2026-09-05' };

  beforeAll(async () => {
    september ??= await startTestHub({ today: '2026-09-10', sameDatabaseAs: august });
    data(await september.gql(REGISTER, { records: [child] }, t.edu));
  });

  it('needs the panel\'s complete home-teaching decision first', async () => {
    const before = await logCount(september);
    const refused = await september.gql(ASSIGN, { i: assignment }, t.edu);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(message(refused)).toMatch(/expert-panel decision/);
    expect(await logCount(september)).toBe(before);
    data(await september.gql(`mutation($a: AssessmentInput!) { recordAssessment(assessment: $a) { replayed } }`, { a: {
      childId: child.id, assessedOn: '2026-09-03', members: ['专家甲', '专家乙'], decision: 'HOME_TEACHING',
      evidence: [{ type: 'PANEL_OPINION', reference: 'PO-1', date: '2026-09-03' }, { type: 'MEDICAL_DIAGNOSIS', reference: 'MD-1', date: '2026-08-20' }, { type: 'GUARDIAN_APPLICATION', reference: 'GA-1', date: '2026-08-25' }],
    } }, t.expert));
    const assigned = data(await september.gql(ASSIGN, { i: assignment }, t.edu)).assignHomeTeaching.children[0].homeTeaching;
    expect(assigned).toEqual([{ id: expect.any(String), schoolName: '鼓楼区特殊教育学校', teacher: '郑老师', startedOn: '2026-09-05', endedOn: null, version: 1, visits: [] }]);
    const twice = await september.gql(ASSIGN, { i: assignment }, t.edu);
    expect(codes(twice)).toEqual(['CONFLICT']);
    expect(codes(await september.gql(ASSIGN, { i: assignment }, t.psb))).toEqual(['FORBIDDEN']);
  });

  it('records dated visits within the arrangement, and ends it no earlier than the last visit', async () => {
    const [{ id }] = await september.sql<{ id: string }>('SELECT id FROM edu.home_teaching WHERE child_id = $1', [child.id]);
    const early = await september.gql(VISITS, { v: [{ homeTeachingId: id, visitedOn: '2026-09-04', hours: 2, content: '识字' }] }, t.edu);
    expect(early.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'visits[0].visitedOn' }] });
    const badHours = await september.gql(VISITS, { v: [{ homeTeachingId: id, visitedOn: '2026-09-06', hours: 0.25, content: '识字' }] }, t.edu);
    expect(badHours.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'visits[0].hours' }] });
    const visits = data(await september.gql(VISITS, { v: [
      { homeTeachingId: id, visitedOn: '2026-09-06', hours: 2, content: '识字与数数' },
      { homeTeachingId: id, visitedOn: '2026-09-09', hours: 1.5, content: '康复训练', teacher: '刘老师' },
    ] }, t.edu)).recordHomeTeachingVisits.children[0].homeTeaching[0].visits;
    expect(visits).toEqual([
      { visitedOn: '2026-09-09', teacher: '刘老师', hours: 1.5, content: '康复训练' },
      { visitedOn: '2026-09-06', teacher: '郑老师', hours: 2, content: '识字与数数' },
    ]);
    const tooEarly = await september.gql(UPDATE, { i: { id, expectedVersion: 1, endedOn: '2026-09-08' } }, t.edu);
    expect(message(tooEarly)).toMatch(/2026-09-09/);
    expect(codes(await september.gql(UPDATE, { i: { id, expectedVersion: 7, endedOn: '2026-09-10' } }, t.edu))).toEqual(['CONFLICT']);
    expect(data(await september.gql(UPDATE, { i: { id, expectedVersion: 1, endedOn: '2026-09-10' } }, t.edu)).updateHomeTeaching.children[0].homeTeaching[0]).toEqual({ endedOn: '2026-09-10', teacher: '郑老师', version: 2 });
    const after = await september.gql(VISITS, { v: [{ homeTeachingId: id, visitedOn: '2026-09-10', hours: 1, content: '复习' }] }, t.edu);
    expect(after.body.errors).toBeUndefined();
    // A new arrangement may follow the ended one.
    data(await september.gql(ASSIGN, { i: { ...assignment, startedOn: '2026-09-10', teacher: '孙老师' } }, t.edu));
  });

  it('shows the arrangement to health and the DPF, not to the police, and logs it with Chinese labels', async () => {
    const query = `query($id: ID!) { child(id: $id) { homeTeaching { teacher visits { content } } } }`;
    const dpf = await september.token({ dept: 'DPF', region: '350102', roles: ['clerk'] });
    expect(data(await september.gql(query, { id: child.id }, dpf)).child.homeTeaching).toHaveLength(2);
    const police = await september.gql(query, { id: child.id }, t.psb);
    expect(codes(police)).toEqual(['FORBIDDEN']);
    expect(police.text).not.toContain('郑老师');
    const log = data(await september.gql(`{ changeLog(filter: { entity: "HomeTeachingVisit" }, first: 10) { edges { node { entityLabel changes { label after } } } } }`, {}, t.edu));
    expect(log.changeLog.edges[0].node.entityLabel).toBe('送教上门记录');
    expect(log.changeLog.edges[0].node.changes.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['送教日期', '课时', '教学内容']));
  });
});
