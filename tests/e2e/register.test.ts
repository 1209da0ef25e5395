import { childInput, FULL_CHILD, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let eduClerk: string;
let psbClerk: string;

beforeAll(async () => {
  hub = await startTestHub();
  eduClerk = await hub.token({ dept: 'EDU', region: '350102' });
  psbClerk = await hub.token({ dept: 'PSB', region: '350102' });
});
afterAll(() => hub?.stop());

const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

describe('registerChildren', () => {
  it('registers a batch and reads it back as the federated record', async () => {
    const records = [childInput({ name: '陈雨桐', gender: 'FEMALE' }), { ...childInput({ idNumber: null, name: '王浩' }), hukouStatus: 'NO_HUKOU' }];
    const res = await hub.gql(REGISTER, { records }, eduClerk);
    expect(res.body.errors).toBeUndefined();
    const payload = (res.body.data as any).registerChildren;
    expect(payload.replayed).toBe(false);
    expect(payload.children.map((c: any) => c.id)).toEqual(records.map((r) => r.id));
    expect(payload.children[0]).toMatchObject({ name: '陈雨桐', idNumber: records[0].idNumber, version: 1 });
    expect(payload.children[1].idNumber).toBeNull();

    const read = await hub.gql(FULL_CHILD, { id: records[0].id }, psbClerk);
    // The police may not read the civil-affairs, poverty, health or disability sections.
    expect(read.body.errors!.map((e) => `${e.extensions.code} ${e.path!.join('.')}`).sort()).toEqual(
      ['civilAffairs', 'disability', 'health', 'poverty'].map((s) => `FORBIDDEN child.${s}`),
    );
    expect((read.body.data as any).child).toMatchObject({
      id: records[0].id, name: '陈雨桐', gender: 'FEMALE', birthDate: records[0].birthDate,
      hukouRegion: { code: '350102', name: '鼓楼区' }, education: null, dropoutCases: [],
    });
    const [row] = await hub.sql<{ created_by: string }>('SELECT created_by FROM hub.child WHERE id = $1', [records[0].id]);
    expect(row.created_by).toMatch(/^test-edu-350102/);
  });

  it('looks a child up by ID number', async () => {
    const record = childInput({ name: '李思远' });
    await hub.gql(REGISTER, { records: [record] }, psbClerk);
    const res = await hub.gql('query($n: String!) { childByIdNumber(idNumber: $n) { id name } }', { n: record.idNumber }, eduClerk);
    expect((res.body.data as any).childByIdNumber).toEqual({ id: record.id, name: '李思远' });
  });

  it.each([
    ['a mistyped ID check character', { idNumber: 'TYPO' }, 'records[0].idNumber', /校验码|check character/],
    ['an ID number whose birth date differs', { birthDate: '2016-05-21' }, 'records[0].idNumber', /出生日期/],
    ['a birth date in the future', { birthDate: '2027-01-01', idNumber: null }, 'records[0].birthDate', /future/],
    ['a child too young for school, even next year', { birthDate: '2022-03-01', idNumber: null }, 'records[0].birthDate', /age 5 on 2027-09-01/],
    ['a child too old', { birthDate: '2009-03-01', idNumber: null }, 'records[0].birthDate', /age 17/],
    ['an unknown region', { hukouRegion: '359999', idNumber: null }, 'records[0].hukouRegion', /unknown|未知/],
    ['a city instead of a county', { residenceRegion: '350100' }, 'records[0].residenceRegion', /county/],
    ['a name with digits', { name: '张3' }, 'records[0].name', /Chinese characters/],
    ['a name too long', { name: '张'.repeat(51) }, 'records[0].name', /1 to 50/],
    ['a gender that contradicts the number', { gender: 'FEMALE' }, 'records[0].idNumber', /gender/],
  ])('refuses %s, naming the record and field, and writes nothing', async (_label, override, path, reason) => {
    const base = childInput();
    const record = { ...base, ...override } as Record<string, unknown>;
    if (override.idNumber === 'TYPO') record.idNumber = base.idNumber!.slice(0, 17) + (base.idNumber!.endsWith('1') ? '2' : '1');
    const before = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.child');
    const res = await hub.gql(REGISTER, { records: [record] }, eduClerk);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    const problems = res.body.errors![0].extensions.problems as Array<{ path: string; reason: string }>;
    expect(problems.find((p) => p.path === path)?.reason).toMatch(reason);
    const after = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.child');
    expect(after[0].n).toBe(before[0].n);
  });

  it('rejects an invalid enum or date before reaching the service', async () => {
    const res = await hub.gql(REGISTER, { records: [{ ...childInput(), gender: 'X' }] }, eduClerk);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    const date = await hub.gql(REGISTER, { records: [{ ...childInput(), birthDate: '2016-02-30' }] }, eduClerk);
    expect(codes(date)).toEqual(['BAD_USER_INPUT']);
    expect(date.body.errors![0].message).toMatch(/YYYY-MM-DD/);
  });

  it('is all-or-nothing: one bad record in a batch writes none', async () => {
    const good = childInput();
    const before = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.child');
    const res = await hub.gql(REGISTER, { records: [good, { ...childInput(), name: '' }] }, eduClerk);
    expect(res.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'records[1].name' })]);
    expect((await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.child'))[0].n).toBe(before[0].n);
  });

  it('refuses a duplicate ID number with CONFLICT, saying the same whether or not the caller may read the child', async () => {
    const mine = childInput();
    const theirs = childInput({ hukouRegion: '350203' });
    expect((await hub.gql(REGISTER, { records: [mine] }, eduClerk)).body.errors).toBeUndefined();
    expect((await hub.gql(REGISTER, { records: [theirs] }, await hub.token({ dept: 'EDU', region: '350203' }))).body.errors).toBeUndefined();
    const duplicateOf = async (existing: { idNumber: string | null }) => {
      const again = { ...childInput(), idNumber: existing.idNumber };
      const res = await hub.gql(REGISTER, { records: [again] }, psbClerk);
      expect(await hub.sql('SELECT 1 FROM hub.child WHERE id = $1', [again.id])).toHaveLength(0);
      const [error] = res.body.errors!;
      return { message: error.message, extensions: { ...error.extensions, requestId: undefined } };
    };
    const inScope = await duplicateOf(mine);
    expect(inScope).toMatchObject({ extensions: { code: 'CONFLICT', path: 'records[0].idNumber' } });
    expect(inScope.message).toMatch(/已登记.*already registered/);
    // Another county's child: no id, region or anything else of it, and the very same answer.
    const outOfScope = await duplicateOf(theirs);
    expect(JSON.stringify(outOfScope)).not.toContain(theirs.id);
    expect(outOfScope).toEqual(inScope);
    // The caller that may read the child finds it as the message says; the other is told nothing.
    const lookup = 'query($n: String!) { childByIdNumber(idNumber: $n) { id } }';
    expect((await hub.gql(lookup, { n: mine.idNumber }, psbClerk)).body.data).toEqual({ childByIdNumber: { id: mine.id } });
    expect((await hub.gql(lookup, { n: theirs.idNumber }, psbClerk)).body.data).toEqual({ childByIdNumber: null });
  });

  it('takes an ID number with a lower-case x as the same number with X, when registering and looking up', async () => {
    let child = childInput();
    while (!child.idNumber!.endsWith('X')) child = childInput();
    const lower = child.idNumber!.replace(/X$/, 'x');
    const res = await hub.gql(REGISTER, { records: [{ ...child, idNumber: lower }] }, psbClerk);
    expect(res.body.errors).toBeUndefined();
    expect(await hub.sql('SELECT id_number FROM hub.child WHERE id = $1', [child.id])).toEqual([{ id_number: child.idNumber }]);
    const lookup = 'query($n: String!) { childByIdNumber(idNumber: $n) { id idNumber } }';
    for (const n of [lower, child.idNumber]) {
      expect((await hub.gql(lookup, { n }, psbClerk)).body.data).toEqual({ childByIdNumber: { id: child.id, idNumber: child.idNumber } });
    }
    // And it is the same number for the duplicate check.
    const again = await hub.gql(REGISTER, { records: [{ ...childInput(), idNumber: lower }] }, eduClerk);
    expect(codes(again)).toEqual(['CONFLICT']);
  });

  it('refuses the same ID number twice in one batch', async () => {
    const one = childInput();
    const res = await hub.gql(REGISTER, { records: [one, { ...childInput(), idNumber: one.idNumber }] }, eduClerk);
    expect(res.body.errors![0].extensions.problems).toEqual([expect.objectContaining({ path: 'records[1].idNumber' })]);
  });

  it('returns the first result for a retried idempotency key and writes nothing new', async () => {
    const records = [childInput()];
    const first = await hub.gql(REGISTER, { records, key: 'batch-2026-10-001' }, eduClerk);
    const retry = await hub.gql(REGISTER, { records, key: 'batch-2026-10-001' }, eduClerk);
    expect((retry.body.data as any).registerChildren.replayed).toBe(true);
    expect((retry.body.data as any).registerChildren.children).toEqual((first.body.data as any).registerChildren.children);
    expect(await hub.sql('SELECT 1 FROM hub.child WHERE id = $1', [records[0].id])).toHaveLength(1);

    const different = await hub.gql(REGISTER, { records: [childInput()], key: 'batch-2026-10-001' }, eduClerk);
    expect(codes(different)).toEqual(['BAD_USER_INPUT']);
    expect(different.body.errors![0].message).toMatch(/different request/);
  });

  it('lets every department\'s clerks register a child they find (二(二)), but only EDU and PSB set its township; not townships', async () => {
    for (const dept of ['CIVIL', 'POVERTY', 'HEALTH', 'DPF']) {
      const clerk = await hub.token({ dept, region: '350102' });
      const found = childInput();
      const res = await hub.gql(REGISTER, { records: [found] }, clerk);
      expect(res.body.errors).toBeUndefined();
      const [entry] = await hub.sql<{ actor_dept: string }>(`SELECT actor_dept FROM hub.change_log WHERE entity = 'Child' AND operation = 'CREATE' AND child_id = $1`, [found.id]);
      expect(entry.actor_dept).toBe(dept);
      const withTownship = { ...childInput(), township: '350102001' };
      const refused = await hub.gql(REGISTER, { records: [withTownship] }, clerk);
      expect(codes(refused)).toEqual(['FORBIDDEN']);
      expect(refused.body.errors![0].message).toMatch(/records\[0\]\.township/);
      expect(await hub.sql('SELECT 1 FROM hub.child WHERE id = $1', [withTownship.id])).toEqual([]);
    }
    const township = await hub.token({ dept: 'TOWNSHIP', region: '350102001' });
    expect(codes(await hub.gql(REGISTER, { records: [childInput()] }, township))).toEqual(['FORBIDDEN']);
  });

  it('lets only clerks register, inside their region', async () => {
    const liaison = await hub.token({ dept: 'EDU', region: '350102', roles: ['liaison'] });
    expect(codes(await hub.gql(REGISTER, { records: [childInput()] }, liaison))).toEqual(['FORBIDDEN']);
    const elsewhere = childInput({ hukouRegion: '350203' });
    expect(codes(await hub.gql(REGISTER, { records: [elsewhere] }, eduClerk))).toEqual(['FORBIDDEN']);
  });
});
