import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import type { Sql } from '../db/sql';
import { type BatchCheck, batchCopy, type BatchProblem, checkBatch } from './chain-batch';
import { GENESIS_HASH, type StoredEntry } from './hash-chain';

/** One chain's verdict. */
export interface ChainVerifyResult {
  readonly chain: string;
  readonly ok: boolean;
  /** Entries that hold, from the chain's first. */
  readonly entries: number;
  readonly headSeq: number | null;
  readonly headHash: string | null;
  /** The first sequence number at which the chain does not hold, if any. */
  readonly firstBadSeq: number | null;
  readonly problem: string | null;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly entries: number;
  /** Every chain's verdict, in code order (`global`, the frozen chain of before migration 0015, last). */
  readonly chains: readonly ChainVerifyResult[];
  /** The first chain (in code order) that does not hold, with its first bad entry and what is wrong. */
  readonly firstBadChain: string | null;
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
 * The hash a county chain starts from: SHA-256 of the canonical JSON `{"chain":…,"from":…}`, from
 * the frozen global chain's head (migration 0015's `hub.chain_genesis`, the same text). The frozen
 * chain itself starts from `GENESIS_HASH`.
 */
export function chainGenesis(chain: string, globalHead: string): string {
  if (chain === 'global') return GENESIS_HASH;
  return createHash('sha256').update(`{"chain":${JSON.stringify(chain)},"from":${JSON.stringify(globalHead)}}`).digest('hex');
}

interface ChainToWalk {
  readonly chain: string;
  /** The last seq in the log when the walk began. */
  readonly last: number;
  /** The head its `hub.chain_head` row names (null if the log has a chain with no head row). */
  readonly head: { seq: number; hash: string } | null;
}

/**
 * The chains to walk: every head row, and any chain the log holds without one (found by skipping
 * through the primary key, a chain at a time), each with its last seq now.
 */
async function chainsToWalk(sql: Sql): Promise<{ chains: ChainToWalk[]; globalHead: string }> {
  const heads = await sql.query<{ chain: string; seq: string; hash: string }>('SELECT chain, seq::text AS seq, hash::text AS hash FROM hub.chain_head');
  const lasts = await sql.query<{ chain: string; last: string }>(`WITH RECURSIVE chains(chain) AS (
      (SELECT chain FROM hub.change_log ORDER BY chain LIMIT 1)
      UNION ALL
      SELECT (SELECT l.chain FROM hub.change_log l WHERE l.chain > c.chain ORDER BY l.chain LIMIT 1) FROM chains c WHERE c.chain IS NOT NULL)
    SELECT c.chain, (SELECT max(l.seq) FROM hub.change_log l WHERE l.chain = c.chain)::text AS last FROM chains c WHERE c.chain IS NOT NULL`);
  const byChain = new Map<string, ChainToWalk>();
  for (const row of heads) byChain.set(row.chain, { chain: row.chain, last: 0, head: { seq: Number(row.seq), hash: row.hash } });
  for (const row of lasts) byChain.set(row.chain, { chain: row.chain, last: Number(row.last), head: byChain.get(row.chain)?.head ?? null });
  const order = (a: string, b: string) => (a === 'global' ? 1 : b === 'global' ? -1 : a < b ? -1 : a > b ? 1 : 0);
  const chains = [...byChain.values()].sort((a, b) => order(a.chain, b.chain));
  return { chains, globalHead: byChain.get('global')?.head?.hash ?? GENESIS_HASH };
}

/**
 * Walks every chain, up to its head at the start, in sequence order: every entry's hash must be
 * recomputable from its content, name the previous entry's hash (the first, its chain's genesis),
 * and follow it with no gap in the sequence; and the chain must end where its head row says. The
 * batches (keyset ranges of one chain's sequence numbers) of all chains are read a few ahead and
 * checked in parallel, in worker threads; they are joined here in order, which checks the links
 * between them, so each chain's first bad entry and the problem named are those of a walk entry
 * by entry. A chain that breaks does not stop the others.
 */
export async function verifyChain(sql: Sql, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { chains, globalHead } = await chainsToWalk(sql);
  const size = options.batch ?? BATCH;
  const tasks: Array<{ chain: string; from: number }> = [];
  for (const { chain, last } of chains) for (let from = 1; from <= last; from += size) tasks.push({ chain, from });
  const script = BatchWorkers.script();
  const count = options.workers ?? Math.min(4, os.availableParallelism());
  // Below three batches the entries are hashed in this thread: starting workers would cost more.
  const workers = script && count > 0 && tasks.length >= 3 ? new BatchWorkers(script, count) : null;
  // The COPYs under way: at most `COPIES`, the next one waiting for the oldest to end.
  const copying: Array<Promise<void>> = [];
  const check = async ({ chain, from }: { chain: string; from: number }): Promise<BatchCheck> => {
    const turn = copying.length < COPIES ? Promise.resolve() : copying.shift()!;
    const copied = turn.then(() => sql.copyOut(batchCopy(chain, from, from + size)));
    copying.push(copied.then(() => undefined, () => undefined));
    const batch = await copied;
    return workers ? workers.check(batch, from) : checkBatch(batch, from);
  };
  const inFlight: Array<Promise<BatchCheck>> = [];
  let nextTask = 0;
  const readAhead = () => {
    while (inFlight.length < (workers ? 2 * count + 1 : 2) && nextTask < tasks.length) {
      const pending = check(tasks[nextTask++]);
      // Awaited in turn below; one left behind by an early verdict must not be an unhandled rejection.
      pending.catch(() => undefined);
      inFlight.push(pending);
    }
  };
  const results: ChainVerifyResult[] = [];
  try {
    readAhead();
    for (const { chain, last, head } of chains) {
      let expectedSeq = 1;
      let prevHash = chainGenesis(chain, globalHead);
      let verdict: ChainVerifyResult | null = null;
      const bad = (seq: number, problem: BatchProblem | 'head', good = 0): ChainVerifyResult => ({
        chain,
        ok: false,
        entries: expectedSeq - 1 + good,
        headSeq: null,
        headHash: null,
        firstBadSeq: Math.min(seq, expectedSeq + good),
        problem: problem === 'missing'
          ? `链 ${chain} 序号 ${expectedSeq + good} 缺失 (chain ${chain}: entry ${expectedSeq + good} is missing)`
          : problem === 'unlinked'
            ? `链 ${chain} 第 ${seq} 条的前序哈希不符 (chain ${chain}: entry ${seq} does not follow its predecessor)`
            : problem === 'altered'
              ? `链 ${chain} 第 ${seq} 条内容与哈希不符 (chain ${chain}: entry ${seq} was altered)`
              : `链 ${chain} 的链头记录与日志不符 (chain ${chain}: its head row does not name its last entry)`,
      });
      for (let from = 1; from <= last; from += size) {
        const batch = await inFlight.shift()!;
        readAhead();
        if (verdict) continue;
        if (batch.firstSeq === null) continue;
        // The batch was checked as if it started where the chain had got to; if it does not, its first entry is not the next one.
        if (batch.from !== expectedSeq || batch.firstSeq !== expectedSeq) verdict = bad(batch.firstSeq, 'missing');
        else if (batch.firstPrevHash !== prevHash) verdict = bad(batch.firstSeq, 'unlinked');
        else if (batch.bad) verdict = bad(batch.bad.seq, batch.bad.problem, batch.good);
        else {
          expectedSeq += batch.good;
          prevHash = batch.lastHash!;
        }
      }
      const walked = expectedSeq - 1;
      if (!verdict && walked < last) verdict = bad(walked + 1, 'missing');
      // The head row is read before the walk, the log's end after it: a head beyond the entries walked means entries are missing.
      if (!verdict && (!head || head.seq > walked || (head.seq === walked && walked > 0 && head.hash !== prevHash))) verdict = bad(head ? Math.min(head.seq, walked + 1) : 1, 'head');
      results.push(verdict ?? { chain, ok: true, entries: walked, headSeq: walked || null, headHash: walked ? prevHash : null, firstBadSeq: null, problem: null });
    }
  } finally {
    // A verdict can come before the batches read ahead: let them finish before the connections and workers go.
    await Promise.allSettled(inFlight);
    await workers?.close();
  }
  const firstBad = results.find((r) => !r.ok) ?? null;
  return {
    ok: !firstBad,
    entries: results.reduce((sum, r) => sum + r.entries, 0),
    chains: results,
    firstBadChain: firstBad?.chain ?? null,
    firstBadSeq: firstBad?.firstBadSeq ?? null,
    problem: firstBad?.problem ?? null,
  };
}
