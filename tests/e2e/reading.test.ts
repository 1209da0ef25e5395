import { childInput, FULL_CHILD, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

// Gulou (350102) and Taijiang (350103) are districts of Fuzhou (350100); Siming (350203) is in Xiamen.
const gulou = childInput({ name: '黄嘉怡', gender: 'FEMALE' });
const taijiang = childInput({ hukouRegion: '350103', name: '吴子轩' });
const commuter = childInput({ hukouRegion: '350203', residenceRegion: '350102', name: '刘欣然', gender: 'FEMALE' });
const xiamen = childInput({ hukouRegion: '350203', name: '蔡明' });

const LIST = `query($filter: ChildFilter, $first: Int, $after: String) {
  children(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id name } }
  }
}`;

async function ids(token: string, filter?: Record<string, unknown>): Promise<string[]> {
  const res = await hub.gql(LIST, { filter, first: 100 }, token);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as any).children.edges.map((e: any) => e.node.id).sort();
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, claims] of Object.entries({
    eduGulou: { dept: 'EDU', region: '350102' }, eduTaijiang: { dept: 'EDU', region: '350103' },
    eduFuzhou: { dept: 'EDU', region: '350100', roles: ['liaison'] }, eduXiamen: { dept: 'EDU', region: '350203' },
    psbGulou: { dept: 'PSB', region: '350102' }, civilGulou: { dept: 'CIVIL', region: '350102' },
    dpfGulou: { dept: 'DPF', region: '350102' }, healthGulou: { dept: 'HEALTH', region: '350102' },
    povertyGulou: { dept: 'POVERTY', region: '350102' },
    analystFuzhou: { dept: 'EDU', region: '350100', roles: ['analyst'] },
    supervisor: { dept: 'EDU', region: '350000', roles: ['supervisor'] },
    expert: { dept: 'EDU', region: '350102', roles: ['expert'] },
  } as const)) t[name] = await hub.token(claims as never);
  const provincePsb = await hub.token({ dept: 'PSB', region: '350000' });
  expect((await hub.gql(REGISTER, { records: [gulou, taijiang, commuter, xiamen] }, provincePsb)).body.errors).toBeUndefined();
  const write = async (mutation: string, type: string, token: string, records: unknown[]) => {
    const res = await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: records }, token);
    expect(res.body.errors).toBeUndefined();
  };
  await write('upsertEducationRecords', 'EducationRecordInput', t.eduGulou, [{ childId: gulou.id, status: 'DROPPED_OUT', stage: 'PRIMARY', grade: 4 }]);
  await write('upsertEducationRecords', 'EducationRecordInput', t.eduGulou, [{ childId: commuter.id, status: 'ENROLLED', stage: 'PRIMARY', grade: 4 }]);
  await write('upsertCivilAffairsRecords', 'CivilAffairsRecordInput', t.civilGulou, [{ childId: gulou.id, leftBehind: true }]);
  await write('upsertPovertyRecords', 'PovertyRecordInput', t.povertyGulou, [{ childId: gulou.id, registeredPoor: true, householdId: 'HH-0001' }]);
  await write('upsertHealthRecords', 'HealthRecordInput', t.healthGulou, [{ childId: gulou.id, seriousIllness: true, diagnosisSummary: '白血病化疗中' }]);
  await write('upsertDisabilityRecords', 'DisabilityRecordInput', t.dpfGulou, [{ childId: gulou.id, disabilityType: 'PHYSICAL', disabilityLevel: 3, certificateNo: `${gulou.idNumber}43` }]);
  await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, updated_by) VALUES (gen_random_uuid(), $1, 'FAMILY_POVERTY', 'OPEN', '2026-09-15', 'test')`, [gulou.id]);
});
afterAll(() => hub?.stop());

describe('region scope', () => {
  it('shows a county user its own children and those living there with hukou elsewhere', async () => {
    expect(await ids(t.eduGulou)).toEqual([gulou.id, commuter.id].sort());
    expect(await ids(t.eduXiamen)).toEqual([commuter.id, xiamen.id].sort());
    expect(await ids(t.eduTaijiang)).toEqual([taijiang.id]);
  });

  it('shows a city user all its counties, and the province everything', async () => {
    expect(await ids(t.eduFuzhou)).toEqual([gulou.id, taijiang.id, commuter.id].sort());
    expect(await ids(t.supervisor)).toEqual([gulou.id, taijiang.id, commuter.id, xiamen.id].sort());
  });

  it('counts only in-region children', async () => {
    const res = await hub.gql(LIST, {}, t.eduTaijiang);
    expect((res.body.data as any).children.totalCount).toBe(1);
  });

  it('answers NOT_FOUND for a child outside the region, as for one that does not exist', async () => {
    const other = await hub.gql(FULL_CHILD, { id: taijiang.id }, t.eduGulou);
    const none = await hub.gql(FULL_CHILD, { id: '00000000-0000-4000-8000-000000000000' }, t.eduGulou);
    expect(codes(other)).toEqual(['NOT_FOUND']);
    expect(codes(none)).toEqual(['NOT_FOUND']);
    expect(other.text).not.toContain('吴子轩');
    const byNumber = await hub.gql('query($n: String!) { childByIdNumber(idNumber: $n) { id } }', { n: taijiang.idNumber }, t.eduGulou);
    expect((byNumber.body.data as any).childByIdNumber).toBeNull();
  });

  it('refuses a filter on a region outside the user\'s own', async () => {
    expect(codes(await hub.gql(LIST, { filter: { region: '350103' } }, t.eduGulou))).toEqual(['FORBIDDEN']);
    expect(await ids(t.eduFuzhou, { region: '350103' })).toEqual([taijiang.id]);
  });
});

describe('what each department sees of one child', () => {
  /** The child as the token sees it; every error must be a FORBIDDEN on a field, listed in `forbidden`. */
  const read = async (token: string) => {
    const res = await hub.gql(FULL_CHILD, { id: gulou.id }, token);
    for (const error of res.body.errors ?? []) expect(error.extensions.code).toBe('FORBIDDEN');
    const forbidden = (res.body.errors ?? []).map((e) => e.path!.slice(1).join('.')).sort();
    return { child: (res.body.data as any).child, text: res.text, forbidden };
  };

  it('education sees the ID number, the certificate number masked, and no diagnosis or household id', async () => {
    const { child, text, forbidden } = await read(t.eduGulou);
    expect(forbidden).toEqual(['health.diagnosisSummary', 'poverty.householdId']);
    expect(child.idNumber).toBe(gulou.idNumber);
    expect(child.disability.certificateNo).toBe(`${gulou.idNumber!.slice(0, 6)}**********${gulou.idNumber!.slice(-2)}43`);
    expect(child.health).toMatchObject({ seriousIllness: true, diagnosisSummary: null });
    expect(child.poverty).toMatchObject({ registeredPoor: true, householdId: null });
    expect(text).not.toContain('白血病');
    expect(text).not.toContain('HH-0001');
  });

  it('civil affairs sees the ID number masked and no health section', async () => {
    const { child, text, forbidden } = await read(t.civilGulou);
    expect(forbidden).toEqual(['disability.certificateNo', 'health', 'poverty.householdId']);
    expect(child.idNumber).toBe(`${gulou.idNumber!.slice(0, 6)}************`);
    expect(text).not.toContain(gulou.idNumber!);
    expect(child.health).toBeNull();
    expect(child.civilAffairs.leftBehind).toBe(true);
  });

  it('public security sees neither civil affairs, poverty, health nor disability', async () => {
    const { child, text, forbidden } = await read(t.psbGulou);
    expect(forbidden).toEqual(['civilAffairs', 'disability', 'health', 'poverty']);
    expect(child).toMatchObject({ civilAffairs: null, poverty: null, health: null, disability: null, idNumber: gulou.idNumber });
    expect(child.education.status).toBe('DROPPED_OUT');
    expect(text).not.toContain(`${gulou.idNumber}43`);
  });

  it('health sees the diagnosis; an education expert does too; a supervisor does not', async () => {
    expect((await read(t.healthGulou)).child.health.diagnosisSummary).toBe('白血病化疗中');
    expect((await read(t.expert)).child.health.diagnosisSummary).toBe('白血病化疗中');
    const supervisor = await read(t.supervisor);
    expect(supervisor.forbidden).toEqual(['health.diagnosisSummary']);
    expect(supervisor.child.health).toMatchObject({ seriousIllness: true, diagnosisSummary: null });
    expect(supervisor.text).not.toContain('白血病');
  });

  it('an analyst reads no child at all (aggregates only, through statistics)', async () => {
    const res = await hub.gql(FULL_CHILD, { id: gulou.id }, t.analystFuzhou);
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.body.data).toBeNull();
    expect(res.text).not.toContain('黄');
    expect(res.text).not.toContain(gulou.idNumber!);
  });

  it('shows the dropout case to every department', async () => {
    for (const token of [t.eduGulou, t.psbGulou, t.civilGulou, t.dpfGulou]) {
      expect((await read(token)).child.dropoutCases).toEqual([expect.objectContaining({ reason: 'FAMILY_POVERTY', status: 'OPEN', openedOn: '2026-09-15' })]);
    }
  });
});

describe('filters', () => {
  it('filters by school status, stage, open dropout case, special group, poverty, disability and illness', async () => {
    expect(await ids(t.eduGulou, { schoolStatus: ['DROPPED_OUT'] })).toEqual([gulou.id]);
    expect(await ids(t.eduGulou, { schoolStatus: ['ENROLLED'], stage: 'PRIMARY' })).toEqual([commuter.id]);
    expect(await ids(t.eduGulou, { hasOpenDropoutCase: true })).toEqual([gulou.id]);
    expect(await ids(t.eduGulou, { hasOpenDropoutCase: false })).toEqual([commuter.id]);
    expect(await ids(t.eduGulou, { specialGroups: ['LEFT_BEHIND', 'ORPHAN'] })).toEqual([gulou.id]);
    expect(await ids(t.eduGulou, { registeredPoor: true })).toEqual([gulou.id]);
    expect(await ids(t.eduGulou, { hasDisability: false })).toEqual([commuter.id]);
    expect(await ids(t.eduGulou, { hasSeriousIllness: true })).toEqual([gulou.id]);
  });

  it('refuses filters on fields the reader may not read, so no hidden value can be probed', async () => {
    expect(codes(await hub.gql(LIST, { filter: { registeredPoor: true } }, t.psbGulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(LIST, { filter: { hasSeriousIllness: true } }, t.civilGulou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(LIST, { filter: { specialGroups: ['LEFT_BEHIND'] } }, t.healthGulou))).toEqual(['FORBIDDEN']);
    const byNumber = await hub.gql('query($n: String!) { childByIdNumber(idNumber: $n) { id } }', { n: gulou.idNumber }, t.analystFuzhou);
    expect(codes(byNumber)).toEqual(['FORBIDDEN']);
  });
});

describe('pagination', () => {
  it('walks every child exactly once with first/after', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await hub.gql(LIST, { first: 1, after }, t.supervisor);
      const conn = (res.body.data as any).children;
      seen.push(...conn.edges.map((e: any) => e.node.id));
      expect(conn.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual([gulou.id, taijiang.id, commuter.id, xiamen.id].sort());
  });

  it('refuses a page larger than 100 or smaller than 1, and a forged cursor', async () => {
    expect(codes(await hub.gql(LIST, { first: 101 }, t.eduGulou))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.gql(LIST, { first: 0 }, t.eduGulou))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.gql(LIST, { after: 'bm9wZQ' }, t.eduGulou))).toEqual(['BAD_USER_INPUT']);
  });
});
