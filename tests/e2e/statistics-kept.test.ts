/**
 * The statistics the hub keeps by the change log (src/stats/stats.cube.ts) give the same answers as
 * counting the tables: two instances on one database, one answering from the kept counts (the
 * default) and one counting the tables every time (`STATS_KEEP=false`), are asked the same
 * questions, for readers of the province, a city and a county, supervisors and analysts, before
 * and after writes of every kind the counts depend on, concurrently, at settled month ends, and
 * after children are loaded past the log. Tampering with the kept counts shows in the kept answers
 * only: they are what answers.
 */
import 'reflect-metadata';
import { seedChildren } from '../../seeds/generator';
import { Clock } from '../../src/core/clock';
import { random } from '../support/attacks';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, TODAY, type TestHub } from '../support/hub';

let kept: TestHub;
let direct: TestHub;
/** Answers from the kept counts without keeping answers (stats.cache.ts): what the counts say now. */
let uncached: TestHub;
const t: Record<string, string> = {};
const COUNTIES = ['350102', '350103', '350121'];
const REASONS = ['FAMILY_POVERTY', 'STUDY_WEARINESS', 'WORKING_AWAY'];
const STATUSES = ['ENROLLED', 'ENROLLED', 'ENROLLED', 'DROPPED_OUT', 'DROPPED_OUT', 'SUSPENDED', 'HOME_TEACHING', 'SPECIAL_SCHOOL'];
const FLAGS = ['leftBehind', 'deFactoUnsupported', 'migrant', 'parentImprisoned', 'orphan', 'subsistenceAllowance'];
let education: Array<{ childId: string; status: string; stage: string; grade: number; schoolName: string }>;

async function ok(hub: TestHub, query: string, variables: object, token: string): Promise<any> {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}
const write = (mutation: string, input: string, records: object[], token: string) =>
  ok(kept, `mutation($r: [${input}!]!) { ${mutation}(records: $r) { replayed } }`, { r: records }, token);

const TABLE = 'disclosure cells { key values { measure value suppressed } } totals { key values { measure value suppressed } }';
const STATISTICS = `query($m: [StatMeasure!]!, $g: [StatDimension!], $f: StatisticsFilter, $a: String) { statistics(measures: $m, groupBy: $g, filter: $f, asOf: $a) { ${TABLE} } }`;
const SERIES = `query($m: StatMeasure!, $g: [StatDimension!]) { statisticsSeries(measure: $m, from: "2026-05", to: "2026-10", groupBy: $g) {
  asOf disclosure cells { key values { value suppressed } } totals { key values { value suppressed } } } }`;

/** Questions the kept counts answer: every measure and dimension they hold, with filters. */
const QUESTIONS: Array<{ m: string[]; g: string[]; f?: object }> = [
  { m: ['OPEN_DROPOUT_CASES', 'CHILDREN'], g: ['COUNTY', 'STAGE'] },
  { m: ['IN_SCHOOL', 'NOT_IN_SCHOOL', 'OVERDUE_CASES', 'RETURNED'], g: ['TOWNSHIP'] },
  { m: ['LEFT_BEHIND', 'DE_FACTO_UNSUPPORTED', 'MIGRANT', 'PARENT_IMPRISONED', 'ORPHAN', 'SUBSISTENCE_ALLOWANCE'], g: ['GENDER'] },
  { m: ['REGISTERED_POOR', 'MONITORED_HOUSEHOLD', 'DISABILITY', 'SERIOUS_ILLNESS'], g: ['CITY', 'GRADE'] },
  { m: ['OPEN_DROPOUT_CASES'], g: ['DROPOUT_REASON', 'KEY_REGION'], f: { stage: ['JUNIOR_SECONDARY', 'PRIMARY'], gender: ['FEMALE'] } },
  { m: ['CHILDREN', 'OVERDUE_CASES'], g: ['COUNTY'], f: { region: '350102', grade: [1, 2, 3, 7] } },
  { m: ['NOT_IN_SCHOOL'], g: [], f: { keyRegion: true, dropoutReason: ['FAMILY_POVERTY'] } },
];

/** Every question, for every reader, on one instance: the answers as JSON, in one list. */
async function answers(hub: TestHub, readers = ['province', 'city', 'county', 'analyst', 'countyAnalyst']): Promise<string[]> {
  const out: string[] = [];
  for (const reader of readers) {
    for (const q of QUESTIONS) out.push(JSON.stringify([reader, q, await ok(hub, STATISTICS, { ...q, a: null }, t[reader])]));
  }
  return out;
}

async function expectSame(): Promise<void> {
  const fromKept = await answers(kept);
  const fromTables = await answers(direct);
  // The first question that differs, whole (the lists are long).
  expect(fromKept.find((answer, i) => answer !== fromTables[i]) ?? null).toBeNull();
  expect(fromKept).toEqual(fromTables);
  // The kept counts stand at the chains' present heads: they were brought up to date to answer.
  const [state] = await kept.sql<{ fresh: boolean }>(`SELECT s.heads = (SELECT COALESCE(string_agg(chain || ':' || seq::text, ',' ORDER BY chain), '') FROM hub.chain_head) AS fresh FROM hub.stat_cube_state s`);
  expect(state).toEqual({ fresh: true });
}

beforeAll(async () => {
  kept = await startTestHub();
  direct = await startTestHub({ sameDatabaseAs: kept, env: { STATS_KEEP: 'false' } });
  uncached = await startTestHub({ sameDatabaseAs: kept, env: { STATS_CACHE_ENTRIES: '0' } });
  // Children loaded as the ledger stood before the hub (no entries): as of any month end they
  // stood as they were loaded, until the writes below; the kept month ends hold them.
  await seedChildren(kept.server.db.sql, new Clock(TODAY), { children: 60, seed: 9, counties: COUNTIES });
  t.province = await kept.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  t.city = await kept.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  t.county = await kept.token({ dept: 'EDU', region: '350102', roles: ['supervisor'] });
  t.analyst = await kept.token({ dept: 'EDU', region: '350000', roles: ['analyst'] });
  t.countyAnalyst = await kept.token({ dept: 'EDU', region: '350102', roles: ['analyst'] });
  t.edu = await kept.token({ dept: 'EDU', region: '350000', roles: ['clerk'] });
  await ok(kept, 'mutation { setKeyRegions(counties: ["350121"], reason: "测试") { code } }', {}, t.province);
  const next = random(27);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  // Hukou and residence differ for some: a county reader counts both.
  const children = Array.from({ length: 90 }, () => {
    const residence = pick(COUNTIES);
    const hukou = next() < 0.2 ? pick(['350203', ...COUNTIES]) : residence;
    return { ...childInput({ hukouRegion: hukou, residenceRegion: residence, gender: next() < 0.5 ? 'MALE' : 'FEMALE' }), township: `${residence}00${1 + Math.floor(next() * 3)}` };
  });
  await ok(kept, REGISTER, { records: children }, t.edu);
  education = children.filter(() => next() < 0.9).map((c) => {
    const grade = 1 + Math.floor(next() * 9);
    return { childId: c.id, status: pick(STATUSES), stage: grade <= 6 ? 'PRIMARY' : 'JUNIOR_SECONDARY', grade, schoolName: '测试学校' };
  });
  await write('upsertEducationRecords', 'EducationRecordInput', education, t.edu);
  const civil = children.filter(() => next() < 0.4).map((c) => ({ childId: c.id, ...Object.fromEntries(FLAGS.map((f) => [f, next() < 0.3])) }));
  await write('upsertCivilAffairsRecords', 'CivilAffairsRecordInput', civil, await kept.token({ dept: 'CIVIL', region: '350000', roles: ['clerk'] }));
  const poverty = children.filter(() => next() < 0.3).map((c) => ({ childId: c.id, registeredPoor: next() < 0.6, monitoredHousehold: next() < 0.3 }));
  await write('upsertPovertyRecords', 'PovertyRecordInput', poverty, await kept.token({ dept: 'POVERTY', region: '350000', roles: ['clerk'] }));
  const health = children.filter(() => next() < 0.3).map((c) => ({ childId: c.id, seriousIllness: next() < 0.4, screenedOn: '2026-09-01' }));
  await write('upsertHealthRecords', 'HealthRecordInput', health, await kept.token({ dept: 'HEALTH', region: '350000', roles: ['clerk'] }));
  const disability = children.filter(() => next() < 0.1).map((c) => ({ childId: c.id, disabilityType: 'HEARING', disabilityLevel: 2 }));
  await write('upsertDisabilityRecords', 'DisabilityRecordInput', disability, await kept.token({ dept: 'DPF', region: '350000', roles: ['clerk'] }));
  const cases = education.filter((e) => e.status === 'DROPPED_OUT').map((e) => ({
    childId: e.childId, reason: pick(REASONS), openedOn: '2026-09-05', responsiblePerson: '责任人', responsibleUnit: '街道', deadline: next() < 0.4 ? '2026-10-01' : '2027-07-31',
  }));
  await write('openDropoutCases', 'OpenDropoutCaseInput', cases, t.edu);
}, 180_000);

afterAll(async () => {
  await uncached?.stop();
  await direct?.stop();
  await kept?.stop();
});

test('the first question builds the kept counts, and every answer equals the count of the tables', async () => {
  expect(await kept.sql('SELECT heads FROM hub.stat_cube_state')).toEqual([{ heads: null }]);
  await expectSame();
  const [{ children, groups }] = await kept.sql<{ children: number; groups: number }>('SELECT (SELECT sum(n) FROM hub.stat_cube)::int AS children, (SELECT count(*) FROM hub.stat_cube)::int AS groups');
  expect(children).toBe(150);
  expect(groups).toBeGreaterThan(0);
});

test('after writes of each kind the counts depend on, the kept answers are brought up to date and still equal', async () => {
  const open = await kept.sql<{ id: string; child_id: string; version: number }>(`SELECT id, child_id, version FROM edu.dropout_case WHERE status = 'OPEN' ORDER BY id`);
  const enrolled = education.filter((e) => e.status === 'ENROLLED');
  // A return to school: the school record first, then the case closes as RETURNED.
  const back = education.find((e) => e.childId === open[0].child_id)!;
  const [was] = await kept.sql<{ version: number }>('SELECT version FROM edu.education_record WHERE child_id = $1', [back.childId]);
  await write('upsertEducationRecords', 'EducationRecordInput', [{ ...back, status: 'ENROLLED', expectedVersion: was.version }], t.edu);
  await expectSame();
  await ok(kept, 'mutation($i: TransitionDropoutCaseInput!) { transitionDropoutCase(input: $i, reason: "复学") { replayed } }',
    { i: { caseId: open[0].id, status: 'RETURNED', expectedVersion: open[0].version } }, t.edu);
  await expectSame();
  // A child drops out and a case is opened, past its deadline.
  const [version] = await kept.sql<{ version: number }>('SELECT version FROM edu.education_record WHERE child_id = $1', [enrolled[0].childId]);
  await write('upsertEducationRecords', 'EducationRecordInput', [{ ...enrolled[0], status: 'DROPPED_OUT', expectedVersion: version.version }], t.edu);
  await write('openDropoutCases', 'OpenDropoutCaseInput', [{ childId: enrolled[0].childId, reason: 'STUDY_WEARINESS', openedOn: '2026-09-20', responsiblePerson: '责任人', responsibleUnit: '街道', deadline: '2026-10-10' }], t.edu);
  await expectSame();
  // A child moves to another township of its county; a new child is registered with a section.
  const [moved] = await kept.sql<{ id: string; residence_region: string }>(`SELECT id, residence_region FROM hub.child WHERE residence_region = '350102' ORDER BY id LIMIT 1`);
  await ok(kept, 'mutation($r: [AssignTownshipInput!]!) { assignTownships(records: $r) { replayed } }', { r: [{ childId: moved.id, township: '350102009' }] }, t.edu);
  const fresh = childInput({ hukouRegion: '350103', gender: 'FEMALE' });
  await ok(kept, REGISTER, { records: [fresh] }, t.edu);
  await write('upsertEducationRecords', 'EducationRecordInput', [{ childId: fresh.id, status: 'ENROLLED', stage: 'PRIMARY', grade: 2, schoolName: '测试学校' }], t.edu);
  await expectSame();
  // The police register the same child again without a number (无户口); the two are merged: one child less.
  const again = { ...childInput({ name: fresh.name, gender: 'FEMALE', birthDate: fresh.birthDate, hukouRegion: '350103', idNumber: null }), hukouStatus: 'NO_HUKOU' };
  const psb = await kept.token({ dept: 'PSB', region: '350103', roles: ['clerk'] });
  const registered = await ok(kept, `mutation($records: [RegisterChildInput!]!) { registerChildren(records: $records) { possibleDuplicates { pairId candidate { id } } } }`, { records: [again] }, psb);
  await expectSame();
  // Among its look-alikes (a seeded child may share the name), the one registered above.
  const pair = registered.registerChildren.possibleDuplicates.find((p: { candidate: { id: string } }) => p.candidate.id === fresh.id);
  expect(pair).toBeDefined();
  await ok(kept, 'mutation($p: ID!, $s: ID) { resolveDuplicate(pairId: $p, decision: SAME, survivorId: $s, reason: "同一人") { id } }', { p: pair.pairId, s: fresh.id }, psb);
  await expectSame();
  expect(await kept.sql('SELECT counted FROM hub.stat_child WHERE child_id = $1', [again.id])).toEqual([{ counted: false }]);
});

test('questions asked at once after a write each get the same answer as the tables give', async () => {
  const child = education.find((e) => e.status === 'SUSPENDED')!;
  const [version] = await kept.sql<{ version: number }>('SELECT version FROM edu.education_record WHERE child_id = $1', [child.childId]);
  await write('upsertEducationRecords', 'EducationRecordInput', [{ ...child, status: 'ENROLLED', expectedVersion: version.version }], t.edu);
  const ask = (hub: TestHub) => ok(hub, STATISTICS, { ...QUESTIONS[1], a: null }, t.province);
  const together = await Promise.all(Array.from({ length: 8 }, () => ask(kept)));
  const expected = await ask(direct);
  for (const answer of together) expect(answer).toEqual(expected);
});

test('the kept counts are what answers, at each grain: a changed count shows in the kept answer only, and is counted again from the log', async () => {
  // Province-wide questions read the coarse grains (no township or hukou; no special groups for
  // the first); a city reader's scope reads the finest, which has the hukou region.
  for (const [table, reader, q] of [
    ['hub.stat_cube_county', 'province', { m: ['CHILDREN'], g: ['COUNTY'], a: null }],
    ['hub.stat_cube_groups', 'province', { m: ['LEFT_BEHIND', 'CHILDREN'], g: ['COUNTY'], a: null }],
    ['hub.stat_cube', 'city', { m: ['CHILDREN'], g: ['COUNTY'], a: null }],
  ] as const) {
    const before = await ok(uncached, STATISTICS, q, t[reader]);
    expect(before).toEqual(await ok(direct, STATISTICS, q, t[reader]));
    await kept.sql(`UPDATE ${table} SET n = n + 1000 WHERE ctid = (SELECT ctid FROM ${table} WHERE residence_region = '350102' AND n > 0 LIMIT 1)`);
    expect(await ok(uncached, STATISTICS, q, t[reader])).not.toEqual(before);
    expect(await ok(direct, STATISTICS, q, t[reader])).toEqual(before);
    await kept.sql(`UPDATE ${table} SET n = n - 1000 WHERE n >= 1000`);
    expect(await ok(uncached, STATISTICS, q, t[reader])).toEqual(before);
  }
  // A child the log names is counted again from the tables: its old row out, its new row in.
  // A child still counted: the one merged away above also lives in 350103, and a write to its id is refused.
  const [child] = await kept.sql<{ id: string }>(`SELECT child_id AS id FROM hub.stat_child WHERE residence_region = '350103' AND counted ORDER BY child_id LIMIT 1`);
  await kept.sql(`UPDATE hub.stat_child SET gender = CASE gender WHEN 'MALE' THEN 'FEMALE' ELSE 'MALE' END WHERE child_id = $1`, [child.id]);
  await ok(kept, 'mutation($r: [AssignTownshipInput!]!) { assignTownships(records: $r) { replayed } }', { r: [{ childId: child.id, township: '350103008' }] }, t.edu);
  // Its old row was taken out under the changed gender: the cube now says one child too many of
  // one gender and one too few of the other, which the tables do not.
  const g = { m: ['CHILDREN'], g: ['GENDER'], f: { region: '350103' }, a: null };
  expect(await ok(uncached, STATISTICS, g, t.province)).not.toEqual(await ok(direct, STATISTICS, g, t.province));
  // Dropped, the kept counts are built again from the tables at the next question.
  await kept.sql('UPDATE hub.stat_cube_state SET heads = NULL');
  expect(await ok(uncached, STATISTICS, g, t.province)).toEqual(await ok(direct, STATISTICS, g, t.province));
  await expectSame();
});

/** The month ends kept, as China Standard Time dates. */
async function keptMonths(): Promise<string[]> {
  return (await kept.sql<{ at: string }>(`SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS.MS') AS at FROM hub.stat_month_state ORDER BY at`)).map((m) => m.at);
}
const MONTH_ENDS = ['2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30'].map((d) => `${d} 23:59:59.999`);

test('a month end not kept is answered from the tables as they stood, and asking does not keep it', async () => {
  const series = (hub: TestHub, token: string) => ok(hub, SERIES, { m: 'OPEN_DROPOUT_CASES', g: ['COUNTY'] }, token);
  for (const reader of ['province', 'county', 'analyst']) expect(await series(kept, t[reader])).toEqual(await series(direct, t[reader]));
  expect(await keptMonths()).toEqual([]);
});

test('the schedule keeps settled month ends, newest first, from the tables as they stood; series and asOf read them', async () => {
  // Month ends from May to September 2026 are settled (a day past) by the real clock; October is the test's today.
  const child = education.find((e) => e.status === 'ENROLLED' && e.grade < 9)!;
  const [version] = await kept.sql<{ version: number }>('SELECT version FROM edu.education_record WHERE child_id = $1', [child.childId]);
  await write('upsertEducationRecords', 'EducationRecordInput', [{ ...child, grade: child.grade + 1, expectedVersion: version.version }], t.edu);
  const scheduled = await startTestHub({ sameDatabaseAs: kept, env: { STATS_KEEP_INTERVAL_SECONDS: '1' } });
  try {
    for (let i = 0; i < 150 && (await keptMonths()).length < 5; i++) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await scheduled.stop();
  }
  const months = await keptMonths();
  expect(months.slice(-5)).toEqual(MONTH_ENDS);
  // It brought the counts up to the write too, unasked.
  const [state] = await kept.sql<{ fresh: boolean }>(`SELECT s.heads = (SELECT string_agg(chain || ':' || seq::text, ',' ORDER BY chain) FROM hub.chain_head) AS fresh FROM hub.stat_cube_state s`);
  expect(state).toEqual({ fresh: true });
  const series = (hub: TestHub, token: string) => ok(hub, SERIES, { m: 'OPEN_DROPOUT_CASES', g: ['COUNTY'] }, token);
  for (const reader of ['province', 'county', 'analyst']) expect(await series(kept, t[reader])).toEqual(await series(direct, t[reader]));
  // A month end's answer as a date is the same kept month.
  const asOf = { m: ['CHILDREN', 'OPEN_DROPOUT_CASES'], g: ['COUNTY', 'GENDER'], a: '2026-09-30' };
  const then = await ok(direct, STATISTICS, asOf, t.city);
  expect(await ok(kept, STATISTICS, asOf, t.city)).toEqual(then);
  // Not today's figures: the writes since the month end are not in them.
  expect(then).not.toEqual(await ok(direct, STATISTICS, { ...asOf, a: null }, t.city));
  expect(JSON.stringify(then)).toMatch(/"value":[1-9]/);
  // What answers is the kept month, at the finest grain for a city reader and the coarse one for the province: changed, it shows.
  for (const [table, reader] of [['hub.stat_month', 'city'], ['hub.stat_month_county', 'province']] as const) {
    const before = await ok(uncached, STATISTICS, asOf, t[reader]);
    expect(before).toEqual(await ok(direct, STATISTICS, asOf, t[reader]));
    await kept.sql(`UPDATE ${table} SET n = n + 1000 WHERE ctid = (SELECT ctid FROM ${table} WHERE at = '2026-09-30T23:59:59.999+08:00' AND residence_region = '350102' AND n > 0 LIMIT 1)`);
    expect(await ok(uncached, STATISTICS, asOf, t[reader])).not.toEqual(before);
    await kept.sql(`UPDATE ${table} SET n = n - 1000 WHERE n >= 1000`);
    expect(await ok(uncached, STATISTICS, asOf, t[reader])).toEqual(before);
  }
});

test('children loaded past the log (the seeder) drop the kept counts, and the next answer counts them', async () => {
  await expectSame();
  const [before] = await kept.sql<{ epoch: string }>('SELECT epoch::text FROM hub.stat_cube_state');
  await seedChildren(kept.server.db.sql, new Clock(TODAY), { children: 25, seed: 5, counties: ['350102'] });
  expect(await kept.sql('SELECT heads, epoch::text FROM hub.stat_cube_state')).toEqual([{ heads: null, epoch: String(Number(before.epoch) + 1) }]);
  expect(await kept.sql('SELECT * FROM hub.stat_month_state')).toEqual([]);
  await expectSame();
  const [{ children }] = await kept.sql<{ children: number }>('SELECT sum(n)::int AS children FROM hub.stat_cube');
  expect(children).toBe(151 + 25);
  // The merged child is not counted again by the build.
  expect(await kept.sql('SELECT count(*)::int AS n FROM hub.stat_child WHERE NOT counted')).toEqual([{ n: 1 }]);
});
