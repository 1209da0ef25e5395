import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/unit-of-work';

/**
 * What a notice covers: for each chain, the entries after `from` up to and including `to`. A
 * recipient's next notice starts every chain where its previous one ended, so consecutive notices
 * neither miss nor repeat an entry, across the switch to per-county chains too: a notice issued
 * before it covered global seqs (it is read as `{global: [from_seq, to_seq]}`), and the first one
 * after covers the rest of the frozen global chain and every county chain from 0.
 */
export type ChainRanges = Readonly<Record<string, readonly [from: number, to: number]>>;

/** The chain every entry written before per-county chains stays in (frozen). */
export const GLOBAL_CHAIN = 'global';

/** The order a notice lists its chains in: the frozen global chain first (it came first), then the regions by code. */
export function compareChains(a: string, b: string): number {
  if (a === b) return 0;
  if (a === GLOBAL_CHAIN) return -1;
  if (b === GLOBAL_CHAIN) return 1;
  return a < b ? -1 : 1;
}

/** The chains of `ranges` in notice order. */
export const chainsOf = (ranges: ChainRanges): string[] => Object.keys(ranges).sort(compareChains);

/** A stored notice's ranges: one issued over the global chain alone has none stored and covered (from_seq, to_seq] of it. */
export function rangesOf(notice: { chainRanges: ChainRanges | null; fromSeq: number; toSeq: number }): ChainRanges {
  return notice.chainRanges ?? { [GLOBAL_CHAIN]: [notice.fromSeq, notice.toSeq] };
}

/**
 * The ranges of a recipient's next notice: every chain of the cut (and of the previous notice) from
 * where the previous notice ended, or 0 for a chain it did not cover, up to the cut.
 */
export function nextRanges(previous: ChainRanges | undefined, cut: ReadonlyMap<string, number>): ChainRanges {
  const ranges: Record<string, [number, number]> = {};
  for (const chain of new Set([...Object.keys(previous ?? {}), ...cut.keys()])) {
    const from = previous?.[chain]?.[1] ?? 0;
    const to = cut.get(chain) ?? from;
    // A head behind a notice already issued: the log lost entries that someone was told of. Nothing may be issued over it.
    if (to < from) throw new Error(`notices: chain ${chain} is at ${to}, behind ${from} that a notice already covers`);
    ranges[chain] = [from, to];
  }
  return ranges;
}

/** The entries a set of ranges holds, counted. */
export const rangeSize = (ranges: ChainRanges) => Object.values(ranges).reduce((n, [from, to]) => n + to - from, 0);

/**
 * The hash a notice over per-county chains names as its chain head: SHA-256 of the canonical JSON
 * of `{chain: hash of the chain's entry at to}`, over the chains it reaches into (to > 0). It
 * binds the notice to the chains' contents up to its cut, as the one head hash did for the
 * global chain; the signed root (root_seq) will do the same in a form anyone can check.
 */
export function headsDigest(heads: ReadonlyMap<string, string>): string | null {
  if (heads.size === 0) return null;
  return createHash('sha256').update(canonicalJson(Object.fromEntries(heads))).digest('hex');
}
