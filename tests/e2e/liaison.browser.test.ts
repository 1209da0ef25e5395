import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../artifacts');
// CI installs Debian's chromium (.ci/run); elsewhere, without it, say so instead of failing.
const haveBrowser = fs.existsSync(CHROMIUM) || process.env.CI === 'true';
if (!haveBrowser) process.stderr.write(`\n*** ${CHROMIUM} is missing: the browser test of the liaison page is SKIPPED (apt-get install chromium). ***\n`);
const test = haveBrowser ? it : it.skip;

let hub: TestHub;
let context: BrowserContext;
let page: Page;
let profile: string;
const outsideRequests: string[] = [];
const tokenInUrl: string[] = [];
const consoleErrors: string[] = [];
const t: Record<string, string> = {};
let referralId = '';
/** Children registered in Gulou: more than one page of the education notice (20 a page). */
const gulou = Array.from({ length: 24 }, (_, i) => childInput({ name: `林${'一二三四五六七八九十'[i % 10]}${'甲乙丙'[Math.floor(i / 10)]}`, gender: i % 2 ? 'FEMALE' : 'MALE' }));

async function write(token: string, mutation: string, type: string, records: unknown[]) {
  const res = await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: records }, token);
  expect(res.body.errors).toBeUndefined();
}

async function signInAsDemo(sub: string) {
  await page.goto(`${hub.url}/liaison`, { waitUntil: 'load' });
  await page.waitForSelector('#lx-demo:not([disabled])');
  await page.selectOption('#lx-demo', sub);
  await page.click('#lx-demo-go');
  await page.waitForSelector('#lx-app:not([hidden])');
  await page.waitForFunction(() => /份通报|没有符合/.test(document.getElementById('lx-list-note')?.textContent ?? ''));
}

const cardNumbers = () => page.$$eval('.lx-card', (cards) => cards.map((c) => c.getAttribute('data-number')));
const rowSeqs = () => page.$$eval('#lx-entries tbody tr[data-seq]', (rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Development mode: the page offers the demo identities, signed by the test's key.
  hub = await startTestHub({ today: '2026-12-01', env: { NODE_ENV: 'development' } });
  for (const [name, dept, region, roles] of [
    ['psb', 'PSB', '350100', 'clerk'], ['edu', 'EDU', '350102', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'], ['health', 'HEALTH', '350102', 'clerk'],
    ['province', 'EDU', '350000', 'supervisor'], ['psbLiaison', 'PSB', '350102', 'liaison'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  expect((await hub.gql(REGISTER, { records: gulou }, t.psb)).body.errors).toBeUndefined();
  await write(t.edu, 'upsertEducationRecords', 'EducationRecordInput', [{ childId: gulou[0].id, status: 'DROPPED_OUT', schoolName: '福州市鼓楼区第一中心小学' }]);
  await write(t.civil, 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', [{ childId: gulou[0].id, leftBehind: true }, { childId: gulou[1].id, orphan: true, subsistenceAllowance: true }]);
  await write(t.health, 'upsertHealthRecords', 'HealthRecordInput', [{ childId: gulou[1].id, seriousIllness: true, diagnosisSummary: '肾病综合征' }]);
  expect((await hub.gql('mutation { issueMonthlyNotices(period: "2026-10") { count } }', {}, t.province)).body.errors).toBeUndefined();
  await write(t.civil, 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', [{ childId: gulou[2].id, migrant: true }]);
  // In November, education refers the first child's family to civil affairs (救助转介): a line of civil affairs' November notice.
  const inNovember = await startTestHub({ sameDatabaseAs: hub, today: '2026-11-20' });
  try {
    const referral = await inNovember.gql('mutation($i: SupervisionActionInput!) { recordAction(input: $i) { id } }',
      { i: { kind: 'ASSISTANCE_REFERRAL', childId: gulou[0].id, toDept: 'CIVIL', deadline: '2026-12-20', note: '家庭经济困难，建议落实临时救助' } }, t.edu);
    expect(referral.body.errors).toBeUndefined();
    referralId = (referral.body.data as { recordAction: { id: string } }).recordAction.id;
  } finally {
    await inNovember.stop();
  }
  expect((await hub.gql('mutation { issueMonthlyNotices(period: "2026-11") { count } }', {}, t.province)).body.errors).toBeUndefined();

  if (!haveBrowser) return;
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    timeout: 60_000,
  });
  const origin = new URL(hub.url).origin;
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (/eyJ[\w-]+\.[\w-]+/.test(target)) tokenInUrl.push(target);
    if (target.startsWith(`${origin}/`) || target.startsWith('blob:') || target.startsWith('data:')) return route.continue();
    outsideRequests.push(target);
    return route.abort('internetdisconnected');
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text().slice(0, 300));
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  await hub?.stop();
});

test('a liaison signs in, reads a notice, acknowledges it, downloads and prints it', async () => {
  await signInAsDemo('demo-edu-liaison');
  expect(await page.textContent('#lx-who-text')).toContain('鼓楼区 · 教育 · 联络员');
  expect(await cardNumbers()).toEqual(['2026-11/350102/EDU', '2026-10/350102/EDU']);

  await page.click('.lx-card[data-number="2026-10/350102/EDU"]');
  await page.waitForSelector('#lx-entries tbody tr[data-seq]');
  // Summary first, in Chinese; then the entries, 20 a page.
  const tiles = await page.$$eval('.lx-tile', (nodes) => nodes.map((n) => n.textContent));
  expect(tiles).toEqual(['27变更条目', '24新登记儿童', '0返校', '0特殊群体儿童就学状态变动']);
  await page.selectOption('#lx-page-size', '20');
  await page.waitForFunction(() => document.getElementById('lx-page-info')?.textContent?.startsWith('第 1 / 2 页'));
  const firstPage = await rowSeqs();
  expect(firstPage).toHaveLength(20);
  await page.click('#lx-next');
  await page.waitForFunction(() => document.getElementById('lx-page-info')?.textContent?.startsWith('第 2 / 2 页'));
  const secondPage = await rowSeqs();
  expect(secondPage).toHaveLength(7);
  expect(Math.min(...secondPage)).toBeGreaterThan(Math.max(...firstPage));
  // Entries are (chain, seq): every child here lives in Gulou, whose chain holds their entries; the chain is shown beside the seq.
  expect(await page.$$eval('#lx-entries tbody tr[data-seq]', (rows) => rows.map((r) => [r.getAttribute('data-chain'), r.querySelector('td')?.textContent]))).toEqual(
    secondPage.map(() => ['350102', '350102']));
  expect(await page.textContent('.lx-facts')).toMatch(/链与序号范围鼓楼区（350102） 1 – \d+；其余 \d+ 条链无新条目/);
  expect(await page.isDisabled('#lx-next')).toBe(true);
  const table = await page.textContent('#lx-entries');
  expect(table).toContain('民政记录');
  expect(table).toContain('留守儿童');
  expect(table).toContain('是');
  expect(table).not.toContain('肾病综合征');
  // Each row names its child as the liaison may see it (name, county, school), not only by UUID.
  const children = await page.$$eval('#lx-entries tbody tr[data-seq] .lx-child', (cells) => cells.map((c) => c.textContent));
  expect(children).toContain(`${gulou[0].name}鼓楼区 · 福州市鼓楼区第一中心小学${gulou[0].id.slice(0, 8)}…`);
  expect(children).toContain(`${gulou[1].name}鼓楼区${gulou[1].id.slice(0, 8)}…`);
  await page.click('#lx-prev');
  await page.waitForFunction(() => document.getElementById('lx-page-info')?.textContent?.startsWith('第 1 / 2 页'));
  // The filter narrows the page shown.
  await page.fill('#lx-filter', gulou[3].name);
  await page.waitForFunction(() => document.querySelectorAll('#lx-entries tbody tr[data-seq]').length === 1);
  expect(await page.textContent('#lx-page-info')).toContain('本页 20 条中 1 条符合');
  await page.fill('#lx-filter', '');
  await page.waitForSelector('#lx-verify.lx-verify-ok');

  // 签收 with remarks.
  await page.click('#lx-ack-open');
  await page.fill('#lx-remarks', '已核对，无异议。第3条户籍地待公安复核。');
  await page.click('#lx-ack-submit');
  await page.waitForSelector('#lx-acked');
  expect(await page.textContent('#lx-acked')).toContain('备注：已核对，无异议。第3条户籍地待公安复核。');
  expect(await page.textContent('.lx-card[data-number="2026-10/350102/EDU"] .lx-badge')).toBe('已签收');
  const [stored] = await hub.sql<{ acknowledged_by: string; remarks: string }>(`SELECT acknowledged_by, remarks FROM hub.exchange_notice WHERE number = '2026-10/350102/EDU'`);
  expect(stored).toEqual({ acknowledged_by: 'demo-edu-liaison', remarks: '已核对，无异议。第3条户籍地待公安复核。' });
  await page.waitForSelector('#lx-verify.lx-verify-ok');
  await page.evaluate(() => document.getElementById('lx-toast')?.setAttribute('hidden', ''));
  await page.screenshot({ path: path.join(ARTIFACTS, 'liaison-notice.png') });
  await page.$eval('#lx-entries', (node) => node.scrollIntoView());
  await page.screenshot({ path: path.join(ARTIFACTS, 'liaison-entries.png') });

  // Excel and CSV through fetch and a blob: the browser sees a download, the token stays in the header.
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#lx-download-xlsx')]);
  expect(xlsx.suggestedFilename()).toBe('通报_2026-10_350102_EDU.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(fs.readFileSync((await xlsx.path())!) as never);
  expect(book.worksheets.map((s) => s.name)).toEqual(['摘要', '条目', '核实比对', '督导事项']);
  expect(book.getWorksheet('条目')!.rowCount).toBeGreaterThan(27);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#lx-download-csv')]);
  expect([...fs.readFileSync((await csv.path())!).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

  // Printing: the print page, fetched with the token, in a frame that is printed.
  await page.click('#lx-print');
  const frame = await (await page.waitForSelector('#lx-print-frame')).contentFrame();
  await frame!.waitForSelector('h1', { state: 'attached' });
  expect(await frame!.textContent('body')).toContain('2026-10/350102/EDU');
  const printed = await context.newPage();
  await printed.setContent(await frame!.content());
  await printed.setViewportSize({ width: 1123, height: 794 });
  await printed.$eval('.entries', (node) => node.scrollIntoView());
  await printed.screenshot({ path: path.join(ARTIFACTS, 'liaison-print.png') });
  await printed.close();

  const exports = await hub.sql<{ field: string }>(`SELECT field FROM hub.sensitive_read WHERE actor_sub = 'demo-edu-liaison' AND child_id IS NULL ORDER BY id`);
  expect(exports.map((e) => e.field)).toEqual(['export:xlsx:2026-10/350102/EDU', 'export:csv:2026-10/350102/EDU', 'export:print:2026-10/350102/EDU']);
}, 120_000);

test('another department sees none of the first one\'s notices', async () => {
  const eduNumbers = ['2026-10/350102/EDU', '2026-11/350102/EDU'];
  const eduId = (await hub.sql<{ id: string }>(`SELECT id FROM hub.exchange_notice WHERE number = '2026-10/350102/EDU'`))[0].id;
  await page.click('#lx-signout');
  await page.waitForSelector('#lx-signin:not([hidden])');
  await page.waitForSelector('#lx-demo:not([disabled])');
  await page.screenshot({ path: path.join(ARTIFACTS, 'liaison-signin.png') });
  await signInAsDemo('demo-civil-liaison');
  const civil = await cardNumbers();
  expect(civil).toEqual(['2026-11/350102/CIVIL', '2026-10/350102/CIVIL']);
  expect(civil.filter((n) => eduNumbers.includes(n!))).toEqual([]);
  // Nor can it fetch one by id: the same answer as for a notice that does not exist.
  const errorsBefore = consoleErrors.length;
  const status = await page.evaluate(async (id) => {
    const token = sessionStorage.getItem('baoxue:liaison:token');
    return (await fetch(`/notices/${id}/export.csv`, { headers: { authorization: `Bearer ${token}` } })).status;
  }, eduId);
  expect(status).toBe(404);
  expect(consoleErrors.splice(errorsBefore)).toEqual([expect.stringContaining('404')]);

  // Signing in by pasting a token works the same way.
  await page.click('#lx-signout');
  await page.fill('#lx-token', t.psbLiaison);
  await page.click('#lx-token-form button[type="submit"]');
  await page.waitForFunction(() => /份通报/.test(document.getElementById('lx-list-note')?.textContent ?? ''));
  expect(await cardNumbers()).toEqual(['2026-11/350102/PSB', '2026-10/350102/PSB']);
  await page.selectOption('#lx-status', 'done');
  await page.waitForFunction(() => /没有符合/.test(document.getElementById('lx-list-note')?.textContent ?? ''));
  expect(await cardNumbers()).toEqual([]);

  expect(outsideRequests).toEqual([]);
  expect(tokenInUrl).toEqual([]);
  expect(consoleErrors).toEqual([]);
}, 120_000);

test('the 核实比对 tab lists the department\'s open items, which a liaison starts and explains', async () => {
  // Gulou's ledgers disagree: the first child dropped out with no case (R03), and three children on
  // civil-affairs rosters are out of school or unknown to education with no case (R04).
  const run = await hub.gql('mutation { runReconciliation(period: "2026-12", region: "350102") { opened } }', {}, t.province);
  expect(run.body.errors).toBeUndefined();
  await page.click('#lx-signout');
  await page.waitForSelector('#lx-signin:not([hidden])');
  await signInAsDemo('demo-edu-liaison');
  // The notice's summary says what the month's reconciliation told the department (nothing yet in October).
  await page.click('.lx-card[data-number="2026-10/350102/EDU"]');
  await page.waitForSelector('#lx-notice-discrepancies');
  expect(await page.textContent('#lx-notice-discrepancies')).toBe('核实比对（本期）新发现0已解决0说明已确认0月末逾期未整改0');

  await page.click('#lx-tab-recon');
  await page.waitForSelector('#lx-recon-items tbody tr[data-id]');
  expect(await page.isHidden('#lx-app')).toBe(true);
  const rows = () => page.$$eval('#lx-recon-items tbody tr[data-id]', (trs) => trs.map((tr) => ({
    id: tr.getAttribute('data-id')!, rule: tr.getAttribute('data-rule')!, status: tr.getAttribute('data-status')!, text: tr.textContent ?? '',
  })));
  const listed = await rows();
  expect(listed.map((r) => r.rule).sort()).toEqual(['R03', 'R04', 'R04', 'R04']);
  expect(await page.textContent('#lx-recon-note')).toBe('共 4 项待处理');
  // Each item names its child and the values that made the rule fire, in Chinese.
  const r03 = listed.find((r) => r.rule === 'R03')!;
  expect(r03.text).toContain(gulou[0].name);
  expect(r03.text).toContain('福州市鼓楼区第一中心小学');
  expect(r03.text).toMatch(/辍学/);

  // 开始整改.
  await page.click(`#lx-recon-items tr[data-id="${r03.id}"] .lx-start`);
  await page.waitForSelector(`#lx-recon-items tr[data-id="${r03.id}"][data-status="IN_PROGRESS"]`);
  const [started] = await hub.sql<{ status: string; updated_by: string }>('SELECT status, updated_by FROM hub.discrepancy WHERE id = $1', [r03.id]);
  expect(started).toEqual({ status: 'IN_PROGRESS', updated_by: 'demo-edu-liaison' });

  // 情况说明: a true exception, waiting for a supervisor.
  const r04 = listed.find((r) => r.rule === 'R04')!;
  await page.click(`#lx-recon-items tr[data-id="${r04.id}"] .lx-explain`);
  await page.fill(`#lx-recon-items tr[data-id="${r04.id}"] .lx-reason`, '已随父母迁往外省就读，学籍已转出');
  await page.fill(`#lx-recon-items tr[data-id="${r04.id}"] .lx-evidence`, '转学联系函');
  await page.click(`#lx-recon-items tr[data-id="${r04.id}"] button[type="submit"]`);
  await page.waitForFunction((id) => /说明待督导确认/.test(document.querySelector(`#lx-recon-items tr[data-id="${id}"]`)?.textContent ?? ''), r04.id);
  const [explained] = await hub.sql<{ status: string; explanation: string; evidence: string }>('SELECT status, explanation, evidence FROM hub.discrepancy WHERE id = $1', [r04.id]);
  expect(explained).toEqual({ status: 'IN_PROGRESS', explanation: '已随父母迁往外省就读，学籍已转出', evidence: '转学联系函' });
  const logged = await hub.sql<{ mutation: string }>(`SELECT mutation FROM hub.change_log WHERE entity = 'Discrepancy' AND entity_id = ANY($1) AND operation = 'UPDATE' ORDER BY at`, [[r03.id, r04.id]]);
  expect(logged.map((l) => l.mutation)).toEqual(['startDiscrepancy', 'explainDiscrepancy']);
  await page.evaluate(() => document.getElementById('lx-toast')?.setAttribute('hidden', ''));
  await page.screenshot({ path: path.join(ARTIFACTS, 'liaison-reconciliation.png') });

  // The police own none of these; their tab is empty, and the notices tab is one click away.
  await page.click('#lx-signout');
  await page.fill('#lx-token', t.psbLiaison);
  await page.click('#lx-token-form button[type="submit"]');
  await page.waitForFunction(() => /份通报/.test(document.getElementById('lx-list-note')?.textContent ?? ''));
  await page.click('#lx-tab-recon');
  await page.waitForFunction(() => /没有待处理/.test(document.getElementById('lx-recon-note')?.textContent ?? ''));
  expect(await page.$$('#lx-recon-items tbody tr')).toHaveLength(0);
  await page.click('#lx-tab-notices');
  expect(await page.isVisible('#lx-app')).toBe(true);

  expect(outsideRequests).toEqual([]);
  expect(tokenInUrl).toEqual([]);
  expect(consoleErrors).toEqual([]);
}, 120_000);

test('civil affairs\' notice shows the month\'s referral in its summary and lists it in its spreadsheet; education\'s shows none', async () => {
  await page.click('#lx-signout');
  await page.waitForSelector('#lx-signin:not([hidden])');
  await signInAsDemo('demo-civil-liaison');
  await page.click('.lx-card[data-number="2026-11/350102/CIVIL"]');
  await page.waitForSelector('#lx-notice-actions');
  expect(await page.textContent('#lx-notice-actions')).toBe('督导事项（本期）新立1办结（答复）0逾期未办结0');
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#lx-download-xlsx')]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(fs.readFileSync((await xlsx.path())!) as never);
  const sheet = book.getWorksheet('督导事项')!;
  expect(sheet.rowCount).toBe(3);
  const cells = (sheet.getRow(3).values as unknown[]).slice(1).map(String);
  expect([cells[0], cells[1], cells[2], cells[3], cells[8], cells[13], cells[15]]).toEqual(['新立', '救助转介', gulou[0].id, gulou[0].name, '民政', '家庭经济困难，建议落实临时救助', referralId]);
  await page.$eval('#lx-notice-actions', (node) => node.scrollIntoView());
  await page.evaluate(() => document.getElementById('lx-toast')?.setAttribute('hidden', ''));
  await page.screenshot({ path: path.join(ARTIFACTS, 'liaison-notice-actions.png') });

  await page.click('#lx-signout');
  await page.waitForSelector('#lx-signin:not([hidden])');
  await signInAsDemo('demo-edu-liaison');
  await page.click('.lx-card[data-number="2026-11/350102/EDU"]');
  await page.waitForSelector('#lx-notice-actions');
  expect(await page.textContent('#lx-notice-actions')).toBe('督导事项（本期）新立0办结（答复）0逾期未办结0');
  expect(outsideRequests).toEqual([]);
  expect(tokenInUrl).toEqual([]);
  expect(consoleErrors).toEqual([]);
}, 120_000);
