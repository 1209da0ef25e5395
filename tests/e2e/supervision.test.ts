import { createHash, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * Supervisors' work (issue 19), through the API: a spot check drawn from a seed and a root signed
 * for it, redrawn by the test's own code from the database; a verifier from the sampled township
 * refused; accuracy, Wilson intervals and verification factors recounted by the test from the
 * stored rows; every kind of action run open → overdue (a second instance living a month later)
 * → closed, each by whom its row of the action matrix names; the correction order printed.
 */
let hub: TestHub;
let later: TestHub | undefined;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
const data = (r: { body: { data?: any; errors?: unknown } }) => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data;
};

const DRAW = `mutation($r: String!, $n: Int!, $s: [String!]!, $seed: String!) { drawSpotCheck(region: $r, size: $n, strata: $s, seed: $seed) {
  id region seed rootSeq rootHash strata size frameSize frameHash items { id caseId childId county township stratum status reported { field value } } } }`;
const ASSIGN = `mutation($id: ID!, $a: [SpotCheckAssignmentInput!]!) { assignSpotCheckItems(spotCheckId: $id, assignments: $a) { id status verifierSub verifierRegion } }`;
const VERIFY = `mutation($id: ID!, $on: LocalDate!, $f: [SpotCheckFindingInput!]!) { recordVerification(itemId: $id, verifiedOn: $on, findings: $f) }`;
const RESULTS = `query($id: ID!) { spotCheckResults(id: $id) { drawn verified accuracy { county field checked matched accuracy low high reportedCount verifiedCount verificationFactor }
  mismatches { itemId field reported found ownerDept } } }`;

/** Children: 8 in Gulou (township 001: 5, 002: 3), 2 in Taijiang; each with one case, 6 open and 4 closed. */
const kids = Array.from({ length: 10 }, (_, i) => ({
  id: randomUUID(), caseId: randomUUID(), county: i < 8 ? '350102' : '350103', township: i < 5 ? '350102001' : i < 8 ? '350102002' : '350103001',
  status: [0, 1, 2, 5, 8, 9].includes(i) ? 'OPEN' : 'RETURNED',
}));

async function plant(): Promise<void> {
  for (const [n, k] of kids.entries()) {
    await hub.sql(`INSERT INTO hub.child (id, name, gender, birth_date, hukou_region, residence_region, township, created_by, updated_by)
      VALUES ($1, $2, 'MALE', '2013-03-01', $3, $3, $4, 'fixture', 'fixture')`, [k.id, `儿童${n}`, k.county, k.township]);
    await hub.sql(`INSERT INTO edu.education_record (child_id, status, updated_by) VALUES ($1, $2, 'fixture')`, [k.id, k.status === 'OPEN' ? 'DROPPED_OUT' : 'ENROLLED']);
    await hub.sql(`INSERT INTO psb.public_security_record (child_id, hukou_status, whereabouts, updated_by) VALUES ($1, 'REGISTERED', 'PRESENT', 'fixture')`, [k.id]);
    await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, closed_on, updated_by) VALUES ($1, $2, 'STUDY_WEARINESS', $3, '2026-09-05', $4, 'fixture')`,
      [k.caseId, k.id, k.status, k.status === 'OPEN' ? null : '2026-10-01']);
  }
}

beforeAll(async () => {
  hub = await startTestHub();
  t.province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'], sub: 'province-sup' });
  t.city = await hub.token({ dept: 'PSB', region: '350100', roles: ['supervisor'], sub: 'city-sup' });
  t.countySup = await hub.token({ dept: 'EDU', region: '350102', roles: ['supervisor'], sub: 'gulou-sup' });
  t.edu = await hub.token({ dept: 'EDU', region: '350102', roles: ['clerk'], sub: 'edu' });
  t.psb = await hub.token({ dept: 'PSB', region: '350102', roles: ['clerk'], sub: 'psb' });
  t.civil = await hub.token({ dept: 'CIVIL', region: '350102', roles: ['clerk'], sub: 'civil' });
  t.poverty = await hub.token({ dept: 'POVERTY', region: '350102', roles: ['clerk'], sub: 'poverty' });
  t.analyst = await hub.token({ dept: 'EDU', region: '350000', roles: ['analyst'], sub: 'analyst' });
  t.town1 = await hub.token({ dept: 'TOWNSHIP', region: '350102001', roles: ['clerk'], sub: 'town1' });
  t.town2 = await hub.token({ dept: 'TOWNSHIP', region: '350102002', roles: ['clerk'], sub: 'town2' });
  await plant();
});
afterAll(async () => {
  await later?.stop();
  await hub?.stop();
});

describe('spot checks', () => {
  let check: any;

  it('refuses bad input and non-supervisors, writing nothing', async () => {
    const before = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log');
    const bad = await hub.gql(DRAW, { r: '350100', n: 0, s: ['COUNTY', 'SCHOOL'], seed: 'x' }, t.province);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'size' }), expect.objectContaining({ path: 'strata[1]' })]);
    expect(codes(await hub.gql(DRAW, { r: '350100', n: 4, s: [], seed: 'x' }, t.edu))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(DRAW, { r: '350100', n: 4, s: [], seed: 'x' }, t.countySup))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(DRAW, { r: '350100', n: 4, s: [], seed: 'x' }, t.analyst))).toEqual(['FORBIDDEN']);
    expect(await hub.sql('SELECT id FROM hub.spot_check')).toEqual([]);
    expect(await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(before);
  });

  it('draws a stratified sample that the test redraws from the seed, the signed root and the ledger', async () => {
    check = data(await hub.gql(DRAW, { r: '350100', n: 5, s: ['COUNTY', 'CASE_STATUS'], seed: 'dime-2026' }, t.city)).drawSpotCheck;
    const [root] = await hub.sql<{ hash: string }>('SELECT root_hash AS hash FROM hub.log_root WHERE seq = $1', [check.rootSeq]);
    expect(root.hash).toBe(check.rootHash);
    expect(check.frameSize).toBe(10);
    // The test's own draw: strata 350102|OPEN 4, 350102|CLOSED 4, 350103|OPEN 2 → of 5: 2, 2, 1 exactly.
    const stratum = (k: (typeof kids)[number]) => `${k.county}|${k.status === 'OPEN' ? 'OPEN' : 'CLOSED'}`;
    const want = { '350102|OPEN': 2, '350102|CLOSED': 2, '350103|OPEN': 1 } as Record<string, number>;
    const key = (caseId: string) => createHash('sha256').update(`dime-2026\n${root.hash}\n${caseId}`).digest('hex');
    const mine = Object.entries(want).flatMap(([s, n]) => kids.filter((k) => stratum(k) === s).map((k) => k.caseId).sort((a, b) => (key(a) < key(b) ? -1 : 1)).slice(0, n));
    expect(check.items.map((i: any) => i.caseId).sort()).toEqual(mine.sort());
    for (const item of check.items) {
      const k = kids.find((x) => x.caseId === item.caseId)!;
      expect(item.reported).toEqual(expect.arrayContaining([{ field: 'CASE_STATUS', value: k.status }, { field: 'WHEREABOUTS', value: 'PRESENT' }]));
    }
    const frame = createHash('sha256').update(kids.map((k) => [k.caseId, stratum(k)] as const).sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, s]) => `${id}:${s}`).join('\n')).digest('hex');
    expect(check.frameHash).toBe(frame);
    const redraw = data(await hub.gql(`query($id: ID!) { redrawSpotCheck(id: $id) { sameSample rootMatches frameMatches caseIds } }`, { id: check.id }, t.province)).redrawSpotCheck;
    expect(redraw).toEqual({ sameSample: true, rootMatches: true, frameMatches: true, caseIds: expect.arrayContaining(mine) });
    // The draw is logged (its seed and root named) in the city's chain; not told to a clerk.
    const [entry] = await hub.sql<{ changes: any }>(`SELECT changes FROM hub.change_log WHERE entity = 'SpotCheck' AND entity_id = $1`, [check.id]);
    expect(entry.changes.seed.after).toBe('dime-2026');
    expect(entry.changes.rootHash.after).toBe(check.rootHash);
  });

  it('the same seed a second time draws from a new root (the first draw moved the log), and says so', async () => {
    const again = data(await hub.gql(DRAW, { r: '350100', n: 5, s: ['COUNTY', 'CASE_STATUS'], seed: 'dime-2026' }, t.city)).drawSpotCheck;
    expect(Number(again.rootSeq)).toBeGreaterThan(Number(check.rootSeq));
    expect(again.rootHash).not.toBe(check.rootHash);
  });

  it('shows spot checks to supervisors only: a clerk gets NOT_FOUND like a missing id, and no log entry', async () => {
    const q = `query($id: ID!) { spotCheck(id: $id) { id } }`;
    const mine = await hub.gql(q, { id: check.id }, t.edu);
    const none = await hub.gql(q, { id: randomUUID() }, t.edu);
    expect(codes(mine)).toEqual(['NOT_FOUND']);
    expect(codes(none)).toEqual(['NOT_FOUND']);
    expect(codes(await hub.gql(q, { id: check.id }, t.analyst))).toEqual(['FORBIDDEN']);
    const log = data(await hub.gql(`{ changeLog(first: 100) { edges { node { entity } } } }`, {}, t.edu)).changeLog.edges.map((e: any) => e.node.entity);
    expect(log).not.toContain('SpotCheck');
    expect(log).not.toContain('SpotCheckItem');
    const child = await hub.gql(`query($id: ID!) { child(id: $id) { spotChecks { id } } }`, { id: check.items[0].childId }, t.edu);
    expect(codes(child)).toEqual(['FORBIDDEN']);
  });

  it('refuses a verifier from the sampled township, and assigns the others', async () => {
    const local = check.items.find((i: any) => i.township === '350102001');
    expect(local).toBeDefined();
    const before = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log');
    const refused = await hub.gql(ASSIGN, { id: check.id, a: [{ itemId: local.id, verifierSub: 'town1', verifierDept: 'TOWNSHIP', verifierRegion: '350102001' }] }, t.city);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'assignments[0].verifierRegion' })]);
    expect(await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(before);
    const assignments = check.items.map((i: any) => (i.township === '350102002'
      ? { itemId: i.id, verifierSub: 'town1', verifierDept: 'TOWNSHIP', verifierRegion: '350102001' }
      : { itemId: i.id, verifierSub: 'town2', verifierDept: 'TOWNSHIP', verifierRegion: '350102002' }));
    const done = data(await hub.gql(ASSIGN, { id: check.id, a: assignments }, t.city)).assignSpotCheckItems;
    expect(done.map((i: any) => i.status)).toEqual(check.items.map(() => 'ASSIGNED'));
  });

  it('shows a verifier its own items, blind to the ledger, and takes findings only from it', async () => {
    const mine = data(await hub.gql(`{ spotCheckAssignments { itemId childName township fields } }`, {}, t.town2)).spotCheckAssignments;
    const expected = check.items.filter((i: any) => i.township !== '350102002');
    expect(mine.map((a: any) => a.itemId).sort()).toEqual(expected.map((i: any) => i.id).sort());
    expect(mine[0].fields).toEqual(['SCHOOL_STATUS', 'WHEREABOUTS', 'CASE_STATUS', 'EVIDENCE_PRESENT']);
    const item = expected[0];
    const findings = [{ field: 'CASE_STATUS', found: 'OPEN' }];
    const stranger = await hub.gql(VERIFY, { id: item.id, on: '2026-10-15', f: findings }, t.town1);
    const missing = await hub.gql(VERIFY, { id: randomUUID(), on: '2026-10-15', f: findings }, t.town1);
    expect(codes(stranger)).toEqual(['NOT_FOUND']);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    const badValue = await hub.gql(VERIFY, { id: item.id, on: '2026-10-15', f: [{ field: 'CASE_STATUS', found: 'GONE' }] }, t.town2);
    expect(badValue.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'findings[0].found' })]);
  });

  it('scores accuracy per county and field with Wilson intervals and verification factors, recounted by the test', async () => {
    // Every verifier finds the case as the ledger says except: the first Gulou returned case is found out of school.
    const wrong = check.items.find((i: any) => i.county === '350102' && kids.find((k) => k.caseId === i.caseId)!.status === 'RETURNED');
    for (const item of check.items) {
      const k = kids.find((x) => x.caseId === item.caseId)!;
      const token = item.township === '350102002' ? t.town1 : t.town2;
      const lie = item.id === wrong.id;
      const f = [
        { field: 'CASE_STATUS', found: lie ? 'OPEN' : k.status },
        { field: 'SCHOOL_STATUS', found: lie ? 'DROPPED_OUT' : k.status === 'OPEN' ? 'DROPPED_OUT' : 'ENROLLED' },
        { field: 'WHEREABOUTS', found: 'PRESENT' },
      ];
      expect(data(await hub.gql(VERIFY, { id: item.id, on: '2026-10-15', f }, token)).recordVerification).toBe(true);
    }
    const results = data(await hub.gql(RESULTS, { id: check.id }, t.province)).spotCheckResults;
    expect(results.verified).toBe(5);
    // The test's recount, from the stored rows alone.
    const rows = await hub.sql<{ county: string; reported: any; findings: any }>('SELECT county, reported, findings FROM hub.spot_check_item WHERE spot_check_id = $1', [check.id]);
    const counted: Record<string, string[]> = { CASE_STATUS: ['RETURNED'], SCHOOL_STATUS: ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL', 'HOME_TEACHING', 'STUDYING_ELSEWHERE'], WHEREABOUTS: ['PRESENT'] };
    for (const row of results.accuracy) {
      const mine = rows.filter((r) => (row.county === null || r.county === row.county) && r.findings[row.field]);
      const matched = mine.filter((r) => r.findings[row.field].found === r.reported[row.field]).length;
      expect([row.checked, row.matched]).toEqual([mine.length, matched]);
      const p = matched / mine.length;
      const z = 1.96;
      const centre = (p + (z * z) / (2 * mine.length)) / (1 + (z * z) / mine.length);
      const half = (z / (1 + (z * z) / mine.length)) * Math.sqrt((p * (1 - p)) / mine.length + (z * z) / (4 * mine.length ** 2));
      expect(row.low).toBeCloseTo(Math.max(0, centre - half), 9);
      expect(row.high).toBeCloseTo(Math.min(1, centre + half), 9);
      const reported = mine.filter((r) => counted[row.field].includes(r.reported[row.field])).length;
      const verified = mine.filter((r) => counted[row.field].includes(r.findings[row.field].found)).length;
      expect([row.reportedCount, row.verifiedCount]).toEqual([reported, verified]);
      expect(row.verificationFactor).toBe(reported ? verified / reported : null);
    }
    // Gulou reported 2 returned in the sample, 1 was: a verification factor of 0.5 on returns.
    expect(results.accuracy.find((r: any) => r.county === '350102' && r.field === 'CASE_STATUS')).toMatchObject({ checked: 4, matched: 3, reportedCount: 2, verifiedCount: 1, verificationFactor: 0.5 });
    expect(results.mismatches).toEqual(expect.arrayContaining([
      { itemId: wrong.id, field: 'CASE_STATUS', reported: 'RETURNED', found: 'OPEN', ownerDept: 'EDU' },
      { itemId: wrong.id, field: 'SCHOOL_STATUS', reported: 'ENROLLED', found: 'DROPPED_OUT', ownerDept: 'EDU' },
    ]));
    expect(results.mismatches).toHaveLength(2);
  });
});

const RECORD = `mutation($i: SupervisionActionInput!) { recordAction(input: $i) { id kind county childId toDept number status overdue deadline version } }`;
const CLOSE = `mutation($id: ID!, $o: String!, $v: Int!) { closeAction(id: $id, outcome: $o, expectedVersion: $v) { id status outcome overdue closedBy version } }`;
const LIST = `query($f: SupervisionActionFilter) { supervisionActions(filter: $f, first: 50) { totalCount edges { node { id kind status overdue } } } }`;

describe('supervision actions', () => {
  const opened: Record<string, any> = {};

  it('records each kind only by whom its row names', async () => {
    const child = kids[0];
    const interview = { kind: 'COUNTY_INTERVIEW', county: '350102', deadline: '2026-10-30', note: '劝返进度滞后' };
    expect(codes(await hub.gql(RECORD, { i: interview }, t.edu))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(RECORD, { i: interview }, t.city))).toEqual(['FORBIDDEN']);
    const own = await hub.gql(RECORD, { i: interview }, t.countySup);
    expect(own.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'input.county' })]);
    opened.COUNTY_INTERVIEW = data(await hub.gql(RECORD, { i: interview }, t.province)).recordAction;

    const admonition = { kind: 'GUARDIAN_ADMONITION', childId: child.id, deadline: '2026-10-30', note: '监护人未送子女入学' };
    expect(codes(await hub.gql(RECORD, { i: admonition }, t.psb))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(RECORD, { i: admonition }, t.town2))).toEqual(['NOT_FOUND']);
    opened.GUARDIAN_ADMONITION = data(await hub.gql(RECORD, { i: admonition }, t.town1)).recordAction;

    opened.CORRECTION_ORDER = data(await hub.gql(RECORD, { i: { kind: 'CORRECTION_ORDER', childId: child.id, deadline: '2026-10-30', note: '经批评教育仍未送学' } }, t.edu)).recordAction;
    expect(opened.CORRECTION_ORDER.number).toMatch(/^350102责改〔2026〕[0-9a-f]{6}号$/);

    const referral = { kind: 'ASSISTANCE_REFERRAL', childId: child.id, toDept: 'HEALTH', deadline: '2026-10-30', note: '家庭无力负担就学费用' };
    const before = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.supervision_action');
    const bad = await hub.gql(RECORD, { i: { ...referral, deadline: '2026-10-01' } }, t.edu);
    expect(bad.body.errors![0].extensions.problems.map((p: any) => p.path)).toEqual(['input.deadline', 'input.toDept']);
    expect(await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.supervision_action')).toEqual(before);
    opened.ASSISTANCE_REFERRAL = data(await hub.gql(RECORD, { i: { ...referral, toDept: 'CIVIL' } }, t.edu)).recordAction;
    for (const a of Object.values(opened)) expect(a).toMatchObject({ status: 'OPEN', overdue: false, version: 1 });
  });

  it('shows each department only the kinds it may read; the referral is NOT_FOUND to the police like a missing id', async () => {
    const kindsOf = async (token: string) => data(await hub.gql(LIST, {}, token)).supervisionActions.edges.map((e: any) => e.node.kind).sort();
    expect(await kindsOf(t.edu)).toEqual(['ASSISTANCE_REFERRAL', 'CORRECTION_ORDER', 'COUNTY_INTERVIEW', 'GUARDIAN_ADMONITION']);
    expect(await kindsOf(t.psb)).toEqual(['COUNTY_INTERVIEW']);
    expect(await kindsOf(t.poverty)).toEqual(['ASSISTANCE_REFERRAL', 'COUNTY_INTERVIEW']);
    expect(await kindsOf(t.town1)).toEqual(['ASSISTANCE_REFERRAL', 'CORRECTION_ORDER', 'GUARDIAN_ADMONITION']);
    expect(await kindsOf(t.town2)).toEqual([]);
    expect(codes(await hub.gql(LIST, {}, t.analyst))).toEqual(['FORBIDDEN']);
    const close = (id: string, token: string) => hub.gql(CLOSE, { id, o: 'x', v: 1 }, token);
    const hidden = await close(opened.ASSISTANCE_REFERRAL.id, t.psb);
    const missing = await close(randomUUID(), t.psb);
    expect(codes(hidden)).toEqual(['NOT_FOUND']);
    expect(hidden.body.errors![0].message.replace(opened.ASSISTANCE_REFERRAL.id, '')).toBe(missing.body.errors![0].message.replace(/[0-9a-f-]{36}/, ''));
    // The change log tells CIVIL (who reads every kind) and not POVERTY (who does not read guardian actions).
    const entities = async (token: string) => data(await hub.gql(`{ changeLog(first: 100) { edges { node { entity } } } }`, {}, token)).changeLog.edges.map((e: any) => e.node.entity);
    expect(await entities(t.civil)).toContain('SupervisionAction');
    expect(await entities(t.poverty)).not.toContain('SupervisionAction');
  });

  it('prints the correction order as an A4 Chinese page with the law, and 404s it alike for whoever may not read it', async () => {
    const get = (id: string, token?: string) => fetch(`${hub.url}/supervision-actions/${id}/print`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const page = await get(opened.CORRECTION_ORDER.id, t.edu);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const text of ['责令限期改正通知书', opened.CORRECTION_ORDER.number, '儿童0', '2026年10月30日', '第五十八条', '批评教育，责令限期改正', 'size: A4']) expect(html).toContain(text);
    expect((await get(opened.CORRECTION_ORDER.id, t.psb)).status).toBe(404);
    expect((await get(randomUUID(), t.psb)).status).toBe(404);
    expect((await get(opened.GUARDIAN_ADMONITION.id, t.edu)).status).toBe(404);
    expect((await get(opened.CORRECTION_ORDER.id)).status).toBe(401);
  });

  it('runs every kind open → overdue → closed, a referral answered by the department it was sent to', async () => {
    later = await startTestHub({ today: '2026-11-20', sameDatabaseAs: hub });
    const overdue = data(await later.gql(LIST, { f: { overdue: true } }, t.province)).supervisionActions;
    expect(overdue.edges.map((e: any) => e.node.id).sort()).toEqual(Object.values(opened).map((a: any) => a.id).sort());
    expect(data(await hub.gql(LIST, { f: { overdue: true } }, t.province)).supervisionActions.totalCount).toBe(0);

    expect(codes(await later.gql(CLOSE, { id: opened.ASSISTANCE_REFERRAL.id, o: '已办', v: 1 }, t.edu))).toEqual(['FORBIDDEN']);
    expect(codes(await later.gql(CLOSE, { id: opened.ASSISTANCE_REFERRAL.id, o: '已办', v: 1 }, t.poverty))).toEqual(['FORBIDDEN']);
    const closers: Record<string, string> = { COUNTY_INTERVIEW: t.province, GUARDIAN_ADMONITION: t.town1, CORRECTION_ORDER: t.edu, ASSISTANCE_REFERRAL: t.civil };
    for (const [kind, token] of Object.entries(closers)) {
      const closed = data(await later.gql(CLOSE, { id: opened[kind].id, o: '已落实', v: 1 }, token)).closeAction;
      expect(closed).toMatchObject({ status: 'CLOSED', outcome: '已落实', overdue: false, version: 2 });
    }
    expect(codes(await later.gql(CLOSE, { id: opened.CORRECTION_ORDER.id, o: '再次', v: 2 }, t.edu))).toEqual(['BAD_USER_INPUT']);
    expect(data(await later.gql(LIST, { f: { overdue: true } }, t.province)).supervisionActions.totalCount).toBe(0);
    const log = await hub.sql<{ op: string; n: number }>(`SELECT operation AS op, count(*)::int AS n FROM hub.change_log WHERE entity = 'SupervisionAction' GROUP BY operation ORDER BY operation`);
    expect(log).toEqual([{ op: 'CREATE', n: 4 }, { op: 'UPDATE', n: 4 }]);
  });
});
