import { random, rank } from '../../tests/support/attacks';
import { cellRandom, determined, type Entry, linesOf, protect, roundKeyed, suppression } from './disclosure';

/** A two-dimensional table with its margins, from a matrix of cell counts (zero cells left out, as GROUP BY does). */
function table(counts: number[][]): Entry[] {
  const entries: Entry[] = [];
  counts.forEach((row, a) => row.forEach((v, b) => { if (v > 0) entries.push({ key: [`r${a}`, `c${b}`], value: v }); }));
  counts.forEach((row, a) => { if (row.some((v) => v > 0)) entries.push({ key: [`r${a}`, null], value: row.reduce((s, v) => s + v, 0) }); });
  counts[0].forEach((_, b) => { const col = counts.reduce((s, row) => s + row[b], 0); if (col > 0) entries.push({ key: [null, `c${b}`], value: col }); });
  entries.push({ key: [null, null], value: counts.flat().reduce((s, v) => s + v, 0) });
  return entries;
}

function randomCounts(next: () => number): number[][] {
  const rows = 2 + Math.floor(next() * 5);
  const cols = 2 + Math.floor(next() * 5);
  // Skewed: many small cells, some empty, a few large.
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (next() < 0.2 ? 0 : Math.floor(next() ** 3 * 30))));
}

describe('disclosure control', () => {
  it('withholds every count from 1 to 4 and leaves no non-zero withheld count determined, in 1000 random tables', () => {
    const next = random(2026);
    let attacked = 0;
    for (let n = 0; n < 1000; n++) {
      const entries = table(randomCounts(next));
      const suppressed = suppression(entries, 5);
      entries.forEach((e, i) => { if (e.value >= 1 && e.value < 5) expect(suppressed[i]).toBe(true); });
      const unknown = suppressed.flatMap((s, i) => (s ? [i] : []));
      const equations = linesOf(entries).map((l) => unknown.map((u) => (l.cells.includes(u) ? 1 : l.total === u ? -1 : 0)));
      const r = rank(equations);
      for (const [k, u] of unknown.entries()) {
        if (entries[u].value === 0) continue;
        attacked++;
        expect({ table: n, key: entries[u].key, determined: rank([...equations, unknown.map((_, j) => (j === k ? 1 : 0))]) === r }).toEqual({ table: n, key: entries[u].key, determined: false });
      }
      expect(determined(linesOf(entries), suppressed).filter((i) => entries[i].value !== 0)).toEqual([]);
      expect(suppression(entries, 5)).toEqual(suppressed);
    }
    expect(attacked).toBeGreaterThan(1000);
  });

  it('rounds without bias: the mean over cells\' fixed random numbers is the count', () => {
    for (const value of [5, 6, 7, 8, 9, 23]) {
      const shown = Array.from({ length: 20_000 }, (_, i) => roundKeyed(value, 5, cellRandom('k', 'CHILDREN', [`cell${i}`])));
      expect(shown.every((v) => v % 5 === 0 && Math.abs(v - value) < 5)).toBe(true);
      expect(Math.abs(shown.reduce((s, v) => s + v, 0) / shown.length - value)).toBeLessThan(0.1);
    }
    expect(roundKeyed(0, 5, 0.99)).toBe(0);
  });

  it('lets one more child move a shown count about one time in five (differencing), over 2000 cells', () => {
    const next = random(7);
    let moved = 0;
    for (let i = 0; i < 2000; i++) {
      const value = 5 + Math.floor(next() * 200);
      const u = cellRandom('secret', 'OPEN_DROPOUT_CASES', [`c${i}`]);
      if (roundKeyed(value, 5, u) !== roundKeyed(value + 1, 5, u)) moved++;
    }
    expect(moved / 2000).toBeGreaterThan(0.15);
    expect(moved / 2000).toBeLessThan(0.25);
  });

  it('shows nothing of a withheld group, and the same answer every time', () => {
    const entries = table([[12, 3], [7, 9]]);
    const once = protect(entries, 'CHILDREN', { threshold: 5, secret: 'k' });
    expect(protect(entries, 'CHILDREN', { threshold: 5, secret: 'k' })).toEqual(once);
    const small = entries.map((e) => e.key[0] === 'r1' && e.key[1] === 'c0');
    const withGroup = protect(entries, 'CHILDREN', { threshold: 5, secret: 'k' }, small);
    expect(withGroup[small.indexOf(true)]).toEqual({ value: null, suppressed: true });
  });
});
