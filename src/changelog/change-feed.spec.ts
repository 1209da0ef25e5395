import { type Reader, readerFor } from '../core/context';
import type { Database } from '../db/database';
import { ChangeFeed } from './change-feed';
import { START } from './log-position';
import { registerModules } from '../app/modules';

// The entities the change log records are registered at start, as every entry point does.
registerModules();

/**
 * The feed's bookkeeping against an in-memory log (the end-to-end tests cover the real thing):
 * catching up from the log, going live, and falling too far behind meet with no gap and no
 * duplicate.
 */
function memoryLog() {
  const rows: Array<Record<string, unknown>> = [];
  const heads = new Map<string, number>();
  /** The subscribers' own reads of the log; the instance's reads (to fan out) and the highest seq they returned. */
  const counts = { subscriberReads: 0, instanceReads: 0, fannedOutTo: 0 };
  /** Appends `count` entries to `chain` (a county's chain, gap-free within it). */
  const append = (count: number, chain = '350102') => {
    for (let i = 0; i < count; i++) {
      const seq = (heads.get(chain) ?? 0) + 1;
      heads.set(chain, seq);
      rows.push({
        chain, seq: String(seq), at: new Date(), actor_sub: 'edu-clerk', actor_dept: 'EDU', actor_region: '350102', actor_roles: ['clerk'],
        operation: 'UPDATE', entity: 'EducationRecord', entity_id: 'c', child_id: '00000000-0000-4000-8000-000000000001',
        hukou_region: '350102', residence_region: chain, version: seq, changes: { grade: { before: 1, after: 2 } },
        mutation: 'upsertEducationRecords', reason: null, request_id: 'r', idempotency_key: null, prev_hash: '', hash: '',
      });
    }
  };
  const query = async (text: string, params: unknown[] = []) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (text.includes('version()')) return [{ version: 'PostgreSQL 18 (PGlite)' }];
    // Every read finds the WAL flushed past it: an in-memory log has nothing in flight.
    if (!text.includes('hub.change_log')) return [...heads].map(([chain, seq]) => ({ chain, seq: String(seq), wal_flushed: true }));
    const bySubscriber = text.includes('entity = ANY');
    if (bySubscriber) counts.subscriberReads++;
    // readAfter's parameters: the position's chains and seqs first, the chains to read (if any) and the limit last.
    const [chains, seqs] = params as [string[], string[]];
    const after = new Map(chains.map((chain, i) => [chain, Number(seqs[i])]));
    const limit = params.at(-1) as number;
    const only = text.includes('h.chain = ANY') ? new Set(params.at(-2) as string[]) : null;
    const found = rows
      .filter((r) => Number(r.seq) > (after.get(r.chain as string) ?? 0) && (!only || only.has(r.chain as string)))
      .sort((a, b) => ((a.chain as string) < (b.chain as string) ? -1 : a.chain === b.chain ? Number(a.seq) - Number(b.seq) : 1))
      .slice(0, limit);
    if (!bySubscriber) {
      counts.instanceReads++;
      counts.fannedOutTo = Math.max(counts.fannedOutTo, ...found.map((r) => Number(r.seq)));
    }
    return found.map((r) => ({ ...r, wal_flushed: true }));
  };
  const db = { sql: { query }, orm: { config: { get: () => 'postgresql://unused' } } } as unknown as Database;
  return { db, append, counts };
}

const supervisor = readerFor({ sub: 's', dept: 'EDU', region: '350000', roles: ['supervisor'] });

describe('ChangeFeed', () => {
  let feed: ChangeFeed;
  afterEach(() => feed?.stop());

  it('catches up from the log, then goes live, with no gap and no duplicate', async () => {
    const log = memoryLog();
    log.append(1234);
    feed = new ChangeFeed(log.db);
    const stream = await feed.subscribe(supervisor, null, new Map([['350102', 100]]));
    log.append(300);
    const seqs: number[] = [];
    for await (const entry of stream) {
      seqs.push(entry.seq);
      if (seqs.length === 1434) break;
    }
    expect(seqs).toEqual(Array.from({ length: 1434 }, (_, i) => 101 + i));
    expect(log.counts.subscriberReads).toBeGreaterThan(0);
    expect(feed.subscriberCount).toBe(0);
  });

  it('a subscriber that falls far behind reads the log again and still loses nothing', async () => {
    const log = memoryLog();
    feed = new ChangeFeed(log.db);
    const stream = await feed.subscribe(supervisor, null, null);
    log.append(25_000);
    // Let the instance fan out everything before the consumer reads anything: more than it may hold.
    // (A fixed 1.5 s was not always enough on a busy machine: then the consumer kept up, and read nothing itself.)
    // Its reads are one at a time: once one more has begun after the last entry was read, that
    // entry's page has been offered to the subscriber.
    const until = async (done: () => boolean) => {
      for (const deadline = Date.now() + 30_000; !done() && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await until(() => log.counts.fannedOutTo === 25_000);
    const readsSoFar = log.counts.instanceReads;
    await until(() => log.counts.instanceReads > readsSoFar);
    expect({ fannedOutTo: log.counts.fannedOutTo, readAgain: log.counts.instanceReads > readsSoFar }).toEqual({ fannedOutTo: 25_000, readAgain: true });
    const seqs: number[] = [];
    for await (const entry of stream) {
      seqs.push(entry.seq);
      if (seqs.length === 25_000) break;
    }
    expect(seqs).toEqual(Array.from({ length: 25_000 }, (_, i) => i + 1));
    // It started live (no afterSeq), so every read of its own was the catching up after the overflow.
    expect(log.counts.subscriberReads).toBeGreaterThan(0);
  });

  it('judges every delivery with the subscriber\'s rights as they are then, not as they were when it subscribed', async () => {
    const log = memoryLog();
    feed = new ChangeFeed(log.db);
    let now: Reader | null = supervisor;
    const expired = new Error('token expired');
    const readerNow = () => {
      if (now === null) throw expired;
      return now;
    };
    const moved = await feed.subscribe(readerNow, null, START);
    const lapsed = await feed.subscribe(readerNow, null, START);
    log.append(4);
    expect((await moved.next()).value.seq).toBe(1);
    expect((await lapsed.next()).value.seq).toBe(1);
    // Out of scope now (another county): the Gulou entries still waiting are not delivered.
    now = readerFor({ sub: 't', dept: 'EDU', region: '350103', roles: ['clerk'] });
    const pending = moved.next();
    expect(await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('nothing'), 300))])).toBe('nothing');
    void moved.return!();
    // No rights at all (the token expired): the next delivery fails with that error, and the subscription lets go of the feed.
    now = null;
    await expect(lapsed.next()).rejects.toBe(expired);
    expect(feed.subscriberCount).toBe(0);
  });

  it('follows several chains from a position: each chain in order, every entry once', async () => {
    const log = memoryLog();
    log.append(700, '350102');
    log.append(20, '350103');
    log.append(5, '350104');
    feed = new ChangeFeed(log.db);
    // Read up to 650 in Gulou and 3 in Taijiang; Cangshan not at all.
    const stream = await feed.subscribe(supervisor, null, new Map([['350102', 650], ['350103', 3]]));
    for (let i = 0; i < 30; i++) {
      log.append(7, '350103');
      log.append(11, '350104');
      log.append(3, '350105');
    }
    const got: string[] = [];
    const expected = 50 + (17 + 210) + (5 + 330) + 90;
    for await (const entry of stream) {
      got.push(`${entry.chain}:${entry.seq}`);
      if (got.length === expected) break;
    }
    expect(new Set(got).size).toBe(got.length);
    const inChain = (chain: string) => got.filter((k) => k.startsWith(chain)).map((k) => Number(k.split(':')[1]));
    expect(inChain('350102')).toEqual(Array.from({ length: 50 }, (_, i) => 651 + i));
    expect(inChain('350103')).toEqual(Array.from({ length: 227 }, (_, i) => 4 + i));
    expect(inChain('350104')).toEqual(Array.from({ length: 335 }, (_, i) => 1 + i));
    expect(inChain('350105')).toEqual(Array.from({ length: 90 }, (_, i) => 1 + i));
  });

  it('ends a waiting consumer when it is closed', async () => {
    const log = memoryLog();
    feed = new ChangeFeed(log.db);
    const stream = await feed.subscribe(supervisor, null, null);
    const pending = stream.next();
    await stream.return!();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(feed.subscriberCount).toBe(0);
  });
});
