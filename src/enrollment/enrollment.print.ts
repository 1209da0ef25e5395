import type { ChildView } from '../children/child.type';
import { DEPARTMENT_NAMES } from '../auth/identity';
import { Stage } from '../departments/education/education.enums';
import { regions } from '../regions/region.registry';
import { GUARDIANS_DUTY } from './enrollment.enums';
import type { EnrollmentNoticeType } from './enrollment.types';

export const escapeHtml = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `2026-09-01` → `2026年9月1日`. */
export const chineseDate = (date: string) => `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

/** The A4 page style of printed notices (the correction order of src/supervision prints alike). */
export const PRINT_STYLE = `
  body { font-family: "Noto Sans CJK SC", "Source Han Serif SC", "WenQuanYi Micro Hei", "Microsoft YaHei", serif; color: #111; margin: 32px auto; max-width: 720px; font-size: 16px; line-height: 1.9; }
  h1 { text-align: center; font-size: 26px; letter-spacing: 0.3em; margin: 0 0 4px; }
  .number { text-align: center; color: #444; font-size: 14px; margin-bottom: 24px; }
  .lead { text-indent: 2em; }
  table { border-collapse: collapse; width: 100%; margin: 16px 0; }
  th, td { border: 1px solid #555; padding: 6px 10px; text-align: left; }
  th { width: 8em; background: #f3f3f3; font-weight: 600; }
  .law { font-size: 14px; border-top: 1px solid #999; margin-top: 24px; padding-top: 8px; }
  .law p { margin: 4px 0; text-indent: 2em; }
  .sign { text-align: right; margin-top: 32px; }
  @page { size: A4 portrait; margin: 18mm; }
  @media print { body { margin: 0; max-width: none; } th { background: #f3f3f3 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
`;

/**
 * 入学通知书 as a page to print and hand to a guardian: the child, the school, when to report,
 * and the guardian's duty under the Compulsory Education Law. No ID number: the notice goes to the
 * family, and the school checks identity at registration. Self-contained: style inline, no script.
 */
export function enrollmentNoticePage(notice: EnrollmentNoticeType & { region: string }, child: ChildView | null): string {
  const county = regions.get(notice.region)?.name ?? notice.region;
  const stage = notice.stage ? Stage.labels[notice.stage as keyof typeof Stage.labels].split(' ')[0] : '';
  const grade = notice.stage === 'JUNIOR_SECONDARY' ? '七年级' : '一年级';
  const rows: Array<[string, string]> = [
    ['学生姓名', child?.name ?? '（无权查看）'],
    ['出生日期', child?.birthDate ? chineseDate(child.birthDate) : '（无权查看）'],
    ['入学学段', `${stage}${grade}`],
    ['就读学校', notice.schoolName ?? '（无权查看）'],
    ['报到日期', notice.reportOn ? chineseDate(notice.reportOn) : '（无权查看）'],
    ['学年', notice.schoolYear ? `${notice.schoolYear}—${notice.schoolYear + 1}学年` : ''],
  ];
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>入学通知书 ${escapeHtml(notice.number ?? '')}</title>
<style>${PRINT_STYLE}</style>
</head>
<body>
<h1>入学通知书</h1>
<div class="number">编号：${escapeHtml(notice.number ?? '')}</div>
<p>${escapeHtml(child?.name ?? '')} 同学的家长（监护人）：</p>
<p class="lead">根据义务教育有关规定，你的子女已到接受义务教育的年龄，经${escapeHtml(county)}${DEPARTMENT_NAMES.EDU}行政部门安排，请于 <strong>${escapeHtml(notice.reportOn ? chineseDate(notice.reportOn) : '')}</strong> 带领子女到 <strong>${escapeHtml(notice.schoolName ?? '')}</strong> 报到入学。</p>
<table>
${rows.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
<p class="lead">如因身体状况需要延缓入学，请在报到日期前向当地乡镇人民政府或县级教育行政部门提出申请。无正当理由未按时送子女入学的，将依法给予批评教育，责令限期改正。</p>
<div class="law">
<strong>法律依据</strong>
${GUARDIANS_DUTY.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n')}
</div>
<div class="sign">${escapeHtml(county)}教育局<br>${escapeHtml(notice.issuedOn ? chineseDate(notice.issuedOn) : '')}</div>
</body>
</html>`;
}
