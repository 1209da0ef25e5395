import type { Writable } from 'node:stream';
import type ExcelJSModule from 'exceljs';

/**
 * Tables as files, streamed batch by batch to an HTTP response: CSV (RFC 4180, UTF-8 with a
 * byte-order mark so that Excel reads the Chinese) and .xlsx sheets (exceljs's streaming writer).
 * The monthly notices' exports and the supervision exports both write through these.
 */

export interface ExportColumn {
  readonly header: string;
  /** Spreadsheet width, in characters. */
  readonly width: number;
}

/** One table: a sheet of a workbook, a section of a CSV file. */
export interface ExportTable {
  /** The sheet's title line (and the CSV section's heading). */
  readonly title: string;
  readonly sheet: string;
  readonly columns: readonly ExportColumn[];
  readonly rows: AsyncIterable<ReadonlyArray<ReadonlyArray<string | number>>>;
}

/** Waits until the response has sent what it holds (or the client went away): the slow client sets the pace. */
export function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: ReadonlyArray<string | number>) => `${cells.map(csvCell).join(',')}\r\n`;

/** The byte-order mark a CSV file starts with. */
export const CSV_BOM = '\uFEFF';

/**
 * Tables one after another in one CSV file: each its heading line and its column headers, then its
 * rows, a blank line between tables.
 */
export async function writeTablesCsv(tables: readonly ExportTable[], out: Writable): Promise<void> {
  out.write(CSV_BOM);
  for (const [i, table] of tables.entries()) {
    out.write(`${i ? '\r\n' : ''}${csvLine([table.title])}${csvLine(table.columns.map((c) => c.header))}`);
    for await (const rows of table.rows) {
      if (out.destroyed) return;
      out.write(rows.map(csvLine).join(''));
      await drained(out);
    }
  }
  out.end();
}

export const BOLD = { bold: true } as const;
export const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFE7DD' } } as const;
/** Rows above a table's rows: its title line and its column headers. */
export const TABLE_HEADER_ROWS = 2;

/** exceljs, loaded at the first spreadsheet export: requiring it took 0.3 s of every start-up, for a file asked for now and then. */
let exceljs: Promise<typeof ExcelJSModule> | undefined;
export const loadExcel = () => (exceljs ??= import('exceljs').then((m) => (m as { default?: typeof ExcelJSModule }).default ?? m));

type Workbook = InstanceType<typeof ExcelJSModule.stream.xlsx.WorkbookWriter>;

/** A new streaming workbook writing to `out`. */
export async function streamingWorkbook(out: Writable): Promise<Workbook> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = '保学 Baoxue';
  workbook.created = new Date();
  return workbook;
}

/**
 * A table as a landscape A4 sheet: its title (merged across), bold headers frozen with a filter,
 * then its rows batch by batch. False when the client went away.
 */
export async function addTableSheet(workbook: Workbook, table: ExportTable, out: Writable, headerFooter?: { oddHeader: string; oddFooter: string }): Promise<boolean> {
  const sheet = workbook.addWorksheet(table.sheet, {
    ...(headerFooter ? { headerFooter } : {}),
    views: [{ state: 'frozen', xSplit: 0, ySplit: TABLE_HEADER_ROWS }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const end = String.fromCharCode(64 + table.columns.length);
  sheet.columns = table.columns.map((c, i) => ({ key: String(i), width: c.width }));
  sheet.autoFilter = `A${TABLE_HEADER_ROWS}:${end}${TABLE_HEADER_ROWS}`;
  const title = sheet.addRow([table.title]);
  title.font = BOLD;
  sheet.mergeCells(`A1:${end}1`);
  title.commit();
  const header = sheet.addRow(table.columns.map((c) => c.header));
  header.eachCell((cell) => Object.assign(cell, { font: BOLD, fill: HEADER_FILL, border: { bottom: { style: 'thin' } } }));
  header.commit();
  for await (const rows of table.rows) {
    if (out.destroyed) return false;
    for (const cells of rows) sheet.addRow([...cells]).commit();
    await drained(out);
    // Let the zip stream compress what it was given before the next batch arrives.
    await new Promise((resolve) => setImmediate(resolve));
  }
  sheet.commit();
  return true;
}

/** Tables as the sheets of one workbook. */
export async function writeTablesXlsx(tables: readonly ExportTable[], out: Writable): Promise<void> {
  const workbook = await streamingWorkbook(out);
  for (const table of tables) if (!(await addTableSheet(workbook, table, out, { oddHeader: `&L${table.title}`, oddFooter: '&C第 &P 页，共 &N 页' }))) return;
  await workbook.commit();
}
