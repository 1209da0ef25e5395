import { ALL_DEPARTMENTS, ROLES } from '../../src/auth/identity';
import { ROLE_RULES } from '../../src/permissions/matrix';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let edu: string;

const PAGE = `query($first: Int!) {
  children(first: $first) {
    edges { node {
      id ...Identity name gender birthDate hukouRegion { code name } residenceRegion { code }
      education { status stage grade schoolName version }
      publicSecurity { hukouStatus whereabouts version }
      civilAffairs { leftBehind migrant orphan version }
      poverty { registeredPoor monitoredHousehold version }
      health { seriousIllness version }
      disability { disabilityType disabilityLevel certificateNo version }
      dropoutCases { id reason status }
    } }
  }
}
fragment Identity on Child { idNumber }`;
/** The same page without the ID number, whose unmasked reads are audited (by the page's own statement). */
const PAGE_WITHOUT_ID = PAGE.replace('...Identity', '').replace(/fragment Identity[^}]+}/, '');

beforeAll(async () => {
  hub = await startTestHub();
  edu = await hub.token({ dept: 'EDU', region: '350102' });
  const children = Array.from({ length: 120 }, (_, i) => childInput({ birthDate: `2016-0${1 + (i % 9)}-1${i % 10}`, gender: i % 2 ? 'MALE' : 'FEMALE' }));
  expect((await hub.gql(REGISTER, { records: children }, edu)).body.errors).toBeUndefined();
  const ids = children.map((c) => c.id);
  const sections: Array<[string, string, string, Record<string, unknown>]> = [
    ['EDU', 'upsertEducationRecords', 'EducationRecordInput', { status: 'ENROLLED', stage: 'PRIMARY', grade: 4, schoolName: '鼓楼实验小学' }],
    ['PSB', 'upsertPublicSecurityRecords', 'PublicSecurityRecordInput', { hukouStatus: 'REGISTERED', whereabouts: 'PRESENT' }],
    ['CIVIL', 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', { leftBehind: true }],
    ['POVERTY', 'upsertPovertyRecords', 'PovertyRecordInput', { registeredPoor: true }],
    ['HEALTH', 'upsertHealthRecords', 'HealthRecordInput', { seriousIllness: false }],
    ['DPF', 'upsertDisabilityRecords', 'DisabilityRecordInput', { disabilityType: 'VISUAL', disabilityLevel: 4 }],
  ];
  // The first ten children also get the sensitive and masked values: a diagnosis, a household and a certificate number.
  const extra: Record<string, (i: number) => Record<string, unknown>> = {
    upsertHealthRecords: (i) => ({ seriousIllness: true, diagnosisSummary: `先天性心脏病 ${i}`, screenedOn: '2026-03-0' + (1 + (i % 9)) }),
    upsertPovertyRecords: (i) => ({ householdId: `HH-3501-${1000 + i}` }),
    upsertDisabilityRecords: (i) => ({ certificateNo: `${children[i].idNumber}14` }),
  };
  for (const [dept, mutation, type, record] of sections) {
    const token = await hub.token({ dept: dept as never, region: '350102' });
    const r = ids.map((childId, i) => ({ childId, ...record, ...(i < 10 ? extra[mutation]?.(i) : undefined) }));
    const res = await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r }, token);
    expect(res.body.errors).toBeUndefined();
  }
  await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, updated_by)
    SELECT gen_random_uuid(), id, 'STUDY_WEARINESS', 'OPEN', '2026-09-20', 'test' FROM unnest($1::uuid[]) AS id`, [ids]);
  // Two children have a second, older and closed, case with notes, so the order of a child's cases counts.
  await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, closed_on, notes, updated_by)
    SELECT gen_random_uuid(), id, 'ILLNESS', 'RETURNED', '2025-11-02', '2026-01-10', '已复学 "返校"\\n第二行', 'test' FROM unnest($1::uuid[]) AS id`, [ids.slice(0, 2)]);
});
afterAll(() => hub?.stop());

async function statementsFor(first: number, query = PAGE): Promise<{ statements: number; children: number }> {
  const before = await hub.metric('baoxue_sql_statements_total');
  const res = await hub.gql(query, { first }, edu);
  const after = await hub.metric('baoxue_sql_statements_total');
  expect(res.body.errors).toBeUndefined();
  const edges = (res.body.data as any).children.edges;
  // Every section really was resolved, so the count covers the whole federated page.
  for (const { node } of edges) {
    expect(node.education.status).toBe('ENROLLED');
    expect(node.dropoutCases.length).toBeGreaterThanOrEqual(1);
  }
  return { statements: after - before, children: edges.length };
}

it('reads a federated page of 100 children in a fixed handful of statements, the same as a page of 10', async () => {
  const page100 = await statementsFor(100);
  const page10 = await statementsFor(10);
  expect(page100.children).toBe(100);
  expect(page10.children).toBe(10);
  // One: the page's statement fetches the sections and cases asked for, and audits the ID numbers it reads.
  expect(page100.statements).toBe(1);
  expect(page10.statements).toBe(page100.statements);
  const withoutId = await statementsFor(100, PAGE_WITHOUT_ID);
  expect(withoutId.statements).toBe(1);
  process.stdout.write(`federated page: ${page100.statements} SQL statements for 100 children (${withoutId.statements} without ID numbers), ${page10.statements} for 10\n`);
});

/** Every field of the child and of each part the page's statement fetches. */
const EVERYTHING = `id idNumber name gender birthDate version createdAt updatedAt hukouRegion { code } residenceRegion { code }
  education { grade schoolName stage status updatedAt updatedBy version }
  publicSecurity { hukouStatus updatedAt updatedBy verifiedOn version whereabouts }
  civilAffairs { deFactoUnsupported leftBehind migrant orphan parentImprisoned subsistenceAllowance updatedAt updatedBy version }
  poverty { householdId monitoredHousehold registeredPoor updatedAt updatedBy version }
  health { diagnosisSummary screenedOn seriousIllness updatedAt updatedBy version }
  disability { certificateNo disabilityLevel disabilityType updatedAt updatedBy version }
  dropoutCases { closedOn deadline id notes openedOn placement policeConfirmedBy policeConfirmedOn reason responsiblePerson responsibleUnit status updatedAt updatedBy version }`;

it('gives every department and role the same children on a page as one by one: the page\'s statement fetches what the loaders fetch', async () => {
  let compared = 0;
  let pages = 0;
  for (const dept of ALL_DEPARTMENTS) {
    if (dept === 'TOWNSHIP') continue; // no child here has a township: a township user's page is empty (township.test.ts)
    for (const role of ROLES) {
      if (ROLE_RULES[role].departments && !ROLE_RULES[role].departments!.includes(dept)) continue;
      // A role without row access (the analyst) reads no page at all: leak-suite.test.ts holds it to that.
      if (ROLE_RULES[role].rows === false) continue;
      const token = await hub.token({ dept, region: '350102', roles: [role] });
      pages += 1;
      const page = await hub.gql(`{ children(first: 12) { edges { node { ${EVERYTHING} } } } }`, {}, token);
      const nodes = ((page.body.data as any)?.children?.edges ?? []).map((e: any) => e.node);
      expect({ dept, role, children: nodes.length, errors: nodes.length ? [] : page.body.errors }).toEqual({ dept, role, children: 12, errors: [] });
      // One by one, through the loaders (five at a time: the limit on root fields is ten).
      for (let from = 0; from < nodes.length; from += 5) {
        const slice = nodes.slice(from, from + 5);
        const one = await hub.gql(`{ ${slice.map((n: any, i: number) => `c${i}: child(id: "${n.id}") { ${EVERYTHING} }`).join(' ')} }`, {}, token);
        slice.forEach((node: any, i: number) => expect({ dept, role, node }).toEqual({ dept, role, node: (one.body.data as any)[`c${i}`] }));
        compared += slice.length;
      }
      // The same fields are refused both ways.
      const pageRefused = new Set((page.body.errors ?? []).map((e: any) => e.path.slice(4).join('.')));
      const refusedOne = await hub.gql(`{ child(id: "${nodes[0].id}") { ${EVERYTHING} } }`, {}, token);
      const oneRefused = new Set((refusedOne.body.errors ?? []).map((e: any) => e.path.slice(1).join('.')));
      expect({ dept, role, refused: [...oneRefused].sort() }).toEqual({ dept, role, refused: [...pageRefused].sort() });
    }
  }
  // Every department and role that reads rows, each of its 12 children compared.
  expect(pages).toBeGreaterThan(20);
  expect(compared).toBe(pages * 12);
});
