import { DEPARTMENT_NAMES, isDepartment } from '../auth/identity';
import { encodeCursor } from '../core/connection';
import type { Reader } from '../core/context';
import { ForbiddenError } from '../core/errors';
import type { ExportTable } from '../core/table-export';
import { regions } from '../regions/region.registry';
import { SchoolStatus } from '../departments/education/education.enums';
import { Whereabouts } from '../departments/public-security/public-security.enums';
import { DropoutStatus } from '../ledger/dropout-case.enums';
import { CHECKED_FIELDS, SpotCheckField } from './spot-check.fields';
import { ACTION_KIND_LABELS, ACTION_STATUS_LABELS } from './supervision-action.labels';
import { accuracy, mismatches } from './spot-check.results';
import type { SpotCheckService } from './spot-check.service';
import { type ActionRow, SupervisionActionService } from './supervision-action.service';

/**
 * Supervision records as files for supervisors (issue 19 point 4): the action list, and a spot
 * check's results (accuracy by county and field, the mismatches, the sample). Each holds exactly
 * what the API answers the reader (`supervisionActions` with no filter, `spotCheckResults` and
 * `spotCheck`): the same services, the same scope, read page by page; the web layer audits the
 * export before a byte leaves (src/web/supervision-exports.ts).
 */

const KIND_LABELS: Readonly<Record<string, string>> = ACTION_KIND_LABELS;
const STATUS_LABELS: Readonly<Record<string, string>> = ACTION_STATUS_LABELS;
/** A checked field's value as people read it: the enum's Chinese label, 是/否 for evidence. */
const VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  SCHOOL_STATUS: SchoolStatus.labels, WHEREABOUTS: Whereabouts.labels, CASE_STATUS: DropoutStatus.labels, EVIDENCE_PRESENT: { true: '是', false: '否' },
};
const valueLabel = (field: string, value: string | null) => (value === null ? '' : (VALUE_LABELS[field]?.[value]?.split(' ')[0] ?? value));
const ITEM_STATUS_LABELS: Readonly<Record<string, string>> = { DRAWN: '待分派', ASSIGNED: '已分派', VERIFIED: '已核实' };
const dept = (code: string | null) => (code && isDepartment(code) ? DEPARTMENT_NAMES[code] : code ?? '');
const region = (code: string | null) => (code ? `${regions.get(code)?.name ?? ''}（${code}）` : '');
const fieldLabel = (field: string) => (SpotCheckField.labels as Record<string, string>)[field]?.split(' ')[0] ?? field;
const percent = (value: number | null) => (value === null ? '' : `${(value * 100).toFixed(1)}%`);

/** Only supervisors export supervision records; anyone else is refused before anything is read. */
export function assertSupervisor(reader: Reader): void {
  if (!reader.access.readsRows || !reader.identity.roles.includes('supervisor')) {
    throw new ForbiddenError('督导记录的导出仅限督导 (only supervisors export supervision records)');
  }
}

export const ACTION_EXPORT_COLUMNS = [
  { header: '事项编号', width: 38 }, { header: '类别', width: 14 }, { header: '状态', width: 10 }, { header: '逾期', width: 8 },
  { header: '所涉县区', width: 20 }, { header: '乡镇（街道）', width: 12 }, { header: '儿童编号', width: 38 }, { header: '转介至', width: 10 },
  { header: '文书编号', width: 28 }, { header: '立项日期', width: 12 }, { header: '立项部门', width: 10 }, { header: '立项人', width: 16 },
  { header: '办理期限', width: 12 }, { header: '办结日期', width: 12 }, { header: '办结人', width: 16 }, { header: '事由', width: 40 }, { header: '办理结果', width: 40 },
] as const;

export function actionExportRow(a: ActionRow, today: string): string[] {
  return [
    a.id, KIND_LABELS[a.kind] ?? a.kind, STATUS_LABELS[a.status] ?? a.status, SupervisionActionService.isOverdue(a, today) ? '是' : '否', region(a.county), a.township ?? '',
    a.childId ?? '', dept(a.toDept), a.number ?? '', a.openedOn, dept(a.openedDept), a.openedBy, a.deadline, a.closedOn ?? '', a.closedBy ?? '', a.note, a.outcome ?? '',
  ];
}

/** Every action the reader may see, in the API's order (by id), a page at a time. */
async function* actionPages(actions: SupervisionActionService, reader: Reader): AsyncGenerator<string[][]> {
  const today = actions.today();
  let after: string | null = null;
  for (;;) {
    const page = await actions.page(reader, {}, 100, after);
    if (page.rows.length) yield page.rows.map((a) => actionExportRow(a, today));
    if (!page.hasNextPage) return;
    after = encodeCursor('action', page.rows.at(-1)!.id);
  }
}

/** The action list: one table. */
export function actionTables(actions: SupervisionActionService, reader: Reader): ExportTable[] {
  assertSupervisor(reader);
  const title = `督导事项清单（${region(reader.identity.region)}，导出日期 ${actions.today()}）`;
  return [{ title, sheet: '督导事项', columns: ACTION_EXPORT_COLUMNS, rows: actionPages(actions, reader) }];
}

export const ACCURACY_COLUMNS = [
  { header: '县区', width: 20 }, { header: '核实项目', width: 16 }, { header: '核实条数', width: 10 }, { header: '一致条数', width: 10 }, { header: '准确率', width: 10 },
  { header: '95%区间下限', width: 12 }, { header: '95%区间上限', width: 12 }, { header: '计数口径', width: 24 }, { header: '台账报告数', width: 12 }, { header: '核实数', width: 10 },
  { header: '核实系数', width: 10 },
] as const;
export const MISMATCH_COLUMNS = [
  { header: '抽查项目编号', width: 38 }, { header: '儿童编号', width: 38 }, { header: '县区', width: 20 }, { header: '核实项目', width: 16 },
  { header: '台账值', width: 16 }, { header: '核实所见', width: 16 }, { header: '责任部门', width: 10 },
] as const;
export const ITEM_COLUMNS = [
  { header: '抽查项目编号', width: 38 }, { header: '个案编号', width: 38 }, { header: '儿童编号', width: 38 }, { header: '县区', width: 20 }, { header: '乡镇（街道）', width: 12 },
  { header: '层', width: 24 }, { header: '状态', width: 10 }, { header: '核查人', width: 16 }, { header: '核查人部门', width: 10 }, { header: '核实日期', width: 12 },
] as const;

async function* once<T>(rows: T[]): AsyncGenerator<T[]> {
  if (rows.length) yield rows;
}

/**
 * A spot check's results: accuracy per county and field (the county blank: all counties) with
 * Wilson 95% intervals and verification factors, the mismatches, and the sample. NOT_FOUND for a
 * spot check the reader may not see, exactly as `spotCheck(id)` answers.
 */
export async function spotCheckTables(spotChecks: SpotCheckService, reader: Reader, id: string): Promise<{ region: string; tables: ExportTable[] }> {
  assertSupervisor(reader);
  const check = await spotChecks.one(reader, id);
  const [items] = await spotChecks.items(reader, [check.id]);
  const title = `台账抽查结果 ${check.id}（${region(check.region)}，抽取于 ${check.drawnOn}，种子 ${check.seed}，日志根 ${check.rootSeq}）`;
  const accuracyRows = accuracy(items).map((r) => [
    r.county ? region(r.county) : '全部', fieldLabel(r.field), r.checked, r.matched, percent(r.accuracy), percent(r.low), percent(r.high),
    CHECKED_FIELDS[r.field].countedLabel.split(' ')[0], r.reportedCount, r.verifiedCount, r.verificationFactor === null ? '' : r.verificationFactor.toFixed(3),
  ]);
  const mismatchRows = mismatches(items).map((m) => [m.itemId, m.childId, region(m.county), fieldLabel(m.field), valueLabel(m.field, m.reported), valueLabel(m.field, m.found), dept(m.ownerDept)]);
  const itemRows = items.map((i) => [
    i.id, i.caseId, i.childId, region(i.county), i.township ?? '', i.stratum, ITEM_STATUS_LABELS[i.status] ?? i.status, i.verifierSub ?? '', dept(i.verifierDept), i.verifiedOn ?? '',
  ]);
  return {
    region: check.region,
    tables: [
      { title: `${title}　准确率与核实系数`, sheet: '准确率', columns: ACCURACY_COLUMNS, rows: once(accuracyRows) },
      { title: `${title}　不一致清单`, sheet: '不一致', columns: MISMATCH_COLUMNS, rows: once(mismatchRows) },
      { title: `${title}　样本`, sheet: '样本', columns: ITEM_COLUMNS, rows: once(itemRows) },
    ],
  };
}
