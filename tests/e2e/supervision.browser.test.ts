/**
 * The supervision page (/supervision) in Chromium: a supervisor sees exact figures drawn by ECharts
 * (canvas charts, not hand-drawn SVG), equal to the test's own count, and exports them to .xlsx;
 * an analyst on the same page gets the suppressed, rounded figures and an export that holds no
 * more. Nothing is fetched from outside the hub; the token is never in a URL. Screenshots in
 * tests/artifacts/supervision-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../artifacts');
const haveBrowser = fs.existsSync(CHROMIUM) || process.env.CI === 'true';
if (!haveBrowser) process.stderr.write(`\n*** ${CHROMIUM} is missing: the browser test of the supervision page is SKIPPED (apt-get install chromium). ***\n`);
const test = haveBrowser ? it : it.skip;

let hub: TestHub;
let context: BrowserContext;
let page: Page;
let profile: string;
const outsideRequests: string[] = [];
const tokenInUrl: string[] = [];
const consoleErrors: string[] = [];
const t: Record<string, string> = {};

async function ok(query: string, variables: object, token: string): Promise<any> {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  hub = await startTestHub();
  t.supervisor = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'], sub: 'fuzhou-supervisor' });
  t.analyst = await hub.token({ dept: 'EDU', region: '350100', roles: ['analyst'], sub: 'fuzhou-analyst' });
  t.clerk = await hub.token({ dept: 'EDU', region: '350100', roles: ['clerk'] });
  t.gulou = await hub.token({ dept: 'EDU', region: '350102', roles: ['clerk'], sub: 'gulou-edu' });
  // 鼓楼 40 children (12 dropouts at two schools, 2 at a third), 闽侯 25 (8 dropouts).
  const gulou = Array.from({ length: 40 }, () => childInput({ hukouRegion: '350102' }));
  const minhou = Array.from({ length: 25 }, () => childInput({ hukouRegion: '350121' }));
  await ok(REGISTER, { records: [...gulou, ...minhou] }, t.clerk);
  const school = (i: number, county: string) => (county === '350121' ? '闽侯一中' : i < 2 ? '鼓楼小校' : i % 2 ? '鼓楼一中' : '鼓楼二中');
  const dropouts = [...gulou.slice(0, 14).map((c, i) => ({ c, i, county: '350102' })), ...minhou.slice(0, 8).map((c, i) => ({ c, i, county: '350121' }))];
  await ok('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', {
    r: [...gulou, ...minhou].map((c) => {
      const d = dropouts.find((x) => x.c.id === c.id);
      return { childId: c.id, status: d ? 'DROPPED_OUT' : 'ENROLLED', stage: d && d.i % 3 === 0 ? 'JUNIOR_SECONDARY' : 'PRIMARY', grade: d && d.i % 3 === 0 ? 8 : 3, schoolName: d ? school(d.i, d.county) : '其他学校' };
    }),
  }, t.clerk);
  await ok('mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', {
    r: dropouts.map((d) => ({ childId: d.c.id, reason: 'STUDY_WEARINESS', openedOn: '2026-09-10', responsiblePerson: '班主任', responsibleUnit: '学校', deadline: d.i < 5 ? '2026-10-01' : '2027-07-31' })),
  }, t.clerk);
  await ok('mutation { submitWeeklyReport(isoWeek: "2026-W41", remarks: "本周入户") { isoWeek } }', {}, t.gulou);
  await ok('mutation { setKeyRegions(counties: ["350121"]) { code } }', {}, t.supervisor);

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

const CHARTS = ['sv-burndown', 'sv-counties', 'sv-reporting', 'sv-key', 'sv-stage'];

async function signIn(token: string): Promise<void> {
  await page.goto(`${hub.url}/supervision`, { waitUntil: 'load' });
  await page.fill('#sv-token', token);
  await page.click('#sv-token-form button[type=submit]');
  await page.waitForSelector('#sv-app:not([hidden])');
  for (const id of CHARTS) await page.waitForSelector(`#${id}[data-ready] canvas`);
}
const kpi = (name: string) => page.textContent(`.sv-kpi[data-kpi="${name}"] strong`);
const schools = () => page.$$eval('#sv-schools tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));

async function download(): Promise<ExcelJS.Workbook> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#sv-export')]);
  expect(file.suggestedFilename()).toBe('控辍保学督导-2026-10-15.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(fs.readFileSync((await file.path())!) as never);
  return book;
}
const sheetRows = (book: ExcelJS.Workbook, name: string) => book.getWorksheet(name)!.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1));

test('a supervisor sees exact figures as ECharts charts and exports them', async () => {
  await signIn(t.supervisor);
  expect(await page.textContent('#sv-who-text')).toContain('福州市 · 督导');
  // The figures, against the test's own count: 22 open cases, 10 past their deadline of 1 October.
  expect(await kpi('未结个案')).toBe('22');
  expect(await kpi('逾期未结')).toBe('10');
  expect(await kpi('距七月底期限（天）')).toBe('289');
  // Real charts: each an ECharts instance drawing on a canvas.
  expect(await page.evaluate((ids) => ids.map((id) => Boolean((window as any).echarts.getInstanceByDom(document.getElementById(id)))), CHARTS)).toEqual(CHARTS.map(() => true));
  const counties = await page.evaluate(() => (window as any).echarts.getInstanceByDom(document.getElementById('sv-counties')).getOption());
  expect(counties.xAxis[0].data.slice(0, 2)).toEqual(['鼓楼区', '闽侯县']);
  expect(counties.series[0].data.slice(0, 2)).toEqual([14, 8]);
  // The burn-down: none open at September's end (before this test wrote anything), 22 today, and the pace to zero by the deadline.
  const burndown = await page.evaluate(() => (window as any).echarts.getInstanceByDom(document.getElementById('sv-burndown')).getOption());
  expect(burndown.xAxis[0].data).toEqual(['2026-09-30', '2026-10-15', '2027-07-31']);
  expect(burndown.series[0].data).toEqual([0, 22, null]);
  expect(burndown.series[1].data).toEqual([null, 22, 0]);
  const reporting = await page.evaluate(() => (window as any).echarts.getInstanceByDom(document.getElementById('sv-reporting')).getOption());
  // 鼓楼 reported W41 (late: today's clock is the test's, the report's time the machine's); 闽侯 is a key region (★).
  const gulou = reporting.xAxis[0].data.indexOf('鼓楼区');
  expect(reporting.series.map((s: { data: number[] }) => s.data[gulou])).toEqual([0, 1, 7]);
  expect(reporting.xAxis[0].data).toContain('闽侯县★');
  expect(await schools()).toContainEqual(['鼓楼小校', '2', '2', '0']);
  await page.screenshot({ path: path.join(ARTIFACTS, 'supervision-supervisor.png'), fullPage: true });

  const book = await download();
  expect(book.worksheets.map((s) => s.name)).toEqual(['县区进度', '燃尽', '周报报送', '重点监测地区', '学段', '学校', '说明']);
  expect(sheetRows(book, '县区进度').slice(0, 2)).toEqual([['鼓楼区', 14, 5, 0], ['闽侯县', 8, 5, 0]]);
  expect(sheetRows(book, '重点监测地区')).toContainEqual(['重点监测地区', 8, 5, 0]);
});

test('an analyst on the same page gets suppressed, rounded figures, in the charts and the export', async () => {
  await page.click('#sv-signout');
  await signIn(t.analyst);
  expect(await page.textContent('#sv-disclosure')).toContain('<5');
  expect(Number(await kpi('未结个案')) % 5).toBe(0);
  // The school of two dropouts: suppressed, never 2.
  const small = (await schools()).find((r) => r[0] === '鼓楼小校');
  expect(small === undefined || small.slice(1).every((v) => v === '<5' || v === '0')).toBe(true);
  const counties = await page.evaluate(() => (window as any).echarts.getInstanceByDom(document.getElementById('sv-counties')).getOption());
  expect(counties.series.flatMap((s: { data: Array<number | null> }) => s.data).every((v: number | null) => v === null || v % 5 === 0)).toBe(true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'supervision-analyst.png'), fullPage: true });
  const book = await download();
  const values = book.worksheets.filter((s) => s.name !== '周报报送' && s.name !== '说明' && s.name !== '燃尽')
    .flatMap((s) => sheetRows(book, s.name).flatMap((r) => r.slice(1)));
  expect(values.length).toBeGreaterThan(10);
  expect(values.every((v) => v === '<5' || (typeof v === 'number' && v % 5 === 0))).toBe(true);
  expect(values).toContain('<5');
});

test('fetches nothing from outside, keeps the token out of URLs, and logs no error', () => {
  expect(outsideRequests).toEqual([]);
  expect(tokenInUrl).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
