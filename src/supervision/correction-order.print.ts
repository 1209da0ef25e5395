import type { ChildView } from '../children/child.type';
import { chineseDate, escapeHtml, PRINT_STYLE } from '../enrollment/enrollment.print';
import { GUARDIANS_DUTY } from '../enrollment/enrollment.enums';
import { regions } from '../regions/region.registry';
import type { ActionRow } from './supervision-action.service';

/**
 * 责令限期改正通知书 (三(二)): the order to a guardian who keeps a child from school without good
 * reason, to send the child to school by the deadline, with the articles of the Compulsory
 * Education Law it rests on (the same articles as the enrollment notice: 5, 11 and 58). An A4
 * page in Chinese, self-contained like the enrollment notice; no ID number, as it goes to the family.
 */
export function correctionOrderPage(order: ActionRow, child: ChildView | null): string {
  const county = regions.get(order.county)?.name ?? order.county;
  const issuer = order.openedDept === 'TOWNSHIP' ? `${county}${order.township ?? ''}乡镇人民政府（街道办事处）` : `${county}教育局`;
  const name = child?.name ?? '（无权查看）';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>责令限期改正通知书 ${escapeHtml(order.number ?? '')}</title>
<style>${PRINT_STYLE}</style>
</head>
<body>
<h1>责令限期改正通知书</h1>
<div class="number">编号：${escapeHtml(order.number ?? '')}</div>
<p>${escapeHtml(name)} 的父母（法定监护人）：</p>
<p class="lead">经核查，你的子女 <strong>${escapeHtml(name)}</strong> 属义务教育阶段适龄儿童、少年，你无正当理由未依法送其入学接受义务教育（${escapeHtml(order.note)}）。根据《中华人民共和国义务教育法》第五十八条，现责令你于 <strong>${escapeHtml(chineseDate(order.deadline))}</strong> 前送其到校就读，并将改正情况告知本机关。逾期不改正的，将依法处理。</p>
<table>
<tr><th>学生姓名</th><td>${escapeHtml(name)}</td></tr>
<tr><th>出生日期</th><td>${escapeHtml(child?.birthDate ? chineseDate(child.birthDate) : '（无权查看）')}</td></tr>
<tr><th>改正期限</th><td>${escapeHtml(chineseDate(order.deadline))}</td></tr>
<tr><th>送达日期</th><td>${escapeHtml(chineseDate(order.openedOn))}</td></tr>
</table>
<div class="law">
<strong>法律依据</strong>
${GUARDIANS_DUTY.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n')}
</div>
<div class="sign">${escapeHtml(issuer)}<br>${escapeHtml(chineseDate(order.openedOn))}</div>
<p>监护人签收：____________　　日期：____________</p>
</body>
</html>`;
}
