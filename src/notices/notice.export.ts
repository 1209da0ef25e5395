import type { Writable } from 'node:stream';
import type { SensitiveReadService } from '../audit/sensitive-read.service';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import type { Reader } from '../core/context';
import { addTableSheet, BOLD, csvCell, csvLine, drained, HEADER_FILL, streamingWorkbook } from '../core/table-export';
import type { NoticeChild } from './notice.children';
import { ACTION_COLUMNS, actionRow, DISCREPANCY_COLUMNS, discrepancyRow, ENTRY_COLUMNS, type EntryRow, entryRows, noticeFacts, summaryCounts } from './notice.rows';
import type { NoticeRow, NoticeService } from './notice.service';

/**
 * Exports of one notice (.xlsx, .csv; the print page is in notice.print.ts). Each is written
 * batch by batch straight to the HTTP response: a notice of any size never sits in memory.
 */

export const EXPORT_FORMATS = ['xlsx', 'csv', 'print', 'proofs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The audit field of one export (hub.sensitive_read.field). */
export const exportAuditField = (format: ExportFormat, notice: NoticeRow) => `export:${format}:${notice.number}`;

/** Some of a notice's entries, with the children they name as the viewer may see them now. */
export interface NoticeBatch {
  readonly entries: ChangeLogEntryType[];
  readonly children: ReadonlyMap<string, NoticeChild>;
}

/** A batch's rows, one per field change, each with its child's cells. */
export const batchRows = (batch: NoticeBatch): EntryRow[] => batch.entries.flatMap((e) => entryRows(e, e.childId ? batch.children.get(e.childId) : null));

/**
 * The notice's entries as the viewer reads them, in batches, each with its children (as the page
 * shows them: the viewer's permissions and region, now). The sensitive values of a batch go
 * into the audit before the batch is handed out, so nothing leaves unaudited: if the audit
 * cannot be written, the export stops there.
 */
export async function* auditedBatches(
  notices: NoticeService, audit: SensitiveReadService, reader: Reader, notice: NoticeRow, requestId: string, size = 500,
): AsyncGenerator<NoticeBatch> {
  const withChildren = async (entries: ChangeLogEntryType[]): Promise<NoticeBatch> => ({ entries, children: await notices.children(reader, entries.map((e) => e.childId)) });
  const flush = async () => {
    if (reader.audit.size === 0) return;
    await audit.flush(reader, requestId);
    reader.audit.clear();
  };
  let batch: ChangeLogEntryType[] = [];
  for await (const entry of notices.stream(notice, reader)) {
    batch.push(entry);
    if (batch.length < size) continue;
    await flush();
    yield await withChildren(batch);
    batch = [];
  }
  await flush();
  if (batch.length) yield await withChildren(batch);
}

/**
 * A table of frozen lines a notice carries after its entries (核实比对问题, 督导事项): its heading,
 * sheet name and columns, and its rows in batches, each with its children as the viewer may see
 * them now. `present`: whether the notice carries the section at all (notices issued before it
 * was built do not, and their exports show nothing of it).
 */
export interface NoticeSection {
  readonly heading: string;
  readonly sheet: string;
  readonly columns: ReadonlyArray<{ readonly header: string; readonly width: number }>;
  readonly present: boolean;
  /** The print page's line when the notice has none. */
  readonly empty: string;
  readonly rows: AsyncIterable<ReadonlyArray<string>[]>;
}

export const DISCREPANCY_HEADING = '核实比对问题';
export const ACTION_HEADING = '督导事项';

/** Whether a notice lists discrepancies at all (those issued before they were do not). */
export const hasDiscrepancies = (notice: NoticeRow) => {
  const d = notice.summary.discrepancies;
  return !!d && d.new + d.resolved + d.explained + d.overdue > 0;
};

/** Whether a notice lists supervision actions (those issued before they were do not). */
export const hasActions = (notice: NoticeRow) => {
  const a = notice.summary.actions;
  return !!a && a.opened + a.closed + a.overdue > 0;
};

/** Frozen lines as rows, batch by batch, with the children they name as the reader may see them now. */
async function* linesWithChildren<L extends { childId: string | null }>(
  notices: NoticeService, reader: Reader, lines: AsyncIterable<L[]>, row: (line: L, child: NoticeChild | undefined) => ReadonlyArray<string>,
): AsyncGenerator<ReadonlyArray<string>[]> {
  for await (const batch of lines) {
    const children = await notices.children(reader, batch.map((l) => l.childId));
    yield batch.map((l) => row(l, l.childId ? children.get(l.childId) : undefined));
  }
}

async function* none(): AsyncGenerator<ReadonlyArray<string>[]> {}

/** The notice's discrepancy lines (what its recipient may see, frozen at issue), then its supervision-action lines. */
export function noticeSections(notices: NoticeService, reader: Reader, notice: NoticeRow): NoticeSection[] {
  return [
    {
      heading: DISCREPANCY_HEADING, sheet: SHEET_NAMES.discrepancies, columns: DISCREPANCY_COLUMNS, present: !!notice.summary.discrepancies,
      empty: '本期没有需要通报的核实比对问题。',
      rows: hasDiscrepancies(notice) ? linesWithChildren(notices, reader, notices.discrepancyLines(notice), discrepancyRow) : none(),
    },
    {
      heading: ACTION_HEADING, sheet: SHEET_NAMES.actions, columns: ACTION_COLUMNS, present: !!notice.summary.actions,
      empty: '本期没有需要通报的督导事项。',
      rows: hasActions(notice) ? linesWithChildren(notices, reader, notices.actionLines(notice), actionRow) : none(),
    },
  ];
}

// CSV: RFC 4180, UTF-8 with a byte-order mark (src/core/table-export.ts)
export { csvCell, csvLine, drained };

/**
 * The entries, then for each section with lines (核实比对问题, 督导事项) a blank line, its heading
 * and its table with its own header: a spreadsheet opens all; a program reading the entries stops
 * at the first blank line.
 */
export async function writeCsv(batches: AsyncIterable<NoticeBatch>, out: Writable, sections: readonly NoticeSection[] = []): Promise<void> {
  out.write(`\uFEFF${csvLine(ENTRY_COLUMNS.map((c) => c.header))}`);
  for await (const batch of batches) {
    if (out.destroyed) return;
    out.write(batchRows(batch).map(csvLine).join(''));
    await drained(out);
  }
  for (const section of sections) {
    let first = true;
    for await (const rows of section.rows) {
      if (out.destroyed) return;
      if (first) out.write(`\r\n${csvLine([section.heading])}${csvLine(section.columns.map((c) => c.header))}`);
      first = false;
      out.write(rows.map(csvLine).join(''));
      await drained(out);
    }
  }
  out.end();
}

// ---------------------------------------------------------------------------------------------
// Excel: a summary sheet and an entries sheet, through exceljs's streaming writer

const MONO = { name: 'Consolas' } as const;

export const SHEET_NAMES = { summary: '摘要', entries: '条目', discrepancies: '核实比对', actions: '督导事项' } as const;

/** Rows above the entries: the title line (number and content hash) and the column headers. */
export const ENTRY_HEADER_ROWS = 2;

export async function writeXlsx(notice: NoticeRow, batches: AsyncIterable<NoticeBatch>, out: Writable, sections: readonly NoticeSection[] = []): Promise<void> {
  const workbook = await streamingWorkbook(out);
  const title = `月度信息交换通报 ${notice.number}`;
  // Printed on every page: the number and the content hash, so that a page on its own says what it belongs to.
  const headerFooter = { oddHeader: `&L${title}&R内容哈希 ${notice.contentHash}`, oddFooter: '&C第 &P 页，共 &N 页' };

  const summary = workbook.addWorksheet(SHEET_NAMES.summary, { headerFooter, pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  summary.columns = [{ key: 'label', width: 30 }, { key: 'value', width: 74 }];
  const titleRow = summary.addRow([title]);
  titleRow.font = { bold: true, size: 14 };
  titleRow.commit();
  summary.addRow([]).commit();
  for (const [label, value] of noticeFacts(notice)) {
    const row = summary.addRow([label, value]);
    row.getCell(1).font = BOLD;
    if (label.endsWith('哈希')) row.getCell(2).font = MONO;
    row.commit();
  }
  summary.addRow([]).commit();
  const countsHeader = summary.addRow(['摘要', '数量']);
  countsHeader.eachCell((cell) => Object.assign(cell, { font: BOLD, fill: HEADER_FILL }));
  countsHeader.commit();
  for (const [label, count] of summaryCounts(notice)) {
    const row = summary.addRow([label, count]);
    row.getCell(2).alignment = { horizontal: 'left' };
    row.commit();
  }
  summary.commit();

  const last = String.fromCharCode(64 + ENTRY_COLUMNS.length);
  const entries = workbook.addWorksheet(SHEET_NAMES.entries, {
    headerFooter,
    views: [{ state: 'frozen', xSplit: 0, ySplit: ENTRY_HEADER_ROWS }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  entries.columns = ENTRY_COLUMNS.map((c, i) => ({ key: String(i), width: c.width }));
  entries.autoFilter = `A${ENTRY_HEADER_ROWS}:${last}${ENTRY_HEADER_ROWS}`;
  const heading = entries.addRow([`${title}　内容哈希 ${notice.contentHash}`]);
  heading.font = BOLD;
  entries.mergeCells(`A1:${last}1`);
  heading.commit();
  const columns = entries.addRow(ENTRY_COLUMNS.map((c) => c.header));
  columns.eachCell((cell) => Object.assign(cell, { font: BOLD, fill: HEADER_FILL, border: { bottom: { style: 'thin' } } }));
  columns.commit();
  for await (const batch of batches) {
    if (out.destroyed) return;
    for (const cells of batchRows(batch)) {
      const row = entries.addRow(cells);
      row.alignment = { vertical: 'top', wrapText: true };
      row.commit();
    }
    await drained(out);
    // Let the zip stream compress what it was given before the next batch arrives.
    await new Promise((resolve) => setImmediate(resolve));
  }
  entries.commit();

  // A sheet per section the notice carries (with a header row even when it has no line this month).
  for (const section of sections.filter((x) => x.present)) {
    const table = { title: `${title}　${section.heading}`, sheet: section.sheet, columns: section.columns, rows: section.rows };
    if (!(await addTableSheet(workbook, table, out, headerFooter))) return;
  }
  await workbook.commit();
}
