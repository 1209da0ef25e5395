import type http from 'node:http';
import { DropoutReason, DropoutStatus } from '../ledger/dropout-case.enums';
import { regions } from '../regions/region.registry';
import { ownFile, packageFile, PageAssets, scriptJson } from './page-assets';

/**
 * The supervision page (/supervision, 督导): progress toward the July deadline, weekly reporting,
 * key regions, the junior-secondary stage and schools, drawn with Apache ECharts and exported to
 * .xlsx with ExcelJS, both served from node_modules (offline). Everything on it comes from
 * `statistics`, `statisticsSeries` and `weeklyReporting` with the reader's own token, so an analyst
 * sees the suppressed, rounded figures there too, and the export holds what the page shows.
 */

/** Scripts only from this server; ECharts and ExcelJS set inline styles. */
export const SUPERVISION_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let table: { assets: PageAssets; urls: { js: string; css: string; echarts: string; exceljs: string } } | null = null;

function assetTable(): NonNullable<typeof table> {
  if (table) return table;
  const assets = new PageAssets('/supervision/assets/');
  table = {
    assets,
    urls: {
      js: assets.add('supervision', '.js', 'text/javascript; charset=utf-8', ownFile('supervision', 'supervision.js')),
      css: assets.add('supervision', '.css', 'text/css; charset=utf-8', ownFile('supervision', 'supervision.css')),
      echarts: assets.add('echarts', '.js', 'text/javascript; charset=utf-8', packageFile('echarts', 'dist/echarts.min.js')),
      exceljs: assets.add('exceljs', '.js', 'text/javascript; charset=utf-8', packageFile('exceljs', 'dist/exceljs.min.js')),
    },
  };
  return table;
}

/** Serves one of the page's files; false (and nothing written) for any other path. */
export function serveSupervisionAsset(pathname: string, res: http.ServerResponse): boolean {
  return assetTable().assets.serve(pathname, res);
}

const zh = (label: string) => label.replace(/\s+[A-Za-z].*$/, '');

/** The page; `today` fixes the school year and the deadline; with `demoTokens` a demo identity may sign in. */
export function supervisionPage(options: { demoTokens: boolean; today: string; deadline: string }): string {
  const { urls } = assetTable();
  const settings = {
    endpoint: '/graphql',
    demoTokensUrl: options.demoTokens ? '/explorer/demo-tokens' : null,
    today: options.today,
    deadline: options.deadline,
    regions: Object.fromEntries(regions.all().map((r) => [r.code, r.name])),
    reasons: Object.fromEntries(Object.entries(DropoutReason.labels).map(([k, v]) => [k, zh(v)])),
    statuses: Object.fromEntries(Object.entries(DropoutStatus.labels).map(([k, v]) => [k, zh(v)])),
  };
  const demo = options.demoTokens
    ? `<div class="sv-row"><select id="sv-demo" disabled><option value="">正在加载演示身份…</option></select>
       <button type="button" id="sv-demo-go" class="sv-btn sv-primary" disabled>以演示身份登录</button></div><div class="sv-or">或粘贴令牌</div>`
    : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>控辍保学督导 · 保学数据交换枢纽</title>
<link rel="stylesheet" href="${urls.css}">
</head>
<body>
<header class="sv-bar">
  <div class="sv-brand"><span class="sv-logo" aria-hidden="true">保</span>
    <div><h1>控辍保学督导</h1><small>七月底前完成核查劝返 · 截止 ${options.deadline}</small></div></div>
  <div id="sv-who" class="sv-who" hidden><span id="sv-who-text"></span>
    <button type="button" id="sv-export" class="sv-btn sv-primary">导出 Excel</button>
    <button type="button" id="sv-signout" class="sv-btn">退出登录</button></div>
</header>
<main class="sv-main">
  <section id="sv-signin" class="sv-signin">
    <h2>登录</h2>
    <p class="sv-muted">使用督导或分析员的访问令牌登录；令牌只保存在当前标签页。分析员看到的数字经小单元格抑制与随机舍入。</p>
    ${demo}
    <form id="sv-token-form"><textarea id="sv-token" rows="3" spellcheck="false" placeholder="粘贴以 eyJ 开头的访问令牌"></textarea>
      <button type="submit" class="sv-btn sv-primary">登录</button></form>
    <p id="sv-error" class="sv-error" role="alert"></p>
  </section>
  <div id="sv-app" hidden>
    <p id="sv-disclosure" class="sv-note"></p>
    <div class="sv-kpis" id="sv-kpis"></div>
    <div class="sv-grid">
      <section class="sv-card sv-wide"><h2>未结辍学个案燃尽图（对照七月底期限）</h2><div class="sv-chart" id="sv-burndown"></div></section>
      <section class="sv-card sv-wide"><h2>各县（市、区）进度</h2><div class="sv-chart sv-tall" id="sv-counties"></div></section>
      <section class="sv-card sv-wide"><h2>周报报送情况（近8周：按时 / 迟报 / 未报）</h2><div class="sv-chart sv-tall" id="sv-reporting"></div></section>
      <section class="sv-card"><h2>重点监测地区</h2><div class="sv-chart" id="sv-key"></div></section>
      <section class="sv-card"><h2>学段（初中为重点监测学段）</h2><div class="sv-chart" id="sv-stage"></div></section>
      <section class="sv-card sv-wide"><h2>各学校（年终考核）</h2><div class="sv-table" id="sv-schools"></div></section>
    </div>
  </div>
  <noscript><p class="sv-error">本页需要启用 JavaScript。</p></noscript>
</main>
<script type="application/json" id="sv-settings">${scriptJson(settings)}</script>
<script src="${urls.echarts}"></script>
<script src="${urls.exceljs}"></script>
<script src="${urls.js}"></script>
</body>
</html>
`;
}
