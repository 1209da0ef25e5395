import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Identity } from '../auth/identity';
import { isDepartment } from '../auth/identity';
import { projectEntry } from '../changelog/change-log.projection';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import type { Reader } from '../core/context';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../core/errors';
import { type Actor, runWrite } from '../core/unit-of-work';
import type { Clock } from '../core/clock';
import type { Sql } from '../db/sql';
import { regions } from '../regions/region.registry';
import { type NoticeChild, noticeChildren } from './notice.children';
import { allRecipients, contentHash, entryDigest, NoticeAccumulator, type NoticeSummary, type Recipient, recipientKey, recipientReader } from './notice.content';
import { ExchangeNoticeEntity } from './notice.entity';
import { noticeCut, type RootSigner } from './notice.cut';
import { NoticeIssue } from './notice.issue';
import { type ChainRanges, chainsOf, compareChains, GLOBAL_CHAIN, headsDigest, nextRanges, rangesOf } from './notice.ranges';
import { checkPeriod } from './notice.period';
import { discrepancyDigest, freezeDiscrepancies, monthEnd, type NoticeDiscrepancyLine, streamDiscrepancies } from './notice.discrepancies';
import { actionDigest, freezeActions, type NoticeActionLine, streamActions } from './notice.actions';

export const ISSUE_LOCK = 727_100_002;
/** Unacknowledged this long after issue, a notice is overdue (supervisors see it). */
export const OVERDUE_DAYS = 10;

export interface NoticeRow {
  id: string; number: string; period: string; dept: string; region: string;
  /** Its range on the global chain (all there was before per-county chains); see chainRanges. */
  fromSeq: number; toSeq: number;
  /** Per chain; null for a notice issued over the global chain alone (read it through rangesOf). */
  chainRanges: ChainRanges | null; rootSeq: number | null;
  chainHeadHash: string | null; contentHash: string; entryCount: number; summary: NoticeSummary; issuedAt: Date; issuedBy: string;
  acknowledgedAt: Date | null; acknowledgedBy: string | null; remarks: string | null; version: number;
}

const SELECT = `id, number, period, dept, region, from_seq::float8 AS "fromSeq", to_seq::float8 AS "toSeq", chain_ranges AS "chainRanges",
  root_seq::float8 AS "rootSeq", chain_head_hash AS "chainHeadHash",
  content_hash AS "contentHash", entry_count AS "entryCount", summary, issued_at AS "issuedAt", issued_by AS "issuedBy",
  acknowledged_at AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy", remarks, version`;

/** Where a page of a notice's entries resumes: after this entry. */
export interface EntryPosition { readonly chain: string; readonly seq: number }

/** The header a notice's content hash covers: a notice over the global chain alone kept the one it was issued with. */
function hashedHeader(n: Pick<NoticeRow, 'number' | 'period' | 'dept' | 'region' | 'fromSeq' | 'toSeq' | 'chainRanges' | 'rootSeq' | 'chainHeadHash'>): Record<string, unknown> {
  const { number, period, dept, region, chainHeadHash } = n;
  if (!n.chainRanges) return { number, period, dept, region, fromSeq: n.fromSeq, toSeq: n.toSeq, chainHeadHash };
  return { number, period, dept, region, chainRanges: n.chainRanges, rootSeq: n.rootSeq, chainHeadHash };
}

export interface NoticeFilter { period?: string; dept?: string; region?: string; acknowledged?: boolean; overdue?: boolean }

/** Monthly exchange notices: issued from the change log, read and acknowledged by liaisons. */
/** `after` of a page of a notice's entries, as entryCursor made it. */
function decodeEntryCursor(cursor: string): EntryPosition {
  const [chain, seq] = decodeCursor('notice-entry', cursor, /^(global|\d{6}):\d{1,15}$/).split(':');
  return { chain, seq: Number(seq) };
}

export class NoticeService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql, private readonly clock: Clock, private readonly roots: RootSigner) {}

  /**
   * Issues every recipient's notice for a month, in one pass over the log. Each notice covers, on
   * every chain, the entries after the recipient's previous notice up to a cut of the chains' heads
   * taken from a root signed now (noticeCut), so consecutive notices neither miss nor repeat an entry. Issuing a period again returns the notices already issued;
   * a month that has not ended yet (China Standard Time) is refused.
   */
  async issue(issuer: Identity, period: string): Promise<{ notices: NoticeRow[]; issuedNow: boolean }> {
    checkPeriod(period, this.clock.today());
    // The root the notices will name, signed (and on disk) before they are issued: see noticeCut.
    const signed = await this.roots.signNow();
    const issuedNow = await this.orm.em.fork().transactional(async (em) => {
      await em.execute('SELECT pg_advisory_xact_lock(?)', [ISSUE_LOCK]);
      const existing = await em.execute(`SELECT count(*)::int AS n, max(period) AS latest FROM hub.exchange_notice`);
      const already = await em.execute(`SELECT count(*)::int AS n FROM hub.exchange_notice WHERE period = ?`, [period]);
      if (already[0].n > 0) return false;
      if (existing[0].latest && existing[0].latest > period) {
        throw BadUserInputError.one('period', `已发布更晚的 ${existing[0].latest} 期通报，不能补发更早的月份 (a later period was already issued)`);
      }
      const recipients = allRecipients();
      // Each recipient's previous notice is its latest period's (periods are issued in order, every recipient each time).
      const previous = new Map<string, ChainRanges>(
        (await em.execute(`SELECT DISTINCT ON (dept, region) dept, region, from_seq::float8 AS "fromSeq", to_seq::float8 AS "toSeq", chain_ranges AS "chainRanges"
          FROM hub.exchange_notice ORDER BY dept, region, period DESC`)).map((r: any) => [`${r.dept}/${r.region}`, rangesOf(r)]),
      );
      // Notices are answered only once on disk, whatever the server's default.
      await em.execute("SELECT set_config('synchronous_commit', 'on', true)");
      const cut = noticeCut(signed);
      const to = new Map([...cut.heads].map(([chain, head]) => [chain, head.seq]));
      const rangesFor = new Map(recipients.map((r) => [recipientKey(r), nextRanges(previous.get(recipientKey(r)), to)]));
      const pass = new NoticeIssue(recipients, (r) => rangesFor.get(recipientKey(r))!);
      await pass.run(em);
      const chainHeadHash = headsDigest(new Map([...cut.heads].filter(([, head]) => head.seq > 0).map(([chain, head]) => [chain, head.hash])));
      const issuedAt = new Date();
      const ids = new Map(recipients.map((r) => [recipientKey(r), randomUUID()]));
      // The discrepancies of the period (after the previous period issued), frozen beside the notices (see notice.discrepancies.ts).
      const discrepancies = await freezeDiscrepancies(em, recipients.map((r) => ({ ...r, id: ids.get(recipientKey(r))! })), period,
        existing[0].latest ? monthEnd(existing[0].latest) : null);
      // The supervision actions of the period routed to each recipient, frozen alike (see notice.actions.ts).
      const actions = await freezeActions(em, recipients.map((r) => ({ ...r, id: ids.get(recipientKey(r))! })), monthEnd(period),
        existing[0].latest ? monthEnd(existing[0].latest) : null);
      const notices = recipients.map((r) => {
        const acc = pass.accumulators.get(recipientKey(r))!;
        const number = `${period}/${r.region}/${r.dept}`;
        const chainRanges = rangesFor.get(recipientKey(r))!;
        const [fromSeq, toSeq] = chainRanges[GLOBAL_CHAIN] ?? [0, 0];
        const header = { number, period, dept: r.dept, region: r.region, fromSeq, toSeq, chainRanges, rootSeq: cut.rootSeq, chainHeadHash };
        const id = ids.get(recipientKey(r))!;
        const frozen = discrepancies.get(id)!;
        const acted = actions.get(id)!;
        const summary = { ...acc.summary(), discrepancies: frozen.counts, actions: acted.counts };
        return {
          id, ...header, contentHash: contentHash(hashedHeader(header), summary, acc.entriesDigest(), frozen.digest, acted.digest), entryCount: summary.entries, summary, issuedAt, issuedBy: issuer.sub,
        };
      });
      await em.execute(
        `INSERT INTO hub.exchange_notice (id, number, period, dept, region, from_seq, to_seq, chain_ranges, root_seq, chain_head_hash, content_hash, entry_count, summary, issued_at, issued_by)
         SELECT id, number, period, dept, region, "fromSeq", "toSeq", "chainRanges", "rootSeq", "chainHeadHash", "contentHash", "entryCount", summary, "issuedAt", "issuedBy"
         FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, number text, period text, dept text, region text, "fromSeq" bigint, "toSeq" bigint,
           "chainRanges" jsonb, "rootSeq" bigint, "chainHeadHash" text, "contentHash" text, "entryCount" int, summary jsonb, "issuedAt" timestamptz, "issuedBy" text)`,
        [JSON.stringify(notices)],
      );
      return true;
    });
    return { notices: await this.byPeriod(period), issuedNow };
  }

  private byPeriod(period: string): Promise<NoticeRow[]> {
    return this.sql.query<NoticeRow>(`SELECT ${SELECT} FROM hub.exchange_notice WHERE period = $1 ORDER BY dept, region`, [period]);
  }

  /** Liaisons see their own department's notices in their region; supervisors every notice in theirs. */
  private visibility(reader: Reader, params: unknown[]): string {
    const { identity } = reader;
    const regionsInScope = regions.all().filter((r) => regions.contains(identity.region, r.code)).map((r) => r.code);
    const scope = `region = ANY($${params.push(regionsInScope)})`;
    if (identity.roles.includes('supervisor')) return scope;
    if (identity.roles.includes('liaison')) return `${scope} AND dept = $${params.push(identity.dept)}`;
    throw new ForbiddenError('只有联络员和督导可以查看交换通报 (only liaisons and supervisors read exchange notices)');
  }

  async list(reader: Reader, filter: NoticeFilter | undefined, first: number, after?: string | null): Promise<{ rows: NoticeRow[]; hasNextPage: boolean; count: () => Promise<number> }> {
    checkPageSize(first);
    const params: unknown[] = [];
    const where = [this.visibility(reader, params)];
    const f = filter ?? {};
    if (f.period) where.push(`period = $${params.push(f.period)}`);
    if (f.dept) {
      if (!isDepartment(f.dept)) throw BadUserInputError.one('filter.dept', '未知部门 (unknown department)');
      where.push(`dept = $${params.push(f.dept)}`);
    }
    if (f.region) where.push(`region = $${params.push(f.region)}`);
    if (f.acknowledged !== undefined && f.acknowledged !== null) where.push(f.acknowledged ? 'acknowledged_at IS NOT NULL' : 'acknowledged_at IS NULL');
    if (f.overdue) where.push(`acknowledged_at IS NULL AND issued_at < now() - interval '${OVERDUE_DAYS} days'`);
    // The total counts every page's notices alike: the filters without the cursor.
    const counted = { where: where.join(' AND '), params: [...params] };
    const count = async () => (await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.exchange_notice WHERE ${counted.where}`, counted.params))[0].n;
    if (after) where.push(`number > $${params.push(decodeCursor('notice', after, /^[\d-]{7}\/\d{6}\/[A-Z]+$/))}`);
    const rows = await this.sql.query<NoticeRow>(
      `SELECT ${SELECT} FROM hub.exchange_notice WHERE ${where.join(' AND ')} ORDER BY number LIMIT $${params.push(first + 1)}`, params);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first, count };
  }

  cursor(row: NoticeRow): string {
    return encodeCursor('notice', row.number);
  }

  async get(reader: Reader, id: string): Promise<NoticeRow> {
    const params: unknown[] = [];
    const where = this.visibility(reader, params);
    const rows = /^[0-9a-f-]{36}$/i.test(id) ? await this.sql.query<NoticeRow>(`SELECT ${SELECT} FROM hub.exchange_notice WHERE ${where} AND id = $${params.push(id)}`, params) : [];
    if (!rows.length) throw new NotFoundError(`没有可查看的通报 ${id} (no such notice visible to you)`);
    return rows[0];
  }

  /**
   * A page of a notice's entries, exactly as the recipient was told them (its department's view),
   * whoever reads them; sensitive values shown are audited as the reader's reads.
   */
  async entries(reader: Reader, notice: NoticeRow, first: number, after?: string | null): Promise<{ entries: ChangeLogEntryType[]; hasNextPage: boolean }> {
    checkPageSize(first);
    const entries: ChangeLogEntryType[] = [];
    for await (const entry of this.stream(notice, reader, after ? decodeEntryCursor(after) : null, first + 1)) {
      entries.push(entry);
      if (entries.length > first) break;
    }
    return { entries: entries.slice(0, first), hasNextPage: entries.length > first };
  }

  /** Where a page of entries ends, for the next page's `after`. */
  entryCursor(entry: EntryPosition): string {
    return encodeCursor('notice-entry', `${entry.chain}:${entry.seq}`);
  }

  /** The children `childIds` name, as the reader may see them now (see notice.children.ts). */
  children(reader: Reader, childIds: ReadonlyArray<string | null>): Promise<Map<string, NoticeChild>> {
    return noticeChildren(this.sql, reader, childIds);
  }

  /**
   * The notice's entries in order (chain by chain in notice order, by seq within a chain), after
   * `after` when given, streamed in batches: a notice of any size never sits in memory.
   */
  async *stream(notice: NoticeRow, viewer: Reader | null, after: EntryPosition | null = null, batch = 2000): AsyncGenerator<ChangeLogEntryType> {
    const recipient = recipientReader({ dept: notice.dept as never, region: notice.region }, viewer?.audit);
    const scope = recipient.counties ? 'AND (hukou_region = ANY($5) OR residence_region = ANY($5))' : '';
    const ranges = rangesOf(notice);
    for (const chain of chainsOf(ranges)) {
      const [from, to] = ranges[chain];
      if (after && compareChains(chain, after.chain) < 0) continue;
      let cursor = after?.chain === chain ? Math.max(from, after.seq) : from;
      while (cursor < to) {
        const params: unknown[] = [chain, cursor, to, notice.dept];
        if (recipient.counties) params.push(recipient.counties);
        const rows = await this.sql.query(
          `SELECT * FROM hub.change_log WHERE chain = $1 AND seq > $2 AND seq <= $3 AND actor_dept <> $4 AND child_id IS NOT NULL ${scope} ORDER BY seq LIMIT ${batch}`, params);
        for (const row of rows) {
          const entry = projectEntry(row, recipient);
          if (entry) yield entry;
        }
        if (rows.length < batch) break;
        cursor = Number(rows.at(-1)!.seq);
      }
    }
  }

  /** The notice's frozen discrepancy lines, in batches (see notice.discrepancies.ts); the caller may read the notice. */
  discrepancyLines(notice: NoticeRow): AsyncGenerator<NoticeDiscrepancyLine[]> {
    return streamDiscrepancies(this.sql, notice.id);
  }

  /** The notice's frozen supervision-action lines, in batches (see notice.actions.ts); the caller may read the notice. */
  actionLines(notice: NoticeRow): AsyncGenerator<NoticeActionLine[]> {
    return streamActions(this.sql, notice.id);
  }

  /** Recomputes the content hash from the log, and checks the chain heads the notice names against the log. */
  async verify(notice: NoticeRow): Promise<{ contentHashOk: boolean; chainHeadOk: boolean }> {
    const legacy = !notice.chainRanges;
    const acc = new NoticeAccumulator();
    for await (const entry of this.stream(notice, null)) acc.add(entry, entryDigest(entry, legacy));
    // A notice issued with discrepancies: its frozen lines recounted and rehashed (none for an older notice).
    const frozen = notice.summary.discrepancies ? await discrepancyDigest(this.sql, notice.id) : null;
    // A notice issued with supervision actions: its frozen action lines alike.
    const acted = notice.summary.actions ? await actionDigest(this.sql, notice.id) : null;
    const summary = { ...notice.summary, entries: acc.entries, ...(frozen ? { discrepancies: frozen.counts } : {}), ...(acted ? { actions: acted.counts } : {}) };
    return {
      contentHashOk: contentHash(hashedHeader(notice), summary, acc.entriesDigest(), frozen?.digest, acted?.digest) === notice.contentHash && acc.entries === notice.entryCount,
      chainHeadOk: await this.headsOk(notice),
    };
  }

  /** Whether the chain head hash the notice names is that of the heads it covers in the log: the global head's own hash for a notice over it alone. */
  private async headsOk(notice: NoticeRow): Promise<boolean> {
    const ends = Object.entries(rangesOf(notice)).filter(([, [, to]]) => to > 0);
    const rows = ends.length ? await this.sql.query<{ chain: string; hash: string }>(
      'SELECT l.chain, l.hash::text AS hash FROM jsonb_each_text($1::jsonb) AS e (chain, seq) JOIN hub.change_log l ON l.chain = e.chain AND l.seq = e.seq::bigint',
      [JSON.stringify(Object.fromEntries(ends.map(([chain, [, to]]) => [chain, String(to)])))]) : [];
    if (rows.length !== ends.length) return false;
    if (!notice.chainRanges) return (rows[0]?.hash ?? null) === notice.chainHeadHash;
    return headsDigest(new Map(rows.map((r) => [r.chain, r.hash]))) === notice.chainHeadHash;
  }

  /** 签收: once, by a liaison of the recipient department and region; itself a change-log entry. */
  async acknowledge(actor: Actor, id: string, remarks: string | null): Promise<string> {
    const { identity } = actor;
    if (remarks && remarks.length > 500) throw BadUserInputError.one('remarks', '备注最多500字 (at most 500 characters)');
    await runWrite(this.orm, actor, 'acknowledgeNotice', null, { id, remarks }, async (em) => {
      const notice = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(ExchangeNoticeEntity, { id }) : null;
      if (!notice || notice.dept !== identity.dept || !regions.contains(identity.region, notice.region)) {
        throw new NotFoundError(`没有可签收的通报 ${id} (no such notice for you)`);
      }
      if (!identity.roles.includes('liaison') || notice.region !== identity.region) {
        throw new ForbiddenError(`只有 ${notice.region} 的${notice.dept}联络员可以签收 (only a liaison of ${notice.dept} in ${notice.region} acknowledges it)`);
      }
      if (notice.acknowledgedAt) throw new ConflictError(`通报 ${notice.number} 已于 ${notice.acknowledgedAt.toISOString()} 由 ${notice.acknowledgedBy} 签收 (already acknowledged)`);
      notice.acknowledgedAt = new Date();
      notice.acknowledgedBy = identity.sub;
      notice.remarks = remarks;
    });
    return id;
  }
}
