/**
 * Issue 19: countyProgressHistory takes a logged case's status on each Sunday from the change log,
 * not from its status today. Cases are opened, deferred (缓学, on a complete panel assessment) and
 * resumed through the hub's own services, each write dated on its day (`Actor.at`, as the demo's
 * history is written: requests always carry the time of the write), so that their entries fall in
 * different weeks. The hub's day is 2026-10-15; the series is W37 (7–13 Sep) to W41 (5–11 Oct).
 */
import { randomUUID } from 'node:crypto';
import type { Identity } from '../../src/auth/identity';
import { Clock } from '../../src/core/clock';
import { DropoutCaseService } from '../../src/ledger/dropout-case.service';
import type { AssessmentInput, TransitionDropoutCaseInput } from '../../src/ledger/dropout-case.input';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let supervisor: string;
const WEEKS = ['2026-W37', '2026-W38', '2026-W39', '2026-W40', '2026-W41'];
const SUNDAYS = ['2026-09-13', '2026-09-20', '2026-09-27', '2026-10-04', '2026-10-11'];
const HISTORY = 'query($f: String!, $t: String!) { countyProgressHistory(from: $f, to: $t) { region { code } weeks { isoWeek openCases overdue } } }';
const clerk: Identity = { sub: 'history-edu', dept: 'EDU', region: '350100', roles: ['clerk'] };
const expert: Identity = { sub: 'history-expert', dept: 'EDU', region: '350100', roles: ['expert'] };

/** A child with a dropout case for illness, the child loaded as the seed loads (no entries: only the case is counted). */
async function child(county: string): Promise<string> {
  const id = randomUUID();
  await hub.sql(`INSERT INTO hub.child (id, name, gender, birth_date, hukou_region, residence_region, township, created_by, updated_by)
    VALUES ($1, '历史个案', 'FEMALE', '2012-05-01', $2, $2, NULL, 'fixture', 'fixture')`, [id, county]);
  await hub.sql(`INSERT INTO edu.education_record (child_id, status, updated_by) VALUES ($1, 'DROPPED_OUT', 'fixture')`, [id]);
  return id;
}

/** Writes through the services as on that moment (China Standard Time); without one, now, as a request does. */
function on(moment: string | null) {
  const cases = new DropoutCaseService(hub.server.db.orm, new Clock(moment ? moment.slice(0, 10) : undefined));
  const as = (identity: Identity) => ({ identity, requestId: `history-${moment ?? 'now'}`, ...(moment ? { at: new Date(moment) } : {}) });
  return {
    open: (childId: string, openedOn: string) => cases.open(as(clerk), [{ childId, reason: 'ILLNESS', responsiblePerson: '王老师', responsibleUnit: '某中学', openedOn } as never]),
    assess: (childId: string, assessedOn: string) => cases.recordAssessment(as(expert), {
      childId, assessedOn, members: ['卫健 陈医生', '教育 王老师'], decision: 'DEFERRAL',
      evidence: [{ type: 'PANEL_OPINION', reference: '专〔2026〕1号', date: assessedOn }, { type: 'MEDICAL_DIAGNOSIS', reference: '诊断书', date: assessedOn },
        { type: 'GUARDIAN_APPLICATION', reference: '缓学申请书', date: assessedOn }],
    } as unknown as AssessmentInput),
    move: async (childId: string, status: string) => {
      const [c] = await hub.sql<{ id: string; version: number }>('SELECT id, version FROM edu.dropout_case WHERE child_id = $1', [childId]);
      return cases.transition(as(clerk), { caseId: c.id, status, expectedVersion: c.version } as TransitionDropoutCaseInput);
    },
  };
}

beforeAll(async () => {
  hub = await startTestHub();
  supervisor = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
});
afterAll(() => hub?.stop());

it('counts a case deferred for some weeks as not open in those weeks, from the change log, whatever its status today', async () => {
  // Gulou: A opened, deferred in W38, persuading again from W40 (PERSUADING today); B deferred in W41 (DEFERRED today).
  const [a, b] = [await child('350102'), await child('350102')];
  // Cangshan: deferred a moment either side of the end of W39's Sunday (Monday 00:00 China Standard Time).
  const [e, f] = [await child('350104'), await child('350104')];
  for (const id of [a, b, e, f]) {
    await on('2026-09-08T10:00:00+08:00').open(id, '2026-09-07');
    await on('2026-09-10T10:00:00+08:00').assess(id, '2026-09-10');
  }
  await on('2026-09-16T10:00:00+08:00').move(a, 'DEFERRED');
  await on('2026-09-27T23:59:59.999+08:00').move(f, 'DEFERRED');
  await on('2026-09-28T00:00:00+08:00').move(e, 'DEFERRED');
  await on('2026-10-01T10:00:00+08:00').move(a, 'PERSUADING');
  await on('2026-10-06T10:00:00+08:00').move(b, 'DEFERRED');
  // Taijiang: a case recorded today (its creation in the log after every week asked) with an earlier
  // opening date, deferred today: in the weeks asked it stood as recorded, open.
  const g = await child('350103');
  await on(null).open(g, '2026-09-20');
  await on(null).assess(g, '2026-10-14');
  await on(null).move(g, 'DEFERRED');
  // Mawei: a case loaded around the log (no entry), persuading: its dates alone say when it was open.
  const h = await child('350105');
  await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, responsible_person, responsible_unit, deadline, updated_by)
    VALUES (gen_random_uuid(), $1, 'ILLNESS', 'PERSUADING', '2026-09-15', '王老师', '某中学', '2027-07-31', 'fixture')`, [h]);

  const rows = (await hub.gql<any>(HISTORY, { f: WEEKS[0], t: WEEKS[4] }, supervisor)).body.data!.countyProgressHistory as Array<{ region: { code: string }; weeks: Array<{ isoWeek: string; openCases: number; overdue: number }> }>;
  const series = (county: string) => rows.find((r) => r.region.code === county)!.weeks.map((w) => w.openCases);
  // By hand: A 1,0,0,1,1 + B 1,1,1,1,0 (the old rule, from today's status and dates: 2,2,2,2,2).
  expect(series('350102')).toEqual([2, 1, 1, 2, 1]);
  // E deferred at Monday 00:00 of W40 counts open in W39; F, deferred a millisecond before, does not.
  expect(series('350104')).toEqual([2, 2, 1, 0, 0]);
  expect(series('350103')).toEqual([0, 1, 1, 1, 1]);
  expect(series('350105')).toEqual([0, 1, 1, 1, 1]);

  // Recounted from the change log as a supervisor reads it: each logged case's status at the end of
  // each Sunday is the last status entry before Monday 00:00 (+08:00), else the one it was created with.
  const log = await hub.gql<any>('{ changeLog(filter: { entity: "DropoutCase" }, first: 100) { edges { node { at entityId operation changes { field after } } } } }', {}, supervisor);
  expect(log.body.errors).toBeUndefined();
  const entries = (log.body.data.changeLog.edges as Array<{ node: { at: string; entityId: string; operation: string; changes: Array<{ field: string; after: string | null }> } }>)
    .map((e) => e.node).filter((n) => n.changes.some((c) => c.field === 'status')).sort((x, y) => x.at.localeCompare(y.at));
  const cases = await hub.sql<{ id: string; county: string; openedOn: string }>(
    `SELECT d.id, c.hukou_region AS county, d.opened_on::text AS "openedOn" FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id`);
  const recount = (county: string) => SUNDAYS.map((sunday) => cases.filter((c) => c.county === county && c.openedOn <= sunday).filter((c) => {
    const mine = entries.filter((n) => n.entityId === c.id);
    if (!mine.some((n) => n.operation === 'CREATE')) return true; // loaded around the log: open from its opening (none is closed here)
    const ends = new Date(Date.parse(`${sunday}T00:00:00+08:00`) + 86_400_000).toISOString();
    const last = mine.filter((n) => n.at < ends).at(-1) ?? mine[0];
    const status = JSON.parse(last.changes.find((x) => x.field === 'status')!.after!);
    return ['OPEN', 'PERSUADING'].includes(status);
  }).length);
  for (const county of ['350102', '350104', '350103', '350105']) expect([county, series(county)]).toEqual([county, recount(county)]);
  // Overdue follows the same rule (deadlines are next July: none).
  expect(rows.every((r) => r.weeks.every((w) => w.overdue === 0))).toBe(true);
});
