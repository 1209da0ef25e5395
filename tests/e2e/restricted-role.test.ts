import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { childInput, REGISTER } from '../support/fixtures';
import { freshDatabase, startTestHub, target, type TestHub } from '../support/hub';

/**
 * The README's production role, on PostgreSQL: the owner migrates a fresh database, a login role
 * gets exactly the grants the README lists (read from the README itself), and a hub started as that
 * role serves every kind of write, logged, while the database refuses it any change to the
 * append-only tables and any way around their triggers.
 */
const onPostgres = target === 'postgresql' ? describe : describe.skip;

/** The SQL block of the README's "On PostgreSQL" section that sets up the hub's role. */
function readmeGrants(): string {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const from = readme.indexOf('In production give the hub a role');
  const block = /```sql\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block) throw new Error('README: no SQL block for the production role');
  return block[1];
}

const role = `baoxue_test_${randomBytes(5).toString('hex')}`;
const password = randomBytes(12).toString('hex');
let owner: TestHub;
let hub: TestHub;
const t: Record<string, string> = {};

async function gql(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data as any;
}

/** What the database says when the role runs `statement`: its SQLSTATE and message, or null when it was allowed. */
async function refusal(statement: string): Promise<{ code: string; message: string } | null> {
  try {
    await hub.sql(statement);
    return null;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

onPostgres('the hub as the README\'s restricted database role', () => {
  beforeAll(async () => {
    // A fresh database, migrated by its owner (the test server's superuser) as a first start does.
    owner = await startTestHub({ database: await freshDatabase() });
    const grants = readmeGrants().replace(/\bbaoxue\b/g, role).replace(/PASSWORD '[^']*'/, `PASSWORD '${password}'`);
    expect(grants).toContain(`CREATE ROLE ${role} LOGIN`);
    await owner.sql(grants);
    // The owner's instance stays for the owner's own statements; every request goes to this one.
    hub = await startTestHub({ sameDatabaseAs: owner, role: { user: role, password } });
    for (const [name, dept, region, roles] of [
      ['edu', 'EDU', '350102', 'clerk'], ['psb', 'PSB', '350102', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'], ['poverty', 'POVERTY', '350102', 'clerk'],
      ['health', 'HEALTH', '350102', 'clerk'], ['dpf', 'DPF', '350102', 'clerk'], ['expert', 'HEALTH', '350102', 'expert'],
      ['eduLiaison', 'EDU', '350102', 'liaison'], ['province', 'EDU', '350000', 'supervisor'],
    ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  });

  afterAll(async () => {
    await hub?.stop();
    // The role's grants, in the database (which the run drops at its end), and the role itself, which belongs to the server.
    await owner?.sql(`DROP OWNED BY ${role}`);
    await owner?.stop();
    const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await client.end();
    }
  });

  it('starts as that role on the migrated database, which it may not change the shape of', async () => {
    expect(await hub.sql('SELECT current_user AS name')).toEqual([{ name: role }]);
    expect((await fetch(`${hub.url}/readyz`)).status).toBe(200);
    expect(await refusal('CREATE TABLE hub.not_allowed (id int)')).toMatchObject({ code: '42501' });
    expect(await refusal('ALTER TABLE hub.child ADD COLUMN not_allowed int')).toMatchObject({ code: '42501', message: expect.stringMatching(/must be owner/) });
  });

  it('writes every kind of record through the API, each write logged', async () => {
    const before = Number((await hub.sql<{ n: string }>('SELECT count(*) AS n FROM hub.change_log'))[0].n);
    const child = childInput({ name: '郑小禾', gender: 'FEMALE' });
    const missing = childInput({ name: '郑小川' });
    await gql(t.edu, REGISTER, { records: [child, missing] });
    const sections: Array<[string, string, string, Record<string, unknown>]> = [
      ['edu', 'upsertEducationRecords', 'EducationRecordInput', { status: 'DROPPED_OUT', stage: 'PRIMARY', grade: 4, schoolName: '鼓楼第一中心小学' }],
      ['psb', 'upsertPublicSecurityRecords', 'PublicSecurityRecordInput', { hukouStatus: 'REGISTERED', whereabouts: 'PRESENT' }],
      ['civil', 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', { leftBehind: true }],
      ['poverty', 'upsertPovertyRecords', 'PovertyRecordInput', { registeredPoor: true, householdId: 'HH-9' }],
      ['health', 'upsertHealthRecords', 'HealthRecordInput', { seriousIllness: true, diagnosisSummary: '哮喘' }],
      ['dpf', 'upsertDisabilityRecords', 'DisabilityRecordInput', { disabilityType: 'SPEECH', disabilityLevel: 4 }],
    ];
    for (const [who, mutation, type, record] of sections) {
      await gql(t[who], `mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: [{ childId: child.id, ...record }] });
    }
    // An update as well as the creates: the sections' rows are changed in place.
    await gql(t.edu, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId: child.id, grade: 5, expectedVersion: 1 }] });

    const opened = await gql(t.edu, 'mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { children { dropoutCases { id version } } } }',
      { r: [{ childId: child.id, reason: 'ILLNESS', responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] });
    const caseId = opened.openDropoutCases.children[0].dropoutCases[0].id;
    await gql(t.edu, 'mutation($v: [PersuasionVisitInput!]!) { recordPersuasionVisits(visits: $v) { replayed } }',
      { v: [{ caseId, visitedOn: '2026-10-12', visitor: '李主任', method: 'HOME_VISIT', outcome: 'REFUSED' }] });
    const missingCase = await gql(t.edu, 'mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { children { dropoutCases { id } } } }',
      { r: [{ childId: missing.id, reason: 'MISSING', responsiblePerson: '王老师', responsibleUnit: '鼓楼区教育局' }] });
    await gql(t.psb, 'mutation($c: ID!, $d: LocalDate!) { confirmDropoutCaseByPolice(caseId: $c, confirmedOn: $d) { replayed } }',
      { c: missingCase.openDropoutCases.children[0].dropoutCases[0].id, d: '2026-10-13' });
    await gql(t.expert, 'mutation($a: AssessmentInput!) { recordAssessment(assessment: $a) { replayed } }', {
      a: { childId: child.id, caseId, assessedOn: '2026-10-13', members: ['卫健 陈医生', '教育 王老师'], decision: 'DEFERRAL', evidence: [{ type: 'PANEL_OPINION', reference: '鼓专〔2026〕3号', date: '2026-10-13' }] },
    });
    await gql(t.edu, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId: child.id, status: 'ENROLLED' }] });
    const [{ version }] = await hub.sql<{ version: number }>('SELECT version FROM edu.dropout_case WHERE id = $1', [caseId]);
    await gql(t.edu, 'mutation($i: TransitionDropoutCaseInput!) { transitionDropoutCase(input: $i, reason: "复学") { replayed } }',
      { i: { caseId, status: 'RETURNED', expectedVersion: version } });
    await gql(t.edu, 'mutation($w: String!) { submitWeeklyReport(isoWeek: $w, remarks: "本周入户1次") { isoWeek } }', { w: '2026-W42' });

    // Reading an ID number unmasked is audited (an append-only table) before the answer leaves.
    await gql(t.psb, 'query($id: ID!) { child(id: $id) { idNumber } }', { id: child.id });
    await gql(t.province, 'mutation { issueMonthlyNotices(period: "2026-09") { count } }');
    const notices = await gql(t.eduLiaison, '{ exchangeNotices(filter: { period: "2026-09" }) { nodes { id number } } }');
    const [notice] = notices.exchangeNotices.nodes;
    await gql(t.eduLiaison, 'mutation($id: ID!) { acknowledgeNotice(id: $id, remarks: "已核对") { acknowledgedBy } }', { id: notice.id });
    const exported = await fetch(`${hub.url}/notices/${notice.id}/export.csv`, { headers: { authorization: `Bearer ${t.eduLiaison}` } });
    expect(exported.status).toBe(200);
    await exported.text();

    const logged = await hub.sql<{ mutation: string; entity: string }>('SELECT DISTINCT mutation, entity FROM hub.change_log WHERE seq > $1 ORDER BY 1, 2', [before]);
    expect(logged.map((e) => `${e.mutation} ${e.entity}`)).toEqual(expect.arrayContaining([
      'registerChildren Child',
      'upsertEducationRecords EducationRecord', 'upsertPublicSecurityRecords PublicSecurityRecord', 'upsertCivilAffairsRecords CivilAffairsRecord',
      'upsertPovertyRecords PovertyRecord', 'upsertHealthRecords HealthRecord', 'upsertDisabilityRecords DisabilityRecord',
      'openDropoutCases DropoutCase', 'recordPersuasionVisits PersuasionVisit', 'confirmDropoutCaseByPolice DropoutCase', 'transitionDropoutCase DropoutCase',
      'recordAssessment Assessment', 'submitWeeklyReport WeeklyReport', 'acknowledgeNotice ExchangeNotice',
    ]));
    const audited = await hub.sql<{ field: string }>('SELECT field FROM hub.sensitive_read ORDER BY id');
    expect(audited.map((a) => a.field)).toEqual(expect.arrayContaining(['Child.idNumber', expect.stringMatching(/^export:csv:/)]));
    expect(await gql(t.province, '{ verifyChangeLog { ok } }')).toEqual({ verifyChangeLog: { ok: true } });
    // The month's notices were cut at a root signed as this role: roots are appended, never changed.
    expect(await gql(t.province, '{ verifyChangeLog { ok roots { ok roots } } }')).toMatchObject({ verifyChangeLog: { ok: true, roots: { ok: true } } });
    expect((await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.log_root'))[0].n).toBeGreaterThan(0);
    // The kept statistics are built and brought up to the log as this role (INSERT and UPDATE only).
    const children = await gql(t.province, '{ statistics(measures: [CHILDREN], groupBy: [COUNTY]) { totals { values { value } } } }');
    expect(children.statistics.totals[0].values[0].value).toBeGreaterThan(0);
    expect(await hub.sql('SELECT heads IS NOT NULL AS built FROM hub.stat_cube_state')).toEqual([{ built: true }]);
  });

  it('merges two records of one child (resolveDuplicate SAME): the only rows the hub deletes, which the README grants', async () => {
    const a = childInput({ name: '钟雨欣', birthDate: '2015-08-18', gender: 'FEMALE' });
    const b = { ...childInput({ name: '钟雨欣', birthDate: '2015-08-18', gender: 'FEMALE', idNumber: null }), hukouStatus: 'NO_HUKOU' };
    await gql(t.edu, REGISTER, { records: [a] });
    const registered = await gql(t.psb, 'mutation($r: [RegisterChildInput!]!) { registerChildren(records: $r) { possibleDuplicates { pairId candidate { id } } } }', { r: [b] });
    const pair = registered.registerChildren.possibleDuplicates.find((p: { candidate: { id: string } }) => p.candidate.id === a.id);
    expect(pair).toBeDefined();
    // Each has a section of the same department, alike (the merged one's is deleted), and one of its own (moved).
    await gql(t.edu, 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [a, b].map((c) => ({ childId: c.id, status: 'ENROLLED' })) });
    await gql(t.civil, 'mutation($r: [CivilAffairsRecordInput!]!) { upsertCivilAffairsRecords(records: $r) { replayed } }', { r: [{ childId: a.id, leftBehind: true }] });
    const merged = await gql(t.psb, 'mutation($p: ID!, $s: ID) { resolveDuplicate(pairId: $p, decision: SAME, survivorId: $s, reason: "同一人") { status } }', { p: pair.pairId, s: b.id });
    expect(merged.resolveDuplicate.status).toBe('SAME');
    expect(await hub.sql('SELECT id FROM hub.child WHERE id = $1', [a.id])).toEqual([]);
    expect(await hub.sql('SELECT left_behind FROM civil.civil_affairs_record WHERE child_id = $1', [b.id])).toEqual([{ left_behind: true }]);
    expect(await gql(t.province, '{ verifyChangeLog { ok } }')).toEqual({ verifyChangeLog: { ok: true } });
  });

  it.each([
    ['hub.change_log', 'actor_sub'], ['hub.sensitive_read', 'actor_sub'], ['hub.notice_discrepancy', 'event'], ['hub.notice_action', 'event'], ['hub.log_root', 'jws'], ['hub.log_root_chain', 'chain'],
  ])('may not update, delete or truncate %s: the privilege is missing, before any trigger', async (table, column) => {
    for (const statement of [`UPDATE ${table} SET ${column} = ${column}`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
      expect(await refusal(statement)).toEqual({ code: '42501', message: `permission denied for table ${table.split('.')[1]}` });
    }
    expect(await refusal(`SELECT count(*) FROM ${table}`)).toBeNull();
  });

  it('may not switch off, drop or bypass the guard triggers', async () => {
    for (const statement of [
      'ALTER TABLE hub.change_log DISABLE TRIGGER USER',
      'ALTER TABLE hub.change_log DISABLE TRIGGER change_log_no_update_or_delete',
      'DROP TRIGGER change_log_no_truncate ON hub.change_log',
      'ALTER TABLE hub.sensitive_read DISABLE TRIGGER USER',
      'CREATE OR REPLACE FUNCTION hub.change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$',
      'SET session_replication_role = replica',
    ]) {
      expect({ statement, refused: await refusal(statement) }).toEqual({ statement, refused: expect.objectContaining({ code: '42501' }) });
    }
  });

  it('may only read the regions', async () => {
    expect(await refusal(`INSERT INTO hub.region (code, name, level, parent_code) VALUES ('350199', 'x', 'county', '350100')`)).toMatchObject({ code: '42501' });
    expect(await refusal(`UPDATE hub.region SET name = 'x' WHERE code = '350102'`)).toMatchObject({ code: '42501' });
    expect(await refusal('SELECT count(*) FROM hub.region')).toBeNull();
  });

  it('gets the same grants on tables a later migration adds, by the default privileges', async () => {
    await owner.sql('CREATE TABLE hub.added_later (id int PRIMARY KEY, note text); CREATE TABLE edu.added_later (id serial PRIMARY KEY, note text)');
    try {
      expect(await refusal(`INSERT INTO hub.added_later VALUES (1, 'a'); UPDATE hub.added_later SET note = 'b'; SELECT * FROM hub.added_later`)).toBeNull();
      expect(await refusal(`INSERT INTO edu.added_later (note) VALUES ('a')`)).toBeNull();
    } finally {
      await owner.sql('DROP TABLE hub.added_later, edu.added_later');
    }
  });
});

