import type { EntityManager } from '@mikro-orm/postgresql';

/** Where a notice's ranges end: each chain's last covered entry, and the root that commits to them. */
export interface NoticeCut {
  /** Per chain, the seq and hash of its last entry covered. */
  readonly heads: ReadonlyMap<string, { readonly seq: number; readonly hash: string }>;
  /** The signed root the cut is taken from; null until roots are wired in. */
  readonly rootSeq: number | null;
}

/**
 * The "to" of every notice issued now: the chains' heads, read in the issuing transaction. The one
 * place that decides it, to be replaced by "sign a root now and take its chain sizes" once signed
 * roots exist, so that a notice names the root its ranges end at.
 *
 * A consistent cut per chain: a chain's head row moves only in an appender's transaction, which
 * locks the row (`FOR UPDATE`), inserts the entries after the head and updates the row to the last
 * of them, and commits all of it at once. So a committed head at seq n means every entry of that
 * chain up to n is committed (gap-free: each appender waited for the previous one's lock), and
 * none after n was committed with it. The one statement below reads every head from one snapshot,
 * and the entries up to those heads are visible to every later statement of the issuing
 * transaction; an entry appended meanwhile is after its chain's head here and goes to the next
 * notice.
 *
 * Durable before anyone reads the notice: a small write commits its entries asynchronously (on
 * disk a moment later, change-log.append.ts), so a head read here may not be on disk yet. But the
 * issuing transaction commits synchronously (the caller sets it, whatever the server's default),
 * and a commit is flushed only with the WAL before it, which holds the commit records of every
 * head this snapshot saw. Notices are readable only once that commit is done: by then everything
 * they cover is on disk, and a crash before it loses the notices with the entries.
 */
export async function noticeCut(em: EntityManager): Promise<NoticeCut> {
  const rows: Array<{ chain: string; seq: string; hash: string }> = await em.execute('SELECT chain, seq::text AS seq, hash::text AS hash FROM hub.chain_head');
  return { heads: new Map(rows.map((r) => [r.chain, { seq: Number(r.seq), hash: r.hash }])), rootSeq: null };
}
