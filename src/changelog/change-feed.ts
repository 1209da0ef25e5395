import { Client } from 'pg';
import { isDepartment } from '../auth/identity';
import { UUID } from '../core/ids';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Database } from '../db/database';
import { servedByPglite } from '../db/orm';
import { loggedEntityByType } from './catalogue';
import { CHANGE_LOG_CHANNEL } from './change-log.append';
import { projectEntry, visibleEntityTypes } from './change-log.projection';
import type { ChangeLogEntryType } from './change-log.type';
import { readDurable, WAL_AT_READ } from './durable-read';
import { advance, type LogPosition } from './log-position';
import { readAfter } from './log-read';


/** How often an instance reads the log when notifications cannot reach it (PGlite, or the listener is down). */
const POLL_MS = 500;
/** Entries read per statement, by the instance and by a subscriber catching up. */
const PAGE = 500;
/** Entries one subscriber may have waiting; past that it catches up from the log instead. */
const MAX_PENDING = 10_000;
const RETRY_MS = 1000;
const MAX_RECONNECT_MS = 15_000;

type Row = Record<string, any>;

export interface ChangeFeedFilterValues {
  readonly childId?: string | null;
  readonly dept?: string | null;
  readonly entity?: string | null;
}

/**
 * Which entries one subscriber receives: those of children whose hukou or residence county is in
 * its region, of entity types it may read, matching its filter — the same rows `changeLog`
 * would return, decided once in SQL (catching up) and once in memory (live), identically.
 */
class Selection {
  private readonly types: ReadonlySet<string>;
  private readonly counties: ReadonlySet<string> | null;

  constructor(
    readonly reader: Reader,
    private readonly filter: ChangeFeedFilterValues,
  ) {
    this.types = new Set(visibleEntityTypes(reader));
    this.counties = reader.counties ? new Set(reader.counties) : null;
  }

  /** The same filter for the reader as it is now: itself while the reader has not changed. */
  withReader(reader: Reader): Selection {
    return reader === this.reader ? this : new Selection(reader, this.filter);
  }

  matches(row: Row): boolean {
    return (
      this.types.has(row.entity) &&
      (this.counties === null || this.counties.has(row.hukou_region) || this.counties.has(row.residence_region)) &&
      (!this.filter.childId || row.child_id === this.filter.childId) &&
      (!this.filter.dept || row.actor_dept === this.filter.dept) &&
      (!this.filter.entity || row.entity === this.filter.entity)
    );
  }

  /** The reader's counties (null: the province), for reading each chain the cheap way (log-read.ts). */
  get countyList(): string[] | null {
    return this.counties ? [...this.counties] : null;
  }

  where(params: unknown[]): string {
    const where = [`entity = ANY($${params.push([...this.types])})`];
    if (this.counties) {
      const p = `$${params.push([...this.counties])}`;
      where.push(`(hukou_region = ANY(${p}) OR residence_region = ANY(${p}))`);
    }
    if (this.filter.childId) where.push(`child_id = $${params.push(this.filter.childId)}`);
    if (this.filter.dept) where.push(`actor_dept = $${params.push(this.filter.dept)}`);
    if (this.filter.entity) where.push(`entity = $${params.push(this.filter.entity)}`);
    return where.join(' AND ');
  }
}

/** The filter checked as `changeLog` checks it: an entity the reader may not see is refused, not silently empty. */
function checkFilter(reader: Reader, filter: ChangeFeedFilterValues | null | undefined): ChangeFeedFilterValues {
  // Shield's root rule guards each delivery, not the subscription: refused only then, a reader
  // without row access (an analyst) would still learn when a child's record changed.
  if (!reader.access.readsRows) throw new ForbiddenError('您的角色只能读取汇总统计，不能订阅变更 (your role reads aggregates only: no change feed)');
  const f = filter ?? {};
  if (f.childId && !UUID.test(f.childId)) throw BadUserInputError.one('filter.childId', '应为UUID (must be a UUID)');
  if (f.dept && !isDepartment(f.dept)) throw BadUserInputError.one('filter.dept', '未知部门 (unknown department)');
  if (f.entity) {
    const logged = loggedEntityByType(f.entity);
    if (!logged) throw BadUserInputError.one('filter.entity', `未知对象类型 ${f.entity} (unknown entity type)`);
    if (!reader.access.canRead(logged.visibleWith)) throw new ForbiddenError(`您无权查看 ${f.entity} 的变更 (you may not read ${f.entity})`);
  }
  return { childId: f.childId?.toLowerCase() ?? null, dept: f.dept ?? null, entity: f.entity ?? null };
}

/**
 * One subscriber's stream: first every visible entry after its starting position, read from the
 * log page by page as the client consumes them, then the entries the instance fans out. Fanned-out
 * rows are kept from the moment the subscriber is attached, and an entry is delivered only when
 * its seq is above the subscriber's position in its chain, so the two sources meet with no gap and
 * no duplicate, chain by chain. A subscriber that falls more than MAX_PENDING entries behind drops
 * what it holds and reads the log again: memory stays bounded and still nothing is lost.
 */
class FeedSubscription implements AsyncIterableIterator<ChangeLogEntryType> {
  /** Selected rows in order, projected only as each is delivered (projecting is what the read audit counts). */
  private ready: Row[] = [];
  private pending: Row[] = [];
  private overflowedDuringRead = false;
  private done = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly feed: ChangeFeed,
    private selection: Selection,
    /** For each chain, the last seq considered (delivered, or selected and not visible). */
    private readonly cursor: Map<string, number>,
    private readingLog: boolean,
    /** The subscriber's reader at the moment of a delivery: it throws once the subscriber's token has expired. */
    private readonly readerNow: () => Reader,
  ) {}

  /** Rows the instance has just read from the log, in (chain, seq) order. */
  offer(rows: readonly Row[]): void {
    if (this.done) return;
    for (const row of rows) if (this.isNew(row) && this.selection.matches(row)) this.pending.push(row);
    if (this.pending.length > MAX_PENDING) {
      this.pending = [];
      this.readingLog = true;
      this.overflowedDuringRead = true;
    }
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ChangeLogEntryType>> {
    for (;;) {
      if (this.done) return { done: true, value: undefined };
      const row = this.ready.shift();
      if (row) {
        // Every delivery is judged, scope and projection, with the subscriber's rights as they are
        // now, not as they were when it subscribed: past its token's expiry there are none.
        let reader: Reader;
        try {
          reader = this.readerNow();
        } catch (error) {
          this.close();
          throw error;
        }
        this.selection = this.selection.withReader(reader);
        if (!this.selection.matches(row)) continue;
        const entry = projectEntry(row, reader);
        if (entry) return { done: false, value: entry };
        continue;
      }
      if (this.readingLog) {
        await this.readLog();
      } else if (this.pending.length) {
        const rows = this.pending;
        this.pending = [];
        rows.forEach((row) => this.accept(row));
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    }
  }

  async return(): Promise<IteratorResult<ChangeLogEntryType>> {
    this.close();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ChangeLogEntryType>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.ready = [];
    this.pending = [];
    this.feed.detach(this);
    this.wake?.();
  }

  private async readLog(): Promise<void> {
    this.overflowedDuringRead = false;
    let rows: Row[];
    try {
      rows = await this.feed.readLog(this.selection, this.cursor);
    } catch (error) {
      this.close();
      throw error;
    }
    if (this.done) return;
    rows.forEach((row) => this.accept(row));
    // Caught up when a page comes back short, unless rows were dropped while it was being read
    // (they may lie beyond what the read saw).
    if (rows.length < PAGE && !this.overflowedDuringRead) this.readingLog = false;
  }

  private isNew(row: Row): boolean {
    return Number(row.seq) > (this.cursor.get(row.chain) ?? 0);
  }

  private accept(row: Row): void {
    if (!this.isNew(row)) return;
    advance(this.cursor, row.chain, Number(row.seq));
    this.ready.push(row);
  }
}

/**
 * The change feed of one server instance. Each instance keeps ONE dedicated connection that
 * LISTENs on `baoxue_change_log` (opened with the first subscriber); a notification carries only
 * a sequence number, and the instance then reads every entry after the last one it has seen, once,
 * and fans the rows out to its subscribers, each of which projects them through its own reader.
 * Reading "after the last seen" rather than trusting payloads means coalesced notifications or a
 * reconnecting listener lose nothing. Entries become visible in sequence order (the change-log
 * hook holds its advisory lock until commit), so the log never shows a later entry before an
 * earlier one. Every read that delivers (the head, the instance's reads, a subscriber's catch-up)
 * holds its rows back until the WAL is flushed past them (`readDurable`): a subscriber is told
 * only of entries that a crash cannot take back.
 *
 * PGlite: its socket server runs every connection in one backend session, and a notification
 * comes back on the connection whose transaction sent it, never on the listener (tried with
 * pglite-socket 0.2.17). On PGlite the instance therefore polls the log every POLL_MS while it has
 * subscribers; it does the same on PostgreSQL while its listener is reconnecting.
 */
export class ChangeFeed {
  private readonly subscriptions = new Set<FeedSubscription>();
  /** For each chain, the last seq read and fanned out; meaningful only while `headKnown`. */
  private last = new Map<string, number>();
  private headKnown = false;
  /** The chains notifications said have new entries since the last read ('all': read every chain's head). */
  private wanted: Set<string> | 'all' = 'all';
  private queue: Promise<unknown> = Promise.resolve();
  private fetchQueued = false;
  private started: Promise<void> | null = null;
  private pglite = false;
  private listener: Client | null = null;
  private listening = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = RETRY_MS;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: Pick<Database, 'sql' | 'orm'>,
    private readonly logger?: Logger,
  ) {}

  /**
   * A new subscriber: entries after `after` (a position; or, without it, from now on) that the
   * reader may see and `filter` selects. Given as a function, the reader is asked again at every delivery.
   */
  async subscribe(readerAt: Reader | (() => Reader), filter: ChangeFeedFilterValues | null | undefined, after: LogPosition | null | undefined): Promise<AsyncIterableIterator<ChangeLogEntryType>> {
    const readerNow = typeof readerAt === 'function' ? readerAt : () => readerAt;
    const reader = readerNow();
    const selection = new Selection(reader, checkFilter(reader, filter));
    if (this.stopped) throw new Error('change feed stopped');
    await (this.started ??= this.start().catch((error) => {
      this.started = null;
      throw error;
    }));
    return this.exclusive(async () => {
      if (!this.headKnown) {
        // The heads move on in the appenders' transactions: in one snapshot they are exactly what is committed.
        const heads = await readDurable<{ chain: string; seq: string }>(this.db.sql, `SELECT chain, seq, ${WAL_AT_READ} FROM hub.chain_head`, []);
        this.last = new Map(heads.map((h) => [h.chain, Number(h.seq)]));
        this.headKnown = true;
      }
      // Attached while no read is running: every entry past `last` in its chain will be fanned out to it.
      const from = new Map(after ?? this.last);
      const behind = [...this.last].some(([chain, seq]) => seq > (from.get(chain) ?? 0));
      const subscription = new FeedSubscription(this, selection, from, behind, readerNow);
      this.subscriptions.add(subscription);
      this.updatePolling();
      return subscription;
    });
  }

  /** One page of a subscriber's entries after its position, straight from the log. */
  readLog(selection: Selection, cursor: LogPosition): Promise<Row[]> {
    return readAfter(this.db.sql, cursor, { where: (params) => selection.where(params), counties: selection.countyList, limit: PAGE });
  }

  detach(subscription: FeedSubscription): void {
    this.subscriptions.delete(subscription);
    // Nobody to read for: forget the heads, and read them afresh for the next subscriber.
    if (this.subscriptions.size === 0) {
      this.headKnown = false;
      this.wanted = 'all';
    }
    this.updatePolling();
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Ends every subscription and closes the listening connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const subscription of [...this.subscriptions]) subscription.close();
    this.updatePolling();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    this.listening = false;
    await listener?.end().catch(() => undefined);
    await this.queue.catch(() => undefined);
  }

  private async start(): Promise<void> {
    this.pglite = servedByPglite(this.db.orm.config);
    if (!this.pglite) await this.listen();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.db.orm.config.get('clientUrl'), application_name: 'baoxue-change-feed', keepAlive: true });
    this.listener = client;
    client.on('notification', (message) => {
      if (message.channel === CHANGE_LOG_CHANNEL) this.notified(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_LOG_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.listener !== client) return;
    this.listening = true;
    this.reconnectDelay = RETRY_MS;
    this.updatePolling();
    // Whatever was appended while nobody listened.
    this.requestFetch('all');
  }

  private lost(client: Client, error: unknown): void {
    if (this.listener !== client) return;
    this.listener = null;
    this.listening = false;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger?.warn({ err: error }, 'change feed: listening connection lost; polling until it is back');
    this.updatePolling();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_MS);
  }

  private updatePolling(): void {
    const wanted = !this.stopped && this.subscriptions.size > 0 && (this.pglite || !this.listening);
    if (wanted && !this.pollTimer) {
      this.pollTimer = setInterval(() => this.requestFetch('all'), POLL_MS);
      this.pollTimer.unref();
    } else if (!wanted && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
  }

  /**
   * A notification names the chains an append moved on, with their new heads (`chain:seq,…`): only
   * chains whose head is past what was read are read. A payload that cannot be read means every chain.
   */
  private notified(payload: string | undefined): void {
    const heads = (payload ?? '').split(',').map((pair) => /^(global|[0-9]{6}):([0-9]{1,15})$/.exec(pair));
    if (heads.length === 0 || heads.some((m) => !m)) return this.requestFetch('all');
    const chains = heads.filter((m) => Number(m![2]) > (this.last.get(m![1]) ?? 0)).map((m) => m![1]);
    if (chains.length) this.requestFetch(chains);
  }

  /** Asks for one read of new entries (of `chains`, or of every chain); requests made while one is waiting to run share it. */
  private requestFetch(chains: readonly string[] | 'all'): void {
    if (this.wanted !== 'all') {
      if (chains === 'all') this.wanted = 'all';
      else for (const chain of chains) this.wanted.add(chain);
    }
    if (this.fetchQueued || this.stopped) return;
    this.fetchQueued = true;
    this.exclusive(async () => {
      this.fetchQueued = false;
      await this.fetchNew();
    }).catch((error) => {
      this.logger?.error({ err: error }, 'change feed: reading new entries failed; retrying');
      setTimeout(() => this.requestFetch('all'), RETRY_MS).unref();
    });
  }

  private async fetchNew(): Promise<void> {
    const wanted = this.wanted;
    this.wanted = new Set();
    if (wanted !== 'all' && wanted.size === 0) return;
    const chains = wanted === 'all' ? null : [...wanted];
    while (this.headKnown && this.subscriptions.size > 0 && !this.stopped) {
      const rows = await readAfter(this.db.sql, this.last, { chains, limit: PAGE });
      for (const row of rows) advance(this.last, row.chain, Number(row.seq));
      if (rows.length) for (const subscription of this.subscriptions) subscription.offer(rows);
      if (rows.length < PAGE) return;
    }
  }

  /** Reads of the head and of new entries, and attaching subscribers, happen one at a time. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
