/** Tools of the disclosure attacks (tests/e2e/statistics.test.ts, src/stats/disclosure.spec.ts). */

/** A deterministic pseudo-random sequence (mulberry32), so that generated data is the same on every run. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The rank of a matrix by Gaussian elimination, independent of the hub's own check. The attack:
 * a withheld value x is fixed by a table's sums when adding x's unit vector to the sums (over the
 * withheld values) does not raise the rank.
 */
export function rank(rows: number[][]): number {
  const m = rows.map((r) => [...r]);
  let r = 0;
  for (let c = 0; c < (m[0]?.length ?? 0) && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && Math.abs(row[c]) > 1e-9);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p], m[r]];
    for (let i = 0; i < m.length; i++) if (i !== r) { const f = m[i][c] / m[r][c]; m[i] = m[i].map((x, k) => x - f * m[r][k]); }
    r++;
  }
  return r;
}
