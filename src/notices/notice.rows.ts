import { DEPARTMENT_NAMES, isDepartment } from '../auth/identity';
import { loggedEntityByType } from '../changelog/catalogue';
import { ChangeOperation, type ChangeLogEntryType } from '../changelog/change-log.type';
import { Gender } from '../children/child.enums';
import { SchoolStatus, Stage } from '../departments/education/education.enums';
import { DisabilityType } from '../departments/disability/disability.enums';
import { HukouStatus, Whereabouts } from '../departments/public-security/public-security.enums';
import { DropoutReason, DropoutStatus, Placement } from '../ledger/dropout-case.enums';
import { VisitMethod, VisitOutcome } from '../ledger/persuasion-visit.enums';
import { AssessmentDecision } from '../ledger/assessment.enums';
import { EnrollmentStatus, SchoolKind } from '../enrollment/enrollment.enums';
import { DuplicateBandEnum, DuplicateFeatureEnum, DuplicateStatusEnum } from '../duplicates/duplicate.types';
import { regions } from '../regions/region.registry';
import type { NoticeChild } from './notice.children';
import type { NoticeRow } from './notice.service';
import { type ChainRanges, chainsOf, GLOBAL_CHAIN, rangesOf } from './notice.ranges';
import { EVENT_LABELS, type NoticeDiscrepancyLine, ruleLabel } from './notice.discrepancies';
import { ACTION_EVENT_LABELS, type NoticeActionLine } from './notice.actions';
import { ACTION_KIND_LABELS, ACTION_STATUS_LABELS } from '../supervision/supervision-action.labels';

/**
 * What a liaison reads in an export: Chinese labels for departments, entities, operations, fields
 * and enum values, times in China Standard Time. The liaison page shows the same words (its
 * settings carry `displayLabels()`), so the screen, the spreadsheet and the paper agree.
 */

/** The Chinese half of a bilingual label (`在校 enrolled` → `在校`). */
const zh = (label: string) => label.split(' ')[0];
const chinese = (labels: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, zh(v)]));

/** Enum-valued fields of logged entities, by `Type.field` (a unit test checks that none is missing). */
export const VALUE_LABELS: Readonly<Record<string, Record<string, string>>> = {
  'Child.gender': chinese(Gender.labels),
  'EducationRecord.status': chinese(SchoolStatus.labels),
  'EducationRecord.stage': chinese(Stage.labels),
  'PublicSecurityRecord.hukouStatus': chinese(HukouStatus.labels),
  'PublicSecurityRecord.whereabouts': chinese(Whereabouts.labels),
  'DisabilityRecord.disabilityType': chinese(DisabilityType.labels),
  'DropoutCase.reason': chinese(DropoutReason.labels),
  'DropoutCase.status': chinese(DropoutStatus.labels),
  'DropoutCase.placement': chinese(Placement.labels),
  'PersuasionVisit.method': chinese(VisitMethod.labels),
  'PersuasionVisit.outcome': chinese(VisitOutcome.labels),
  'Assessment.decision': chinese(AssessmentDecision.labels),
  'EnrollmentNotice.stage': chinese(Stage.labels),
  'EnrollmentNotice.schoolKind': chinese(SchoolKind.labels),
  'EnrollmentNotice.status': chinese(EnrollmentStatus.labels),
  'DuplicatePair.band': chinese(DuplicateBandEnum.labels),
  'DuplicatePair.features': chinese(DuplicateFeatureEnum.labels),
  'DuplicatePair.status': chinese(DuplicateStatusEnum.labels),
  // Supervision actions' kinds, states and departments are plain strings in the schema, worded here all the same.
  'SupervisionAction.kind': ACTION_KIND_LABELS,
  'SupervisionAction.status': ACTION_STATUS_LABELS,
  'SupervisionAction.toDept': DEPARTMENT_NAMES,
  'SupervisionAction.openedDept': DEPARTMENT_NAMES,
};
const REGION_FIELDS = new Set(['Child.hukouRegion', 'Child.residenceRegion']);

export const regionLabel = (code: string) => {
  const region = regions.get(code);
  return region ? `${region.name}（${code}）` : code;
};
export const deptLabel = (dept: string) => (isDepartment(dept) ? DEPARTMENT_NAMES[dept] : dept);
export const operationLabel = (op: string) => zh((ChangeOperation.labels as Record<string, string>)[op] ?? op);

/** Everything the page needs to word values as the exports do. */
export function displayLabels() {
  return {
    values: VALUE_LABELS,
    regionFields: [...REGION_FIELDS],
    regions: Object.fromEntries(regions.all().map((r) => [r.code, r.name])),
    depts: DEPARTMENT_NAMES,
    operations: chinese(ChangeOperation.labels),
  };
}

/** A before/after value (JSON text in the log) as a liaison reads it: 是/否, Chinese enum labels, region names. */
export function displayValue(entity: string, field: string, json: string | null): string {
  if (json === null) return '';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json;
  }
  const key = `${entity}.${field}`;
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (REGION_FIELDS.has(key)) return regionLabel(value);
    return VALUE_LABELS[key]?.[value] ?? value;
  }
  return json;
}

const CST = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** `2026-10-15 09:30:12`, in China Standard Time (the province's clock). */
export function chinaTime(at: Date | string): string {
  const parts = Object.fromEntries(CST.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Columns of the entries sheet, the CSV and the print page, with spreadsheet widths. */
export const ENTRY_COLUMNS = [
  { header: '链', width: 8 },
  { header: '序号', width: 10 },
  { header: '时间', width: 20 },
  { header: '操作部门', width: 10 },
  { header: '对象', width: 16 },
  { header: '操作', width: 7 },
  { header: '儿童编号', width: 38 },
  { header: '姓名', width: 10 },
  { header: '县区', width: 20 },
  { header: '学校', width: 24 },
  { header: '字段', width: 16 },
  { header: '修改前', width: 30 },
  { header: '修改后', width: 30 },
] as const;

export type EntryRow = [
  chain: string, seq: number, at: string, dept: string, entity: string, operation: string, childId: string, name: string, county: string, school: string,
  field: string, before: string, after: string,
];

const regionName = (code: string) => regions.get(code)?.name ?? code;

/**
 * The child's cells (姓名, 县区, 学校) as the reader may see them now: empty for a child the reader
 * may not see (outside its region) and for any value it may not read. The county is where the
 * child lives, with the hukou county beside it when that differs.
 */
export function childCells(child: NoticeChild | null | undefined): [name: string, county: string, school: string] {
  if (!child) return ['', '', ''];
  const { hukouRegion: hukou, residenceRegion: residence } = child;
  const county = residence
    ? (hukou && hukou !== residence ? `${regionName(residence)}（户籍 ${regionName(hukou)}）` : regionName(residence))
    : (hukou ? `户籍 ${regionName(hukou)}` : '');
  return [child.name ?? '', county, child.schoolName ?? ''];
}

/**
 * One row per field change, so that a spreadsheet filters and sorts by field and value; the
 * entry's own columns repeat on each of its rows. An entry with no field the recipient may see
 * (a deletion, say) still gets one row, with the field columns empty.
 */
export function entryRows(entry: ChangeLogEntryType, child?: NoticeChild | null): EntryRow[] {
  const head = [entry.chain, entry.seq, chinaTime(entry.at), deptLabel(entry.actorDept), entry.entityLabel, operationLabel(entry.operation), entry.childId ?? '', ...childCells(child)] as const;
  if (entry.changes.length === 0) return [[...head, '', '', '']];
  return entry.changes.map((c) => [...head, c.label, displayValue(entry.entity, c.field, c.before), displayValue(entry.entity, c.field, c.after)]);
}

/** Columns of the discrepancy sheet, section and table (核实比对问题), with spreadsheet widths. */
export const DISCREPANCY_COLUMNS = [
  { header: '事件', width: 12 },
  { header: '规则', width: 40 },
  { header: '儿童编号', width: 38 },
  { header: '姓名', width: 10 },
  { header: '县区', width: 20 },
  { header: '学校', width: 24 },
  { header: '核查县区', width: 20 },
  { header: '责任部门', width: 10 },
  { header: '发现日期', width: 12 },
  { header: '整改期限', width: 12 },
  { header: '事件日期', width: 12 },
  { header: '问题编号', width: 38 },
] as const;

export type DiscrepancyRow = [
  event: string, rule: string, childId: string, name: string, county: string, school: string, workedIn: string, owner: string, openedOn: string, deadline: string, on: string, id: string,
];

/** A frozen discrepancy line as a liaison reads it, with its child's cells as the reader may see them now. */
export function discrepancyRow(line: NoticeDiscrepancyLine, child?: NoticeChild | null): DiscrepancyRow {
  return [EVENT_LABELS[line.event], ruleLabel(line.rule), line.childId, ...childCells(child), regionLabel(line.county), deptLabel(line.ownerDept), line.openedOn, line.deadline, line.eventOn ?? '', line.discrepancyId];
}

/** Columns of the supervision-action sheet, section and table (督导事项), with spreadsheet widths. */
export const ACTION_COLUMNS = [
  { header: '事件', width: 12 },
  { header: '事项', width: 14 },
  { header: '儿童编号', width: 38 },
  { header: '姓名', width: 10 },
  { header: '县区', width: 20 },
  { header: '学校', width: 24 },
  { header: '所涉县区', width: 20 },
  { header: '发起部门', width: 10 },
  { header: '转介至', width: 10 },
  { header: '文书编号', width: 28 },
  { header: '立项日期', width: 12 },
  { header: '办理期限', width: 12 },
  { header: '事件日期', width: 12 },
  { header: '事由', width: 40 },
  { header: '办理结果', width: 40 },
  { header: '事项编号', width: 38 },
] as const;

export type ActionRow = [
  event: string, kind: string, childId: string, name: string, county: string, school: string, actionCounty: string, openedBy: string, toDept: string,
  number: string, openedOn: string, deadline: string, on: string, note: string, outcome: string, id: string,
];

/** A frozen action line as a liaison reads it, with its child's cells (none for a county interview) as the reader may see them now. */
export function actionRow(line: NoticeActionLine, child?: NoticeChild | null): ActionRow {
  return [
    ACTION_EVENT_LABELS[line.event], ACTION_KIND_LABELS[line.kind] ?? line.kind, line.childId ?? '', ...childCells(child), regionLabel(line.county), deptLabel(line.openedDept),
    line.toDept ? deptLabel(line.toDept) : '', line.number ?? '', line.openedOn, line.deadline, line.eventOn, line.note, line.outcome ?? '', line.actionId,
  ];
}

/** The header facts of a notice, label and value, for the summary sheet and the print page. */
export function noticeFacts(notice: NoticeRow): Array<[string, string]> {
  return [
    ['通报编号', notice.number],
    ['月份', notice.period],
    ['接收部门', `${deptLabel(notice.dept)}（${notice.dept}）`],
    ['区划', regionLabel(notice.region)],
    ['链与序号范围', rangesText(rangesOf(notice))],
    ['链头哈希', notice.chainHeadHash ?? '—'],
    ['内容哈希', notice.contentHash],
    ['发布时间', chinaTime(notice.issuedAt)],
    ['签收', notice.acknowledgedAt ? `${chinaTime(notice.acknowledgedAt)} ${notice.acknowledgedBy ?? ''}`.trim() : '未签收'],
    ['签收备注', notice.remarks ?? ''],
  ];
}

/** A chain as a liaison reads it: `global` is the province's chain from before per-county chains. */
export const chainLabel = (chain: string) => (chain === GLOBAL_CHAIN ? '全省旧链 global' : regionLabel(chain));

/**
 * What a notice covers, chain by chain in notice order: `全省旧链 global 1 – 57；鼓楼区（350102）1 – 12`,
 * the chains without new entries summed up at the end with the point each stays at.
 */
export function rangesText(ranges: ChainRanges): string {
  const chains = chainsOf(ranges);
  const covered = chains.filter((chain) => ranges[chain][1] > ranges[chain][0]).map((chain) => `${chainLabel(chain)} ${ranges[chain][0] + 1} – ${ranges[chain][1]}`);
  const unchanged = chains.length - covered.length;
  const rest = unchanged === 0 ? [] : [covered.length ? `其余 ${unchanged} 条链无新条目` : `无新条目（${unchanged} 条链）`];
  return [...covered, ...rest].join('；');
}

/** The summary counts with Chinese labels, in the order the page shows them. */
export function summaryCounts(notice: NoticeRow): Array<[string, number | string]> {
  const s = notice.summary;
  const reason = (key: string) => zh((DropoutReason.labels as Record<string, string>)[key] ?? key);
  const sorted = (record: Record<string, number>) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
  const byEntity = Object.entries(s.byEntity).flatMap(([entity, ops]) =>
    sorted(ops).map(([op, count]) => [`${loggedEntityByType(entity)?.label ?? entity}·${operationLabel(op)}`, count] as [string, number]));
  return [
    ['变更条目', s.entries],
    ['新登记儿童', s.newChildren],
    ['返校', s.returnsToSchool],
    ['特殊群体儿童就学状态变动', s.specialGroupStatusChanges ?? '无权知悉'],
    ...byEntity.sort(([a], [b]) => (a < b ? -1 : 1)),
    ...sorted(s.newDropoutCases).map(([key, count]) => [`新增辍学个案·${reason(key)}`, count] as [string, number]),
    ...sorted(s.closuresByReason).map(([key, count]) => [`结案·${reason(key)}`, count] as [string, number]),
    ...(s.discrepancies ? [
      ['核实比对·新发现', s.discrepancies.new], ['核实比对·已解决', s.discrepancies.resolved],
      ['核实比对·说明已确认', s.discrepancies.explained], ['核实比对·逾期未整改', s.discrepancies.overdue],
    ] as Array<[string, number]> : []),
    ...(s.actions ? [
      ['督导事项·新立', s.actions.opened], ['督导事项·办结（答复）', s.actions.closed], ['督导事项·逾期未办结', s.actions.overdue],
    ] as Array<[string, number]> : []),
  ];
}

/** `通报_2026-10_350102_EDU.xlsx`: the number, readable, safe in any file system. */
export function exportFileName(notice: NoticeRow, ext: string): string {
  return `通报_${notice.number.replace(/\//g, '_')}.${ext}`;
}
