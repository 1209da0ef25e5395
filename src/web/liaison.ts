import type http from 'node:http';
import { loggedEntityByType } from '../changelog/catalogue';
import { displayLabels } from '../notices/notice.rows';
import { RULES } from '../reconciliation/reconciliation.rules';
import { ownFile, PageAssets, scriptJson } from './page-assets';

/** The Chinese label of each field a reconciliation rule compares (`EducationRecord.status` → 就学状态), for the 核实比对 tab. */
function factLabels(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of RULES.flatMap((r) => r.fields)) {
    const [type, field] = key.split('.');
    const logged = loggedEntityByType(type);
    out[key] = `${logged?.label ?? type}·${logged?.fields[field] ?? field}`;
  }
  return out;
}

/**
 * The liaison officers' page (/liaison): sign in, list my department's notices, read one,
 * acknowledge it (签收), download or print it. A plain script and style sheet from
 * src/web/liaison/, no framework and nothing from outside this server; only a fixed list of files
 * is ever served. The page talks to /graphql and the notice export routes, and nothing else.
 */

/**
 * Scripts only from this server; the print page (fetched with the token, shown in a blob: frame)
 * brings its own inline style.
 */
export const LIAISON_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; frame-src blob:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#c2410c"/><text x="16" y="23" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">保</text></svg>`;

let table: { assets: PageAssets; urls: { js: string; css: string; favicon: string } } | null = null;

function assetTable(): NonNullable<typeof table> {
  if (table) return table;
  const assets = new PageAssets('/liaison/assets/');
  table = {
    assets,
    urls: {
      js: assets.add('liaison', '.js', 'text/javascript; charset=utf-8', ownFile('liaison', 'liaison.js')),
      css: assets.add('liaison', '.css', 'text/css; charset=utf-8', ownFile('liaison', 'liaison.css')),
      favicon: assets.add('favicon', '.svg', 'image/svg+xml', Buffer.from(FAVICON)),
    },
  };
  return table;
}

/** Serves one of the page's files; false (and nothing written) for any other path. */
export function serveLiaisonAsset(pathname: string, res: http.ServerResponse): boolean {
  return assetTable().assets.serve(pathname, res);
}

/** The page. With `demoTokens` (local use) the visitor may pick a demo identity instead of pasting a token. */
export function liaisonPage(options: { demoTokens: boolean }): string {
  const { urls } = assetTable();
  const settings = {
    endpoint: '/graphql',
    demoTokensUrl: options.demoTokens ? '/explorer/demo-tokens' : null,
    labels: { ...displayLabels(), facts: factLabels() },
  };
  const demo = options.demoTokens
    ? `<div class="lx-demo">
        <label for="lx-demo">演示身份 <span class="lx-hint">（本机试用）</span></label>
        <div class="lx-row"><select id="lx-demo" disabled><option value="">正在加载…</option></select>
        <button type="button" id="lx-demo-go" class="lx-btn lx-primary" disabled>以此身份登录</button></div>
      </div>
      <div class="lx-or"><span>或粘贴令牌</span></div>`
    : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>通报签收 · 保学数据交换枢纽</title>
<link rel="icon" type="image/svg+xml" href="${urls.favicon}">
<link rel="stylesheet" href="${urls.css}">
</head>
<body>
<header class="lx-bar">
  <div class="lx-brand">
    <span class="lx-logo" aria-hidden="true">保</span>
    <div><h1>月度信息交换通报 · 联络员签收</h1><small>保学 控辍保学数据交换枢纽</small></div>
  </div>
  <nav id="lx-tabs" class="lx-tabs" role="tablist" aria-label="功能" hidden>
    <button type="button" id="lx-tab-notices" class="lx-tab" role="tab" aria-selected="true" aria-controls="lx-app">交换通报</button>
    <button type="button" id="lx-tab-recon" class="lx-tab" role="tab" aria-selected="false" aria-controls="lx-recon">核实比对</button>
  </nav>
  <div id="lx-who" class="lx-who" hidden>
    <span id="lx-who-text"></span>
    <button type="button" id="lx-signout" class="lx-btn lx-ghost">退出登录</button>
  </div>
</header>
<div id="lx-toast" class="lx-toast" role="status" aria-live="polite" hidden></div>
<main class="lx-main">
  <section id="lx-signin" class="lx-signin" aria-labelledby="lx-signin-title">
    <h2 id="lx-signin-title">登录</h2>
    <p class="lx-muted">使用本部门签发的访问令牌登录。令牌只保存在当前浏览器标签页，关闭标签页即失效。</p>
    ${demo}
    <form id="lx-token-form" class="lx-token-form">
      <label for="lx-token">访问令牌</label>
      <textarea id="lx-token" rows="3" autocomplete="off" spellcheck="false" placeholder="粘贴以 eyJ 开头的访问令牌"></textarea>
      <button type="submit" class="lx-btn lx-primary">登录</button>
    </form>
    <p id="lx-signin-error" class="lx-error" role="alert"></p>
  </section>
  <div id="lx-app" class="lx-app" hidden>
    <aside class="lx-side" aria-label="通报列表">
      <div class="lx-filters">
        <label>月份 <select id="lx-period"><option value="">全部月份</option></select></label>
        <label>状态 <select id="lx-status">
          <option value="">全部</option><option value="pending">未签收</option><option value="done">已签收</option><option value="overdue">逾期</option>
        </select></label>
      </div>
      <p id="lx-list-note" class="lx-muted lx-small"></p>
      <ul id="lx-notices" class="lx-notices"></ul>
    </aside>
    <section id="lx-detail" class="lx-detail" aria-live="polite">
      <div class="lx-placeholder">请在左侧选择一份通报</div>
    </section>
  </div>
  <section id="lx-recon" class="lx-recon" role="tabpanel" aria-labelledby="lx-tab-recon" hidden>
    <div class="lx-recon-head">
      <h2>核实比对 · 本部门待处理问题</h2>
      <p class="lx-muted">各部门台账不一致之处（二(二) 每月核实比对）。修正台账后，下次比对或即时复核即自动解决；确属例外的，填写情况说明，由督导确认。</p>
      <p id="lx-recon-note" class="lx-muted lx-small"></p>
    </div>
    <div class="lx-table-wrap"><table class="lx-table" id="lx-recon-items">
      <thead><tr><th scope="col">规则</th><th scope="col">儿童</th><th scope="col">比对依据</th><th scope="col">状态</th><th scope="col">整改期限</th><th scope="col">操作</th></tr></thead>
      <tbody></tbody>
    </table></div>
    <button type="button" id="lx-recon-more" class="lx-btn" hidden>加载更多</button>
  </section>
  <noscript><p class="lx-error">本页需要启用 JavaScript。</p></noscript>
</main>
<script type="application/json" id="lx-settings">${scriptJson(settings)}</script>
<script src="${urls.js}"></script>
</body>
</html>
`;
}
