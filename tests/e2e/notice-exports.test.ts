import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { verifyProofDocument } from '../../src/log-roots/log-root.proof';
import { runTs } from '../support/processes';
import { ENTRY_COLUMNS, rangesText } from '../../src/notices/notice.rows';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';
import { expectedExportRows, NOTICE_CHILD_FIELDS } from '../support/notices';

let hub: TestHub;
const t: Record<string, string> = {};
const ids: Record<string, string> = {};

const ENTRY_FIELDS = 'chain seq at actorSub actorDept actorRegion operation entity entityLabel entityId childId hukouRegion residenceRegion version mutation reason requestId changes { field label before after }';
const LIST = 'query($f: ExchangeNoticeFilter) { exchangeNotices(filter: $f, first: 100) { nodes { id number } } }';
const NOTICE = 'query($id: ID!) { exchangeNotice(id: $id) { id number contentHash chainHeadHash chainRanges { chain fromSeq toSeq } summary { entries newChildren } } }';
const ENTRIES = `query($id: ID!, $after: String) { exchangeNotice(id: $id) { entries(first: 100, after: $after) { nodes { ${ENTRY_FIELDS} } ${NOTICE_CHILD_FIELDS} pageInfo { hasNextPage endCursor } } } }`;

const gulouA = childInput({ name: '方晓东' });
const gulouB = childInput({ name: '邱美玲', gender: 'FEMALE' });
/** Quotes, a comma and a line break: the CSV must quote them, the spreadsheet keep them. */
const TRICKY_SCHOOL = '福州市"实验"小学, 鼓楼校区\n二部';
/** Enough children in one county that its notices span several export batches (500 entries each). */
const TAIJIANG_CHILDREN = 620;

async function noticeId(token: string, number: string): Promise<string> {
  const [period] = number.split('/');
  const res = await hub.gql<any>(LIST, { f: { period } }, token);
  expect(res.body.errors).toBeUndefined();
  const found = res.body.data.exchangeNotices.nodes.find((n: any) => n.number === number);
  if (!found) throw new Error(`${number} not visible`);
  return found.id;
}

/** All of a notice's entries through GraphQL, page by page, with the children each page names. */
async function graphqlEntries(token: string, id: string): Promise<{ entries: any[]; children: any[] }> {
  const all: any[] = [];
  const children: any[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await hub.gql(ENTRIES, { id, after }, token);
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data.exchangeNotice.entries;
    all.push(...page.nodes);
    children.push(...page.children);
    if (!page.pageInfo.hasNextPage) return { entries: all, children };
    after = page.pageInfo.endCursor;
  }
}

/** The rows the exports must hold for a notice read through GraphQL, every cell as text. */
const expectedRows = (read: { entries: any[]; children: any[] }) => expectedExportRows(read.entries, read.children);

async function download(path: string, token?: string | null, headers: Record<string, string> = {}) {
  const response = await fetch(`${hub.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') (cell += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else if (c === '\n' || c === '\r') throw new Error(`bare line break outside quotes at ${i}`);
    else cell += c;
  }
  if (cell || row.length) throw new Error('the last record does not end with CRLF');
  return rows;
}

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as never);
  return book;
}

const cellText = (value: ExcelJS.CellValue) => (value === null || value === undefined ? '' : String(value));
const sheetRows = (sheet: ExcelJS.Worksheet, from: number) => {
  const rows: string[][] = [];
  for (let r = from; r <= sheet.rowCount; r++) rows.push(ENTRY_COLUMNS.map((_, c) => cellText(sheet.getRow(r).getCell(c + 1).value)));
  return rows;
};

beforeAll(async () => {
  hub = await startTestHub({ today: '2026-11-02' });
  for (const [name, dept, region, roles] of [
    ['psb', 'PSB', '350100', 'clerk'], ['edu', 'EDU', '350102', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'], ['health', 'HEALTH', '350102', 'clerk'],
    ['eduLiaison', 'EDU', '350102', 'liaison'], ['civilLiaison', 'CIVIL', '350102', 'liaison'], ['psbLiaison', 'PSB', '350102', 'liaison'],
    ['eduLiaisonTaijiang', 'EDU', '350103', 'liaison'], ['province', 'EDU', '350000', 'supervisor'], ['fuzhou', 'EDU', '350100', 'supervisor'],
    ['xiamen', 'EDU', '350200', 'supervisor'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  const taijiang = Array.from({ length: TAIJIANG_CHILDREN }, (_, i) => childInput({ hukouRegion: '350103', name: `台江${String(i).replace(/\d/g, (d) => '零一二三四五六七八九'[Number(d)])}`, birthDate: `2015-0${1 + (i % 9)}-1${i % 10}` }));
  expect((await hub.gql(REGISTER, { records: [gulouA, gulouB, ...taijiang] }, t.psb)).body.errors).toBeUndefined();
  const write = async (token: string, mutation: string, type: string, records: unknown[]) =>
    expect((await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: records }, token)).body.errors).toBeUndefined();
  await write(t.edu, 'upsertEducationRecords', 'EducationRecordInput', [
    { childId: gulouA.id, status: 'DROPPED_OUT', schoolName: TRICKY_SCHOOL }, { childId: gulouB.id, status: 'ENROLLED', stage: 'PRIMARY', grade: 4 },
  ]);
  await write(t.civil, 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', [{ childId: gulouA.id, leftBehind: true }]);
  await write(t.health, 'upsertHealthRecords', 'HealthRecordInput', [{ childId: gulouB.id, seriousIllness: true, diagnosisSummary: '肾病综合征' }]);
  expect((await hub.gql('mutation { issueMonthlyNotices(period: "2026-10") { count } }', {}, t.province)).body.errors).toBeUndefined();
  ids.edu = await noticeId(t.eduLiaison, '2026-10/350102/EDU');
  ids.civil = await noticeId(t.civilLiaison, '2026-10/350102/CIVIL');
  ids.taijiang = await noticeId(t.eduLiaisonTaijiang, '2026-10/350103/EDU');
  ids.empty = await noticeId(t.province, '2026-10/350203/EDU');
}, 120_000);
afterAll(() => hub?.stop());

describe('the Excel export', () => {
  it('holds a summary sheet and an entries sheet whose rows are the notice\'s entries', async () => {
    const { response, body } = await download(`/notices/${ids.civil}/export.xlsx`, t.civilLiaison);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('通报_2026-10_350102_CIVIL.xlsx')}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const notice = (await hub.gql<any>(NOTICE, { id: ids.civil }, t.civilLiaison)).body.data!.exchangeNotice;
    const book = await workbook(body);
    expect(book.worksheets.map((s) => s.name)).toEqual(['摘要', '条目', '核实比对', '督导事项']);

    const entries = book.getWorksheet('条目')!;
    expect(cellText(entries.getCell('A1').value)).toContain(notice.number);
    expect(cellText(entries.getCell('A1').value)).toContain(notice.contentHash);
    expect(sheetRows(entries, 2)[0]).toEqual(ENTRY_COLUMNS.map((c) => c.header));
    expect(entries.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ENTRY_COLUMNS.map((_, i) => entries.getColumn(i + 1).width)).toEqual(ENTRY_COLUMNS.map((c) => c.width));
    expect(entries.headerFooter.oddHeader).toContain(notice.number);
    expect(entries.headerFooter.oddHeader).toContain(notice.contentHash);

    const rows = sheetRows(entries, 3);
    expect(rows).toEqual(expectedRows(await graphqlEntries(t.civilLiaison, ids.civil)));
    // Words a liaison reads, not codes: the school name intact, the status in Chinese, the ID number masked for civil affairs.
    expect(rows).toContainEqual(expect.arrayContaining(['教育', '教育记录', '新增', gulouA.id, '学校', '', TRICKY_SCHOOL]));
    expect(rows).toContainEqual(expect.arrayContaining(['就学状态', '', '辍学']));
    expect(rows.find((r) => r[10] === '身份证号' && r[6] === gulouA.id)![12]).toMatch(/^\d{6}\*{12}$/);
    // Each row names its child (9: name, county, school as the reader may see them now).
    expect(rows.filter((r) => r[6] === gulouA.id).every((r) => r[7] === '方晓东' && r[8] === '鼓楼区' && r[9] === TRICKY_SCHOOL)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('肾病综合征');

    const summary = book.getWorksheet('摘要')!;
    const facts = new Map<string, string>();
    summary.eachRow((row) => facts.set(cellText(row.getCell(1).value), cellText(row.getCell(2).value)));
    expect(facts.get('通报编号')).toBe(notice.number);
    expect(facts.get('内容哈希')).toBe(notice.contentHash);
    expect(facts.get('链头哈希')).toBe(notice.chainHeadHash);
    expect(facts.get('链与序号范围')).toBe(rangesText(Object.fromEntries(notice.chainRanges.map((r: any) => [r.chain, [r.fromSeq, r.toSeq]]))));
    expect(facts.get('链与序号范围')).toMatch(/^鼓楼区（350102） 1 – \d+；/);
    expect(facts.get('接收部门')).toBe('民政（CIVIL）');
    expect(facts.get('区划')).toBe('鼓楼区（350102）');
    expect(facts.get('变更条目')).toBe(String(notice.summary.entries));
    expect(facts.get('新登记儿童')).toBe(String(notice.summary.newChildren));
  });

  it('streams a notice over several batches, in order, and an empty one', async () => {
    const { response, body } = await download(`/notices/${ids.taijiang}/export.xlsx`, t.eduLiaisonTaijiang);
    expect(response.status).toBe(200);
    const rows = sheetRows((await workbook(body)).getWorksheet('条目')!, 3);
    const read = await graphqlEntries(t.eduLiaisonTaijiang, ids.taijiang);
    expect(read.entries).toHaveLength(TAIJIANG_CHILDREN);
    expect(read.children).toHaveLength(TAIJIANG_CHILDREN);
    expect(rows).toEqual(expectedRows(read));
    const empty = await download(`/notices/${ids.empty}/export.xlsx`, t.province);
    expect(sheetRows((await workbook(empty.body)).getWorksheet('条目')!, 3)).toEqual([]);
  });
});

describe('the CSV export', () => {
  it('is UTF-8 with a byte-order mark and parses back to the entries sheet\'s rows', async () => {
    const { response, body } = await download(`/notices/${ids.civil}/export.csv`, t.civilLiaison);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(body.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual(ENTRY_COLUMNS.map((c) => c.header));
    expect(rows.slice(1)).toEqual(expectedRows(await graphqlEntries(t.civilLiaison, ids.civil)));
    expect(body.toString('utf8')).toContain('"福州市""实验""小学, 鼓楼校区\n二部"');
    const xlsx = sheetRows((await workbook((await download(`/notices/${ids.civil}/export.xlsx`, t.civilLiaison)).body)).getWorksheet('条目')!, 3);
    expect(rows.slice(1)).toEqual(xlsx);
  });

  it('holds every entry of a long notice', async () => {
    const { body } = await download(`/notices/${ids.taijiang}/export.csv`, t.eduLiaisonTaijiang);
    expect(parseCsv(body.subarray(3).toString('utf8')).slice(1)).toEqual(expectedRows(await graphqlEntries(t.eduLiaisonTaijiang, ids.taijiang)));
  });
});

describe('the print page', () => {
  it('is a Chinese HTML page with the number, hashes, summary and entries', async () => {
    const { response, body } = await download(`/notices/${ids.edu}/print`, t.eduLiaison);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = body.toString('utf8');
    const notice = (await hub.gql<any>(NOTICE, { id: ids.edu }, t.eduLiaison)).body.data!.exchangeNotice;
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(notice.number);
    expect(html).toContain(notice.contentHash);
    expect(html).toContain(notice.chainHeadHash);
    expect(html).toContain('@media print');
    expect(html).toContain('鼓楼区教育 2026年10月 信息交换通报');
    expect(html.match(/<tr><td class="num">/g)).toHaveLength(notice.summary.entries);
    expect(html).not.toContain('<script');
  });

  it('escapes what the departments wrote', async () => {
    const html = (await download(`/notices/${ids.civil}/print`, t.civilLiaison)).body.toString('utf8');
    expect(html).toContain('福州市&#34;实验&#34;小学, 鼓楼校区\n二部');
  });
});

describe('who may export', () => {
  const routes = ['export.xlsx', 'export.csv', 'print'];
  const error = async (path: string, token?: string | null, headers?: Record<string, string>) => {
    const { response, body } = await download(path, token, headers);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return { status: response.status, code: JSON.parse(body.toString('utf8')).errors[0].extensions.code, authenticate: response.headers.get('www-authenticate') };
  };

  it('answers 401 without a token or with a bad one', async () => {
    for (const route of routes) {
      expect(await error(`/notices/${ids.edu}/${route}`)).toEqual({ status: 401, code: 'UNAUTHENTICATED', authenticate: 'Bearer' });
      expect(await error(`/notices/${ids.edu}/${route}`, 'not.a.token')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(await error(`/notices/${ids.edu}/${route}`, null, { authorization: 'Basic dXNlcjpwYXNz' })).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
    const expired = await hub.token({ dept: 'EDU', region: '350102', roles: ['liaison'], ttlSeconds: -60 });
    expect(await error(`/notices/${ids.edu}/export.csv`, expired)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 404, never 403, for a notice the caller may not see, exactly as exchangeNotice(id) does', async () => {
    for (const route of routes) {
      for (const token of [t.psbLiaison, t.civilLiaison, t.eduLiaisonTaijiang, t.xiamen]) {
        expect(await error(`/notices/${ids.edu}/${route}`, token)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      }
      expect(await error(`/notices/00000000-0000-4000-8000-000000000000/${route}`, t.eduLiaison)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(await error(`/notices/not-a-notice/${route}`, t.eduLiaison)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
    const graphql = await hub.gql(NOTICE, { id: ids.edu }, t.psbLiaison);
    expect(graphql.body.errors!.map((e) => e.extensions.code)).toEqual(['NOT_FOUND']);
    // A role that reads no notices at all is refused whatever the id, as by the query.
    expect(await error(`/notices/${ids.edu}/export.xlsx`, t.edu)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    // Supervisors read every notice in their region.
    expect((await download(`/notices/${ids.edu}/export.csv`, t.fuzhou)).response.status).toBe(200);
  });
});

describe('the audit of exports', () => {
  it('records each export, and the sensitive values it carried as the exporter\'s reads', async () => {
    const requestId = 'export-audit-1';
    const { response } = await download(`/notices/${ids.edu}/export.xlsx`, t.eduLiaison, { 'x-request-id': requestId });
    expect(response.status).toBe(200);
    const rows = await hub.sql<{ actor_sub: string; child_id: string | null; region: string | null; field: string }>(
      'SELECT actor_sub, child_id, region, field FROM hub.sensitive_read WHERE request_id = $1 ORDER BY id', [requestId]);
    expect(rows[0]).toEqual({ actor_sub: 'eduLiaison', child_id: null, region: '350102', field: 'export:xlsx:2026-10/350102/EDU' });
    // Education reads ID numbers unmasked: the two registrations in its notice are reads of them.
    expect(rows.slice(1).map((r) => `${r.actor_sub} ${r.child_id} ${r.field}`).sort()).toEqual(
      [gulouA.id, gulouB.id].map((id) => `eduLiaison ${id} Child.idNumber`).sort());
    // Civil affairs sees them masked: only the export itself is recorded.
    const civil = await download(`/notices/${ids.civil}/export.csv`, t.civilLiaison, { 'x-request-id': 'export-audit-2' });
    expect(civil.response.status).toBe(200);
    expect(await hub.sql('SELECT field FROM hub.sensitive_read WHERE request_id = $1', ['export-audit-2'])).toEqual([{ field: 'export:csv:2026-10/350102/CIVIL' }]);
    // A refused export records nothing.
    await download(`/notices/${ids.edu}/print`, t.psbLiaison, { 'x-request-id': 'export-audit-3' });
    expect(await hub.sql('SELECT field FROM hub.sensitive_read WHERE request_id = $1', ['export-audit-3'])).toEqual([]);
  });

  it('shows the exports to the supervisors of the notice\'s region, and to no others', async () => {
    const AUDIT = 'query($f: SensitiveReadFilter) { sensitiveReads(filter: $f, first: 100) { edges { node { actorSub childId region field } } } }';
    const field = 'export:xlsx:2026-10/350102/EDU';
    const seen = async (token: string) => {
      const res = await hub.gql<any>(AUDIT, { f: { field } }, token);
      expect(res.body.errors).toBeUndefined();
      return res.body.data.sensitiveReads.edges.map((e: any) => e.node);
    };
    expect(await seen(t.fuzhou)).toContainEqual({ actorSub: 'eduLiaison', childId: null, region: '350102', field });
    expect(await seen(t.province)).toContainEqual({ actorSub: 'eduLiaison', childId: null, region: '350102', field });
    expect(await seen(t.xiamen)).toEqual([]);
    // The reads of children in the same export stay scoped by the children's regions.
    const idReads = await hub.gql<any>(AUDIT, { f: { childId: gulouA.id, field: 'Child.idNumber' } }, t.fuzhou);
    expect(idReads.body.data.sensitiveReads.edges.map((e: any) => e.node.actorSub)).toContain('eduLiaison');
    const bad = await hub.gql(AUDIT, { f: { field: 'export:zip:whatever' } }, t.fuzhou);
    expect(bad.body.errors!.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the proofs of a notice (proofs.json)', () => {
  const ROOT = 'query($seq: Int) { logRoot(seq: $seq) { seq rootHash chains { chain size headHash } } }';
  const RANGES = 'query($id: ID!) { exchangeNotice(id: $id) { number rootSeq contentHash chainRanges { chain fromSeq toSeq } } }';
  const keysOf = async () => (await (await fetch(`${hub.url}/.well-known/baoxue-log-keys.json`)).json()).keys;
  const verifyProofCli = async (bundle: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-proofs-'));
    try {
      fs.writeFileSync(path.join(dir, 'proofs.json'), bundle);
      fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify({ keys: await keysOf() }));
      const cli = runTs('src/log-roots/verify-proof.cli.ts', [path.join(dir, 'proofs.json'), '--key', path.join(dir, 'keys.json')], {});
      return { code: await cli.exited, output: cli.output() };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('anchors every notice on a signed root: its ranges end at the root\'s chain sizes', async () => {
    const notice = (await hub.gql<any>(RANGES, { id: ids.edu }, t.eduLiaison)).body.data!.exchangeNotice;
    expect(notice.rootSeq).toBeGreaterThan(0);
    const root = (await hub.gql<any>(ROOT, { seq: notice.rootSeq }, t.province)).body.data!.logRoot;
    const sizes = new Map(root.chains.map((c: any) => [c.chain, c.size]));
    for (const range of notice.chainRanges) expect([range.chain, range.toSeq]).toEqual([range.chain, sizes.get(range.chain)]);
    expect(notice.chainRanges.map((r: any) => r.chain).sort()).toEqual([...sizes.keys()].sort());
    // Taijiang's chain holds more than nine entries: the roots' trees read it in seq order, not in the order of its text ('10' < '9').
    expect(sizes.get('350103')).toBeGreaterThan(9);
    const verified = await hub.gql<any>('{ verifyChangeLog { ok roots { ok roots firstBadRoot problem } } }', {}, t.province);
    expect(verified.body.data!.verifyChangeLog).toMatchObject({ ok: true, roots: { ok: true, firstBadRoot: null } });
  });

  it('proves each entry a liaison was told in that root, offline: content where it sees every field, the hash alone where one is masked', async () => {
    const notice = (await hub.gql<any>(RANGES, { id: ids.civil }, t.civilLiaison)).body.data!.exchangeNotice;
    const { response, body } = await download(`/notices/${ids.civil}/proofs.json`, t.civilLiaison, { 'x-request-id': 'proofs-audit-1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain(encodeURIComponent('通报_2026-10_350102_CIVIL.proofs.json'));
    const bundle = JSON.parse(body.toString('utf8'));
    expect(bundle).toMatchObject({ format: 'baoxue-notice-proofs/1', notice: { number: notice.number, rootSeq: notice.rootSeq, contentHash: notice.contentHash }, root: { seq: notice.rootSeq } });
    // One proof per entry the liaison reads in the notice, in the same order.
    const read = await graphqlEntries(t.civilLiaison, ids.civil);
    expect(bundle.proofs.map((p: any) => `${p.chain}:${p.seq}`)).toEqual(read.entries.map((e: any) => `${e.chain}:${e.seq}`));
    expect(bundle.proofs.length).toBeGreaterThan(0);
    const keys = await keysOf();
    for (const proof of bundle.proofs) expect(verifyProofDocument(JSON.stringify({ ...proof, root: bundle.root }), keys)).toMatchObject({ ok: true });
    // Civil affairs reads ID numbers masked: the registrations' proofs carry their hash, never the number.
    const registrations = bundle.proofs.filter((p: any) => read.entries.find((e: any) => e.chain === p.chain && e.seq === p.seq)?.entity === 'Child');
    expect(registrations.length).toBe(2);
    for (const proof of registrations) expect(proof.entry).toBeNull();
    expect(body.toString('utf8')).not.toContain(gulouA.idNumber!);
    expect(bundle.proofs.some((p: any) => p.entry !== null)).toBe(true);
    // The download is audited like every export.
    expect(await hub.sql('SELECT field FROM hub.sensitive_read WHERE request_id = $1', ['proofs-audit-1'])).toEqual([{ field: 'export:proofs:2026-10/350102/CIVIL' }]);

    const held = await verifyProofCli(body.toString('utf8'));
    expect(held.output).toContain(`all ${bundle.proofs.length} entries of notice ${notice.number} are in root ${notice.rootSeq}`);
    expect(held.code).toBe(0);
    // One byte changed in one proof's path: refused, naming the entry.
    const tampered = JSON.parse(body.toString('utf8'));
    const victim = tampered.proofs.find((p: any) => p.chainPath.length > 0) ?? tampered.proofs[0];
    if (victim.chainPath.length > 0) victim.chainPath[0] = victim.chainPath[0].replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    else victim.entryHash = victim.entryHash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    const refused = await verifyProofCli(JSON.stringify(tampered));
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`1 of ${bundle.proofs.length} proofs of notice ${notice.number} do not hold`);
    expect(refused.output).toContain(`${victim.chain}:${victim.seq}`);
  }, 60_000);

  it('is refused, like every export, to a reader who may not read the notice', async () => {
    const other = await download(`/notices/${ids.edu}/proofs.json`, t.psbLiaison);
    const missing = await download(`/notices/00000000-0000-4000-8000-000000000000/proofs.json`, t.psbLiaison);
    expect([other.response.status, missing.response.status]).toEqual([404, 404]);
    expect(JSON.parse(other.body.toString('utf8')).errors[0].message.replace(ids.edu, 'X')).toBe(JSON.parse(missing.body.toString('utf8')).errors[0].message.replace('00000000-0000-4000-8000-000000000000', 'X'));
  });
});
