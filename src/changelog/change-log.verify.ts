import type { Sql } from '../db/sql';
import { entryHash, GENESIS_HASH, type StoredEntry } from './hash-chain';

export interface VerifyResult {
  readonly ok: boolean;
  readonly entries: number;
  readonly headSeq: number | null;
  readonly headHash: string | null;
  /** The first sequence number at which the chain does not hold, if any. */
  readonly firstBadSeq: number | null;
  readonly problem: string | null;
}

const BATCH = 5000;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const parseTimestamptz: (text: string) => Date = require('pg').types.getTypeParser(1184);

/** Maps a stored row back to exactly what was hashed (rows read through the ORM carry times as text). */
export function storedEntry(row: Record<string, any>): StoredEntry & { hash: string } {
  return {
    seq: Number(row.seq),
    at: typeof row.at === 'string' ? parseTimestamptz(row.at) : row.at,
    actorSub: row.actor_sub,
    actorDept: row.actor_dept,
    actorRegion: row.actor_region,
    actorRoles: row.actor_roles,
    operation: row.operation,
    entity: row.entity,
    entityId: row.entity_id,
    childId: row.child_id,
    hukouRegion: row.hukou_region,
    residenceRegion: row.residence_region,
    version: row.version,
    changes: row.changes,
    mutation: row.mutation,
    reason: row.reason,
    requestId: row.request_id,
    idempotencyKey: row.idempotency_key,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Walks the whole chain in sequence order: every entry's hash must be recomputable from its
 * content, name the previous entry's hash, and follow it with no gap in the sequence.
 */
export async function verifyChain(sql: Sql): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const rows = await sql.query('SELECT * FROM hub.change_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, BATCH]);
    for (const row of rows) {
      const { hash, ...entry } = storedEntry(row);
      const bad = (problem: string): VerifyResult => ({ ok: false, entries, headSeq: null, headHash: null, firstBadSeq: Math.min(entry.seq, expectedSeq), problem });
      if (entry.seq !== expectedSeq) return bad(`序号 ${expectedSeq} 缺失 (entry ${expectedSeq} is missing)`);
      if (entry.prevHash !== prevHash) return bad(`第 ${entry.seq} 条的前序哈希不符 (entry ${entry.seq} does not follow its predecessor)`);
      if (entryHash(entry) !== hash) return bad(`第 ${entry.seq} 条内容与哈希不符 (entry ${entry.seq} was altered)`);
      prevHash = hash;
      expectedSeq++;
      entries++;
    }
    if (rows.length < BATCH) break;
  }
  return { ok: true, entries, headSeq: entries ? expectedSeq - 1 : null, headHash: entries ? prevHash : null, firstBadSeq: null, problem: null };
}
