import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * "Not said" is not "no" (issue 20, item 3): a field left out of a section write is unknown (null)
 * on a new record and unchanged on an existing one, in the table, in the federated read and in the
 * change log (from which the notices are made). `null` sent explicitly clears an optional field to
 * unknown; a required field refuses it.
 */
let hub: TestHub;
const tokens: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

/** Every section: the fields a first write gives, a second write's one field, and every field of the section. */
const SECTIONS = [
  { dept: 'EDU', mutation: 'upsertEducationRecords', type: 'EducationRecordInput', key: 'education', table: 'edu.education_record',
    fields: ['status', 'stage', 'grade', 'schoolName'], first: { status: 'ENROLLED', grade: 4 }, second: { schoolName: '鼓楼第一中心小学' } },
  { dept: 'PSB', mutation: 'upsertPublicSecurityRecords', type: 'PublicSecurityRecordInput', key: 'publicSecurity', table: 'psb.public_security_record',
    fields: ['hukouStatus', 'whereabouts', 'verifiedOn'], first: { hukouStatus: 'REGISTERED', whereabouts: 'PRESENT' }, second: { verifiedOn: '2026-09-10' } },
  { dept: 'CIVIL', mutation: 'upsertCivilAffairsRecords', type: 'CivilAffairsRecordInput', key: 'civilAffairs', table: 'civil.civil_affairs_record',
    fields: ['leftBehind', 'deFactoUnsupported', 'migrant', 'parentImprisoned', 'orphan', 'subsistenceAllowance'],
    first: { leftBehind: true, subsistenceAllowance: true }, second: { orphan: false } },
  { dept: 'POVERTY', mutation: 'upsertPovertyRecords', type: 'PovertyRecordInput', key: 'poverty', table: 'poverty.poverty_record',
    fields: ['registeredPoor', 'monitoredHousehold', 'householdId'], first: { householdId: 'FJ-350102-0042' }, second: { registeredPoor: true } },
  { dept: 'HEALTH', mutation: 'upsertHealthRecords', type: 'HealthRecordInput', key: 'health', table: 'health.health_record',
    fields: ['seriousIllness', 'diagnosisSummary', 'screenedOn'], first: { screenedOn: '2026-09-01' }, second: { seriousIllness: false } },
  { dept: 'DPF', mutation: 'upsertDisabilityRecords', type: 'DisabilityRecordInput', key: 'disability', table: 'dpf.disability_record',
    fields: ['disabilityType', 'disabilityLevel', 'certificateNo'], first: { disabilityType: 'HEARING', disabilityLevel: 2 }, second: { disabilityLevel: 3 } },
] as const;

const upsert = (mutation: string, type: string) => `mutation($records: [${type}!]!) { ${mutation}(records: $records) { replayed } }`;
const read = (key: string, fields: readonly string[]) => `query($id: ID!) { child(id: $id) { ${key} { ${fields.join(' ')} version } } }`;

async function entriesOf(childId: string, entity: string): Promise<Array<{ operation: string; changes: Record<string, { before: unknown; after: unknown }> }>> {
  return hub.sql('SELECT operation, changes FROM hub.change_log WHERE child_id = $1 AND entity = $2 ORDER BY seq', [childId, entity]);
}

const entityOf = (type: string) => type.replace(/Input$/, '');
const nulls = (fields: readonly string[]) => Object.fromEntries(fields.map((f) => [f, null]));

beforeAll(async () => {
  hub = await startTestHub();
  for (const dept of ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const) tokens[dept] = await hub.token({ dept, region: '350102' });
  // Supervisors read every section but diagnoses: enough to see what each write left.
  tokens.reader = await hub.token({ dept: 'EDU', region: '350102', roles: ['supervisor'] });
});
afterAll(() => hub?.stop());

describe('a field left out of a section write', () => {
  it.each(SECTIONS)('$dept: is unknown on a new record and unchanged on an update, and is logged in neither', async (s) => {
    const child = childInput();
    expect((await hub.gql(REGISTER, { records: [child] }, tokens.EDU)).body.errors).toBeUndefined();

    const created = await hub.gql(upsert(s.mutation, s.type), { records: [{ childId: child.id, ...s.first }] }, tokens[s.dept]);
    expect(created.body.errors).toBeUndefined();
    const visible = s.fields.filter((f) => f !== 'diagnosisSummary');
    const afterCreate = await hub.gql(read(s.key, visible), { id: child.id }, tokens.reader);
    expect((afterCreate.body.data as any).child[s.key]).toEqual({ ...nulls(visible), ...s.first, version: 1 });

    const updated = await hub.gql(upsert(s.mutation, s.type), { records: [{ childId: child.id, ...s.second }] }, tokens[s.dept]);
    expect(updated.body.errors).toBeUndefined();
    const afterUpdate = await hub.gql(read(s.key, visible), { id: child.id }, tokens.reader);
    expect((afterUpdate.body.data as any).child[s.key]).toEqual({ ...nulls(visible), ...s.first, ...s.second, version: 2 });

    // The log, and so every notice made from it, names only what was said.
    const entries = await entriesOf(child.id, entityOf(s.type));
    expect(entries.map((e) => e.operation)).toEqual(['CREATE', 'UPDATE']);
    expect(Object.keys(entries[0].changes).sort()).toEqual(Object.keys(s.first).sort());
    expect(Object.keys(entries[1].changes)).toEqual(Object.keys(s.second));
    const [field, value] = Object.entries(s.second)[0];
    expect(entries[1].changes[field]).toEqual({ before: (s.first as Record<string, unknown>)[field] ?? null, after: value });
  });

  it('civil affairs: sending only 留守 and 低保 leaves 孤儿, 流动, 服刑人员子女 and 事实无人抚养 unknown in the table, not 否', async () => {
    const child = childInput();
    await hub.gql(REGISTER, { records: [child] }, tokens.EDU);
    await hub.gql(upsert('upsertCivilAffairsRecords', 'CivilAffairsRecordInput'), { records: [{ childId: child.id, leftBehind: true, subsistenceAllowance: true }] }, tokens.CIVIL);
    const [row] = await hub.sql('SELECT left_behind, de_facto_unsupported, migrant, parent_imprisoned, orphan, subsistence_allowance FROM civil.civil_affairs_record WHERE child_id = $1', [child.id]);
    expect(row).toEqual({ left_behind: true, de_facto_unsupported: null, migrant: null, parent_imprisoned: null, orphan: null, subsistence_allowance: true });
  });
});

describe('null sent for a field', () => {
  it('clears an optional flag to unknown, and logs that change', async () => {
    const child = childInput();
    await hub.gql(REGISTER, { records: [child] }, tokens.EDU);
    const mutation = upsert('upsertCivilAffairsRecords', 'CivilAffairsRecordInput');
    expect((await hub.gql(mutation, { records: [{ childId: child.id, orphan: true, migrant: false }] }, tokens.CIVIL)).body.errors).toBeUndefined();
    expect((await hub.gql(mutation, { records: [{ childId: child.id, orphan: null }] }, tokens.CIVIL)).body.errors).toBeUndefined();
    const [row] = await hub.sql('SELECT orphan, migrant, version FROM civil.civil_affairs_record WHERE child_id = $1', [child.id]);
    expect(row).toEqual({ orphan: null, migrant: false, version: 2 });
    const entries = await entriesOf(child.id, 'CivilAffairsRecord');
    expect(entries[1].changes).toEqual({ orphan: { before: true, after: null } });
  });

  it('is refused for a required field, naming it, and nothing is written', async () => {
    const child = childInput();
    await hub.gql(REGISTER, { records: [child] }, tokens.EDU);
    const res = await hub.gql(upsert('upsertPublicSecurityRecords', 'PublicSecurityRecordInput'), { records: [{ childId: child.id, hukouStatus: 'REGISTERED', whereabouts: null }] }, tokens.PSB);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0].extensions.problems).toEqual([{ path: 'records[0].whereabouts', reason: expect.stringContaining('may not be null') }]);
    expect(await hub.sql('SELECT 1 FROM psb.public_security_record WHERE child_id = $1', [child.id])).toHaveLength(0);
  });
});

describe('filters over flags that may be unknown', () => {
  it('true finds the children recorded so; false finds every other child (recorded no, unknown, or no record)', async () => {
    const [yes, no, unknown, none] = [childInput(), childInput(), childInput(), childInput()];
    await hub.gql(REGISTER, { records: [yes, no, unknown, none] }, tokens.EDU);
    await hub.gql(upsert('upsertPovertyRecords', 'PovertyRecordInput'), {
      records: [{ childId: yes.id, registeredPoor: true }, { childId: no.id, registeredPoor: false }, { childId: unknown.id, monitoredHousehold: true }],
    }, tokens.POVERTY);
    const ours = new Set([yes.id, no.id, unknown.id, none.id]);
    const found = async (registeredPoor: boolean) => {
      const res = await hub.gql('query($f: ChildFilter) { children(first: 100, filter: $f) { edges { node { id } } } }', { f: { registeredPoor } }, tokens.POVERTY);
      expect(res.body.errors).toBeUndefined();
      return (res.body.data as any).children.edges.map((e: any) => e.node.id).filter((id: string) => ours.has(id)).sort();
    };
    expect(await found(true)).toEqual([yes.id]);
    expect(await found(false)).toEqual([no.id, unknown.id, none.id].sort());
  });
});
