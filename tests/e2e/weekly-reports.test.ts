import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
// The tests live on 2026-10-15, a Thursday of ISO week 2026-W42 (12–18 October).
const WEEK = '2026-W42';
const children = Array.from({ length: 6 }, (_, i) => childInput({ birthDate: i < 3 ? '2013-03-0' + (i + 1) : '2017-06-0' + (i + 1), gender: i % 2 ? 'FEMALE' : 'MALE' }));

async function gql(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data as any;
}

beforeAll(async () => {
  hub = await startTestHub();
  t.edu = await hub.token({ dept: 'EDU', region: '350102', sub: 'gulou-edu' });
  t.eduTaijiang = await hub.token({ dept: 'EDU', region: '350103' });
  t.fuzhou = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  t.cityClerk = await hub.token({ dept: 'EDU', region: '350100' });
  await gql(t.edu, REGISTER, { records: children });
  await gql(t.edu, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', {
    r: children.map((c, i) => ({ childId: c.id, status: 'DROPPED_OUT', stage: i < 3 ? 'JUNIOR_SECONDARY' : 'PRIMARY', grade: i < 3 ? 8 : 3 })),
  });
  const reasons = ['FAMILY_POVERTY', 'STUDY_WEARINESS', 'STUDY_WEARINESS', 'WORKING_AWAY', 'OTHER', 'FAMILY_POVERTY'];
  await gql(t.edu, 'mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', {
    r: children.map((c, i) => ({ childId: c.id, reason: reasons[i], responsiblePerson: '班主任', responsibleUnit: '鼓楼一中', openedOn: i === 0 ? '2026-09-20' : '2026-10-13', deadline: i === 1 ? '2026-10-01' : undefined })),
  });
  const cases = await hub.sql<{ id: string; child_id: string }>('SELECT id, child_id FROM edu.dropout_case');
  const caseOf = (i: number) => cases.find((c) => c.child_id === children[i].id)!.id;
  await gql(t.edu, 'mutation($v: [PersuasionVisitInput!]!) { recordPersuasionVisits(visits: $v) { replayed } }', {
    v: [
      { caseId: caseOf(0), visitedOn: '2026-10-05', visitor: '王老师', method: 'HOME_VISIT', outcome: 'REFUSED' },
      { caseId: caseOf(0), visitedOn: '2026-10-14', visitor: '王老师', method: 'PHONE', outcome: 'AGREED_TO_RETURN' },
      { caseId: caseOf(2), visitedOn: '2026-10-15', visitor: '李老师', method: 'AT_SCHOOL', outcome: 'NOT_REACHED' },
    ],
  });
  await gql(t.edu, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId: children[0].id, status: 'ENROLLED' }] });
  const [c0] = await hub.sql<{ version: number }>('SELECT version FROM edu.dropout_case WHERE id = $1', [caseOf(0)]);
  await gql(t.edu, 'mutation($i: TransitionDropoutCaseInput!) { transitionDropoutCase(input: $i) { replayed } }', { i: { caseId: caseOf(0), status: 'RETURNED', expectedVersion: c0.version } });
});
afterAll(() => hub?.stop());

it('submits a county\'s week once, with figures that a recount of the ledger confirms', async () => {
  const SUBMIT = `mutation($w: String!, $r: String) { submitWeeklyReport(isoWeek: $w, remarks: $r) {
    isoWeek remarks submittedBy counts { visits returns newCases pastDeadline juniorSecondaryOpen byStatus { key count } openByReason { key count } } } }`;
  const report = (await gql(t.edu, SUBMIT, { w: WEEK, r: '本周入户2次' })).submitWeeklyReport;

  // Recount from the federated records, the way a person checking the report would.
  const read = await gql(t.edu, '{ children(first: 100) { edges { node { education { stage } dropoutCases { status reason openedOn closedOn deadline } persuasionVisits { visitedOn } } } } }');
  const nodes = read.children.edges.map((e: any) => e.node);
  const cases = nodes.flatMap((n: any) => n.dropoutCases.map((c: any) => ({ ...c, stage: n.education?.stage })));
  const inWeek = (d: string | null) => !!d && d >= '2026-10-12' && d <= '2026-10-18';
  const open = cases.filter((c: any) => ['OPEN', 'PERSUADING'].includes(c.status));
  expect(report.counts).toMatchObject({
    visits: nodes.flatMap((n: any) => n.persuasionVisits).filter((v: any) => inWeek(v.visitedOn)).length,
    returns: cases.filter((c: any) => c.status === 'RETURNED' && inWeek(c.closedOn)).length,
    newCases: cases.filter((c: any) => inWeek(c.openedOn)).length,
    pastDeadline: open.filter((c: any) => c.deadline < '2026-10-15').length,
    juniorSecondaryOpen: open.filter((c: any) => c.stage === 'JUNIOR_SECONDARY').length,
  });
  expect(report.counts).toMatchObject({ visits: 2, returns: 1, newCases: 5, pastDeadline: 1, juniorSecondaryOpen: 2 });
  expect(report.counts.byStatus).toEqual([{ key: 'OPEN', count: 4 }, { key: 'PERSUADING', count: 1 }, { key: 'RETURNED', count: 1 }]);
  expect(report.counts.openByReason).toEqual([{ key: 'FAMILY_POVERTY', count: 1 }, { key: 'OTHER', count: 1 }, { key: 'STUDY_WEARINESS', count: 2 }, { key: 'WORKING_AWAY', count: 1 }]);
  expect(report).toMatchObject({ isoWeek: WEEK, remarks: '本周入户2次', submittedBy: 'gulou-edu' });

  expect(codes(await hub.gql(SUBMIT, { w: WEEK }, t.edu))).toEqual(['CONFLICT']);
  expect(codes(await hub.gql(SUBMIT, { w: '2026-W50' }, t.edu))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await hub.gql(SUBMIT, { w: '2026-W99' }, t.edu))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await hub.gql(SUBMIT, { w: WEEK }, t.cityClerk))).toEqual(['FORBIDDEN']);
});

it('shows supervisors which counties have not reported and each county\'s progress, key regions marked', async () => {
  const data = await gql(t.fuzhou, `query($w: String!) { countyProgress(isoWeek: $w) { region { code name } keyRegion report { submittedBy } openCases pastDeadline returned juniorSecondaryOpen } }`, { w: WEEK });
  const rows = data.countyProgress;
  expect(rows).toHaveLength(13);
  const gulou = rows.find((r: any) => r.region.code === '350102');
  expect(gulou).toEqual({ region: { code: '350102', name: '鼓楼区' }, keyRegion: false, report: { submittedBy: 'gulou-edu' }, openCases: 5, pastDeadline: 1, returned: 1, juniorSecondaryOpen: 2 });
  expect(rows.filter((r: any) => !r.report).map((r: any) => r.region.code)).not.toContain('350102');
  expect(rows.filter((r: any) => !r.report)).toHaveLength(12);
  // No county is a key region until a supervisor says so (tests/e2e/key-regions.test.ts).
  expect(rows.find((r: any) => r.region.code === '350121')).toMatchObject({ keyRegion: false, report: null });
  const taijiang = await gql(t.eduTaijiang, `query($w: String!) { countyProgress(isoWeek: $w) { region { code } openCases } }`, { w: WEEK });
  expect(taijiang.countyProgress).toEqual([{ region: { code: '350103' }, openCases: 0 }]);
});
