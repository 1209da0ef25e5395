/**
 * `statistics` against the running hub: a supervisor's figures equal direct SQL counts; an
 * analyst's answer withstands the attacks of issue 15 (solving the table as linear equations,
 * repeating a query and averaging, differencing two filters that differ by one child); what a
 * reader's role may not read, it may not count or filter by.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { random, rank } from '../support/attacks';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};

const COUNTIES = ['350102', '350103', '350104'];
const REASONS = ['FAMILY_POVERTY', 'STUDY_WEARINESS', 'WORKING_AWAY'];
const STATUSES = ['ENROLLED', 'ENROLLED', 'ENROLLED', 'ENROLLED', 'ENROLLED', 'DROPPED_OUT', 'DROPPED_OUT', 'SUSPENDED', 'HOME_TEACHING'];
/** The lone child: the only one in grade 9, so that `grade: [1..8]` and `grade: [1..9]` differ by her alone. */
const LONE = randomUUID();

async function write(mutation: string, input: string, records: object[], token: string): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const res = await hub.gql(`mutation($r: [${input}!]!) { ${mutation}(records: $r) { replayed } }`, { r: records.slice(i, i + 500) }, token);
    expect(res.body.errors).toBeUndefined();
  }
}

beforeAll(async () => {
  hub = await startTestHub();
  const clerk = (dept: 'EDU' | 'CIVIL' | 'POVERTY' | 'HEALTH' | 'DPF', region = '350100') => hub.token({ dept, region, roles: ['clerk'] });
  t.supervisor = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  t.analyst = await hub.token({ dept: 'EDU', region: '350100', roles: ['analyst'] });
  t.psbAnalyst = await hub.token({ dept: 'PSB', region: '350100', roles: ['analyst'] });
  t.eduClerk = await clerk('EDU');
  const next = random(15);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const children = Array.from({ length: 150 }, (_, i) => {
    const county = pick(COUNTIES);
    return { ...childInput({ hukouRegion: county, gender: next() < 0.5 ? 'MALE' : 'FEMALE', ...(i === 0 ? { id: LONE } : {}) }), township: `${county}00${1 + Math.floor(next() * 3)}` };
  });
  // One child outside the city: no Fuzhou reader may count her.
  children.push({ ...childInput({ hukouRegion: '350203' }), township: null as unknown as string });
  const res = await hub.gql(REGISTER, { records: children }, await hub.token({ dept: 'EDU', region: '350000', roles: ['clerk'] }));
  expect(res.body.errors).toBeUndefined();
  const fuzhou = children.slice(0, 150);
  // Grades 1–8 for everyone but the lone child (grade 9); a few without an education record.
  const education = fuzhou.filter((c, i) => i === 0 || next() < 0.9).map((c) => {
    const grade = c.id === LONE ? 9 : 1 + Math.floor(next() * 8);
    return { childId: c.id, status: c.id === LONE ? 'DROPPED_OUT' : pick(STATUSES), stage: grade <= 6 ? 'PRIMARY' : 'JUNIOR_SECONDARY', grade, schoolName: '测试学校' };
  });
  await write('upsertEducationRecords', 'EducationRecordInput', education, t.eduClerk);
  const flags = ['leftBehind', 'deFactoUnsupported', 'migrant', 'parentImprisoned', 'orphan', 'subsistenceAllowance'];
  const civil = fuzhou.filter((c) => c.id === LONE || next() < 0.35).map((c) => ({ childId: c.id, ...Object.fromEntries(flags.map((f) => [f, c.id === LONE ? f === 'leftBehind' : next() < 0.3])) }));
  await write('upsertCivilAffairsRecords', 'CivilAffairsRecordInput', civil, await clerk('CIVIL'));
  const poverty = fuzhou.filter((c) => c.id === LONE || next() < 0.3).map((c) => ({ childId: c.id, registeredPoor: c.id === LONE || next() < 0.6, monitoredHousehold: next() < 0.3 }));
  await write('upsertPovertyRecords', 'PovertyRecordInput', poverty, await clerk('POVERTY'));
  const health = fuzhou.filter((c) => c.id !== LONE && next() < 0.3).map((c) => ({ childId: c.id, seriousIllness: next() < 0.3, screenedOn: '2026-09-01' }));
  await write('upsertHealthRecords', 'HealthRecordInput', health, await clerk('HEALTH'));
  const disability = fuzhou.filter((c) => c.id !== LONE && next() < 0.08).map((c) => ({ childId: c.id, disabilityType: 'HEARING', disabilityLevel: 2 }));
  await write('upsertDisabilityRecords', 'DisabilityRecordInput', disability, await clerk('DPF'));
  // Cases for the dropouts: some past their deadline (overdue on the test's today, 2026-10-15).
  const cases = education.filter((e) => e.status === 'DROPPED_OUT').map((e) => ({
    childId: e.childId, reason: e.childId === LONE ? 'WORKING_AWAY' : pick(REASONS), openedOn: '2026-09-05', responsiblePerson: '责任人', responsibleUnit: '街道',
    deadline: e.childId === LONE || next() < 0.4 ? '2026-10-01' : '2027-07-31',
  }));
  await write('openDropoutCases', 'OpenDropoutCaseInput', cases, t.eduClerk);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const STATISTICS = `query($m: [StatMeasure!]!, $g: [StatDimension!], $f: StatisticsFilter) {
  statistics(measures: $m, groupBy: $g, filter: $f) {
    disclosure threshold roundingBase
    cells { key total values { measure value suppressed } }
    totals { key total values { measure value suppressed } }
  }
}`;
interface Cell { key: Array<string | null>; total: boolean; values: Array<{ measure: string; value: number | null; suppressed: boolean }> }
interface Table { disclosure: string; threshold: number | null; roundingBase: number | null; cells: Cell[]; totals: Cell[] }

async function statistics(token: string, m: string[], g: string[], f?: object): Promise<Table> {
  const res = await hub.gql<{ statistics: Table }>(STATISTICS, { m, g, f }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.statistics;
}

/** Each Fuzhou child's facts, read straight from the tables: the test's own, independent count. */
interface Facts { county: string; township: string | null; gender: string; status: string | null; stage: string | null; grade: number | null; reason: string | null; overdue: boolean; leftBehind: boolean; poor: boolean; disabled: boolean; ill: boolean }
async function facts(): Promise<Facts[]> {
  return hub.sql<Facts>(`
    SELECT c.residence_region AS county, c.township, c.gender, e.status, e.stage, e.grade,
      (SELECT d.reason FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status IN ('OPEN', 'PERSUADING') ORDER BY d.opened_on DESC LIMIT 1) AS reason,
      EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status IN ('OPEN', 'PERSUADING') AND d.deadline < '2026-10-15') AS overdue,
      COALESCE(ca.left_behind, FALSE) AS "leftBehind", COALESCE(p.registered_poor, FALSE) AS poor,
      EXISTS (SELECT 1 FROM dpf.disability_record r WHERE r.child_id = c.id) AS disabled, COALESCE(h.serious_illness, FALSE) AS ill
    FROM hub.child c
    LEFT JOIN edu.education_record e ON e.child_id = c.id
    LEFT JOIN civil.civil_affairs_record ca ON ca.child_id = c.id
    LEFT JOIN poverty.poverty_record p ON p.child_id = c.id
    LEFT JOIN health.health_record h ON h.child_id = c.id
    WHERE c.hukou_region LIKE '3501%' OR c.residence_region LIKE '3501%'`);
}

const MEASURE_OF: Record<string, (f: Facts) => boolean> = {
  CHILDREN: () => true,
  IN_SCHOOL: (f) => ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL'].includes(f.status ?? ''),
  NOT_IN_SCHOOL: (f) => !['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL'].includes(f.status ?? ''),
  OPEN_DROPOUT_CASES: (f) => f.reason !== null,
  OVERDUE_CASES: (f) => f.overdue,
  LEFT_BEHIND: (f) => f.leftBehind,
  REGISTERED_POOR: (f) => f.poor,
  DISABILITY: (f) => f.disabled,
  SERIOUS_ILLNESS: (f) => f.ill,
};
const DIMENSION_OF: Record<string, (f: Facts) => string> = {
  CITY: (f) => `${f.county.slice(0, 4)}00`,
  COUNTY: (f) => f.county,
  TOWNSHIP: (f) => f.township ?? 'UNKNOWN',
  STAGE: (f) => f.stage ?? 'UNKNOWN',
  GRADE: (f) => (f.grade === null ? 'UNKNOWN' : String(f.grade)),
  GENDER: (f) => f.gender,
  DROPOUT_REASON: (f) => f.reason ?? 'NONE',
};

/** The exact table, counted in the test: every cell and total with at least one child in scope. */
function expected(all: Facts[], measures: string[], dims: string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const sets = dims.length === 2 ? [[0, 1], [0], [1], []] : dims.length === 1 ? [[0], []] : [[]];
  for (const set of sets) {
    for (const f of all) {
      const key = JSON.stringify(dims.map((d, i) => (set.includes(i) ? DIMENSION_OF[d](f) : null)));
      const counts = out.get(key) ?? measures.map(() => 0);
      measures.forEach((m, i) => { if (MEASURE_OF[m](f)) counts[i]++; });
      out.set(key, counts);
    }
  }
  return out;
}

const asMap = (table: Table) => new Map([...table.cells, ...table.totals].map((c) => [JSON.stringify(c.key), c.values.map((v) => v.value)]));

describe('statistics for a supervisor', () => {
  const ALL = Object.keys(MEASURE_OF);
  it.each([[[]], [['COUNTY']], [['COUNTY', 'STAGE']], [['CITY', 'GENDER']], [['TOWNSHIP']], [['GRADE', 'DROPOUT_REASON']]])('equals direct counts, grouped by %j', async (dims) => {
    const table = await statistics(t.supervisor, ALL, dims);
    expect(table).toMatchObject({ disclosure: 'EXACT', threshold: null });
    expect(asMap(table)).toEqual(expected(await facts(), ALL, dims));
    expect(table.cells.every((c) => !c.total && c.key.every((k) => k !== null))).toBe(true);
  });

  it('counts a child in each special group she is in, and NONE for the others', async () => {
    const table = await statistics(t.supervisor, ['CHILDREN'], ['SPECIAL_GROUP']);
    const [left] = await hub.sql<{ n: number }>(`SELECT count(*)::int AS n FROM civil.civil_affairs_record r JOIN hub.child c ON c.id = r.child_id WHERE r.left_behind AND c.residence_region LIKE '3501%'`);
    expect(asMap(table).get(JSON.stringify(['LEFT_BEHIND']))).toEqual([left.n]);
    expect(asMap(table).get(JSON.stringify([null]))).toEqual([150]);
  });

  it('filters on dimensions, the region filter included', async () => {
    const all = await facts();
    const table = await statistics(t.supervisor, ['CHILDREN', 'OPEN_DROPOUT_CASES'], ['STAGE'], { region: '350103', gender: ['FEMALE'], grade: [1, 2, 3, 7] });
    const chosen = all.filter((f) => f.county === '350103' && f.gender === 'FEMALE' && [1, 2, 3, 7].includes(f.grade ?? -1));
    expect(asMap(table)).toEqual(expected(chosen, ['CHILDREN', 'OPEN_DROPOUT_CASES'], ['STAGE']));
  });
});

describe('refusals', () => {
  const codes = (res: { body: { errors?: Array<{ extensions?: { code?: string } }> } }) => (res.body.errors ?? []).map((e) => e.extensions?.code);
  it('refuses a measure, dimension or filter that counts what the role may not read', async () => {
    // PSB reads no health or civil-affairs record (the matrix), so it may count neither.
    for (const [m, g] of [[['SERIOUS_ILLNESS'], []], [['CHILDREN'], ['SPECIAL_GROUP']], [['LEFT_BEHIND'], []]]) {
      const res = await hub.gql(STATISTICS, { m, g }, t.psbAnalyst);
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(res.body.data).toBeNull();
    }
    const res = await hub.gql(STATISTICS, { m: ['CHILDREN'], g: [], f: { specialGroup: ['ORPHAN'] } }, t.psbAnalyst);
    expect(res.body.errors?.[0].message).toContain('filter specialGroup');
  });

  it('names the field of bad input, and a region outside the reader\'s', async () => {
    const bad = async (m: string[], g: string[], f: object | undefined, code: string, text: string) => {
      const res = await hub.gql(STATISTICS, { m, g, f }, t.analyst);
      expect(codes(res)).toEqual([code]);
      expect(res.body.errors![0].message).toContain(text);
    };
    await bad(['CHILDREN'], ['COUNTY', 'STAGE', 'GENDER'], undefined, 'BAD_USER_INPUT', 'groupBy');
    await bad(['CHILDREN', 'CHILDREN'], [], undefined, 'BAD_USER_INPUT', 'measures');
    await bad(['CHILDREN'], [], { grade: [12] }, 'BAD_USER_INPUT', 'filter.grade[0]');
    await bad(['CHILDREN'], [], { region: '359999' }, 'BAD_USER_INPUT', 'filter.region');
    await bad(['CHILDREN'], [], { region: '350203' }, 'FORBIDDEN', '350203');
  });

  it('refuses an analyst a table larger than STATS_MAX_CELLS, which suppression would take too long to solve; a supervisor gets it', async () => {
    const small = await startTestHub({ sameDatabaseAs: hub, env: { STATS_MAX_CELLS: '20' } });
    try {
      const query = { m: ['CHILDREN'], g: ['TOWNSHIP', 'GRADE'] };
      const res = await small.gql(STATISTICS, query, t.analyst);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].message).toContain('groupBy');
      expect((await small.gql(STATISTICS, { m: ['CHILDREN'], g: ['TOWNSHIP'] }, t.analyst)).body.errors).toBeUndefined();
      expect((await small.gql<{ statistics: Table }>(STATISTICS, query, t.supervisor)).body.data!.statistics.cells.length).toBeGreaterThan(20);
    } finally {
      await small.stop();
    }
  });

  it('gives an analyst no row: child, children (and its totalCount), changeLog', async () => {
    for (const query of ['{ children { totalCount } }', `{ child(id: "${LONE}") { id } }`, '{ changeLog { edges { node { seq } } } }', '{ weeklyFigures(isoWeek: "2026-W42") { visits } }']) {
      const res = await hub.gql(query, {}, t.analyst);
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(res.body.data).toBeNull();
      expect(res.text).not.toContain(LONE);
    }
  });
});

describe('statistics for an analyst: disclosure control under attack', () => {
  const MEASURES = ['CHILDREN', 'NOT_IN_SCHOOL', 'OPEN_DROPOUT_CASES', 'OVERDUE_CASES', 'LEFT_BEHIND', 'REGISTERED_POOR', 'DISABILITY', 'SERIOUS_ILLNESS'];
  const tally = { suppressed: 0, attacked: 0 };

  it.each([[['COUNTY']], [['COUNTY', 'STAGE']], [['TOWNSHIP', 'GENDER']], [['COUNTY', 'DROPOUT_REASON']], [['GRADE', 'GENDER']]])('suppresses small cells and no suppressed cell follows from the table, grouped by %j', async (dims) => {
    const table = await statistics(t.analyst, MEASURES, dims);
    expect(table).toMatchObject({ disclosure: 'SUPPRESSED_ROUNDED', threshold: 5, roundingBase: 5 });
    const truth = expected(await facts(), MEASURES, dims);
    // A group of fewer than 5 children (CHILDREN, the first measure, is the group's size) is not
    // listed at all; the attacker below is given it anyway, as one more withheld value.
    const listed = new Map([...table.cells, ...table.totals].map((e) => [JSON.stringify(e.key), e]));
    const unlisted = [...truth.keys()].filter((k) => !listed.has(k));
    expect([...listed.keys()].filter((k) => !truth.has(k))).toEqual([]);
    expect(unlisted.filter((k) => truth.get(k)![0] >= 5 || !JSON.parse(k).some((x: string | null) => x !== null))).toEqual([]);
    const entries: Cell[] = [...truth.keys()].map((k) => listed.get(k) ?? { key: JSON.parse(k), total: false, values: MEASURES.map((measure) => ({ measure, value: null, suppressed: true })) });
    for (const [i, measure] of MEASURES.entries()) {
      const shown = entries.map((e) => e.values[i]);
      const exact = entries.map((e) => truth.get(JSON.stringify(e.key))![i]);
      for (const [j, v] of shown.entries()) {
        // Primary: every count from 1 to 4 withheld; what is shown, a multiple of 5 within 5 of the truth; 0 stays 0.
        if (exact[j] >= 1 && exact[j] < 5) expect({ measure, key: entries[j].key, v }).toEqual({ measure, key: entries[j].key, v: { measure, value: null, suppressed: true } });
        if (!v.suppressed) {
          expect(v.value! % 5).toBe(0);
          expect(Math.abs(v.value! - exact[j])).toBeLessThan(5);
          if (exact[j] === 0) expect(v.value).toBe(0);
        }
      }
      // The attack: the table's sums as linear equations over the withheld values, the shown values
      // taken as exact. A withheld value is recovered when its unit vector is in the equations'
      // row space (the rank does not grow when it is added).
      const unknown = shown.flatMap((v, j) => (v.suppressed ? [j] : []));
      tally.suppressed += unknown.length;
      const equations: number[][] = [];
      const index = new Map(entries.map((e, j) => [JSON.stringify(e.key), j]));
      for (const [j, e] of entries.entries()) {
        if (e.key.every((k) => k !== null) || dims.length === 0) continue;
        // A total equals the sum of the entries one step below it, along each dimension it totals.
        for (const d of e.key.flatMap((k, n) => (k === null ? [n] : []))) {
          const below = entries.flatMap((x, n) => (x.key.every((k, m) => (m === d ? k !== null : k === e.key[m])) ? [n] : []));
          if (below.length === 0 || dims.includes('SPECIAL_GROUP')) continue;
          equations.push(unknown.map((u) => (u === j ? -1 : below.includes(u) ? 1 : 0)));
        }
      }
      expect(index.size).toBe(entries.length);
      const r = rank(equations);
      for (const [n, u] of unknown.entries()) {
        tally.attacked++;
        const unit = unknown.map((_, k) => (k === n ? 1 : 0));
        // A withheld 0 (a small group's value where nobody counts) follows when its whole line is
        // shown as 0: that says nothing about a child. A non-zero withheld value must never follow.
        if (rank([...equations, unit]) === r && exact[u] !== 0) throw new Error(`${measure} ${JSON.stringify(entries[u].key)} = ${exact[u]} follows from the table`);
      }
    }
  });

  it('withholds every value of a filter that leaves fewer than 5 children, its zeros too', async () => {
    // Grade 9 is the lone child alone: that she has no disability (a 0) would be hers alone to know.
    const table = await statistics(t.analyst, MEASURES, [], { grade: [9] });
    expect(table.cells).toEqual([]);
    expect(table.totals).toEqual([{ key: [], total: true, values: MEASURES.map((measure) => ({ measure, value: null, suppressed: true })) }]);
    const grouped = await statistics(t.analyst, MEASURES, ['COUNTY'], { grade: [9] });
    expect(grouped.cells).toEqual([]);
    expect(grouped.totals.map((c) => c.values.every((v) => v.suppressed))).toEqual([true]);
  });

  it('rounds the same cell alike in every shape of table it is asked in, so that shapes cannot be averaged', async () => {
    const shapes = [[], ['COUNTY'], ['STAGE', 'COUNTY'], ['COUNTY', 'GENDER'], ['GENDER']];
    const answers = await Promise.all(shapes.map((g) => statistics(t.analyst, MEASURES, g)));
    // Each cell's shown values (a complementary suppression may differ between shapes: a withheld value is no second draw).
    const named = (table: Table, g: string[]) => new Map([...table.cells, ...table.totals].flatMap((c) => c.values.filter((v) => !v.suppressed).map((v) => [
      `${g.flatMap((d, i) => (c.key[i] === null ? [] : [`${d}=${c.key[i]}`])).sort().join('&')} ${v.measure}`, v.value] as const)));
    const seen = new Map<string, Set<number | null>>();
    answers.forEach((table, n) => named(table, shapes[n]).forEach((value, cell) => seen.set(cell, new Set([...(seen.get(cell) ?? []), value]))));
    // The grand total in all five shapes, each county in three, each gender in two: one value each.
    expect(seen.get(' CHILDREN')!.size).toBe(1);
    expect([...seen].filter(([, values]) => values.size > 1)).toEqual([]);
    expect([...seen.keys()].filter((cell) => /^COUNTY=\d+ CHILDREN$/.test(cell)).length).toBe(3);
  });

  it('answers a repeated query identically, so that 100 repeats averaged tell nothing more', async () => {
    const answers: Table[] = [];
    for (let i = 0; i < 10; i++) answers.push(...(await Promise.all(Array.from({ length: 10 }, () => statistics(t.analyst, MEASURES, ['COUNTY', 'STAGE'])))));
    expect(answers).toHaveLength(100);
    const entries = (a: Table) => [...a.cells, ...a.totals];
    const truth = expected(await facts(), MEASURES, ['COUNTY', 'STAGE']);
    let offTruth = 0;
    for (const [j, cell] of entries(answers[0]).entries()) {
      for (const i of MEASURES.keys()) {
        const values = answers.map((a) => entries(a)[j].values[i].value);
        // Still withheld in every repeat, or the same value: the average is the single answer.
        expect(new Set(values).size).toBe(1);
        const exact = truth.get(JSON.stringify(cell.key))![i];
        if (values[0] !== null && values[0] !== exact) offTruth++;
      }
    }
    expect(entries(answers[1])).toEqual(entries(answers[0]));
    // Every shown count that is not a multiple of 5 stays off the truth, however often it is asked.
    expect(offTruth).toBe(entries(answers[0]).flatMap((cell) => MEASURES.map((_, i) => ({ cell, i })))
      .filter(({ cell, i }) => !cell.values[i].suppressed && truth.get(JSON.stringify(cell.key))![i] % 5 !== 0).length);
  });

  it('differencing two filters that differ by one child shows no difference of one', async () => {
    // grade 1–8 and grade 1–9 differ by the lone child alone (the only one in grade 9).
    const all = await facts();
    expect(all.filter((f) => f.grade === 9)).toHaveLength(1);
    const without = await statistics(t.analyst, MEASURES, ['COUNTY'], { grade: [1, 2, 3, 4, 5, 6, 7, 8] });
    const withHer = await statistics(t.analyst, MEASURES, ['COUNTY'], { grade: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const a = asMap(without);
    const b = asMap(withHer);
    let differences = 0;
    for (const [key, values] of b) {
      values.forEach((v, i) => {
        const w = a.get(key)?.[i] ?? 0;
        if (v === null || w === null) return;
        // Exact counts would differ by 1 wherever she counts; shown ones only by 0 or the rounding base.
        expect([0, 5, -5]).toContain(v - w);
        if (v !== w) differences++;
      });
    }
    // She counts in 6 measures at 2 places each (her county, the total): with keyed rounding a
    // shown value moves only when her count crosses its cell's rounding point (1 time in 5).
    const counted = MEASURES.filter((m) => MEASURE_OF[m](all.find((f) => f.grade === 9)!)).length * 2;
    expect(counted).toBe(12);
    expect(differences).toBeLessThan(counted);
    process.stdout.write(`\nstatistics attacks: ${tally.attacked} suppressed values attacked by linear equations, none recovered; differencing by one child: ${differences} of ${counted} shown values moved\n`);
  });
});
