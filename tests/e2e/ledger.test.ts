import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
const message = (r: { body: { errors?: Array<{ message: string }> } }) => r.body.errors?.[0]?.message ?? '';

const OPEN = `mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { children { id dropoutCases { id status reason deadline responsiblePerson version } } } }`;
const MOVE = `mutation($i: TransitionDropoutCaseInput!) { transitionDropoutCase(input: $i, reason: "核查") { children { dropoutCases { id status placement closedOn version } } } }`;
const VISIT = `mutation($v: [PersuasionVisitInput!]!) { recordPersuasionVisits(visits: $v) { children { persuasionVisits { visitor method outcome } dropoutCases { status version } } } }`;
const ASSESS = `mutation($a: AssessmentInput!) { recordAssessment(assessment: $a) { children { assessments { decision evidenceComplete members } } } }`;
const POLICE = `mutation($c: ID!, $d: LocalDate!) { confirmDropoutCaseByPolice(caseId: $c, confirmedOn: $d) { children { dropoutCases { policeConfirmedOn policeConfirmedBy } } } }`;

const deceased = childInput({ name: '林默' });
const ill = childInput({ name: '张小雨', gender: 'FEMALE' });
const poor = childInput({ name: '陈大壮' });

async function openCase(child: ReturnType<typeof childInput>, reason: string): Promise<{ id: string; version: number }> {
  const res = await hub.gql(OPEN, { r: [{ childId: child.id, reason, responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] }, t.edu);
  expect(res.body.errors).toBeUndefined();
  const [c] = (res.body.data as any).openDropoutCases.children[0].dropoutCases;
  return c;
}
async function move(caseId: string, status: string, expectedVersion: number, extra: Record<string, unknown> = {}) {
  return hub.gql(MOVE, { i: { caseId, status, expectedVersion, ...extra } }, t.edu);
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, dept, roles] of [
    ['edu', 'EDU', 'clerk'], ['psb', 'PSB', 'clerk'], ['civil', 'CIVIL', 'clerk'], ['healthExpert', 'HEALTH', 'expert'], ['eduExpert', 'EDU', 'expert'],
  ] as const) t[name] = await hub.token({ dept, region: '350102', roles: [roles], sub: name });
  t.province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  expect((await hub.gql(REGISTER, { records: [deceased, ill, poor] }, t.edu)).body.errors).toBeUndefined();
  const res = await hub.gql(`mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`,
    { r: [deceased, ill, poor].map((c) => ({ childId: c.id, status: 'DROPPED_OUT', stage: 'PRIMARY', grade: 4 })) }, t.edu);
  expect(res.body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

describe('dropout cases', () => {
  it('opens a case with a responsible person and a deadline of 31 July, once per child', async () => {
    const c = await openCase(poor, 'FAMILY_POVERTY');
    expect(c).toMatchObject({ status: 'OPEN', reason: 'FAMILY_POVERTY', deadline: '2027-07-31', responsiblePerson: '王老师', version: 1 });
    const again = await hub.gql(OPEN, { r: [{ childId: poor.id, reason: 'OTHER', responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] }, t.edu);
    expect(codes(again)).toEqual(['CONFLICT']);
    expect(codes(await hub.gql(OPEN, { r: [{ childId: ill.id, reason: 'ILLNESS', responsiblePerson: 'x', responsibleUnit: 'y' }] }, t.psb))).toEqual(['FORBIDDEN']);
  });

  it('closes as returned only once the education record shows the child in school', async () => {
    const [c] = (await hub.sql<{ id: string; version: number }>('SELECT id, version FROM edu.dropout_case WHERE child_id = $1', [poor.id]));
    const refused = await move(c.id, 'RETURNED', c.version);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(message(refused)).toMatch(/in school/);
    await hub.gql(`mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`, { r: [{ childId: poor.id, status: 'ENROLLED' }] }, t.edu);
    const ok = await move(c.id, 'RETURNED', c.version);
    expect(ok.body.errors).toBeUndefined();
    expect((ok.body.data as any).transitionDropoutCase.children[0].dropoutCases[0]).toMatchObject({ status: 'RETURNED', closedOn: '2026-10-15', version: 2 });
    const final = await move(c.id, 'PERSUADING', 2);
    expect(codes(final)).toEqual(['BAD_USER_INPUT']);
    expect(message(final)).toMatch(/final state/);
  });

  it('refuses a deceased closure without the police\'s confirmation, and allows it with', async () => {
    const c = await openCase(deceased, 'DECEASED');
    const refused = await move(c.id, 'CLOSED_NOT_DROPOUT', 1);
    expect(message(refused)).toMatch(/police/);
    expect(codes(await hub.gql(POLICE, { c: c.id, d: '2026-10-10' }, t.edu))).toEqual(['FORBIDDEN']);
    const confirmed = await hub.gql(POLICE, { c: c.id, d: '2026-10-10' }, t.psb);
    expect((confirmed.body.data as any).confirmDropoutCaseByPolice.children[0].dropoutCases[0]).toEqual({ policeConfirmedOn: '2026-10-10', policeConfirmedBy: 'psb' });
    expect(codes(await move(c.id, 'CLOSED_NOT_DROPOUT', 1))).toEqual(['CONFLICT']);
    expect((await move(c.id, 'CLOSED_NOT_DROPOUT', 2)).body.errors).toBeUndefined();
  });

  it('starts persuasion with the first visit, and defers an ill child only on a complete panel assessment', async () => {
    const c = await openCase(ill, 'ILLNESS');
    const visit = await hub.gql(VISIT, { v: [{ caseId: c.id, visitedOn: '2026-10-12', visitor: '李主任', method: 'HOME_VISIT', outcome: 'REFUSED' }] }, t.edu);
    expect((visit.body.data as any).recordPersuasionVisits.children[0]).toMatchObject({
      persuasionVisits: [{ visitor: '李主任', method: 'HOME_VISIT', outcome: 'REFUSED' }], dropoutCases: [{ status: 'PERSUADING', version: 2 }],
    });
    expect(message(await move(c.id, 'DEFERRED', 2))).toMatch(/assessment/);

    const assessment = { childId: ill.id, caseId: c.id, assessedOn: '2026-10-13', members: ['卫健 陈医生', '残联 吴主任', '教育 王老师'], decision: 'DEFERRAL', evidence: [{ type: 'PANEL_OPINION', reference: '鼓专〔2026〕12号', date: '2026-10-13' }] };
    expect(codes(await hub.gql(ASSESS, { a: assessment }, t.edu))).toEqual(['FORBIDDEN']);
    const partial = await hub.gql(ASSESS, { a: assessment }, t.healthExpert);
    expect((partial.body.data as any).recordAssessment.children[0].assessments[0]).toMatchObject({ decision: 'DEFERRAL', evidenceComplete: false });
    expect(message(await move(c.id, 'DEFERRED', 2))).toMatch(/complete evidence/);

    const complete = { ...assessment, evidence: [...assessment.evidence, { type: 'MEDICAL_DIAGNOSIS', reference: '省立医院 2026-0931', date: '2026-10-01' }, { type: 'GUARDIAN_APPLICATION', reference: '缓学申请书', date: '2026-10-05' }] };
    expect((await hub.gql(ASSESS, { a: complete }, t.eduExpert)).body.errors).toBeUndefined();
    const deferred = await move(c.id, 'DEFERRED', 2);
    expect(deferred.body.errors).toBeUndefined();
    expect((deferred.body.data as any).transitionDropoutCase.children[0].dropoutCases[0]).toMatchObject({ status: 'DEFERRED', version: 3 });
  });

  it('hides assessments from departments outside the panel, in reads and in the log', async () => {
    const read = await hub.gql('query($id: ID!) { child(id: $id) { assessments { decision } dropoutCases { status } } }', { id: ill.id }, t.civil);
    expect(codes(read)).toEqual(['FORBIDDEN']);
    expect((read.body.data as any).child).toEqual({ assessments: null, dropoutCases: [{ status: 'DEFERRED' }] });
    const log = await hub.gql('{ changeLog(first: 100) { edges { node { entity operation } } } }', {}, t.civil);
    const entities = (log.body.data as any).changeLog.edges.map((e: any) => e.node.entity);
    expect(entities).toContain('DropoutCase');
    expect(entities).toContain('PersuasionVisit');
    expect(entities).not.toContain('Assessment');
  });

  it('tells the other departments of new cases, closures and returns in the monthly notice', async () => {
    expect((await hub.gql('mutation { issueMonthlyNotices(period: "2026-09") { count } }', {}, t.province)).body.errors).toBeUndefined();
    const list = await hub.gql('{ exchangeNotices(filter: { region: "350102", dept: "PSB" }) { nodes { number summary { newDropoutCases { key count } closuresByReason { key count } returnsToSchool } } } }', {}, t.province);
    const summary = (list.body.data as any).exchangeNotices.nodes[0].summary;
    expect(summary.newDropoutCases).toEqual([{ key: 'DECEASED', count: 1 }, { key: 'FAMILY_POVERTY', count: 1 }, { key: 'ILLNESS', count: 1 }]);
    expect(summary.closuresByReason).toEqual([{ key: 'DECEASED', count: 1 }, { key: 'FAMILY_POVERTY', count: 1 }]);
    expect(summary.returnsToSchool).toBe(1);
    expect((await hub.gql('{ verifyChangeLog { ok } }', {}, t.province)).body.data).toEqual({ verifyChangeLog: { ok: true } });
  });
});
