import type { Sql } from '../db/sql';
import { FROZEN_CHAIN } from './change-log.append';
import { readDurable, WAL_AT_READ } from './durable-read';
import { type LogPosition, positionArrays } from './log-position';

type Row = Record<string, any>;

export interface ReadAfter {
  /** Conditions on the entries, with unqualified columns of hub.change_log (the reader's scope, a filter). */
  readonly where?: (params: unknown[]) => string;
  /** Only these chains (all when absent). */
  readonly chains?: readonly string[] | null;
  /**
   * The reader's counties (null: the whole province). Its own counties' chains hold only entries
   * it may see by region, read by the primary key; of every other chain, only entries of children
   * whose hukou is in its counties, read through `change_log_hukou_idx` (hukou_region, chain, seq),
   * which holds only entries whose hukou is not their chain (migration 0033; the read says so, for
   * the planner to use it), so that a chain it is shown little of is not scanned from the start at
   * every page (a position moves only on entries the reader is shown). The frozen chain `global`
   * is no county's: of it, also the entries of children who lived in the reader's counties with
   * their hukou elsewhere, read by the primary key from the reader's position (the chain takes no
   * more entries, so a page reads at most up to its end). `where` still holds the scope condition
   * itself.
   */
  readonly counties?: readonly string[] | null;
  readonly limit: number;
}

/**
 * The entries after `position`, in (chain, seq) order, at most `limit`, once they are durable
 * (durable-read.ts). Each chain is read by a range scan of the primary key (chain, seq) from the
 * chain's own position, and only chains whose head is past it are read at all: `hub.chain_head`
 * moves on in the appender's transaction, so in any snapshot it shows exactly the entries committed,
 * and a chain's first entries arrive with its head row. A page costs the same however long the
 * chains are, whatever position it starts from.
 *
 * Within a chain, entries become visible in seq order (an appender holds its chain's head row
 * until it commits), so reading on from the last seq seen misses nothing; chains need no common
 * order, which is why a position is a vector.
 */
export function readAfter(sql: Sql, position: LogPosition, options: ReadAfter): Promise<Row[]> {
  const params: unknown[] = [];
  const [chains, seqs] = positionArrays(position);
  const names = params.push(chains);
  const after = params.push(seqs);
  const where = options.where ? ` AND ${options.where(params)}` : '';
  const only = options.chains ? ` AND h.chain = ANY($${params.push(options.chains)}::text[])` : '';
  const limit = params.push(options.limit);
  const inChain = `c.chain = h.chain AND c.seq > coalesce(p.seq, 0)${where}`;
  let lateral = `SELECT * FROM hub.change_log c WHERE ${inChain} ORDER BY c.seq LIMIT $${limit}`;
  if (options.counties) {
    const counties = `$${params.push(options.counties)}::text[]`;
    lateral = `(SELECT * FROM hub.change_log c WHERE h.chain = ANY(${counties}) AND ${inChain} ORDER BY c.seq LIMIT $${limit})
      UNION ALL
      (SELECT * FROM hub.change_log c WHERE NOT h.chain = ANY(${counties}) AND c.hukou_region = ANY(${counties}) AND c.hukou_region <> c.chain AND ${inChain} ORDER BY c.seq LIMIT $${limit})
      UNION ALL
      (SELECT * FROM hub.change_log c WHERE h.chain = '${FROZEN_CHAIN}' AND c.chain = '${FROZEN_CHAIN}' AND c.residence_region = ANY(${counties})
        AND NOT c.hukou_region = ANY(${counties}) AND ${inChain} ORDER BY c.seq LIMIT $${limit})`;
  }
  const text = `SELECT l.*, ${WAL_AT_READ}
    FROM hub.chain_head h
    LEFT JOIN unnest($${names}::text[], $${after}::bigint[]) AS p(chain, seq) ON p.chain = h.chain
    CROSS JOIN LATERAL (${lateral}) l
    WHERE h.seq > coalesce(p.seq, 0)${only}
    ORDER BY l.chain, l.seq LIMIT $${limit}`;
  return readDurable(sql, text, params);
}

/**
 * One child's entries (any chains) in the order they happened: each chain's in seq order, which
 * is its commit order, and the chains merged by time. A child's entries sit in more than one
 * chain when its county of residence changed; times alone would not do within a chain, where two
 * writes racing for the same head can commit in the other order than they were stamped.
 */
export function inLogOrder<T extends { chain: string; seq: number | string; at: Date }>(entries: readonly T[]): T[] {
  const byChain = new Map<string, T[]>();
  for (const entry of entries) {
    const list = byChain.get(entry.chain) ?? [];
    list.push(entry);
    byChain.set(entry.chain, list);
  }
  const queues = [...byChain.values()].map((list) => list.sort((a, b) => Number(a.seq) - Number(b.seq)));
  const heads = queues.map(() => 0);
  const out: T[] = [];
  while (out.length < entries.length) {
    let best = -1;
    for (let i = 0; i < queues.length; i++) {
      const candidate = queues[i][heads[i]];
      if (!candidate) continue;
      const current = best >= 0 ? queues[best][heads[best]] : undefined;
      if (!current || candidate.at.getTime() < current.at.getTime() || (candidate.at.getTime() === current.at.getTime() && candidate.chain < current.chain)) best = i;
    }
    out.push(queues[best][heads[best]++]);
  }
  return out;
}
