import ExcelJS from 'exceljs';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { xlsxText } from '../support/notices';

/**
 * Supervision actions in the monthly notice (issue 19: "a referral reaches CIVIL's notice"). A
 * referral goes to the department it was sent to, of the child's county (and that department's city
 * and province roll-ups); admonitions, correction orders and county interviews go to education; no
 * other department is told, not even a count. Each notice lists what happened in its month: opened,
 * closed (a referral: answered), overdue (its first overdue day); the next month's notice neither
 * misses nor repeats one. October is worked on a hub whose clock says 15 October, November on one
 * that says 2 November, and each month is issued by a hub on the same database in the month after.
 */
let october: TestHub;
let november: TestHub;
let december: TestHub;
const t: Record<string, string> = {};
const gulou = childInput({ name: '转介儿童' });
const taijiang = childInput({ name: '台江儿童', hukouRegion: '350103' });
const a: Record<string, { id: string; version: number }> = {};

const NOTICES = 'query($f: ExchangeNoticeFilter) { exchangeNotices(filter: $f, first: 100) { nodes { id number summary { actions { opened closed overdue } } verification { contentHashOk } } } }';
const RECORD = 'mutation($i: SupervisionActionInput!) { recordAction(input: $i) { id version } }';
const CLOSE = 'mutation($id: ID!, $o: String!, $v: Int!) { closeAction(id: $id, outcome: $o, expectedVersion: $v) { status closedOn } }';

async function ok(hub: TestHub, query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const res = await hub.gql<any>(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

async function notice(hub: TestHub, token: string, period: string, number: string): Promise<any> {
  const data = await ok(hub, NOTICES, { f: { period } }, token);
  const n = data.exchangeNotices.nodes.find((x: any) => x.number === number);
  expect(n).toBeDefined();
  return n;
}

async function download(hub: TestHub, path: string, token: string): Promise<{ status: number; text: string; body: Buffer }> {
  const response = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, text: body.toString('utf8'), body };
}

/** The 督导事项 section of a csv export, as rows of cells (none when the notice has no line). */
function actionSection(csv: string): string[][] {
  const [, section] = csv.split('\r\n督导事项\r\n');
  if (section === undefined) return [];
  const lines = section.split('\r\n\r\n')[0].trim().split('\r\n');
  expect(lines[0]).toBe('事件,事项,儿童编号,姓名,县区,学校,所涉县区,发起部门,转介至,文书编号,立项日期,办理期限,事件日期,事由,办理结果,事项编号');
  return lines.slice(1).map((l) => l.split(','));
}

beforeAll(async () => {
  october = await startTestHub({ today: '2026-10-15' });
  for (const [name, dept, region, roles] of [
    ['psb', 'PSB', '350100', 'clerk'], ['edu', 'EDU', '350102', 'clerk'], ['eduTaijiang', 'EDU', '350103', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'],
    ['city', 'EDU', '350100', 'supervisor'], ['province', 'EDU', '350000', 'supervisor'],
    ['civilLiaison', 'CIVIL', '350102', 'liaison'], ['civilTaijiang', 'CIVIL', '350103', 'liaison'], ['civilCity', 'CIVIL', '350100', 'liaison'],
    ['povertyLiaison', 'POVERTY', '350102', 'liaison'], ['eduLiaison', 'EDU', '350102', 'liaison'], ['psbLiaison', 'PSB', '350102', 'liaison'],
    ['healthLiaison', 'HEALTH', '350102', 'liaison'],
  ] as const) t[name] = await october.token({ dept, region, roles: [roles], sub: name });
  expect((await october.gql(REGISTER, { records: [gulou, taijiang] }, t.psb)).body.errors).toBeUndefined();
  const record = async (key: string, input: Record<string, unknown>, token: string) => { a[key] = (await ok(october, RECORD, { i: input }, token)).recordAction; };
  // October: a referral to civil affairs with a short deadline (overdue from 26 October), one to poverty alleviation,
  // an admonition and a correction order, an interview of Gulou, and a referral in Taijiang.
  await record('referral', { kind: 'ASSISTANCE_REFERRAL', childId: gulou.id, toDept: 'CIVIL', deadline: '2026-10-25', note: '家庭困难无力就学-转介民政' }, t.edu);
  await record('toPoverty', { kind: 'ASSISTANCE_REFERRAL', childId: gulou.id, toDept: 'POVERTY', deadline: '2026-12-31', note: '建议纳入防返贫监测-转介乡村振兴' }, t.edu);
  await record('admonition', { kind: 'GUARDIAN_ADMONITION', childId: gulou.id, deadline: '2026-12-20', note: '批评教育监护人-ADMON' }, t.edu);
  await record('order', { kind: 'CORRECTION_ORDER', childId: gulou.id, deadline: '2026-11-20', note: '责令限期送子女入学-ORDER' }, t.edu);
  await record('interview', { kind: 'COUNTY_INTERVIEW', county: '350102', deadline: '2026-11-10', note: '约谈鼓楼区-INTERVIEW' }, t.city);
  await record('taijiang', { kind: 'ASSISTANCE_REFERRAL', childId: taijiang.id, toDept: 'CIVIL', deadline: '2026-12-31', note: '台江转介-TAIJIANG' }, t.eduTaijiang);

  november = await startTestHub({ today: '2026-11-02', sameDatabaseAs: october });
  await ok(november, 'mutation { issueMonthlyNotices(period: "2026-10") { count } }', {}, t.province);
  // November: civil affairs answers the referral (late), the city closes the interview.
  await ok(november, CLOSE, { id: a.referral.id, o: '已纳入临时救助-ANSWER', v: a.referral.version }, t.civil);
  await ok(november, CLOSE, { id: a.interview.id, o: '已整改-INTERVIEW-OUT', v: a.interview.version }, t.city);

  december = await startTestHub({ today: '2026-12-01', sameDatabaseAs: october });
  await ok(december, 'mutation { issueMonthlyNotices(period: "2026-11") { count } }', {}, t.province);
}, 240_000);
afterAll(async () => {
  await december?.stop();
  await november?.stop();
  await october?.stop();
});

describe('supervision actions in the monthly notice', () => {
  it('a referral opened in October reaches civil affairs\' October notice of its county, overdue the day after its deadline; no other county or department is told', async () => {
    const civil = await notice(december, t.civilLiaison, '2026-10', '2026-10/350102/CIVIL');
    expect(civil.summary.actions).toEqual({ opened: 1, closed: 0, overdue: 1 });
    const rows = actionSection((await download(december, `/notices/${civil.id}/export.csv`, t.civilLiaison)).text);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[8], r[12], r[15]])).toEqual([
      ['新立', '救助转介', gulou.id, '转介儿童', '民政', '2026-10-15', a.referral.id],
      ['逾期未办结', '救助转介', gulou.id, '转介儿童', '民政', '2026-10-26', a.referral.id],
    ]);
    expect(rows[0][13]).toBe('家庭困难无力就学-转介民政');
    // Poverty alleviation is told of its own referral only; the city's civil affairs of both its counties' referrals.
    expect((await notice(december, t.povertyLiaison, '2026-10', '2026-10/350102/POVERTY')).summary.actions).toEqual({ opened: 1, closed: 0, overdue: 0 });
    expect((await notice(december, t.civilCity, '2026-10', '2026-10/350100/CIVIL')).summary.actions).toEqual({ opened: 2, closed: 0, overdue: 1 });
    // Taijiang's civil affairs: its own referral, not Gulou's.
    const taijiangNotice = await notice(december, t.civilTaijiang, '2026-10', '2026-10/350103/CIVIL');
    expect(taijiangNotice.summary.actions).toEqual({ opened: 1, closed: 0, overdue: 0 });
    const taijiangCsv = (await download(december, `/notices/${taijiangNotice.id}/export.csv`, t.civilTaijiang)).text;
    expect(actionSection(taijiangCsv).map((r) => r[15])).toEqual([a.taijiang.id]);
    expect(taijiangCsv).not.toContain(a.referral.id);
    expect(taijiangCsv).not.toContain('转介民政');
  });

  it('education is told of admonitions, orders and the interview of its county, never of referrals; the police and health of nothing', async () => {
    const edu = await notice(december, t.eduLiaison, '2026-10', '2026-10/350102/EDU');
    expect(edu.summary.actions).toEqual({ opened: 3, closed: 0, overdue: 0 });
    const csv = (await download(december, `/notices/${edu.id}/export.csv`, t.eduLiaison)).text;
    expect(actionSection(csv).map((r) => `${r[0]} ${r[1]} ${r[15]}`).sort()).toEqual([
      `新立 批评教育 ${a.admonition.id}`, `新立 责令限期改正 ${a.order.id}`, `新立 约谈 ${a.interview.id}`,
    ].sort());
    // The order carries its printed number; the interview names no child.
    const order = actionSection(csv).find((r) => r[15] === a.order.id)!;
    expect(order[9]).toMatch(/^350102责改〔2026〕/);
    expect(actionSection(csv).find((r) => r[15] === a.interview.id)!.slice(2, 4)).toEqual(['', '']);
    for (const id of [a.referral.id, a.toPoverty.id]) expect(csv).not.toContain(id);
    for (const [token, number] of [[t.psbLiaison, '2026-10/350102/PSB'], [t.healthLiaison, '2026-10/350102/HEALTH']]) {
      const n = await notice(december, token, '2026-10', number);
      expect(n.summary.actions).toEqual({ opened: 0, closed: 0, overdue: 0 });
      for (const format of ['export.csv', 'export.xlsx', 'print']) {
        const file = await download(december, `/notices/${n.id}/${format}`, token);
        expect(file.status).toBe(200);
        const text = format === 'export.xlsx' ? await xlsxText(file.body) : file.text;
        for (const key of Object.keys(a)) expect(`${number} ${format} ${key}: ${text.includes(a[key].id)}`).toBe(`${number} ${format} ${key}: false`);
        // The notes, the order's number, a kind's label in a line (column headers say 转介至, no line does).
        for (const secret of ['转介民政', '转介乡村振兴', 'ADMON', 'ORDER', 'INTERVIEW', 'TAIJIANG', '救助转介', '责改']) expect(`${number} ${format} ${secret}: ${text.includes(secret)}`).toBe(`${number} ${format} ${secret}: false`);
      }
    }
  });

  it('the answer appears in the notice of the month it was answered, and nothing of October repeats in November', async () => {
    const civil = await notice(december, t.civilLiaison, '2026-11', '2026-11/350102/CIVIL');
    expect(civil.summary.actions).toEqual({ opened: 0, closed: 1, overdue: 0 });
    const rows = actionSection((await download(december, `/notices/${civil.id}/export.csv`, t.civilLiaison)).text);
    expect(rows.map((r) => [r[0], r[12], r[14], r[15]])).toEqual([['办结（答复）', '2026-11-02', '已纳入临时救助-ANSWER', a.referral.id]]);
    // Education: the interview closed, the order overdue from 21 November; the admonition (due in December) not at all.
    const edu = await notice(december, t.eduLiaison, '2026-11', '2026-11/350102/EDU');
    expect(edu.summary.actions).toEqual({ opened: 0, closed: 1, overdue: 1 });
    const eduRows = actionSection((await download(december, `/notices/${edu.id}/export.csv`, t.eduLiaison)).text);
    expect(eduRows.map((r) => `${r[0]} ${r[12]} ${r[15]}`).sort()).toEqual([`办结（答复） 2026-11-02 ${a.interview.id}`, `逾期未办结 2026-11-21 ${a.order.id}`].sort());
    // Over both months, each event once.
    const [{ n, distinct }] = await december.sql<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (x.event, x.action_id))::int AS distinct FROM hub.notice_action x JOIN hub.exchange_notice e ON e.id = x.notice_id WHERE e.dept = 'CIVIL' AND e.region = '350102'`);
    expect({ n, distinct }).toEqual({ n: 3, distinct: 3 });
  });

  it('the content hash covers the frozen lines: the notices verify, and the lines cannot be changed', async () => {
    for (const [period, number] of [['2026-10', '2026-10/350102/CIVIL'], ['2026-11', '2026-11/350102/CIVIL'], ['2026-10', '2026-10/350102/EDU']] as const) {
      const token = number.endsWith('EDU') ? t.eduLiaison : t.civilLiaison;
      expect((await notice(december, token, period, number)).verification.contentHashOk).toBe(true);
    }
    const { id } = await notice(december, t.civilLiaison, '2026-10', '2026-10/350102/CIVIL');
    await expect(december.sql(`UPDATE hub.notice_action SET note = 'x' WHERE notice_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(december.sql('DELETE FROM hub.notice_action WHERE notice_id = $1', [id])).rejects.toThrow(/append-only/);
  });

  it('the spreadsheet has a 督导事项 sheet and summary rows, and the print page a section, with the same lines', async () => {
    const { id } = await notice(december, t.civilLiaison, '2026-10', '2026-10/350102/CIVIL');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(december, `/notices/${id}/export.xlsx`, t.civilLiaison)).body as never);
    const sheet = book.getWorksheet('督导事项')!;
    expect(sheet.getRow(2).getCell(1).value).toBe('事件');
    expect(sheet.rowCount).toBe(2 + 2);
    const labels: Record<string, unknown> = {};
    book.getWorksheet('摘要')!.eachRow((row) => { labels[String(row.getCell(1).value)] = row.getCell(2).value; });
    expect(labels).toMatchObject({ '督导事项·新立': 1, '督导事项·办结（答复）': 0, '督导事项·逾期未办结': 1 });
    const print = (await download(december, `/notices/${id}/print`, t.civilLiaison)).text;
    expect(print).toContain('<h2>督导事项</h2>');
    expect(print.match(/<td>救助转介<\/td>/g)).toHaveLength(2);
    expect(print).toMatch(/<\/html>\s*$/);
    // A notice with none this month says so.
    const { id: psb } = await notice(december, t.psbLiaison, '2026-10', '2026-10/350102/PSB');
    expect((await download(december, `/notices/${psb}/print`, t.psbLiaison)).text).toContain('本期没有需要通报的督导事项。');
  });
});
