import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * Supervision records as files (issue 19 point 4): the action list and a spot check's results as
 * .xlsx and .csv, for supervisors only, each holding exactly what the API answers the reader (a
 * county supervisor: its county's actions, not another county's), audited like the notices'
 * exports; a spot check the reader may not see answers exactly like a missing one.
 */
let hub: TestHub;
const t: Record<string, string> = {};
const data = (r: { body: { data?: any; errors?: unknown } }) => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data;
};
/** Children: 4 in Gulou (townships 001 and 002), 2 in Taijiang; each with an open case. */
const kids = Array.from({ length: 6 }, (_, i) => ({
  id: randomUUID(), caseId: randomUUID(), county: i < 4 ? '350102' : '350103', township: i < 2 ? '350102001' : i < 4 ? '350102002' : '350103001',
}));
const actions: Record<string, { id: string; county: string; note: string }> = {};
const checks: Record<string, { id: string; items: Array<{ id: string; township: string; childId: string }> }> = {};

async function download(path: string, token?: string): Promise<{ status: number; text: string; body: Buffer; type: string | null }> {
  const response = await fetch(`${hub.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, text: body.toString('utf8'), body, type: response.headers.get('content-disposition') };
}

async function sheets(body: Buffer): Promise<Record<string, string[][]>> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as never);
  const out: Record<string, string[][]> = {};
  book.eachSheet((sheet) => {
    out[sheet.name] = [];
    sheet.eachRow((row) => { out[sheet.name].push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))); });
  });
  return out;
}

beforeAll(async () => {
  hub = await startTestHub();
  for (const [name, dept, region, roles] of [
    ['province', 'EDU', '350000', 'supervisor'], ['city', 'EDU', '350100', 'supervisor'], ['gulou', 'EDU', '350102', 'supervisor'], ['taijiangSup', 'PSB', '350103', 'supervisor'],
    ['edu', 'EDU', '350102', 'clerk'], ['eduTaijiang', 'EDU', '350103', 'clerk'], ['civilLiaison', 'CIVIL', '350102', 'liaison'], ['analyst', 'EDU', '350000', 'analyst'],
    ['town1', 'TOWNSHIP', '350102001', 'clerk'], ['town2', 'TOWNSHIP', '350102002', 'clerk'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  for (const [n, k] of kids.entries()) {
    await hub.sql(`INSERT INTO hub.child (id, name, gender, birth_date, hukou_region, residence_region, township, created_by, updated_by)
      VALUES ($1, $2, 'MALE', '2013-03-01', $3, $3, $4, 'fixture', 'fixture')`, [k.id, `导出儿童${n}`, k.county, k.township]);
    await hub.sql(`INSERT INTO edu.education_record (child_id, status, updated_by) VALUES ($1, 'DROPPED_OUT', 'fixture')`, [k.id]);
    await hub.sql(`INSERT INTO edu.dropout_case (id, child_id, reason, status, opened_on, updated_by) VALUES ($1, $2, 'STUDY_WEARINESS', 'OPEN', '2026-09-05', 'fixture')`, [k.caseId, k.id]);
  }
  const record = async (key: string, input: Record<string, unknown>, token: string) => {
    const { recordAction } = data(await hub.gql('mutation($i: SupervisionActionInput!) { recordAction(input: $i) { id county } }', { i: input }, token));
    actions[key] = { ...recordAction, note: input.note as string };
  };
  await record('referral', { kind: 'ASSISTANCE_REFERRAL', childId: kids[0].id, toDept: 'CIVIL', deadline: '2026-11-30', note: '鼓楼转介-EXPORT-REFER' }, t.edu);
  await record('order', { kind: 'CORRECTION_ORDER', childId: kids[1].id, deadline: '2026-11-30', note: '鼓楼责令-EXPORT-ORDER' }, t.edu);
  await record('admonition', { kind: 'GUARDIAN_ADMONITION', childId: kids[4].id, deadline: '2026-11-30', note: '台江批评教育-EXPORT-ADMON' }, t.eduTaijiang);
  await record('interview', { kind: 'COUNTY_INTERVIEW', county: '350103', deadline: '2026-11-30', note: '约谈台江-EXPORT-INTERVIEW' }, t.province);

  const DRAW = 'mutation($r: String!, $n: Int!, $seed: String!) { drawSpotCheck(region: $r, size: $n, strata: ["COUNTY"], seed: $seed) { id items { id township childId } } }';
  checks.gulou = data(await hub.gql(DRAW, { r: '350102', n: 2, seed: 'export-gulou' }, t.gulou)).drawSpotCheck;
  checks.city = data(await hub.gql(DRAW, { r: '350100', n: 4, seed: 'export-city' }, t.city)).drawSpotCheck;
  // One Gulou item verified by a township officer from the other township: the case is found closed.
  const item = checks.gulou.items[0];
  const [verifier, region] = item.township === '350102001' ? [t.town2, '350102002'] : [t.town1, '350102001'];
  data(await hub.gql('mutation($id: ID!, $a: [SpotCheckAssignmentInput!]!) { assignSpotCheckItems(spotCheckId: $id, assignments: $a) { id } }',
    { id: checks.gulou.id, a: [{ itemId: item.id, verifierSub: region === '350102001' ? 'town1' : 'town2', verifierDept: 'TOWNSHIP', verifierRegion: region }] }, t.gulou));
  data(await hub.gql('mutation($id: ID!, $f: [SpotCheckFindingInput!]!) { recordVerification(itemId: $id, verifiedOn: "2026-10-15", findings: $f) }',
    { id: item.id, f: [{ field: 'CASE_STATUS', found: 'RETURNED' }, { field: 'SCHOOL_STATUS', found: 'DROPPED_OUT' }] }, verifier));
}, 120_000);
afterAll(() => hub?.stop());

describe('exports of supervision records', () => {
  it('a county supervisor\'s action list holds its county\'s actions only; the city\'s holds both counties\'', async () => {
    const csv = await download('/supervision-actions/export.csv', t.gulou);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('.csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[1].split(',')).toEqual(['事项编号', '类别', '状态', '逾期', '所涉县区', '乡镇（街道）', '儿童编号', '转介至', '文书编号', '立项日期', '立项部门', '立项人', '办理期限', '办结日期', '办结人', '事由', '办理结果']);
    const ids = lines.slice(2).map((l) => l.split(',')[0]);
    expect(ids.sort()).toEqual([actions.referral.id, actions.order.id].sort());
    for (const key of ['admonition', 'interview']) {
      expect(csv.text).not.toContain(actions[key].id);
      expect(csv.text).not.toContain(actions[key].note);
    }
    // As the API answers the same reader.
    const api = data(await hub.gql('{ supervisionActions(first: 100) { edges { node { id } } } }', {}, t.gulou)).supervisionActions.edges.map((e: any) => e.node.id);
    expect(api.sort()).toEqual(ids.sort());
    const city = await sheets((await download('/supervision-actions/export.xlsx', t.city)).body);
    expect(city['督导事项'].slice(2).map((r) => r[0]).sort()).toEqual(Object.values(actions).map((a) => a.id).sort());
    expect(city['督导事项'].slice(2).find((r) => r[0] === actions.referral.id)!.slice(1, 5)).toEqual(['救助转介', '办理中', '否', '鼓楼区（350102）']);
    // A supervisor of Taijiang (the police's): Taijiang's two, not Gulou's.
    const taijiang = await download('/supervision-actions/export.csv', t.taijiangSup);
    expect(taijiang.text).toContain(actions.admonition.id);
    expect(taijiang.text).not.toContain(actions.referral.id);
    expect(taijiang.text).not.toContain('EXPORT-ORDER');
  });

  it('refuses everyone but supervisors before reading, and audits each export', async () => {
    const before = await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.sensitive_read');
    for (const token of [t.edu, t.civilLiaison, t.analyst]) {
      for (const path of ['/supervision-actions/export.csv', `/spot-checks/${checks.gulou.id}/results.xlsx`]) {
        const refused = await download(path, token);
        expect([path, refused.status, JSON.parse(refused.text).errors[0].extensions.code]).toEqual([path, 403, 'FORBIDDEN']);
        expect(refused.text).not.toContain('EXPORT-');
      }
    }
    expect((await download('/supervision-actions/export.csv')).status).toBe(401);
    expect(await hub.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.sensitive_read')).toEqual(before);
    await download('/supervision-actions/export.xlsx', t.gulou);
    await download(`/spot-checks/${checks.gulou.id}/results.csv`, t.gulou);
    const audited = await hub.sql<{ field: string; actor_sub: string }>(`SELECT field, actor_sub FROM hub.sensitive_read WHERE actor_sub = 'gulou' AND field LIKE 'export:%' ORDER BY id`);
    expect(audited.map((a) => a.field)).toEqual(expect.arrayContaining(['export:csv:supervision-actions', 'export:xlsx:supervision-actions', `export:csv:spot-check:${checks.gulou.id}`]));
  });

  it('a spot check\'s results: accuracy, mismatches and the sample, as the API counts them; another region\'s check answers like a missing one', async () => {
    const book = await sheets((await download(`/spot-checks/${checks.gulou.id}/results.xlsx`, t.gulou)).body);
    expect(Object.keys(book)).toEqual(['准确率', '不一致', '样本']);
    const api = data(await hub.gql('query($id: ID!) { spotCheckResults(id: $id) { accuracy { county field checked matched } mismatches { itemId field reported found } } }', { id: checks.gulou.id }, t.gulou)).spotCheckResults;
    const all = book['准确率'].slice(2).filter((r) => r[0] === '全部').map((r) => [r[1], Number(r[2]), Number(r[3])]);
    expect(all).toEqual(api.accuracy.filter((a: any) => a.county === null).map((a: any) => [{ CASE_STATUS: '个案状态', SCHOOL_STATUS: '就学状态' }[a.field as string], a.checked, a.matched]));
    // Values in Chinese: the ledger said open (未返校 or the like), the verifier found the child returned.
    expect(api.mismatches.map((m: any) => [m.field, m.found])).toEqual([['CASE_STATUS', 'RETURNED']]);
    expect(book['不一致'].slice(2).map((r) => [r[0], r[3], r[5]])).toEqual([[api.mismatches[0].itemId, '个案状态', '已返校']]);
    expect(book['不一致'][2][4]).not.toMatch(/[A-Z]/);
    expect(book['不一致']).toHaveLength(3);
    expect(book['样本'].slice(2).map((r) => r[0]).sort()).toEqual(checks.gulou.items.map((i) => i.id).sort());
    const csv = (await download(`/spot-checks/${checks.gulou.id}/results.csv`, t.gulou)).text;
    for (const heading of ['准确率与核实系数', '不一致清单', '样本']) expect(csv).toMatch(new RegExp(`\\r\\n台账抽查结果 [^\\r\\n]*${heading}\\r\\n|^\\uFEFF台账抽查结果 [^\\r\\n]*${heading}\\r\\n`));
    // The city's check (Gulou and Taijiang) is not Gulou's supervisor's to see: exactly as a missing id.
    const hidden = await download(`/spot-checks/${checks.city.id}/results.csv`, t.gulou);
    const missingId = randomUUID();
    const missing = await download(`/spot-checks/${missingId}/results.csv`, t.gulou);
    expect([hidden.status, hidden.text.replace(checks.city.id, 'ID').replace(/"requestId":"[^"]+"/, '')]).toEqual([404, missing.text.replace(missingId, 'ID').replace(/"requestId":"[^"]+"/, '')]);
    expect((await download(`/spot-checks/${checks.city.id}/results.csv`, t.city)).status).toBe(200);
  });
});
