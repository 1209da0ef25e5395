/**
 * Issue 19 point 3: the supervisors' weekly series per county (countyProgressHistory) and the
 * caseload per responsible unit or person (caseload, 落实到每一个管理人员). The hub's day is
 * 2026-10-15, a Thursday of 2026-W42; the series covers W39 (21–27 Sep) to W41 (5–11 Oct).
 */
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
const paths = (r: { body: { errors?: Array<{ extensions: { problems?: Array<{ path: string }> } }> } }) => (r.body.errors ?? []).flatMap((e) => (e.extensions.problems ?? []).map((p) => p.path));
const WEEKS = { W39: ['2026-09-21', '2026-09-27'], W40: ['2026-09-28', '2026-10-04'], W41: ['2026-10-05', '2026-10-11'] } as const;
const HISTORY = `query($f: String!, $t: String!) { countyProgressHistory(from: $f, to: $t) { region { code } keyRegion cityCounties provinceCounties
  weeks { isoWeek report submittedAt openCases overdue returns cityRank provinceRank } } }`;
const CASELOAD = 'query($g: CaseloadGrouping!) { caseload(groupBy: $g) { region { code } responsibleUnit responsiblePerson openCases overdue returnedThisSchoolYear } }';

async function gql(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data as any;
}

// Gulou's five cases, each with its unit, person, opening, deadline and, for two, a return.
const GULOU = [
  { unit: '鼓楼一中', person: '王老师', openedOn: '2026-09-20', returnedOn: '2026-10-07' },
  { unit: '鼓楼一中', person: '王老师', openedOn: '2026-09-22', deadline: '2026-09-30' },
  { unit: '鼓楼二中', person: '班主任', openedOn: '2026-10-01' },
  { unit: '鼓楼二中', person: '李老师', openedOn: '2026-10-09', deadline: '2026-10-10' },
  { unit: '鼓楼一中', person: '李老师', openedOn: '2026-09-21', returnedOn: '2026-09-26' },
];

async function openCases(token: string, county: string, cases: ReadonlyArray<{ unit: string; person: string; openedOn: string; deadline?: string; returnedOn?: string }>) {
  const kids = cases.map(() => childInput({ hukouRegion: county, birthDate: '2012-04-01' }));
  await gql(token, REGISTER, { records: kids });
  await gql(token, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', {
    r: kids.map((k) => ({ childId: k.id, status: 'DROPPED_OUT', stage: 'JUNIOR_SECONDARY', grade: 8 })),
  });
  await gql(token, 'mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', {
    r: kids.map((k, i) => ({ childId: k.id, reason: 'STUDY_WEARINESS', responsibleUnit: cases[i].unit, responsiblePerson: cases[i].person, openedOn: cases[i].openedOn, deadline: cases[i].deadline })),
  });
  for (const [i, c] of cases.entries()) {
    if (!c.returnedOn) continue;
    await gql(token, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId: kids[i].id, status: 'ENROLLED' }] });
    const [row] = await hub.sql<{ id: string; version: number }>('SELECT id, version FROM edu.dropout_case WHERE child_id = $1', [kids[i].id]);
    await gql(token, 'mutation($i: TransitionDropoutCaseInput!) { transitionDropoutCase(input: $i) { replayed } }', { i: { caseId: row.id, status: 'RETURNED', closedOn: c.returnedOn, expectedVersion: row.version } });
  }
}

beforeAll(async () => {
  hub = await startTestHub();
  t.gulou = await hub.token({ dept: 'EDU', region: '350102', sub: 'gulou-edu' });
  t.taijiang = await hub.token({ dept: 'EDU', region: '350103', sub: 'taijiang-edu' });
  t.minhou = await hub.token({ dept: 'EDU', region: '350121' });
  t.fuzhou = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  t.province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  t.psbSupervisor = await hub.token({ dept: 'PSB', region: '350100', roles: ['supervisor'] });
  t.psbClerk = await hub.token({ dept: 'PSB', region: '350102' });
  t.town = await hub.token({ dept: 'TOWNSHIP', region: '350102001' });
  t.analyst = await hub.token({ dept: 'EDU', region: '350100', roles: ['analyst'] });
  await openCases(t.gulou, '350102', GULOU);
  await openCases(t.taijiang, '350103', [0, 1].map(() => ({ unit: '台江一中', person: '班主任', openedOn: '2026-09-25' })));
  await openCases(t.minhou, '350121', [0, 1, 2].map(() => ({ unit: '闽侯一中', person: '张老师', openedOn: '2026-09-15' })));
  // Reports through the API; their submission times set to the days a county would have sent them.
  const SUBMIT = 'mutation($w: String!) { submitWeeklyReport(isoWeek: $w) { isoWeek } }';
  for (const w of ['2026-W40', '2026-W41']) await gql(t.gulou, SUBMIT, { w });
  await gql(t.taijiang, SUBMIT, { w: '2026-W41' });
  const at = (region: string, week: string, when: string) => hub.sql('UPDATE edu.weekly_report SET submitted_at = $3 WHERE region = $1 AND iso_week = $2', [region, week, when]);
  await at('350102', '2026-W41', '2026-10-12T23:59:00+08:00'); // the Monday after: on time
  await at('350102', '2026-W40', '2026-10-07T09:00:00+08:00'); // the Wednesday after: late
  await at('350103', '2026-W41', '2026-10-13T00:00:00+08:00'); // Tuesday midnight: late by the rule
});
afterAll(() => hub?.stop());

it('gives each county its weekly series, recounted from the children as of each Sunday, with ranks in its city and the province', async () => {
  const rows = (await gql(t.fuzhou, HISTORY, { f: '2026-W39', t: '2026-W41' })).countyProgressHistory;
  expect(rows).toHaveLength(13);
  expect(rows.every((r: any) => r.weeks.map((w: any) => w.isoWeek).join() === '2026-W39,2026-W40,2026-W41')).toBe(true);
  const week = (county: string, isoWeek: string) => rows.find((r: any) => r.region.code === county).weeks.find((w: any) => w.isoWeek === isoWeek);

  // Recount Gulou from its children's cases, the way a person checking the series would.
  const read = await gql(t.gulou, '{ children(first: 100) { edges { node { dropoutCases { status openedOn closedOn deadline } } } } }');
  const cases = read.children.edges.flatMap((e: any) => e.node.dropoutCases);
  expect(cases).toHaveLength(5);
  for (const [isoWeek, [monday, sunday]] of Object.entries(WEEKS)) {
    const open = cases.filter((c: any) => c.openedOn <= sunday && !(c.closedOn && c.closedOn <= sunday));
    expect(week('350102', `2026-${isoWeek}`)).toMatchObject({
      openCases: open.length,
      overdue: open.filter((c: any) => c.deadline < sunday).length,
      returns: cases.filter((c: any) => c.status === 'RETURNED' && c.closedOn >= monday && c.closedOn <= sunday).length,
    });
  }
  // The same by hand, so a recount that drifted with the code would not pass unnoticed.
  expect(['2026-W39', '2026-W40', '2026-W41'].map((w) => week('350102', w)).map(({ openCases, overdue, returns }: any) => [openCases, overdue, returns]))
    .toEqual([[2, 0, 1], [3, 1, 0], [3, 2, 1]]);

  expect(week('350102', '2026-W39')).toMatchObject({ report: 'MISSING', submittedAt: null });
  expect(week('350102', '2026-W40')).toMatchObject({ report: 'LATE', submittedAt: '2026-10-07T01:00:00.000Z' });
  expect(week('350102', '2026-W41')).toMatchObject({ report: 'ON_TIME' });
  expect(week('350103', '2026-W41')).toMatchObject({ report: 'LATE', openCases: 2 });
  expect(week('350121', '2026-W41')).toMatchObject({ report: 'MISSING', openCases: 3 });

  // Ranks: 1 has the most open cases, ties share a rank (SQL RANK), counties without cases share the last.
  expect(['350121', '350102', '350103', '350104'].map((c) => week(c, '2026-W39').cityRank)).toEqual([1, 2, 2, 4]);
  expect(['350121', '350102', '350103', '350104'].map((c) => week(c, '2026-W41').cityRank)).toEqual([1, 1, 3, 4]);
  expect(rows.every((r: any) => r.cityCounties === 13)).toBe(true);

  // Recount every rank from the province's own answer: rank = 1 + counties with more open cases.
  const all = (await gql(t.province, HISTORY, { f: '2026-W39', t: '2026-W41' })).countyProgressHistory;
  expect(all.length).toBeGreaterThan(13);
  for (const isoWeek of ['2026-W39', '2026-W40', '2026-W41']) {
    const open = all.map((r: any) => ({ code: r.region.code, cityCounties: r.cityCounties, provinceCounties: r.provinceCounties, ...r.weeks.find((w: any) => w.isoWeek === isoWeek) }));
    for (const c of open) {
      const city = open.filter((o: any) => o.code.slice(0, 4) === c.code.slice(0, 4));
      expect([c.provinceRank, c.provinceCounties, c.cityRank, c.cityCounties]).toEqual([
        1 + open.filter((o: any) => o.openCases > c.openCases).length, all.length,
        1 + city.filter((o: any) => o.openCases > c.openCases).length, city.length,
      ]);
    }
  }
  // The city's supervisor and the province's see the same figures for the city's counties.
  expect(all.filter((r: any) => r.region.code.startsWith('3501'))).toEqual(rows);
});

it('shows a county only itself, still ranked in its city and the province', async () => {
  const rows = (await gql(t.taijiang, HISTORY, { f: '2026-W41', t: '2026-W41' })).countyProgressHistory;
  expect(rows).toEqual([expect.objectContaining({ region: { code: '350103' }, cityCounties: 13, provinceCounties: 84, weeks: [expect.objectContaining({ openCases: 2, cityRank: 3 })] })]);
});

it('refuses weeks that have not ended, reversed or too long ranges and malformed weeks, naming the argument', async () => {
  const refused = async (f: string, to: string, path: string) => {
    const res = await hub.gql(HISTORY, { f, t: to }, t.fuzhou);
    expect([codes(res), paths(res), res.body.data?.countyProgressHistory ?? null]).toEqual([['BAD_USER_INPUT'], [path], null]);
  };
  await refused('2026-W41', '2026-W42', 'to'); // this week (12–18 October) has not ended
  await refused('2026-W43', '2026-W44', 'to');
  await refused('2026-W41', '2026-W39', 'from');
  await refused('2026-W10', '2026-W36', 'to'); // 27 weeks
  await refused('2026-41', '2026-W41', 'from');
  await refused('2026-W39', '2026-W54', 'to');
  expect((await gql(t.fuzhou, HISTORY, { f: '2026-W16', t: '2026-W41' })).countyProgressHistory[0].weeks).toHaveLength(26);
  // Across a year's end: 2020 has 53 weeks.
  const span = (await gql(t.fuzhou, HISTORY, { f: '2020-W52', t: '2021-W02' })).countyProgressHistory[0].weeks.map((w: any) => w.isoWeek);
  expect(span).toEqual(['2020-W52', '2020-W53', '2021-W01', '2021-W02']);
});

it('counts each responsible unit\'s and person\'s open, overdue and returned cases for supervisors and education', async () => {
  const units = (await gql(t.fuzhou, CASELOAD, { g: 'RESPONSIBLE_UNIT' })).caseload;
  const row = (code: string, unit: string, person: string | null, open: number, overdue: number, returned: number) =>
    ({ region: { code }, responsibleUnit: unit, responsiblePerson: person, openCases: open, overdue, returnedThisSchoolYear: returned });
  expect(units).toEqual([
    row('350102', '鼓楼二中', null, 2, 1, 0),
    row('350102', '鼓楼一中', null, 1, 1, 2),
    row('350121', '闽侯一中', null, 3, 0, 0),
    row('350103', '台江一中', null, 2, 0, 0),
  ]);
  const people = (await gql(t.fuzhou, CASELOAD, { g: 'RESPONSIBLE_PERSON' })).caseload;
  // Names repeat across schools (班主任): a person is counted within the unit.
  expect(people).toEqual([
    row('350102', '鼓楼一中', '王老师', 1, 1, 1),
    row('350102', '鼓楼二中', '李老师', 1, 1, 0),
    row('350121', '闽侯一中', '张老师', 3, 0, 0),
    row('350103', '台江一中', '班主任', 2, 0, 0),
    row('350102', '鼓楼二中', '班主任', 1, 0, 0),
    row('350102', '鼓楼一中', '李老师', 0, 0, 1),
  ]);
  // Recount the units from the people: the two groupings agree.
  for (const u of units) {
    const mine = people.filter((p: any) => p.region.code === u.region.code && p.responsibleUnit === u.responsibleUnit);
    expect(['openCases', 'overdue', 'returnedThisSchoolYear'].map((k) => mine.reduce((s: number, p: any) => s + p[k], 0))).toEqual([u.openCases, u.overdue, u.returnedThisSchoolYear]);
  }
  // A county's education sees its county only; another department's supervisor sees the same as education's.
  expect((await gql(t.taijiang, CASELOAD, { g: 'RESPONSIBLE_PERSON' })).caseload).toEqual([row('350103', '台江一中', '班主任', 2, 0, 0)]);
  expect((await gql(t.psbSupervisor, CASELOAD, { g: 'RESPONSIBLE_PERSON' })).caseload).toEqual(people);
});

it('refuses a caseload or a series to readers outside supervision and education, or without row access, with nothing of a case', async () => {
  for (const token of [t.psbClerk, t.town, t.analyst]) {
    for (const g of ['RESPONSIBLE_UNIT', 'RESPONSIBLE_PERSON']) {
      const res = await hub.gql(CASELOAD, { g }, token);
      expect([codes(res), res.body.data?.caseload ?? null]).toEqual([['FORBIDDEN'], null]);
      expect(res.text).not.toMatch(/老师|班主任|鼓楼/);
    }
  }
  const res = await hub.gql(HISTORY, { f: '2026-W39', t: '2026-W41' }, t.analyst);
  expect([codes(res), res.body.data?.countyProgressHistory ?? null]).toEqual([['FORBIDDEN'], null]);
});
