import type { SignedRoot } from '../log-roots/log-root.service';

/** Where a notice's ranges end: each chain's last covered entry, and the root that commits to them. */
export interface NoticeCut {
  /** Per chain, the seq and hash of its last entry covered. */
  readonly heads: ReadonlyMap<string, { readonly seq: number; readonly hash: string }>;
  /** The signed root the cut is taken from. */
  readonly rootSeq: number | null;
}

/** What a notice's cut is taken from: a root signed now (src/log-roots/). */
export interface RootSigner {
  signNow(): Promise<SignedRoot>;
}

/**
 * The "to" of every notice issued now: the chains of a root signed just before the notices are
 * issued (`LogRootService.signNow`, which returns the latest root when no chain has moved since).
 * Each notice then covers, on every chain, the entries after the recipient's previous notice up to
 * that root's size of the chain, and names the root: a department can prove with the root's
 * signature and the inclusion proofs of its export (`/notices/<id>/proofs.json`) what it was told,
 * without trusting the hub.
 *
 * A consistent cut per chain: a root is taken from one snapshot of `hub.chain_head`, and a chain's
 * head row moves only in an appender's transaction, which locks the row (`FOR UPDATE`), inserts the
 * entries after the head and updates the row to the last of them, and commits all of it at once.
 * So a head at seq n means every entry of that chain up to n is committed (gap-free: each appender
 * waited for the previous one's lock), and none after n was committed with it; an entry appended
 * after the root goes to the next notice.
 *
 * Durable: a small write commits its entries asynchronously (on disk a moment later,
 * change-log.append.ts), but a root is committed synchronously and only then returned, and a commit
 * is flushed with the WAL before it, which holds the commit records of every head its snapshot saw:
 * everything a root covers is on disk before any notice names it.
 */
export function noticeCut(signed: SignedRoot): NoticeCut {
  return { heads: new Map(signed.leaves.map((leaf) => [leaf.chain, { seq: leaf.size, hash: leaf.headHash }])), rootSeq: signed.root.seq };
}
