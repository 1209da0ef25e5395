import type { CaseResult, Cell, TargetCheck } from './bench';

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : String(value);
  return value;
}

/** A Markdown table, so that the output can be pasted into the README as it is. */
export function markdownTable(columns: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map((row) => row.map(cell));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...text.map(line)].join('\n');
}

export function caseReport(title: string, result: CaseResult): string {
  return [`### ${title}`, '', markdownTable(result.table.columns, result.table.rows), ...(result.notes?.length ? ['', ...result.notes] : [])].join('\n');
}

export function targetsReport(targets: ReadonlyArray<TargetCheck & { case: string }>): string {
  return ['### Targets (issues 6, 15, 16 and 17)', '', markdownTable(['case', 'what', 'value', 'target', 'met'], targets.map((t) => [t.case, t.what, t.value, t.target, t.met ? 'yes' : 'NO']))].join('\n');
}
