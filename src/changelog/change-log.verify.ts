import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import type { CopiedMessages } from '../db/copy-out';
import type { Sql } from '../db/sql';
import { type BatchCheck, batchCopy, type BatchProblem, checkBatch, checkRange, heapCopy, type RangeCheck } from './chain-batch';
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
  private readonly waiting = new Map<number, { resolve: (check: any) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failure: Error | null = null;

  static script(): string | null {
    const file = path.join(__dirname, 'chain-batch.worker.js');
    return __filename.endsWith('.js') && fs.existsSync(file) ? file : null;
  }

  constructor(script: string, count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(script);
      worker.on('message', (message: { id: number; check?: BatchCheck | RangeCheck; error?: string }) => {
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

  /** A batch of one chain from `from` (`checkBatch`), or a range of the heap as its COPY's messages came (`checkRange`). */
  check(bytes: Uint8Array, from: number): Promise<BatchCheck>;
  check(range: CopiedMessages): Promise<RangeCheck>;
  check(bytes: Uint8Array | CopiedMessages, from?: number): Promise<BatchCheck | RangeCheck> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      // Memory a batch or chunk owns moves to the worker rather than being copied there.
      const owned = (b: Uint8Array) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
      const moved = (bytes instanceof Uint8Array ? [bytes] : bytes.chunks).filter(owned).map((b) => b.buffer as ArrayBuffer);
      const message = bytes instanceof Uint8Array ? { id, bytes, from } : { id, range: bytes };
      this.workers[id % this.workers.length].postMessage(message, [...new Set(moved)]);
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
  /**
   * How the log is read. `heap` (the default): the table once, in its physical order, a range of
   * pages per COPY, split by chain here; a chain whose entries do not line up (one missing, one
   * twice, or far out of order) and a chain that does not hold are walked again by `index`, which
   * names the first bad entry. `index`: each chain by its key, in batches of sequence numbers.
   */
  readonly read?: 'heap' | 'index';
  /** The index walk's sequence numbers per batch (default 10,000; tests make the edges between batches many). */
  readonly batch?: number;
  /** The heap walk's pages per COPY (default 2,048, about 16 MB of entries; tests make the ranges many). */
  readonly pages?: number;
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

/** Checks batches in worker threads when there are enough of them, else in this thread. */
class Checker {
  private workers: BatchWorkers | null = null;
  constructor(private readonly count: number) {}

  /** Starts the workers, if the batches to come are worth them (below three, starting them costs more). */
  expect(batches: number): void {
    const script = BatchWorkers.script();
    if (!this.workers && script && this.count > 0 && batches >= 3) this.workers = new BatchWorkers(script, this.count);
  }

  /** How many checks may wait at once before the reading waits for them. */
  get depth(): number {
    return this.workers ? 2 * this.count + 1 : 2;
  }

  check(bytes: Uint8Array, from: number): Promise<BatchCheck> {
    if (this.workers) return this.workers.check(bytes, from);
    try {
      return Promise.resolve(checkBatch(bytes, from));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  checkRange(range: CopiedMessages): Promise<RangeCheck> {
    if (this.workers) return this.workers.check(range);
    try {
      return Promise.resolve(checkRange(range));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async close(): Promise<void> {
    await this.workers?.close();
  }
}

/**
 * One chain's walk, batch by batch in sequence order: each batch was checked on its own; here its
 * first entry must be the next one and follow the last, and at the end the chain must reach the
 * seq it had at the start and end where its head row says.
 */
class ChainJoin {
  private expectedSeq = 1;
  private prevHash: string;
  private verdict: ChainVerifyResult | null = null;

  constructor(private readonly walk: ChainToWalk, globalHead: string) {
    this.prevHash = chainGenesis(walk.chain, globalHead);
  }

  add(batch: BatchCheck): void {
    if (this.verdict || batch.firstSeq === null) return;
    // The batch was checked as if it started where the chain had got to; if it does not, its first entry is not the next one.
    if (batch.from !== this.expectedSeq || batch.firstSeq !== this.expectedSeq) this.verdict = this.bad(batch.firstSeq, 'missing');
    else if (batch.firstPrevHash !== this.prevHash) this.verdict = this.bad(batch.firstSeq, 'unlinked');
    else if (batch.bad) this.verdict = this.bad(batch.bad.seq, batch.bad.problem, batch.good);
    else {
      this.expectedSeq += batch.good;
      this.prevHash = batch.lastHash!;
    }
  }

  finish(): ChainVerifyResult {
    const { chain, last, head } = this.walk;
    const walked = this.expectedSeq - 1;
    if (!this.verdict && walked < last) this.verdict = this.bad(walked + 1, 'missing');
    // The head row is read before the walk, the log's end after it: a head beyond the entries walked means entries are missing.
    if (!this.verdict && (!head || head.seq > walked || (head.seq === walked && walked > 0 && head.hash !== this.prevHash))) {
      this.verdict = this.bad(head ? Math.min(head.seq, walked + 1) : 1, 'head');
    }
    return this.verdict ?? { chain, ok: true, entries: walked, headSeq: walked || null, headHash: walked ? this.prevHash : null, firstBadSeq: null, problem: null };
  }

  private bad(seq: number, problem: BatchProblem | 'head', good = 0): ChainVerifyResult {
    const { chain } = this.walk;
    const missing = this.expectedSeq + good;
    return {
      chain,
      ok: false,
      entries: this.expectedSeq - 1 + good,
      headSeq: null,
      headHash: null,
      firstBadSeq: Math.min(seq, missing),
      problem: problem === 'missing'
        ? `链 ${chain} 序号 ${missing} 缺失 (chain ${chain}: entry ${missing} is missing)`
        : problem === 'unlinked'
          ? `链 ${chain} 第 ${seq} 条的前序哈希不符 (chain ${chain}: entry ${seq} does not follow its predecessor)`
          : problem === 'altered'
            ? `链 ${chain} 第 ${seq} 条内容与哈希不符 (chain ${chain}: entry ${seq} was altered)`
            : `链 ${chain} 的链头记录与日志不符 (chain ${chain}: its head row does not name its last entry)`,
    };
  }
}

/**
 * The index walk: each chain's batches (keyset ranges of its sequence numbers, from 1 to at least
 * its last seq at the start), read a few ahead on two connections and checked in parallel, joined
 * here in order, so each chain's first bad entry and the problem named are those of a walk entry by
 * entry. A chain that breaks does not stop the others.
 */
async function walkByIndex(sql: Sql, chains: readonly ChainToWalk[], globalHead: string, checker: Checker, size: number): Promise<ChainVerifyResult[]> {
  const tasks: Array<{ chain: string; from: number }> = [];
  for (const { chain, last } of chains) for (let from = 1; from <= last; from += size) tasks.push({ chain, from });
  checker.expect(tasks.length);
  // The COPYs under way: at most `COPIES`, the next one waiting for the oldest to end.
  const copying: Array<Promise<void>> = [];
  const check = async ({ chain, from }: { chain: string; from: number }): Promise<BatchCheck> => {
    const turn = copying.length < COPIES ? Promise.resolve() : copying.shift()!;
    const copied = turn.then(() => sql.copyOut(batchCopy(chain, from, from + size)));
    copying.push(copied.then(() => undefined, () => undefined));
    return checker.check(await copied, from);
  };
  const inFlight: Array<Promise<BatchCheck>> = [];
  let nextTask = 0;
  const readAhead = () => {
    while (inFlight.length < checker.depth && nextTask < tasks.length) {
      const pending = check(tasks[nextTask++]);
      // Awaited in turn below; one left behind by an early verdict must not be an unhandled rejection.
      pending.catch(() => undefined);
      inFlight.push(pending);
    }
  };
  const results: ChainVerifyResult[] = [];
  try {
    readAhead();
    for (const walk of chains) {
      const join = new ChainJoin(walk, globalHead);
      for (let from = 1; from <= walk.last; from += size) {
        join.add(await inFlight.shift()!);
        readAhead();
      }
      results.push(join.finish());
    }
  } finally {
    // A verdict can come before the batches read ahead: let them finish before the connections and workers go.
    await Promise.allSettled(inFlight);
  }
  return results;
}

/**
 * The heap walk: the table in ranges of pages, two COPYs at a time, each range split by chain and
 * checked in a worker thread (`checkRange`), which gives each chain's runs of consecutive entries.
 * Every entry of a chain up to its last seq at the start was committed before the walk began, so
 * each range's snapshot holds it; runs of entries appended since are left out. A chain's entries lie
 * in the heap in the order they were appended, mostly: one written by another connection, or a row
 * version left by an update, can sit before or after its neighbours, in this range or another. So
 * each chain's runs from all ranges are put in sequence order and joined as the index walk joins
 * its batches. Returns the verdicts of the chains that held, and the chains to walk again by their
 * index (one that does not hold, so that its first bad entry is named as a walk entry by entry would).
 */
async function walkByHeap(sql: Sql, chains: readonly ChainToWalk[], globalHead: string, checker: Checker, pages: number): Promise<{ held: Map<string, ChainVerifyResult>; again: ChainToWalk[] }> {
  // Measured after the chains' last seqs were read: every page an entry up to them lies on is below it.
  const [{ blocks }] = await sql.query<{ blocks: string }>(`SELECT (pg_relation_size('hub.change_log') / current_setting('block_size')::bigint)::text AS blocks`);
  const ranges: Array<[number, number | null]> = [];
  for (let from = 0; from < Number(blocks); from += pages) ranges.push([from, from + pages < Number(blocks) ? from + pages : null]);
  if (ranges.length === 0) ranges.push([0, null]);
  checker.expect(ranges.length);
  const checks: Array<Promise<RangeCheck>> = [];
  // The COPYs under way: at most `COPIES`, the next one waiting for the oldest to end; and the
  // reading waits for the checking, so that ranges do not pile up in memory.
  const copying: Array<Promise<unknown>> = [];
  let checking = 0;
  let checked: () => void = () => undefined;
  try {
    for (const [from, to] of ranges) {
      if (copying.length >= COPIES) await copying.shift();
      while (checking > checker.depth) await new Promise<void>((resolve) => (checked = resolve));
      const copied = sql.copyOutMessages(heapCopy(from, to));
      copying.push(copied.catch(() => undefined));
      checking++;
      const check = copied.then((bytes) => checker.checkRange(bytes)).finally(() => {
        checking--;
        checked();
      });
      check.catch(() => undefined);
      checks.push(check);
    }
  } finally {
    await Promise.allSettled(checks);
  }
  const ranged = await Promise.all(checks);
  const held = new Map<string, ChainVerifyResult>();
  if (ranged.some((r) => r.unreadable)) return { held, again: [...chains] };
  const runs = new Map<string, BatchCheck[]>();
  for (const { runs: found } of ranged) {
    for (const { chain, check } of found) {
      const list = runs.get(chain);
      if (list) list.push(check);
      else runs.set(chain, [check]);
    }
  }
  const again: ChainToWalk[] = [];
  for (const walk of chains) {
    const join = new ChainJoin(walk, globalHead);
    // Runs wholly after the chain's last seq at the start were appended since.
    for (const run of (runs.get(walk.chain) ?? []).filter((r) => r.from <= walk.last).sort((a, b) => a.from - b.from)) join.add(run);
    const verdict = join.finish();
    if (verdict.ok) held.set(walk.chain, verdict);
    else again.push(walk);
  }
  return { held, again };
}

/**
 * Walks every chain, up to its head at the start, in sequence order: every entry's hash must be
 * recomputable from its content, name the previous entry's hash (the first, its chain's genesis),
 * and follow it with no gap in the sequence; and the chain must end where its head row says. The
 * log is read once in heap order (see `walkByHeap`); a chain that does not hold there is walked
 * again by its index, which names its first bad entry and the problem as a walk entry by entry
 * would. The hashing runs in worker threads. A chain that breaks does not stop the others.
 */
export async function verifyChain(sql: Sql, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { chains, globalHead } = await chainsToWalk(sql);
  const checker = new Checker(options.workers ?? Math.min(4, os.availableParallelism()));
  let results: ChainVerifyResult[];
  try {
    if (options.read === 'index') results = await walkByIndex(sql, chains, globalHead, checker, options.batch ?? BATCH);
    else {
      const { held, again } = await walkByHeap(sql, chains, globalHead, checker, options.pages ?? 2_048);
      const walked = new Map((await walkByIndex(sql, again, globalHead, checker, options.batch ?? BATCH)).map((r) => [r.chain, r]));
      results = chains.map(({ chain }) => held.get(chain) ?? walked.get(chain)!);
    }
  } finally {
    await checker.close();
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
