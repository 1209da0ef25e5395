import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeIdNumber } from '../children/id-number';
import { Clock } from '../core/clock';

/**
 * The analysts' explorer: GraphiQL 3 served entirely from this server (React 18 and GraphiQL UMD
 * builds out of node_modules, the page script from src/web/explorer/), so that it works on a
 * machine cut off from the internet. Only a fixed list of files is ever served.
 */

export interface ExplorerExample {
  readonly id: string;
  readonly title: string;
  readonly titleEn: string;
  /** Which demo identity the example is meant for. */
  readonly who: string;
  readonly query: string;
  /** JSON text for the variables editor. */
  readonly variables?: string;
}

/** The child the registration example registers. */
const EXAMPLE_CHILD_ID = '6f1c2b7e-4d3a-4e5b-9a8c-1b2d3e4f5a60';

/**
 * A child of the demo data (seeds/demo-history.ts) that the record and education examples use, so
 * that they work first, before any other example: hukou in Taijiang, living in Gulou's Gudong
 * street (350102001), so every demo identity in Fuzhou may read it; it has a history.
 */
export const DEMO_RECORD_CHILD_ID = '0d3c5e1a-7b2f-4c6d-8e9a-2f4b6c8d0e11';

/** Example operations; `today` decides the birth date of the child registered (about 10 years old). */
export function explorerExamples(today: string = new Clock().today()): ExplorerExample[] {
  const schoolYear = Number(new Clock(today).schoolYearStart().slice(0, 4));
  const birthDate = `${schoolYear - 10}-05-12`;
  // Sequence 517: its last digit is odd, as a boy's must be (GB 11643-1999).
  const idNumber = makeIdNumber('350102', birthDate, 517);
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: 'me',
      title: '我是谁',
      titleEn: 'Who am I',
      who: '任一身份 any identity',
      query: `# 我是谁：令牌中的身份、辖区，以及我可读写的字段
# Who am I: the identity in the token, its region, and what it may read and write
query WhoAmI {
  me {
    sub
    dept
    deptName
    roles
    region { code name level }
    # Type.field:级别 —— W 读写 · R 只读 · M 打码
    # Type.field:level —— W read-write · R read · M masked
    permissions
  }
}
`,
    },
    {
      id: 'children',
      title: '我辖区内的儿童（第一页）',
      titleEn: 'Children in my region, first page',
      who: '除分析员外任一身份 any identity but an analyst',
      query: `# 我辖区内的儿童（每页20名）及教育部门记录
# Children in my region, 20 a page, with the education section
# 下一页：把 pageInfo.endCursor 填入变量 after
# Next page: put pageInfo.endCursor in the variable "after"
query MyChildren($after: String) {
  children(first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        gender
        birthDate
        residenceRegion { code name }
        education { status stage grade schoolName }
      }
    }
  }
}
`,
      variables: json({ after: null }),
    },
    {
      id: 'child',
      title: '一名儿童的联合档案',
      titleEn: "One child's federated record",
      who: '除分析员外任一身份 any identity but an analyst',
      query: `# 按编号读取一名儿童的联合档案：六个部门的记录和辍学个案
# One child's federated record by id: the six departments' sections and dropout cases
# 无权查看的部分为 null，部分字段按权限打码
# Sections you may not see are null; some fields are masked for your role
# 变量中的编号是演示数据中的一名儿童；可换成列表中的任一 id
# The id in the variables is a child of the demo data; any id from a list will do
# changes：该儿童的变更记录（最新在前）The child's change history, newest first
query ChildRecord($id: ID!) {
  child(id: $id) {
    id
    name
    idNumber
    gender
    birthDate
    hukouRegion { code name }
    residenceRegion { code name }
    version
    updatedAt
    education { status stage grade schoolName version updatedAt updatedBy }
    publicSecurity { hukouStatus whereabouts verifiedOn }
    civilAffairs { leftBehind deFactoUnsupported migrant parentImprisoned orphan subsistenceAllowance }
    poverty { registeredPoor monitoredHousehold }
    health { seriousIllness screenedOn }
    disability { disabilityType disabilityLevel }
    dropoutCases { id status reason openedOn closedOn notes }
    changes(last: 10) { at actorDept operation entity changes { label before after } }
  }
}
`,
      variables: json({ id: DEMO_RECORD_CHILD_ID }),
    },
    {
      id: 'open-dropout-cases',
      title: '有未结辍学个案的儿童',
      titleEn: 'Children with an open dropout case',
      who: '除分析员外任一身份 any identity but an analyst',
      query: `# 控辍保学台账：有未结辍学个案的儿童及其个案（最新在前）
# The dropout ledger: children with an open dropout case, newest case first
query OpenDropoutCases {
  children(first: 50, filter: { hasOpenDropoutCase: true }) {
    totalCount
    edges {
      node {
        id
        name
        birthDate
        residenceRegion { name }
        education { status schoolName }
        dropoutCases { id status reason openedOn notes }
      }
    }
  }
}
`,
    },
    {
      id: 'left-behind',
      title: '留守儿童',
      titleEn: 'Left-behind children',
      who: '教育、民政、扶贫 EDU, CIVIL, POVERTY',
      query: `# 留守儿童（民政部门名册）及其就学情况
# Left-behind children (the civil-affairs roster) and their schooling
# 公安、卫健、残联的角色不能按特殊群体筛选
# PSB, HEALTH and DPF roles may not filter on special groups
query LeftBehindChildren {
  children(first: 20, filter: { specialGroups: [LEFT_BEHIND] }) {
    totalCount
    edges {
      node {
        id
        name
        gender
        birthDate
        civilAffairs { leftBehind migrant subsistenceAllowance }
        education { status grade schoolName }
      }
    }
  }
}
`,
    },
    {
      id: 'statistics-county-stage',
      title: '统计：各县各学段的辍学与逾期',
      titleEn: 'Statistics: dropouts and overdue cases by county and stage',
      who: '分析员或督导 analyst or supervisor (demo-edu-analyst)',
      query: `# 各县（居住地）各学段：儿童数、未结辍学个案、逾期未结个案，含各行列合计
# By county of residence and stage: children, open dropout cases, overdue cases, with totals
# 分析员：1–4 的小单元格被抑制（value 为 null），其余随机舍入为 5 的倍数；督导看到精确值
# Analysts: cells of 1–4 are suppressed (value null), the rest rounded to multiples of 5; supervisors see exact figures
query DropoutsByCountyAndStage {
  statistics(measures: [CHILDREN, OPEN_DROPOUT_CASES, OVERDUE_CASES], groupBy: [COUNTY, STAGE]) {
    disclosure
    threshold
    cells { key values { measure value suppressed } }
    totals { key values { measure value suppressed } }
  }
}
`,
    },
    {
      id: 'statistics-special-groups',
      title: '统计：特殊群体的就学情况',
      titleEn: 'Statistics: schooling of special groups',
      who: '教育、民政的分析员或督导 EDU or CIVIL analyst, or a supervisor (demo-edu-analyst)',
      query: `# 各特殊群体：儿童数与不在校人数（一名儿童可属多个群体）
# Each special group: children and those not in school (a child may be in several groups)
# 统计哪些字段由权限矩阵决定：公安、卫健、残联不能按特殊群体统计
# What may be counted follows the matrix: PSB, HEALTH and DPF may not count special groups
query SpecialGroupsSchooling {
  statistics(measures: [CHILDREN, NOT_IN_SCHOOL], groupBy: [SPECIAL_GROUP]) {
    cells { key values { measure value suppressed } }
    totals { key values { measure value suppressed } }
  }
}
`,
    },
    {
      id: 'statistics-reasons',
      title: '统计：初中本学年各月立案与结案',
      titleEn: 'Statistics: junior-secondary cases opened and closed each month this school year',
      who: '分析员或督导 analyst or supervisor (demo-edu-analyst)',
      query: `# 初中学段（重点监测学段）本学年各月新立与结案的辍学个案，按原因，只计鼓楼区居住的儿童
# Junior secondary (the stage watched closely): cases opened and closed each month this school year, by reason, children living in Gulou
# 期间指标需要 filter.period；加 asOf: "YYYY-MM-DD" 可看当日结束时的数字（按变更日志重建）
# Period measures need filter.period; add asOf: "YYYY-MM-DD" for the figures as they stood at the end of that day (rebuilt from the change log)
query JuniorSecondaryCasesByMonth($region: String, $period: StatPeriodInput) {
  statistics(measures: [CASES_OPENED, CASES_CLOSED], groupBy: [MONTH, CASE_REASON], filter: { region: $region, stage: [JUNIOR_SECONDARY], period: $period }) {
    cells { key values { measure value suppressed } }
    totals { key values { measure value suppressed } }
  }
}
`,
      variables: json({ region: '350102', period: { from: `${schoolYear}-09-01`, to: today } }),
    },
    {
      id: 'register-children',
      title: '登记适龄儿童',
      titleEn: 'Register a school-age child',
      who: '鼓楼区教育或公安录入员 EDU/PSB clerk, Gulou',
      query: `# 登记一名适龄儿童（教育或公安录入员）；整批成功或整批失败
# Register a school-age child (EDU or PSB clerks); all records or none
# 身份证号的出生日期、性别位与填报一致，校验码有效
# The ID number's birth date and gender digit match the record; its check character is valid
# 同一幂等键重试时返回首次结果（replayed 为 true）
# A retry with the same idempotency key returns the first result (replayed is true)
mutation RegisterChild($records: [RegisterChildInput!]!, $idempotencyKey: String) {
  registerChildren(records: $records, idempotencyKey: $idempotencyKey) {
    replayed
    children {
      id
      name
      idNumber
      gender
      birthDate
      hukouRegion { name }
      residenceRegion { name }
      version
    }
  }
}
`,
      variables: json({
        idempotencyKey: `explorer-example-${birthDate}`,
        records: [
          { id: EXAMPLE_CHILD_ID, name: '林小明', gender: 'MALE', birthDate, idNumber, hukouRegion: '350102', residenceRegion: '350102' },
        ],
      }),
    },
    {
      id: 'upsert-education',
      title: '写入教育部门记录',
      titleEn: 'Write education records',
      who: '鼓楼区教育局录入员 EDU clerk, Gulou',
      query: `# 新增或更新教育部门记录（教育录入员）；变量中是演示数据中的一名儿童
# Create or update education records (EDU clerks); the variables name a child of the demo data
# 可选 expectedVersion：当前版本号（无记录为 0），版本不符时返回 CONFLICT，防止覆盖他人的修改
# Optional expectedVersion: the current version (0 for no record); a mismatch is a CONFLICT, so nobody's change is overwritten
mutation UpsertEducation($records: [EducationRecordInput!]!) {
  upsertEducationRecords(records: $records) {
    replayed
    children {
      id
      name
      education { status stage grade schoolName version updatedAt updatedBy }
    }
  }
}
`,
      variables: json({
        records: [{ childId: DEMO_RECORD_CHILD_ID, status: 'ENROLLED', stage: 'PRIMARY', grade: 4, schoolName: '福州市鼓楼区第二中心小学' }],
      }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Assets

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  /** Text only: fonts and images are compressed already. */
  readonly gzipped: Buffer | null;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** Every URL below names its content (a version or a hash), so browsers may keep it for a year. */
const CACHE_FOREVER = 'public, max-age=31536000, immutable';

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#c2410c"/><text x="16" y="23" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">保</text></svg>`;

function packageFile(pkg: string, file: string): { file: string; version: string } {
  // These files lie outside the packages' export maps: resolve the manifest and join.
  const manifest = require.resolve(`${pkg}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { file: path.join(path.dirname(manifest), file), version };
}

/** src/web/explorer, whether this module runs from src/web (ts-jest, ts-node) or dist/src/web (tsc leaves non-TS files behind). */
function ownFolder(): string {
  const candidates = [path.join(__dirname, 'explorer'), path.resolve(__dirname, '..', '..', '..', 'src', 'web', 'explorer')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'explorer.js')));
  if (!found) throw new Error(`explorer files not found in ${candidates.join(' or ')}`);
  return found;
}

/** Types of the files GraphiQL's style sheet inlines as data: URLs. */
const INLINED: Readonly<Record<string, string>> = { 'font/woff2': 'woff2', 'font/woff': 'woff', 'image/png': 'png' };

/**
 * GraphiQL's style sheet with its inlined fonts and images turned into files of their own: the page's
 * Content-Security-Policy (default-src 'self') refuses data: fonts, and separate files cache better.
 */
function graphiqlCss(add: (name: string, type: string, body: Buffer) => string, hash: (body: Buffer) => string): string {
  const found = packageFile('graphiql', 'graphiql.min.css');
  const css = readFileSync(found.file, 'utf8').replace(/url\((["']?)data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)\1\)/g, (whole, _quote, type: string, data: string) => {
    const ext = INLINED[type];
    if (!ext) return whole;
    const body = Buffer.from(data, 'base64');
    return `url(${add(`graphiql-${hash(body)}.${ext}`, type, body)})`;
  });
  return add(`graphiql-${found.version}.min.css`, CSS, Buffer.from(css));
}

interface AssetTable {
  readonly assets: ReadonlyMap<string, Asset>;
  /** The page's references, by role. */
  readonly urls: { react: string; reactDom: string; graphiqlJs: string; graphiqlCss: string; pageJs: string; pageCss: string; favicon: string };
}

let table: AssetTable | null = null;

function assetTable(): AssetTable {
  if (table) return table;
  const assets = new Map<string, Asset>();
  const add = (name: string, type: string, body: Buffer) => {
    const url = `/explorer/assets/${name}`;
    assets.set(url, { type, body, gzipped: /^text\//.test(type) ? gzipSync(body) : null });
    return url;
  };
  const hash = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 12);
  const vendor = (pkg: string, file: string, name: (version: string) => string, type: string) => {
    const found = packageFile(pkg, file);
    return add(name(found.version), type, readFileSync(found.file));
  };
  const own = (file: string, ext: string, type: string) => {
    const body = readFileSync(path.join(ownFolder(), file));
    return add(`${path.basename(file, ext)}-${hash(body)}${ext}`, type, body);
  };
  const favicon = Buffer.from(FAVICON);
  table = {
    assets,
    urls: {
      react: vendor('react', 'umd/react.production.min.js', (v) => `react-${v}.production.min.js`, JS),
      reactDom: vendor('react-dom', 'umd/react-dom.production.min.js', (v) => `react-dom-${v}.production.min.js`, JS),
      graphiqlJs: vendor('graphiql', 'graphiql.min.js', (v) => `graphiql-${v}.min.js`, JS),
      graphiqlCss: graphiqlCss(add, hash),
      pageJs: own('explorer.js', '.js', JS),
      pageCss: own('explorer.css', '.css', CSS),
      favicon: add(`favicon-${hash(favicon)}.svg`, 'image/svg+xml', favicon),
    },
  };
  return table;
}

function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    return name.trim() === 'gzip' && (!q || Number(q[1]) > 0);
  });
}

/** Serves one of the explorer's files; false (and nothing written) for any other path. */
export function serveExplorerAsset(pathname: string, res: http.ServerResponse): boolean {
  if (!pathname.startsWith('/explorer/assets/')) return false;
  const asset = assetTable().assets.get(pathname);
  if (!asset) return false;
  const gzipped = asset.gzipped && acceptsGzip(res.req?.headers['accept-encoding']) ? asset.gzipped : null;
  const body = gzipped ?? asset.body;
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': body.length,
    'cache-control': CACHE_FOREVER,
    vary: 'accept-encoding',
    ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The page

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that may sit inside <script>: no "</script>" or "<!--" can appear in it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/**
 * The explorer page. Its own script is a file (no inline script runs), the settings travel as a
 * JSON data block; with `demoTokens` the visitor picks a demo identity, otherwise pastes a token.
 */
export function explorerPage(options: { demoTokens: boolean; today?: string }): string {
  const { urls } = assetTable();
  const settings = {
    endpoint: '/graphql',
    demoTokensUrl: options.demoTokens ? '/explorer/demo-tokens' : null,
    examples: explorerExamples(options.today),
  };
  const identity = options.demoTokens
    ? `<label class="bx-field" for="bx-identity">演示身份 <small>Demo identity</small></label>
      <select id="bx-identity" class="bx-input" disabled><option value="">正在加载… loading…</option></select>`
    : `<label class="bx-field" for="bx-token">令牌 <small>Bearer token</small></label>
      <input id="bx-token" class="bx-input" type="password" autocomplete="off" spellcheck="false" placeholder="粘贴访问令牌 Paste an access token">`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml('保学 Baoxue 数据交换枢纽 · GraphQL 查询器')}</title>
<link rel="icon" type="image/svg+xml" href="${urls.favicon}">
<link rel="stylesheet" href="${urls.graphiqlCss}">
<link rel="stylesheet" href="${urls.pageCss}">
</head>
<body>
<header class="bx-bar">
  <div class="bx-title">
    <h1>保学 Baoxue 数据交换枢纽 · GraphQL 查询器</h1>
    <small>Baoxue data-exchange hub · GraphQL explorer for analysts — runs offline, nothing leaves this server</small>
  </div>
  <div class="bx-identity">
    ${identity}
    <span id="bx-status" class="bx-status" role="status"></span>
  </div>
</header>
<main id="bx-graphiql" class="bx-main">
  <p class="bx-loading">正在加载查询器… <small>Loading the explorer…</small></p>
  <noscript><p class="bx-loading">查询器需要启用 JavaScript。<small>The explorer needs JavaScript.</small></p></noscript>
</main>
<script type="application/json" id="bx-settings">${scriptJson(settings)}</script>
<script src="${urls.react}"></script>
<script src="${urls.reactDom}"></script>
<script src="${urls.graphiqlJs}"></script>
<script src="${urls.pageJs}"></script>
</body>
</html>
`;
}
