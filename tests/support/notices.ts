import ExcelJS from 'exceljs';
import type { NoticeChild } from '../../src/notices/notice.children';
import { entryRows } from '../../src/notices/notice.rows';

/** The GraphQL fields of a notice page's children, as the liaison page asks for them. */
export const NOTICE_CHILD_FIELDS = 'children { id name hukouRegion { code } residenceRegion { code } schoolName }';

/** A child of `NoticeEntries.children` as the exports hold it (regions by code). */
function asNoticeChild(child: any): NoticeChild {
  return { ...child, hukouRegion: child.hukouRegion?.code ?? null, residenceRegion: child.residenceRegion?.code ?? null };
}

/** The rows the exports must hold for entries and children read through GraphQL, every cell as text. */
export function expectedExportRows(entries: any[], children: any[]): string[][] {
  const byId = new Map(children.map((c) => [c.id, asNoticeChild(c)]));
  return entries.flatMap((e) => entryRows(e, byId.get(e.childId))).map((row) => row.map(String));
}

/** Every cell of a workbook, one a line. */
export async function xlsxText(body: Buffer): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as never);
  const cells: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => { cells.push(String(cell.value)); })));
  return cells.join('\n');
}
