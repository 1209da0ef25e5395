/**
 * The statistics' kept answers (src/stats/stats.cache.ts) are exact: a question asked again is
 * answered from the rows kept only while no entry has been appended to any chain since, so every
 * answer equals the test's own direct count of the tables at that moment, across writes in the
 * asker's county, in another county, and back again; an `asOf` answer stays what stood then.
 */
import 'reflect-metadata';
import { random } from '../support/attacks';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const COUNTIES = ['350102', '350103'];
const STATISTICS = `query($m: [StatMeasure!]!, $g: [StatDimension!], $a: String) {
  statistics(measures: $m, groupBy: $g, asOf: $a) { cells { key values { value } } totals { key values { value } } }
}`;
const CASE = { reason: 'FAMILY_POVERTY', openedOn: '2026-09-10', responsiblePerson: '责任人', responsibleUnit: '街道', deadline: '2027-07-31' };
let education: Array<{ childId: string; status: string; stage: string; grade: number; schoolName: string }>;

async function ok(query: string, variables: object, token: string): Promise<any> {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

/** The hub's table county × stage of open cases and children, as `key → [open, children]`. */
async function asked(asOf?: string): Promise<Record<string, number[]>> {
  const data = await ok(STATISTICS, { m: ['OPEN_DROPOUT_CASES', 'CHILDREN'], g: ['COUNTY', 'STAGE'], a: asOf ?? null }, t.supervisor);
  const cells = [...data.statistics.cells, ...data.statistics.totals] as Array<{ key: Array<string | null>; values: Array<{ value: number }> }>;
  return Object.fromEntries(cells.map((c) => [JSON.stringify(c.key), c.values.map((v) => v.value)]));
}

/** The same table counted here, from each Fuzhou child's row as the tables hold it now. */
async function counted(): Promise<Record<string, number[]>> {
  const rows = await hub.sql<{ county: string; stage: string | null; open: boolean }>(`
    SELECT c.residence_region AS county, e.stage,
      EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status IN ('OPEN', 'PERSUADING')) AS open
    FROM hub.child c LEFT JOIN edu.education_record e ON e.child_id = c.id
    WHERE c.hukou_region LIKE '3501%' OR c.residence_region LIKE '3501%'`);
  const out: Record<string, number[]> = {};
  for (const r of rows) {
    const stage = r.stage ?? 'UNKNOWN';
    for (const key of [[r.county, stage], [r.county, null], [null, stage], [null, null]]) {
      const cell = (out[JSON.stringify(key)] ??= [0, 0]);
      if (r.open) cell[0]++;
      cell[1]++;
    }
  }
  return out;
}

const statements = () => hub.metric('baoxue_sql_statements_total');

beforeAll(async () => {
  hub = await startTestHub();
  t.supervisor = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  t.clerk = await hub.token({ dept: 'EDU', region: '350100', roles: ['clerk'] });
  const next = random(31);
  const children = Array.from({ length: 40 }, (_, i) => childInput({ hukouRegion: COUNTIES[i % 2], gender: next() < 0.5 ? 'MALE' : 'FEMALE' }));
  await ok(REGISTER, { records: children }, t.clerk);
  education = children.map((c) => {
    const grade = 1 + Math.floor(next() * 9);
    return { childId: c.id, status: next() < 0.4 ? 'DROPPED_OUT' : 'ENROLLED', stage: grade <= 6 ? 'PRIMARY' : 'JUNIOR_SECONDARY', grade, schoolName: '测试学校' };
  });
  await ok('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: education }, t.clerk);
  const dropouts = education.filter((e) => e.status === 'DROPPED_OUT').slice(0, -2);
  await ok('mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', { r: dropouts.map((e) => ({ childId: e.childId, ...CASE })) }, t.clerk);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

test('a question asked again is answered from the kept rows, with the same figures, equal to a direct count', async () => {
  const first = await asked();
  expect(first).toEqual(await counted());
  const before = await statements();
  const again = await asked();
  const used = (await statements()) - before;
  expect(again).toEqual(first);
  // Kept: the transaction and the chains' heads, not the count itself.
  const fresh = await statements();
  await asked(new Date(Date.now() - 1).toISOString());
  expect(used).toBeLessThan((await statements()) - fresh);
});

test('after a write in either county, or a change of stage, the answer is counted again and equals a direct count', async () => {
  expect(await asked()).toEqual(await counted());
  // Children without a case yet, one in each county where there is one (child i lives in COUNTIES[i % 2]).
  const open = new Set((await hub.sql<{ child_id: string }>('SELECT child_id FROM edu.dropout_case')).map((r) => r.child_id));
  const without = COUNTIES.map((_, k) => education.find((e, i) => i % 2 === k && e.status === 'DROPPED_OUT' && !open.has(e.childId)) ?? education.find((e, i) => i % 2 === k && !open.has(e.childId))!);
  for (const child of without) {
    const before = await asked();
    await ok('mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', { r: [{ childId: child.childId, ...CASE }] }, t.clerk);
    const after = await asked();
    expect(after).toEqual(await counted());
    expect(after).not.toEqual(before);
  }
  // A child moves from primary to junior secondary: the stage's cells change, the totals do not.
  const moved = education.find((e) => e.stage === 'PRIMARY')!;
  const before = await asked();
  await ok('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', {
    r: [{ ...moved, stage: 'JUNIOR_SECONDARY', grade: 7, expectedVersion: 1 }],
  }, t.clerk);
  const after = await asked();
  expect(after).toEqual(await counted());
  expect(after[JSON.stringify([null, null])]).toEqual(before[JSON.stringify([null, null])]);
  expect(after[JSON.stringify([null, 'PRIMARY'])][1]).toBe(before[JSON.stringify([null, 'PRIMARY'])][1] - 1);
});

test('an answer as of a time stays what stood then, asked before and after later writes', async () => {
  const then = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  const expected = await counted();
  const first = await asked(then);
  expect(first).toEqual(expected);
  const child = education.find((e) => e.status === 'ENROLLED' && e.stage === 'JUNIOR_SECONDARY')!;
  await ok('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ ...child, status: 'DROPPED_OUT', expectedVersion: 1 }] }, t.clerk);
  await ok('mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', { r: [{ childId: child.childId, ...CASE }] }, t.clerk);
  expect(await asked()).toEqual(await counted());
  expect(await asked()).not.toEqual(expected);
  expect(await asked(then)).toEqual(expected);
});
