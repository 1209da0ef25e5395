import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { xlsxText } from '../support/notices';

/**
 * Discrepancies in the monthly notice (issue 14, point 5): each department's notice counts the
 * discrepancies of the month it may see (found, resolved, explained, overdue when the month closed)
 * and lists them in the xlsx, csv and print exports; the content hash covers them; a department
 * that may not read every field a rule compares is told nothing of its discrepancies, not even
 * a count. October is worked on a hub whose clock says 15 October, and issued by one on the same
 * database whose clock says 2 November.
 */
let october: TestHub;
let november: TestHub;
const t: Record<string, string> = {};
const ids: Record<string, string> = {};
const r01 = randomUUID();
const r04 = randomUUID();
// Found with its ID number: without one it would also be the police's (R11), which this file does not follow.
const found = childInput({ name: '民政发现' });

const RUN = `mutation($p: String!, $r: String!) { runReconciliation(period: $p, region: $r) { opened resolved } }`;
const LIST = `query($f: DiscrepancyFilter) { discrepancies(filter: $f, first: 50) { edges { node { id rule { code } childId status version } } } }`;
const NOTICES = 'query($f: ExchangeNoticeFilter) { exchangeNotices(filter: $f, first: 100) { nodes { id number summary { newChildren discrepancies { new resolved explained overdue } } verification { contentHashOk } } } }';

async function ok(hub: TestHub, query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const res = await hub.gql<any>(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

async function notice(token: string, number: string): Promise<any> {
  const data = await ok(november, NOTICES, { f: { period: '2026-10' } }, token);
  const n = data.exchangeNotices.nodes.find((x: any) => x.number === number);
  expect(n).toBeDefined();
  return n;
}

async function download(path: string, token: string): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(`${november.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  october = await startTestHub({ today: '2026-10-15' });
  for (const [name, dept, region, roles] of [
    ['edu', 'EDU', '350102', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'], ['supervisor', 'EDU', '350102', 'supervisor'], ['province', 'EDU', '350000', 'supervisor'],
    ['eduLiaison', 'EDU', '350102', 'liaison'], ['psbLiaison', 'PSB', '350102', 'liaison'], ['healthLiaison', 'HEALTH', '350102', 'liaison'],
    ['civilLiaison', 'CIVIL', '350102', 'liaison'], ['taijiangLiaison', 'EDU', '350103', 'liaison'],
  ] as const) t[name] = await october.token({ dept, region, roles: [roles], sub: name });
  // R01: on the police roster with no education record; R04: on a civil-affairs roster, out of school with no case.
  for (const [id, name] of [[r01, '公安在册'], [r04, '留守儿童']]) {
    await october.sql(`INSERT INTO hub.child (id, id_number, name, gender, birth_date, hukou_region, residence_region, created_by, updated_by) VALUES ($1, $2, $3, 'MALE', '2016-05-20', '350102', '350102', 'fixture', 'fixture')`, [id, childInput().idNumber, name]);
  }
  await october.sql(`INSERT INTO psb.public_security_record (child_id, hukou_status, whereabouts, updated_by) VALUES ($1, 'REGISTERED', 'PRESENT', 'fixture')`, [r01]);
  await october.sql(`INSERT INTO civil.civil_affairs_record (child_id, left_behind, updated_by) VALUES ($1, true, 'fixture')`, [r04]);
  // A child civil affairs found (二(二)): an R01 item for education once a run has seen it.
  await ok(october, REGISTER, { records: [found] }, t.civil);
  expect((await ok(october, RUN, { p: '2026-10', r: '350102' }, t.supervisor)).runReconciliation.opened).toBe(3);

  const items = (await ok(october, LIST, {}, t.province)).discrepancies.edges.map((e: any) => e.node);
  const item = (child: string) => items.find((d: any) => d.childId === child);
  // Resolved: education records the police's child, and the next run finds it fixed.
  await ok(october, `mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }`, { r: [{ childId: r01, status: 'ENROLLED', stage: 'PRIMARY', grade: 5 }] }, t.edu);
  expect((await ok(october, RUN, { p: '2026-10', r: '350102' }, t.supervisor)).runReconciliation.resolved).toBe(1);
  // Explained: a true exception, confirmed by a supervisor.
  await ok(october, 'mutation($id: ID!) { explainDiscrepancy(id: $id, reason: "随父母外出，已在外省入学", evidence: "转学证明", expectedVersion: 1) { version } }', { id: item(r04).id }, t.edu);
  await ok(october, 'mutation($id: ID!) { confirmExplanation(id: $id, expectedVersion: 2) { status } }', { id: item(r04).id }, t.supervisor);
  // Overdue: the found child's item had a deadline in October (a short one, set here) and is still open at the month's end.
  await october.sql(`UPDATE hub.discrepancy SET deadline = '2026-10-20' WHERE child_id = $1`, [found.id]);

  november = await startTestHub({ today: '2026-11-02', sameDatabaseAs: october });
  await ok(november, 'mutation { issueMonthlyNotices(period: "2026-10") { count } }', {}, t.province);
  for (const [key, token, number] of [
    ['edu', t.eduLiaison, '2026-10/350102/EDU'], ['psb', t.psbLiaison, '2026-10/350102/PSB'], ['health', t.healthLiaison, '2026-10/350102/HEALTH'],
    ['civil', t.civilLiaison, '2026-10/350102/CIVIL'], ['taijiang', t.taijiangLiaison, '2026-10/350103/EDU'], ['province', t.province, '2026-10/350000/EDU'],
  ] as const) ids[key] = (await notice(token, number)).id;
}, 180_000);
afterAll(async () => {
  await november?.stop();
  await october?.stop();
});

describe('discrepancies in the monthly notice', () => {
  it('counts, per recipient, the discrepancies of the month it may see: found, resolved, explained, overdue at the month\'s end', async () => {
    const edu = await notice(t.eduLiaison, '2026-10/350102/EDU');
    expect(edu.summary.discrepancies).toEqual({ new: 3, resolved: 1, explained: 1, overdue: 1 });
    // The found child reached education's notice as a new child, registered by civil affairs.
    expect(edu.summary.newChildren).toBe(1);
    expect((await notice(t.province, '2026-10/350000/EDU')).summary.discrepancies).toEqual({ new: 3, resolved: 1, explained: 1, overdue: 1 });
    // The police read no civil-affairs roster (R04): they are told of the two R01 items only.
    expect((await notice(t.psbLiaison, '2026-10/350102/PSB')).summary.discrepancies).toEqual({ new: 2, resolved: 1, explained: 0, overdue: 1 });
    // Health reads neither the police's record (R01) nor the rosters (R04): nothing, not even a count.
    expect((await notice(t.healthLiaison, '2026-10/350102/HEALTH')).summary.discrepancies).toEqual({ new: 0, resolved: 0, explained: 0, overdue: 0 });
    expect((await notice(t.taijiangLiaison, '2026-10/350103/EDU')).summary.discrepancies).toEqual({ new: 0, resolved: 0, explained: 0, overdue: 0 });
  });

  it('the content hash covers the frozen lines: the notice verifies, and the lines cannot be changed', async () => {
    expect((await notice(t.eduLiaison, '2026-10/350102/EDU')).verification.contentHashOk).toBe(true);
    await expect(november.sql(`UPDATE hub.notice_discrepancy SET rule = 'R09' WHERE notice_id = $1`, [ids.edu])).rejects.toThrow(/append-only/);
    await expect(november.sql('DELETE FROM hub.notice_discrepancy WHERE notice_id = $1', [ids.edu])).rejects.toThrow(/append-only/);
    const [{ n }] = await november.sql<{ n: number }>('SELECT count(*)::int AS n FROM hub.notice_discrepancy WHERE notice_id = $1', [ids.edu]);
    expect(n).toBe(6);
  });

  it('the csv lists each line after the entries, with the child named as the reader may see it', async () => {
    const { status, body } = await download(`/notices/${ids.edu}/export.csv`, t.eduLiaison);
    expect(status).toBe(200);
    const text = body.toString('utf8');
    const [, section] = text.split('\r\n核实比对问题\r\n');
    expect(section).toBeDefined();
    const lines = section.trim().split('\r\n');
    expect(lines[0]).toBe('事件,规则,儿童编号,姓名,县区,学校,核查县区,责任部门,发现日期,整改期限,事件日期,问题编号');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => `${r[0]} ${r[1].slice(0, 3)} ${r[3]}`).sort()).toEqual([
      '已解决 R01 公安在册', '新发现 R01 公安在册', '新发现 R01 民政发现', '新发现 R04 留守儿童', '说明已确认 R04 留守儿童', '逾期未整改 R01 民政发现',
    ].sort());
    expect(rows.find((r) => r[0] === '逾期未整改')!.slice(8, 11)).toEqual(['2026-10-15', '2026-10-20', '2026-10-20']);
    const [overdue] = await november.sql<{ id: string }>('SELECT id FROM hub.discrepancy WHERE child_id = $1', [found.id]);
    expect(rows.find((r) => r[0] === '逾期未整改')![11]).toBe(overdue.id);
  });

  it('a department that may not see a rule finds no line, id or child of it in any export', async () => {
    for (const format of ['export.csv', 'export.xlsx', 'print']) {
      const { status, body } = await download(`/notices/${ids.health}/${format}`, t.healthLiaison);
      expect(status).toBe(200);
      const text = format === 'export.xlsx' ? await xlsxText(body) : body.toString('utf8');
      // Health is told of the children's entries it may read (the found child's registration, r01's school record), never of the rules' items.
      for (const secret of [r04, '留守儿童', 'R01', 'R04', '<td>新发现', '\r\n新发现', '\n逾期未整改']) expect(`${format}: ${text.includes(secret)}`).toBe(`${format}: false`);
      if (format !== 'export.xlsx') expect(text).not.toMatch(/核实比对问题\r?\n?(事件|<table)/);
    }
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(`/notices/${ids.health}/export.xlsx`, t.healthLiaison)).body as never);
    expect(book.getWorksheet('核实比对')!.rowCount).toBe(2);
    const psb = (await download(`/notices/${ids.psb}/export.csv`, t.psbLiaison)).body.toString('utf8');
    expect(psb).toContain(r01);
    expect(psb).not.toContain(r04);
    expect(psb).not.toContain('R04');
  });

  it('the spreadsheet has a 核实比对 sheet, and the print page a section, with the same lines', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(`/notices/${ids.edu}/export.xlsx`, t.eduLiaison)).body as never);
    const sheet = book.getWorksheet('核实比对')!;
    expect(sheet).toBeDefined();
    expect(sheet.getRow(2).getCell(1).value).toBe('事件');
    expect(sheet.rowCount).toBe(2 + 6);
    const summary = book.getWorksheet('摘要')!;
    const labels: Record<string, unknown> = {};
    summary.eachRow((row) => { labels[String(row.getCell(1).value)] = row.getCell(2).value; });
    expect(labels).toMatchObject({ '核实比对·新发现': 3, '核实比对·已解决': 1, '核实比对·说明已确认': 1, '核实比对·逾期未整改': 1 });
    const print = (await download(`/notices/${ids.edu}/print`, t.eduLiaison)).body.toString('utf8');
    expect(print).toContain('<h2>核实比对问题</h2>');
    expect(print.match(/<td>新发现<\/td>/g)).toHaveLength(3);
    expect(print).toMatch(/<\/html>\s*$/);
  });

  it('a supervisor reading education\'s notice is shown what education was told; another county\'s liaison cannot open it', async () => {
    const csv = (await download(`/notices/${ids.edu}/export.csv`, t.province)).body.toString('utf8');
    expect(csv).toContain(found.id);
    expect((await download(`/notices/${ids.edu}/export.csv`, t.taijiangLiaison)).status).toBe(404);
  });
});
