import { createHash } from 'node:crypto';

/**
 * How a spot check is drawn, as pure functions anyone can run again: from the frame (every case of
 * the region, each with its stratum), the supervisor's seed and the signed root's hash, the same
 * sample comes out. No state, no clock, no database.
 *
 * Within each stratum every case gets the key SHA-256(seed ‖ root hash ‖ case id) and the cases
 * with the smallest keys are taken (order sampling with hash keys, as permanent random numbers
 * are used in business surveys): with SHA-256 as the random function this is simple random
 * sampling without replacement in each stratum. The seed alone could be tried until a sample
 * pleased; the root's hash is not known before the root is signed at the draw, and every draw is
 * logged, so a draw that was tried again shows.
 */
export const STRATA = ['COUNTY', 'CASE_STATUS'] as const;
export type Stratum = (typeof STRATA)[number];

export interface FrameCase {
  readonly caseId: string;
  readonly county: string;
  readonly caseStatus: string;
}

/** Cases that still need work (OPEN_DROPOUT_STATUSES) against those that do not (returned, placed, deferred, closed…). */
const OPEN = new Set(['OPEN', 'PERSUADING']);

export function stratumOf(c: FrameCase, strata: readonly Stratum[]): string {
  if (strata.length === 0) return 'ALL';
  return strata.map((s) => (s === 'COUNTY' ? c.county : OPEN.has(c.caseStatus) ? 'OPEN' : 'CLOSED')).join('|');
}

export function selectionKey(seed: string, rootHash: string, caseId: string): string {
  return createHash('sha256').update(`${seed}\n${rootHash}\n${caseId}`).digest('hex');
}

/** The frame as stored and hashed: `[caseId, stratum]` in case id order. */
export function frameHash(frame: ReadonlyArray<readonly [string, string]>): string {
  return createHash('sha256').update(frame.map(([id, stratum]) => `${id}:${stratum}`).join('\n')).digest('hex');
}

/**
 * Proportional allocation of `size` over the strata, by largest remainder (Hamilton), ties by
 * stratum name; never more than a stratum holds. A size larger than the frame takes every case.
 */
export function allocate(counts: ReadonlyMap<string, number>, size: number): Map<string, number> {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const n = Math.min(size, total);
  const names = [...counts.keys()].sort();
  const out = new Map<string, number>();
  if (total === 0) return out;
  const quotas = names.map((s) => ({ s, q: (n * counts.get(s)!) / total }));
  for (const { s, q } of quotas) out.set(s, Math.floor(q));
  let left = n - [...out.values()].reduce((a, b) => a + b, 0);
  const byRemainder = [...quotas].sort((a, b) => b.q - Math.floor(b.q) - (a.q - Math.floor(a.q)) || (a.s < b.s ? -1 : 1));
  for (const { s } of byRemainder) {
    if (left === 0) break;
    if (out.get(s)! < counts.get(s)!) {
      out.set(s, out.get(s)! + 1);
      left--;
    }
  }
  return out;
}

/** The sample: case ids per stratum, smallest keys first; the whole draw in stratum order. */
export function drawSample(frame: ReadonlyArray<readonly [string, string]>, size: number, seed: string, rootHash: string): Array<{ caseId: string; stratum: string }> {
  const byStratum = new Map<string, string[]>();
  for (const [id, stratum] of frame) (byStratum.get(stratum) ?? byStratum.set(stratum, []).get(stratum)!).push(id);
  const sizes = allocate(new Map([...byStratum].map(([s, ids]) => [s, ids.length])), size);
  const out: Array<{ caseId: string; stratum: string }> = [];
  for (const stratum of [...byStratum.keys()].sort()) {
    const keyed = byStratum.get(stratum)!.map((id) => ({ id, key: selectionKey(seed, rootHash, id) })).sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const { id } of keyed.slice(0, sizes.get(stratum) ?? 0)) out.push({ caseId: id, stratum });
  }
  return out;
}

/**
 * The Wilson score interval for a proportion (95%, z = 1.96). Not the normal (Wald) interval: the
 * accuracy of a ledger is near 1 and a county's sample small, where Wald's interval has width 0
 * at 10 of 10 and runs past 1 at 9 of 10; Wilson's stays inside [0, 1] and covers near its
 * nominal rate at small n (Brown, Cai and DasGupta, Statistical Science 2001). Null for no trials.
 */
export function wilson(successes: number, trials: number, z = 1.96): { low: number; high: number } | null {
  if (trials === 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
