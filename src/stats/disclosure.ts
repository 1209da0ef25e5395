import { createHmac } from 'node:crypto';

/**
 * Disclosure control for readers without row access (analysts), on one measure's table: its
 * cells and totals, each keyed by its dimension values (null = total over that dimension).
 *
 * 1. Primary suppression: a count from 1 to threshold-1 is withheld (a small cell singles out
 *    children), and so is every value of a group of fewer children than that (`withheld`), which
 *    the answer does not even list: that such a group exists at all would say where a child is.
 * 2. Complementary suppression: no withheld value may follow from the others by the table's sums
 *    (each row, column and the totals' own row and column): every such line holding one withheld
 *    value gets a second (its smallest non-zero value, ties by key; else its total), then any
 *    withheld value the sums still determine (checked by linear algebra: `determined`) gets
 *    another in one of its lines, until none is determined.
 * 3. Keyed random rounding of what is shown: to a multiple of `base`, up with probability
 *    (v mod base)/base (unbiased), the random number fixed per cell by an HMAC of the measure
 *    and the cell's key with a server secret, not drawn per query (README "Statistics").
 */
export interface Entry {
  readonly key: ReadonlyArray<string | null>;
  readonly value: number;
  /**
   * What fixes the entry's rounding: the same cell asked in another shape (the county total of a
   * county × stage table, the county cell of a county table) must be rounded alike, or asking it
   * in many shapes and averaging would recover it. Default: the key.
   */
  readonly cell?: string;
}

export interface Shown {
  readonly value: number | null;
  readonly suppressed: boolean;
}

/** The sums a table's entries obey: the entries of `cells` add up to `total` (indexes into the entries). */
export interface Line {
  readonly cells: readonly number[];
  readonly total: number;
}

const keyText = (key: ReadonlyArray<string | null>) => key.map((k) => (k === null ? '*' : k)).join('|');

/** The rows, columns and margins of a table with 0, 1 or 2 dimensions. */
export function linesOf(entries: readonly Entry[]): Line[] {
  const index = new Map(entries.map((e, i) => [keyText(e.key), i]));
  const at = (key: Array<string | null>) => index.get(keyText(key));
  const dims = entries[0]?.key.length ?? 0;
  if (dims === 0) return [];
  const grand = at(new Array(dims).fill(null));
  if (grand === undefined) return [];
  if (dims === 1) return [{ cells: entries.flatMap((e, i) => (e.key[0] !== null ? [i] : [])), total: grand }];
  const lines: Line[] = [];
  for (const d of [0, 1]) {
    const other = 1 - d;
    // Each value of dimension d: the cells holding it, adding up to its total.
    const values = new Set(entries.filter((e) => e.key[d] !== null && e.key[other] === null).map((e) => e.key[d] as string));
    for (const value of values) {
      const cells = entries.flatMap((e, i) => (e.key[d] === value && e.key[other] !== null ? [i] : []));
      const totalKey: Array<string | null> = [null, null];
      totalKey[d] = value;
      lines.push({ cells, total: at(totalKey)! });
    }
    // The totals of dimension d add up to the grand total.
    lines.push({ cells: entries.flatMap((e, i) => (e.key[d] !== null && e.key[other] === null ? [i] : [])), total: grand });
  }
  return lines;
}

/**
 * The withheld entries whose value the lines' sums determine, given every other value: those
 * whose unit vector lies in the row space of the sums restricted to the withheld entries
 * (reduced row echelon form: a row with a single non-zero).
 */
export function determined(lines: readonly Line[], suppressed: readonly boolean[]): number[] {
  const unknowns = suppressed.flatMap((s, i) => (s ? [i] : []));
  const column = new Map(unknowns.map((u, j) => [u, j]));
  const rows = lines.map((line) => {
    const row = new Array<number>(unknowns.length).fill(0);
    for (const c of line.cells) if (column.has(c)) row[column.get(c)!] += 1;
    if (column.has(line.total)) row[column.get(line.total)!] -= 1;
    return row;
  }).filter((row) => row.some((x) => x !== 0));
  let pivotRow = 0;
  for (let col = 0; col < unknowns.length && pivotRow < rows.length; col++) {
    const found = rows.findIndex((r, i) => i >= pivotRow && Math.abs(r[col]) > 1e-9);
    if (found < 0) continue;
    [rows[pivotRow], rows[found]] = [rows[found], rows[pivotRow]];
    const p = rows[pivotRow][col];
    rows[pivotRow] = rows[pivotRow].map((x) => x / p);
    for (let i = 0; i < rows.length; i++) {
      if (i === pivotRow || Math.abs(rows[i][col]) < 1e-9) continue;
      const f = rows[i][col];
      rows[i] = rows[i].map((x, k) => x - f * rows[pivotRow][k]);
    }
    pivotRow++;
  }
  return rows.slice(0, pivotRow).flatMap((r) => {
    const nonZero = r.flatMap((x, k) => (Math.abs(x) > 1e-9 ? [k] : []));
    return nonZero.length === 1 ? [unknowns[nonZero[0]]] : [];
  });
}

/** Which entries to withhold: primary, then complementary suppression (see the file's comment). */
export function suppression(entries: readonly Entry[], threshold: number, withheld: readonly boolean[] = []): boolean[] {
  const suppressed = entries.map((e, i) => withheld[i] === true || (e.value >= 1 && e.value < threshold));
  const lines = linesOf(entries);
  const order = (a: number, b: number) => entries[a].value - entries[b].value || keyText(entries[a].key).localeCompare(keyText(entries[b].key));
  /** The cheapest further entry of a line to withhold: its smallest non-zero cell, else its total. */
  const cheapest = (line: Line): number | undefined =>
    line.cells.filter((c) => !suppressed[c] && entries[c].value > 0).sort(order)[0] ?? (!suppressed[line.total] && entries[line.total].value > 0 ? line.total : undefined);
  for (let changed = true; changed;) {
    changed = false;
    for (const line of lines) {
      if ([...line.cells, line.total].filter((i) => suppressed[i]).length !== 1) continue;
      const next = cheapest(line);
      if (next !== undefined) suppressed[next] = changed = true;
    }
  }
  // Two per line is the classic rule, not a proof: a withheld entry can still be a bridge between
  // two groups of others. Whatever the sums still determine gets another partner.
  // A withheld 0 whose lines are all 0 follows from them and needs no partner: it says nothing of a child.
  for (let round = 0; round < entries.length; round++) {
    const exposed = determined(lines, suppressed).filter((i) => entries[i].value !== 0);
    if (exposed.length === 0) break;
    // Its own lines first; when they are all withheld already, the cheapest value shown in any
    // line that withholds something (the sums that fix it run through those).
    const next = exposed.flatMap((e) => lines.filter((l) => l.total === e || l.cells.includes(e)).map(cheapest)).find((i) => i !== undefined)
      ?? lines.filter((l) => [...l.cells, l.total].some((i) => suppressed[i])).flatMap((l) => [...l.cells, l.total])
        .filter((i) => !suppressed[i] && entries[i].value > 0).sort(order)[0];
    if (next === undefined) break;
    suppressed[next] = true;
  }
  return suppressed;
}

/** A number in [0, 1) fixed by the secret, the measure and the cell's key. */
export function cellRandom(secret: string, measure: string, key: ReadonlyArray<string | null>): number {
  return createHmac('sha256', secret).update(`${measure}\u0000${keyText(key)}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Unbiased random rounding of `value` to a multiple of `base`, with the cell's fixed random number. */
export function roundKeyed(value: number, base: number, random: number): number {
  const rest = value % base;
  if (rest === 0) return value;
  return value - rest + (rest / base > random ? base : 0);
}

/** What an analyst is shown of one measure's table. */
export function protect(entries: readonly Entry[], measure: string, options: { threshold: number; secret: string }, withheld: readonly boolean[] = []): Shown[] {
  const suppressed = suppression(entries, options.threshold, withheld);
  return entries.map((e, i) => (suppressed[i]
    ? { value: null, suppressed: true }
    : { value: roundKeyed(e.value, options.threshold, cellRandom(options.secret, measure, [e.cell ?? keyText(e.key)])), suppressed: false }));
}
