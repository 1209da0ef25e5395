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
  for (const [dept, mutation, type, record] of sections) {
    const token = await hub.token({ dept: dept as never, region: '350102' });
    const res = await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: ids.map((childId) => ({ childId, ...record })) }, token);
    expect(res.body.errors).toBeUndefined();
  }
  await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, updated_by)
    SELECT gen_random_uuid(), id, 'STUDY_WEARINESS', 'OPEN', '2026-09-20', 'test' FROM unnest($1::uuid[]) AS id`, [ids]);
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
    expect(node.disability.certificateNo).toBeNull();
    expect(node.dropoutCases).toHaveLength(1);
  }
  return { statements: after - before, children: edges.length };
}

it('reads a federated page of 100 children in a fixed handful of statements, the same as a page of 10', async () => {
  const page100 = await statementsFor(100);
  const page10 = await statementsFor(10);
  expect(page100.children).toBe(100);
  expect(page10.children).toBe(10);
  // One for the page (which also audits the ID numbers it reads), one per section (six), one for the dropout cases.
  expect(page100.statements).toBe(8);
  expect(page10.statements).toBe(page100.statements);
  const withoutId = await statementsFor(100, PAGE_WITHOUT_ID);
  expect(withoutId.statements).toBe(8);
  process.stdout.write(`federated page: ${page100.statements} SQL statements for 100 children (${withoutId.statements} without ID numbers), ${page10.statements} for 10\n`);
});
