import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * As-of reads of supervision actions (issue 19 point 4): `supervisionActions(asOf:)` rebuilt from
 * the change log answers, for each reader, exactly what the live list answered at that moment
 * (every field, the count, the filters), under today's permissions and regions; nothing before
 * the first action; never the future.
 */
let hub: TestHub;
const t: Record<string, string> = {};
const kids = [{ id: randomUUID(), county: '350102', township: '350102001' }, { id: randomUUID(), county: '350103', township: '350103001' }];
const FIELDS = 'id kind county childId township toDept number deadline note status overdue openedOn openedBy openedDept closedOn closedBy outcome version';
const LIST = `query($f: SupervisionActionFilter, $at: DateTimeISO) { supervisionActions(filter: $f, first: 100, asOf: $at) { totalCount edges { node { ${FIELDS} } } } }`;
const RECORD = 'mutation($i: SupervisionActionInput!) { recordAction(input: $i) { id version } }';
const CLOSE = 'mutation($id: ID!, $o: String!, $v: Int!) { closeAction(id: $id, outcome: $o, expectedVersion: $v) { version } }';
const FILTERS: Array<Record<string, unknown>> = [{}, { status: 'OPEN' }, { status: 'CLOSED' }, { kind: 'ASSISTANCE_REFERRAL' }, { region: '350102' }, { childId: kids[0].id }, { overdue: false }];

async function ok(query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const res = await hub.gql<any>(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

/** Each reader's answer to each filter, live or as of a time. */
async function answers(at: string | null): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of ['province', 'gulou', 'edu', 'psb', 'civil', 'poverty', 'town']) {
    for (const f of FILTERS) out[`${name} ${JSON.stringify(f)}`] = (await ok(LIST, { f, at }, t[name])).supervisionActions;
  }
  return out;
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, dept, region, roles] of [
    ['province', 'EDU', '350000', 'supervisor'], ['gulou', 'PSB', '350102', 'supervisor'], ['edu', 'EDU', '350102', 'clerk'], ['eduTaijiang', 'EDU', '350103', 'clerk'],
    ['psb', 'PSB', '350102', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'], ['poverty', 'POVERTY', '350102', 'clerk'], ['town', 'TOWNSHIP', '350102001', 'clerk'],
    ['analyst', 'EDU', '350000', 'analyst'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  for (const k of kids) {
    await hub.sql(`INSERT INTO hub.child (id, name, gender, birth_date, hukou_region, residence_region, township, created_by, updated_by)
      VALUES ($1, '历史儿童', 'MALE', '2013-03-01', $2, $2, $3, 'fixture', 'fixture')`, [k.id, k.county, k.township]);
  }
});
afterAll(() => hub?.stop());

describe('supervision actions as of a past time', () => {
  it('answers each reader exactly as the live list did at that moment, after later records and closings', async () => {
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const referral = (await ok(RECORD, { i: { kind: 'ASSISTANCE_REFERRAL', childId: kids[0].id, toDept: 'CIVIL', deadline: '2027-01-31', note: '转介民政' } }, t.edu)).recordAction;
    const order = (await ok(RECORD, { i: { kind: 'CORRECTION_ORDER', childId: kids[0].id, deadline: '2027-01-31', note: '责令改正' } }, t.edu)).recordAction;
    await ok(RECORD, { i: { kind: 'COUNTY_INTERVIEW', county: '350103', deadline: '2027-01-31', note: '约谈台江' } }, t.province);
    await ok(CLOSE, { id: order.id, o: '已送学', v: order.version }, t.edu);
    await ok(RECORD, { i: { kind: 'GUARDIAN_ADMONITION', childId: kids[1].id, deadline: '2027-01-31', note: '台江批评教育' } }, t.eduTaijiang);
    const live = await answers(null);
    const moment = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Later: the referral answered, the admonition closed, a new referral to poverty alleviation.
    await ok(CLOSE, { id: referral.id, o: '已纳入临时救助', v: referral.version }, t.civil);
    await ok(RECORD, { i: { kind: 'ASSISTANCE_REFERRAL', childId: kids[0].id, toDept: 'POVERTY', deadline: '2027-01-31', note: '转介扶贫' } }, t.edu);
    const now = await answers(null);
    expect(now).not.toEqual(live);

    expect(await answers(moment)).toEqual(live);
    // The province's list then: four actions, the order closed, the referral still open.
    const province = live['province {}'] as { totalCount: number; edges: Array<{ node: any }> };
    expect(province.totalCount).toBe(4);
    expect(province.edges.find((e) => e.node.id === referral.id)!.node).toMatchObject({ status: 'OPEN', outcome: null, version: 1 });
    // Before anything was recorded: nothing, for everyone.
    for (const answer of Object.values(await answers(before))) expect(answer).toEqual({ totalCount: 0, edges: [] });
  });

  it('refuses a time in the future and an analyst, as the live list does', async () => {
    const future = await hub.gql<any>(LIST, { at: new Date(Date.now() + 86_400_000).toISOString() }, t.province);
    expect(future.body.errors?.map((e: any) => [e.extensions.code, e.extensions.problems?.[0]?.path])).toEqual([['BAD_USER_INPUT', 'asOf']]);
    const analyst = await hub.gql<any>(LIST, { at: new Date().toISOString() }, t.analyst);
    expect(analyst.body.errors?.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });
});
