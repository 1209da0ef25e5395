import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Sql } from '../db/sql';
import { type BatchCheck, batchCopy, type BatchProblem, checkBatch } from './chain-batch';
import { GENESIS_HASH, type StoredEntry } from './hash-chain';

export interface VerifyResult {
  readonly ok: boolean;
  readonly entries: number;
  readonly headSeq: number | null;
  readonly headHash: string | null;
  /** The first sequence number at which the chain does not hold, if any. */
  readonly firstBadSeq: number | null;
  readonly problem: string | null;
}

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

/** Sequence numbers per batch: a few megabytes of COPY text. */
const BATCH = 10_000;
/**
 * COPYs at a time: two keep batches coming. The database shares the cores with the hashing, and
 * more COPYs at once cost it more CPU for the same rows (a sixth more at four, on 2 cores) with no
 * faster a walk.
 */
const COPIES = 2;

/**
 * Worker threads checking batches (the hashing is the work; the database builds the batches on
 * its own cores meanwhile). Only from the compiled build, where the worker script exists as
 * JavaScript; otherwise (tests run the TypeScript sources) the batches are checked in this thread.
 */
class BatchWorkers {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (check: BatchCheck) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failure: Error | null = null;

  static script(): string | null {
    const file = path.join(__dirname, 'chain-batch.worker.js');
    return __filename.endsWith('.js') && fs.existsSync(file) ? file : null;
  }

  constructor(script: string, count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(script);
      worker.on('message', (message: { id: number; check?: BatchCheck; error?: string }) => {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.check) waiter?.resolve(message.check);
        else waiter?.reject(new Error(`change-log verifier worker: ${message.error}`));
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => code !== 0 && this.fail(new Error(`change-log verifier worker exited with ${code}`)));
      return worker;
    });
  }

  check(bytes: Uint8Array, from: number): Promise<BatchCheck> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      // A batch that owns its memory moves to the worker rather than being copied there.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      this.workers[id % this.workers.length].postMessage({ id, bytes, from }, own ? [bytes.buffer as ArrayBuffer] : []);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.failure ??= new Error('change-log verifier closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export interface VerifyOptions {
  /** Worker threads hashing batches; default one per core (at most 4), 0 to hash in this thread. */
  readonly workers?: number;
  /** Sequence numbers per batch (default 10,000; tests make the edges between batches many). */
  readonly batch?: number;
}

/**
 * Walks the whole chain, up to the head at its start, in sequence order: every entry's hash must
 * be recomputable from its content, name the previous entry's hash, and follow it with no gap in
 * the sequence. The batches (keyset ranges of sequence numbers) are read a few ahead and checked
 * in parallel; they are joined here in order, which checks the links between them, so the first
 * bad entry and the problem named are those of a walk entry by entry.
 */
export async function verifyChain(sql: Sql, options: VerifyOptions = {}): Promise<VerifyResult> {
  const [{ head }] = await sql.query<{ head: string | null }>('SELECT max(seq)::text AS head FROM hub.change_log');
  const last = head === null ? 0 : Number(head);
  const script = BatchWorkers.script();
  const count = options.workers ?? Math.min(4, os.availableParallelism());
  const size = options.batch ?? BATCH;
  // Below three batches the entries are hashed in this thread: starting workers would cost more.
  const workers = script && count > 0 && last >= 3 * size ? new BatchWorkers(script, count) : null;
  // The COPYs under way: at most `COPIES`, the next one waiting for the oldest to end.
  const copying: Array<Promise<void>> = [];
  const check = async (from: number): Promise<BatchCheck> => {
    const turn = copying.length < COPIES ? Promise.resolve() : copying.shift()!;
    const copied = turn.then(() => sql.copyOut(batchCopy(from, from + size)));
    copying.push(copied.then(() => undefined, () => undefined));
    const batch = await copied;
    return workers ? workers.check(batch, from) : checkBatch(batch, from);
  };
  const inFlight: Array<Promise<BatchCheck>> = [];
  let nextFrom = 1;
  const readAhead = () => {
    while (inFlight.length < (workers ? 2 * count + 1 : 2) && nextFrom <= last) {
      const pending = check(nextFrom);
      // Awaited in turn below; one left behind by an early verdict must not be an unhandled rejection.
      pending.catch(() => undefined);
      inFlight.push(pending);
      nextFrom += size;
    }
  };
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  try {
    readAhead();
    while (inFlight.length > 0) {
      const batch = await inFlight.shift()!;
      readAhead();
      if (batch.firstSeq === null) continue;
      const bad = (seq: number, problem: BatchProblem, good = 0): VerifyResult => ({
        ok: false,
        entries: entries + good,
        headSeq: null,
        headHash: null,
        firstBadSeq: Math.min(seq, expectedSeq + good),
        problem: problem === 'missing'
          ? `序号 ${expectedSeq + good} 缺失 (entry ${expectedSeq + good} is missing)`
          : problem === 'unlinked'
            ? `第 ${seq} 条的前序哈希不符 (entry ${seq} does not follow its predecessor)`
            : `第 ${seq} 条内容与哈希不符 (entry ${seq} was altered)`,
      });
      // The batch was checked as if it started where the chain had got to; if it does not, its first entry is not the next one.
      if (batch.from !== expectedSeq || batch.firstSeq !== expectedSeq) return bad(batch.firstSeq, 'missing');
      if (batch.firstPrevHash !== prevHash) return bad(batch.firstSeq, 'unlinked');
      if (batch.bad) return bad(batch.bad.seq, batch.bad.problem, batch.good);
      entries += batch.good;
      expectedSeq += batch.good;
      prevHash = batch.lastHash!;
    }
  } finally {
    // A verdict can come before the batches read ahead: let them finish before the connections and workers go.
    await Promise.allSettled(inFlight);
    await workers?.close();
  }
  return { ok: true, entries, headSeq: entries ? expectedSeq - 1 : null, headHash: entries ? prevHash : null, firstBadSeq: null, problem: null };
}
