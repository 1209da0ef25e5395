import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * As-of reads of spot checks (issue 19 point 4): `spotCheck`, `spotChecks` and `spotCheckResults`
 * with `asOf` rebuild the draw and its items from the change log and answer each reader exactly
 * what the live read answered at that moment (items' status, verifier and findings; accuracy,
 * Wilson intervals, verification factors, mismatches), under today's permissions and regions;
 * before the draw, as for a missing id; never the future; analysts refused.
 */
let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

const ITEM = 'id spotCheckId caseId childId county township stratum status verifierSub verifierDept verifierRegion assignedOn verifiedOn verifiedBy version reported { field value notes } findings { field value notes }';
const CHECK = `id region seed rootSeq rootHash strata size frameSize frameHash drawnOn drawnBy version items { ${ITEM} }`;
const RESULTS = `spotCheckId drawn verified accuracy { county field checked matched accuracy low high reportedCount verifiedCount verificationFactor }
  mismatches { itemId childId county field reported found ownerDept }`;
const READ = `query($id: ID!, $at: DateTimeISO) { spotCheck(id: $id, asOf: $at) { ${CHECK} } spotCheckResults(id: $id, asOf: $at) { ${RESULTS} } }`;
const LIST = `query($at: DateTimeISO) { spotChecks(asOf: $at) { id region seed rootSeq drawnOn version items { id status verifiedOn } } }`;
const VERIFY = 'mutation($id: ID!, $on: LocalDate!, $f: [SpotCheckFindingInput!]!) { recordVerification(itemId: $id, verifiedOn: $on, findings: $f) }';

/** 6 children in Gulou (townships 001 and 002), each with one case: 4 open, 2 returned. */
const kids = Array.from({ length: 6 }, (_, i) => ({
  id: randomUUID(), caseId: randomUUID(), township: i < 3 ? '350102001' : '350102002', status: i < 4 ? 'OPEN' : 'RETURNED',
}));
const READERS = ['province', 'city', 'county', 'edu', 'town'];

async function ok(query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const res = await hub.gql<any>(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

/** Each reader's whole answer (data and errors, the id written as ID) to the reads by id and the list, live or as of a time. */
async function answers(id: string, at: string | null): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of READERS) {
    for (const [what, query] of [['byId', READ], ['list', LIST]]) {
      const res = await hub.gql<any>(query, { id, at }, t[name]);
      out[`${name} ${what}`] = { data: res.body.data, errors: (res.body.errors ?? []).map((e) => [e.extensions.code, e.message.replaceAll(id, 'ID')]) };
    }
  }
  return out;
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, dept, region, role] of [
    ['province', 'EDU', '350000', 'supervisor'], ['city', 'PSB', '350100', 'supervisor'], ['county', 'EDU', '350102', 'supervisor'],
    ['edu', 'EDU', '350102', 'clerk'], ['town', 'TOWNSHIP', '350102001', 'clerk'], ['analyst', 'EDU', '350000', 'analyst'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [role], sub: name });
  t.verifier1 = await hub.token({ dept: 'TOWNSHIP', region: '350102001', roles: ['clerk'], sub: 'verifier-1' });
  t.verifier2 = await hub.token({ dept: 'TOWNSHIP', region: '350102002', roles: ['clerk'], sub: 'verifier-2' });
  for (const [n, k] of kids.entries()) {
    await hub.sql(`INSERT INTO hub.child (id, name, gender, birth_date, hukou_region, residence_region, township, created_by, updated_by)
      VALUES ($1, $2, 'FEMALE', '2013-03-01', '350102', '350102', $3, 'fixture', 'fixture')`, [k.id, `抽查${n}`, k.township]);
    await hub.sql(`INSERT INTO edu.education_record (child_id, status, updated_by) VALUES ($1, $2, 'fixture')`, [k.id, k.status === 'OPEN' ? 'DROPPED_OUT' : 'ENROLLED']);
    await hub.sql(`INSERT INTO psb.public_security_record (child_id, hukou_status, whereabouts, updated_by) VALUES ($1, 'REGISTERED', 'PRESENT', 'fixture')`, [k.id]);
    await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, closed_on, updated_by) VALUES ($1, $2, 'STUDY_WEARINESS', $3, '2026-09-05', $4, 'fixture')`,
      [k.caseId, k.id, k.status, k.status === 'OPEN' ? null : '2026-10-01']);
  }
});
afterAll(() => hub?.stop());

describe('spot checks as of a past time', () => {
  it('answers each reader exactly as the live reads did between two verifications', async () => {
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const check = (await ok(`mutation { drawSpotCheck(region: "350102", size: 4, strata: ["CASE_STATUS"], seed: "as-of") { id items { id caseId township } } }`, {}, t.city)).drawSpotCheck;
    // Each item to a verifier of the other township.
    await ok('mutation($id: ID!, $a: [SpotCheckAssignmentInput!]!) { assignSpotCheckItems(spotCheckId: $id, assignments: $a) { id } }', {
      id: check.id,
      a: check.items.map((i: any) => (i.township === '350102001'
        ? { itemId: i.id, verifierSub: 'verifier-2', verifierDept: 'TOWNSHIP', verifierRegion: '350102002' }
        : { itemId: i.id, verifierSub: 'verifier-1', verifierDept: 'TOWNSHIP', verifierRegion: '350102001' })),
    }, t.city);
    const verify = async (item: any, lie: boolean) => {
      const k = kids.find((x) => x.caseId === item.caseId)!;
      const f = [{ field: 'CASE_STATUS', found: lie ? 'OPEN' : k.status, notes: lie ? '仍未返校' : null }, { field: 'WHEREABOUTS', found: 'PRESENT' }];
      await ok(VERIFY, { id: item.id, on: '2026-10-15', f }, item.township === '350102001' ? t.verifier2 : t.verifier1);
    };
    // The first half verified (a returned case found still out of school, when there is one), the rest later.
    const returned = check.items.find((i: any) => kids.find((k) => k.caseId === i.caseId)!.status === 'RETURNED');
    const first = [returned ?? check.items[0], ...check.items.filter((i: any) => i !== (returned ?? check.items[0]))].slice(0, 2);
    for (const item of first) await verify(item, item === returned);
    const live = await answers(check.id, null);
    const moment = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    for (const item of check.items.filter((i: any) => !first.includes(i))) await verify(item, false);
    const now = await answers(check.id, null);
    expect(now).not.toEqual(live);

    expect(await answers(check.id, moment)).toEqual(live);
    expect(await answers(check.id, new Date().toISOString())).toEqual(now);
    // Then: two of four verified, each with its findings; the supervisors of the county, its city and the province see it alike, clerks as if there were none.
    const province = (live['province byId'] as any).data;
    expect([province.spotCheckResults.drawn, province.spotCheckResults.verified]).toEqual([4, 2]);
    expect(province.spotCheck.items.filter((i: any) => i.status === 'VERIFIED').map((i: any) => i.id).sort()).toEqual(first.map((i: any) => i.id).sort());
    expect(province.spotCheck.items.find((i: any) => i.id === first[1].id).findings).toEqual([
      { field: 'WHEREABOUTS', value: 'PRESENT', notes: null }, { field: 'CASE_STATUS', value: kids.find((k) => k.caseId === first[1].caseId)!.status, notes: null },
    ]);
    // Proportional allocation of 4 over 4 open and 2 closed cases draws one closed case: found still out of school.
    expect(returned).toBeDefined();
    {
      expect(province.spotCheckResults.mismatches).toEqual([expect.objectContaining({ itemId: returned.id, field: 'CASE_STATUS', reported: 'RETURNED', found: 'OPEN' })]);
      expect(province.spotCheckResults.accuracy.find((r: any) => r.county === null && r.field === 'CASE_STATUS')).toMatchObject({ checked: 2, matched: 1, reportedCount: 1, verifiedCount: 0, verificationFactor: 0 });
    }
    expect(live['county byId']).toEqual(live['province byId']);
    expect(live['city list']).toEqual(live['province list']);
    const none = await answers(randomUUID(), moment);
    for (const name of ['edu', 'town']) {
      expect(live[`${name} byId`]).toEqual(none[`${name} byId`]);
      expect(live[`${name} byId`]).toEqual({ data: null, errors: [['NOT_FOUND', expect.any(String)]] });
      expect(live[`${name} list`]).toEqual({ data: { spotChecks: [] }, errors: [] });
    }

    // Before the draw: the check answers as a missing id does, for everyone; the lists are empty.
    const missing = await answers(randomUUID(), before);
    const earlier = await answers(check.id, before);
    expect(earlier).toEqual(missing);
    for (const name of READERS) expect(earlier[`${name} list`]).toEqual({ data: { spotChecks: [] }, errors: [] });
  });

  it('refuses a time in the future, naming asOf, and an analyst, as the live reads do', async () => {
    const [check] = await hub.sql<{ id: string }>('SELECT id FROM hub.spot_check');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    for (const [query, root] of [[READ, 'spotCheck'], [LIST, 'spotChecks']]) {
      for (const name of ['province', 'edu']) {
        const res = await hub.gql<any>(query, { id: check.id, at: future }, t[name]);
        expect(res.body.errors?.map((e: any) => [e.extensions.code, e.extensions.problems?.[0]?.path])[0]).toEqual(['BAD_USER_INPUT', 'asOf']);
        expect(res.body.data?.[root] ?? null).toBeNull();
      }
      const analyst = await hub.gql<any>(query, { id: check.id, at: new Date().toISOString() }, t.analyst);
      expect([...new Set(codes(analyst))]).toEqual(['FORBIDDEN']);
      expect(analyst.text).not.toContain(check.id);
    }
  });
});
