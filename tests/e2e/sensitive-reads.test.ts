import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);
const gulou = childInput({ name: '蒋安琪', gender: 'FEMALE' });
const taijiang = childInput({ hukouRegion: '350103' });
let baseline = 0;

async function audit(): Promise<Array<{ actor_sub: string; child_id: string; field: string; request_id: string }>> {
  return hub.sql('SELECT actor_sub, child_id, field, request_id FROM hub.sensitive_read ORDER BY id');
}

async function asRequest(requestId: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId }, body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data: any; errors?: Array<{ extensions: { code: string } }> };
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, dept, region, roles] of [
    ['edu', 'EDU', '350102', ['clerk']], ['civil', 'CIVIL', '350102', ['clerk']], ['health', 'HEALTH', '350102', ['clerk']],
    ['dpf', 'DPF', '350102', ['clerk']], ['eduTaijiang', 'EDU', '350103', ['clerk']], ['supervisor', 'EDU', '350100', ['supervisor']],
    ['supervisorXiamen', 'EDU', '350200', ['supervisor']],
  ] as const) t[name] = await hub.token({ dept, region, roles: [...roles], sub: name });
  const psb = await hub.token({ dept: 'PSB', region: '350100' });
  expect((await hub.gql(REGISTER, { records: [gulou, taijiang] }, psb)).body.errors).toBeUndefined();
  const write = async (token: string, mutation: string, type: string, record: Record<string, unknown>) =>
    expect((await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: [record] }, token)).body.errors).toBeUndefined();
  await write(t.health, 'upsertHealthRecords', 'HealthRecordInput', { childId: gulou.id, seriousIllness: true, diagnosisSummary: '癫痫' });
  await write(t.dpf, 'upsertDisabilityRecords', 'DisabilityRecordInput', { childId: gulou.id, disabilityType: 'MENTAL', disabilityLevel: 2, certificateNo: `${gulou.idNumber}62` });
  // The registration payload selected the new children's ID numbers: those were reads too.
  expect((await audit()).map((a) => `${a.actor_sub} ${a.field}`)).toEqual(['test-psb-350100-1 Child.idNumber', 'test-psb-350100-1 Child.idNumber']);
  baseline = (await audit()).length;
});
afterAll(() => hub?.stop());

describe('the sensitive-read audit records exactly the unmasked reads made', () => {
  it('records an ID number sent to education, with who, which child and the request id', async () => {
    await asRequest('req-edu-1', t.edu, 'query($id: ID!) { child(id: $id) { name idNumber } }', { id: gulou.id });
    expect((await audit()).slice(baseline)).toEqual([{ actor_sub: 'edu', child_id: gulou.id, field: 'Child.idNumber', request_id: 'req-edu-1' }]);
  });

  it('records nothing when the number was not asked for, or was masked', async () => {
    const before = (await audit()).length;
    await asRequest('req-edu-2', t.edu, 'query($id: ID!) { child(id: $id) { name education { status } } }', { id: gulou.id });
    const masked = await asRequest('req-civil-1', t.civil, 'query($id: ID!) { child(id: $id) { idNumber } }', { id: gulou.id });
    expect(masked.data.child.idNumber).toContain('****');
    const certificate = await asRequest('req-edu-3', t.edu, 'query($id: ID!) { child(id: $id) { disability { certificateNo } } }', { id: gulou.id });
    expect(certificate.data.child.disability.certificateNo).toContain('****');
    expect((await audit()).length).toBe(before);
  });

  it('records a diagnosis read by health and a certificate read by the federation', async () => {
    const before = (await audit()).length;
    await asRequest('req-health-1', t.health, 'query($id: ID!) { child(id: $id) { health { diagnosisSummary } } }', { id: gulou.id });
    await asRequest('req-dpf-1', t.dpf, 'query($id: ID!) { child(id: $id) { a: disability { certificateNo } b: disability { certificateNo } } }', { id: gulou.id });
    expect((await audit()).slice(before)).toEqual([
      { actor_sub: 'health', child_id: gulou.id, field: 'HealthRecord.diagnosisSummary', request_id: 'req-health-1' },
      { actor_sub: 'dpf', child_id: gulou.id, field: 'DisabilityRecord.certificateNo', request_id: 'req-dpf-1' },
    ]);
  });

  it('records the ID numbers of a list, once per child', async () => {
    const before = (await audit()).length;
    await asRequest('req-list', t.supervisor, '{ children(first: 10) { edges { node { idNumber } } } }');
    const added = (await audit()).slice(before);
    expect(added.map((a) => a.child_id).sort()).toEqual([gulou.id, taijiang.id].sort());
    expect(new Set(added.map((a) => a.request_id))).toEqual(new Set(['req-list']));
  });

  it('records a list\'s ID numbers in the page\'s own statement, once per child, and only when they are sent', async () => {
    const before = (await audit()).length;
    const statements = await hub.metric('baoxue_sql_statements_total');
    await asRequest('req-list-2', t.supervisor, `query($withId: Boolean!) {
      children(first: 10) { edges { node { ...Id @include(if: $withId) } } }
      child(id: "${gulou.id}") { idNumber }
    } fragment Id on Child { id idNumber }`, { withId: true });
    // The page and the lookup of child(id): no statement for the audit.
    expect(await hub.metric('baoxue_sql_statements_total') - statements).toBe(2);
    const added = (await audit()).slice(before);
    expect(added.map((a) => a.child_id).sort()).toEqual([gulou.id, taijiang.id].sort());
    expect(new Set(added.map((a) => a.request_id))).toEqual(new Set(['req-list-2']));
    await asRequest('req-list-3', t.supervisor, 'query($withId: Boolean!) { children(first: 10) { edges { node { ...Id @include(if: $withId) } } } } fragment Id on Child { id idNumber }', { withId: false });
    await asRequest('req-list-4', t.civil, '{ children(first: 10) { edges { node { idNumber } } } }');
    expect((await audit()).length).toBe(before + 2);
  });

  it('records sensitive values shown in the change log', async () => {
    const before = (await audit()).length;
    await asRequest('req-log', t.health, '{ changeLog(first: 50) { edges { node { entity changes { field after } } } } }');
    const added = (await audit()).slice(before);
    // Health may read ID numbers only masked, so only the diagnosis (in its CREATE entry) is a sensitive read.
    expect(added).toEqual([{ actor_sub: 'health', child_id: gulou.id, field: 'HealthRecord.diagnosisSummary', request_id: 'req-log' }]);
  });
});

describe('reading the audit', () => {
  it('lets supervisors of the region read it, and nobody else', async () => {
    const res = await hub.gql('{ sensitiveReads(first: 100) { edges { node { actorSub childId field requestId } } } }', {}, t.supervisor);
    expect(res.body.errors).toBeUndefined();
    const nodes = (res.body.data as any).sensitiveReads.edges.map((e: any) => e.node);
    expect(nodes.length).toBe((await audit()).length);
    const xiamen = await hub.gql('{ sensitiveReads(first: 100) { edges { node { childId } } } }', {}, t.supervisorXiamen);
    expect((xiamen.body.data as any).sensitiveReads.edges).toEqual([]);
    expect(codes(await hub.gql('{ sensitiveReads(first: 10) { edges { node { childId } } } }', {}, t.edu))).toEqual(['FORBIDDEN']);
  });

  it('is append-only within the retention period', async () => {
    await expect(hub.sql(`UPDATE hub.sensitive_read SET actor_sub = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(hub.sql('DELETE FROM hub.sensitive_read')).rejects.toThrow(/append-only/);
    await expect(hub.sql('TRUNCATE hub.sensitive_read')).rejects.toThrow(/append-only/);
  });

  it('withholds the data when the audit cannot be written (fail closed)', async () => {
    await hub.sql(`CREATE FUNCTION hub.refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$;
      CREATE TRIGGER refuse_audit BEFORE INSERT ON hub.sensitive_read FOR EACH ROW EXECUTE FUNCTION hub.refuse_audit()`);
    try {
      const res = await hub.gql('query($id: ID!) { child(id: $id) { idNumber } }', { id: gulou.id }, t.edu);
      expect(res.body.data ?? null).toBeNull();
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(res.text).not.toContain(gulou.idNumber!);
      // A list audits its ID numbers in the statement that reads them: no audit, no numbers.
      const list = await hub.gql('{ children(first: 10) { edges { node { idNumber } } } }', {}, t.supervisor);
      expect(list.body.data ?? null).toBeNull();
      expect(codes(list)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(list.text).not.toContain(gulou.idNumber!);
      expect(list.text).not.toContain(taijiang.idNumber!);
    } finally {
      await hub.sql('DROP TRIGGER refuse_audit ON hub.sensitive_read; DROP FUNCTION hub.refuse_audit()');
    }
  });
});
