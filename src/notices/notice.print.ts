import type { Writable } from 'node:stream';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import type { NoticeChild } from './notice.children';
import { drained, type NoticeBatch, type NoticeSection } from './notice.export';
import { childCells, chinaTime, deptLabel, displayValue, noticeFacts, operationLabel, regionLabel, summaryCounts } from './notice.rows';
import type { NoticeRow } from './notice.service';

/**
 * The print page of a notice: one self-contained Chinese HTML document (its style inline, no
 * script), written in pieces as the entries arrive. On paper: A4 landscape, the table header
 * repeated on every page, no entry split across pages.
 */

const escapeHtml = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
  :root { color-scheme: light; }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1f2933; margin: 24px 32px; font-size: 14px; line-height: 1.5; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 2px solid #c2410c; padding-bottom: 4px; }
  .sub { color: #52606d; margin: 0 0 16px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #cbd2d9; padding: 4px 8px; text-align: left; vertical-align: top; }
  th { background: #f5efe6; font-weight: 600; }
  .facts th { width: 8em; white-space: nowrap; }
  .facts td, .mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; word-break: break-all; }
  .facts td.text { font-family: inherit; font-size: 14px; }
  .counts { width: auto; min-width: 50%; }
  .counts td:last-child { text-align: right; min-width: 5em; }
  .entries { font-size: 12px; table-layout: fixed; }
  .c-chain { width: 4.5em; } .c-seq { width: 4.5em; } .c-time { width: 10.5em; } .c-dept { width: 5.5em; } .c-entity { width: 8em; } .c-op { width: 3.5em; } .c-who { width: 12em; } .c-child { width: 24em; }
  .entries td.num { text-align: right; white-space: nowrap; }
  .entries ul { margin: 0; padding-left: 1.1em; }
  .arrow { color: #9aa5b1; padding: 0 4px; }
  .none { color: #9aa5b1; }
  .who small { display: block; color: #52606d; }
  .empty { color: #52606d; padding: 12px 0; }
  footer { margin-top: 24px; color: #52606d; font-size: 12px; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print {
    body { margin: 0; font-size: 11pt; }
    h2 { break-after: avoid; }
    .entries { font-size: 9pt; }
    .entries tr { break-inside: avoid; }
    thead { display: table-header-group; }
    th { background: #f5efe6 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
`;

export function printHead(notice: NoticeRow): string {
  const facts = noticeFacts(notice)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td${/哈希|编号/.test(label) ? '' : ' class="text"'}>${escapeHtml(value || '—')}</td></tr>`)
    .join('\n');
  const counts = summaryCounts(notice).map(([label, count]) => `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(count)}</td></tr>`).join('\n');
  const title = `${regionLabel(notice.region).replace(/（.*）$/, '')}${deptLabel(notice.dept)} ${notice.period.replace('-', '年')}月 信息交换通报`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${title} ${notice.number}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">月度信息交换通报（控辍保学台账 二(二)）· 通报编号 <span class="mono">${escapeHtml(notice.number)}</span></p>
<h2>通报信息</h2>
<table class="facts">
${facts}
</table>
<h2>摘要</h2>
<table class="counts">
<thead><tr><th>项目</th><th>数量</th></tr></thead>
<tbody>
${counts}
</tbody>
</table>
<h2>变更条目（${escapeHtml(notice.entryCount)} 条）</h2>
${notice.entryCount === 0 ? '<p class="empty">本期没有需要通报的变更。</p>' : `<table class="entries">
<colgroup><col class="c-chain"><col class="c-seq"><col class="c-time"><col class="c-dept"><col class="c-entity"><col class="c-op"><col class="c-who"><col class="c-child"><col></colgroup>
<thead><tr><th>链</th><th>序号</th><th>时间</th><th>操作部门</th><th>对象</th><th>操作</th><th>儿童（姓名 县区 学校）</th><th>儿童编号</th><th>变更内容（修改前 → 修改后）</th></tr></thead>
<tbody>`}
`;
}

/** The child's name, county and school, as the page and the files show them (empty when not visible). */
function printChild(child: NoticeChild | null | undefined): string {
  const [name, county, school] = childCells(child);
  if (!name && !county && !school) return '<span class="none">—</span>';
  return `${escapeHtml(name)}${[county, school].filter(Boolean).map((text) => `<small>${escapeHtml(text)}</small>`).join('')}`;
}

export function printRow(entry: ChangeLogEntryType, child?: NoticeChild | null): string {
  const value = (text: string) => (text ? escapeHtml(text) : '<span class="none">（空）</span>');
  const changes = entry.changes.length
    ? `<ul>${entry.changes.map((c) => {
      const before = displayValue(entry.entity, c.field, c.before);
      // A new record has nothing before: its values are listed as they are.
      const from = entry.operation === 'CREATE' && !before ? '' : `${value(before)}<span class="arrow">→</span>`;
      return `<li>${escapeHtml(c.label)}：${from}${value(displayValue(entry.entity, c.field, c.after))}</li>`;
    }).join('')}</ul>`
    : '<span class="none">—</span>';
  return `<tr><td class="num">${escapeHtml(entry.chain)}</td><td class="num">${entry.seq}</td><td>${escapeHtml(chinaTime(entry.at))}</td><td>${escapeHtml(deptLabel(entry.actorDept))}</td><td>${escapeHtml(entry.entityLabel)}</td><td>${escapeHtml(operationLabel(entry.operation))}</td><td class="who">${printChild(child)}</td><td class="mono">${escapeHtml(entry.childId ?? '')}</td><td>${changes}</td></tr>\n`;
}

export function printTail(notice: NoticeRow, printedBy: string): string {
  return `<footer>打印时间 ${escapeHtml(chinaTime(new Date()))} · 打印人 ${escapeHtml(printedBy)} · 内容哈希 <span class="mono">${escapeHtml(notice.contentHash)}</span> · 本页由保学数据交换枢纽生成，导出已记入敏感信息读取审计。</footer>
</body>
</html>
`;
}

export async function writePrint(notice: NoticeRow, batches: AsyncIterable<NoticeBatch>, out: Writable, printedBy: string, sections: readonly NoticeSection[] = []): Promise<void> {
  out.write(printHead(notice));
  for await (const batch of batches) {
    if (out.destroyed) return;
    out.write(batch.entries.map((e) => printRow(e, e.childId ? batch.children.get(e.childId) : null)).join(''));
    await drained(out);
  }
  if (notice.entryCount > 0) out.write('</tbody>\n</table>\n');
  for (const section of sections.filter((x) => x.present)) {
    out.write(`<h2>${escapeHtml(section.heading)}</h2>\n`);
    let any = false;
    for await (const rows of section.rows) {
      if (out.destroyed) return;
      if (!any) out.write(`<table class="entries">\n<thead><tr>${section.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('')}</tr></thead>\n<tbody>\n`);
      any = true;
      out.write(rows.map((cells) => `<tr>${cells.map((c) => `<td>${c ? escapeHtml(c) : '<span class="none">—</span>'}</td>`).join('')}</tr>\n`).join(''));
      await drained(out);
    }
    out.write(any ? '</tbody>\n</table>\n' : `<p class="empty">${escapeHtml(section.empty)}</p>\n`);
  }
  out.end(printTail(notice, printedBy));
}
