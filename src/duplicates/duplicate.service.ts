import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../core/clock';
import { type Reader, readerFor } from '../core/context';
import type { Actor } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError, Problems } from '../core/errors';
import { UUID } from '../core/ids';
import { beforeCommit, runWrite } from '../core/unit-of-work';
import { ChildEntity } from '../children/child.entity';
import { accessFor, childInScope } from '../permissions/access';
import { mergeChildren } from './duplicate.merge';
import { executeInTransaction } from '../changelog/change-log.append';
import { scopeCondition } from '../children/child.loader';
import type { RegisteredChild, RegistrationCheck } from '../children/registration-check';
import { mayFilterByRegion } from '../permissions/access';
import { regions } from '../regions/region.registry';
import { birthMonth, forEachPairWithin, matchKeyBindings, meet, meetBeside, type Met, type Probe, UPSERT_MATCH_KEYS, writeMatchKeys } from './duplicate.blocking';
import { DuplicatePairEntity, type DuplicateStatus, pairRegion } from './duplicate-pair.entity';
import { type DuplicateBand, type DuplicateFeature, type MatchRecord, type PairScore, PairScorer } from './duplicate.scoring';
import { decidesDuplicates, seesDuplicates } from './duplicates.visibility';

/** A pair as it is listed. */
export interface PairRow {
  readonly id: string;
  readonly childA: string;
  readonly childB: string;
  readonly score: number;
  readonly band: DuplicateBand;
  readonly features: DuplicateFeature[];
  readonly status: DuplicateStatus;
  readonly survivorId: string | null;
  readonly reason: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly foundAt: Date;
  readonly version: number;
}

export interface Decision {
  readonly pairId: string;
  readonly decision: 'SAME' | 'DIFFERENT';
  readonly survivorId?: string | null;
  readonly reason: string;
  readonly expectedVersion?: number | null;
}

export interface PairFilter {
  readonly region?: string | null;
  readonly band?: DuplicateBand | null;
  readonly status?: DuplicateStatus | null;
  readonly childId?: string | null;
}

interface NewPair {
  readonly a: string;
  readonly b: string;
}

interface Scored {
  readonly a: string;
  readonly b: string;
  readonly score: PairScore;
}

/** A registration of more children than this begins its lookup beside its write (`begin`); a few are looked up in it, on the write's one connection. */
const BESIDE_FROM = 20;

const PAIR_COLUMNS = `p.id, p.child_a AS "childA", p.child_b AS "childB", p.score, p.band, p.features, p.status, p.survivor_id AS "survivorId",
  p.reason, p.decided_by AS "decidedBy", p.decided_at AS "decidedAt", p.found_at AS "foundAt", p.version`;
const CURSOR = /^-?\d+(\.\d+)?:[0-9a-f-]{36}$/;

/**
 * The pairs as listed, each child as `a` and `b` (the columns `visible` and the region filter
 * read). A SAME pair's merged child has no row any more: it is listed as it was merged (its
 * counties kept on the pair), so a decided pair is shown to the readers who saw both children
 * when it was decided, and to no one else (a county that sees only the survivor is not told, by
 * the list, of a look-alike it never saw, nor of the reviewer's reason).
 */
const side = (column: 'child_a' | 'child_b') => `(SELECT c.hukou_region, c.residence_region, c.township FROM hub.child c WHERE c.id = p.${column}
    UNION ALL SELECT p.merged_hukou_region, p.merged_residence_region, NULL
     WHERE p.status = 'SAME' AND p.survivor_id <> p.${column} AND p.merged_hukou_region IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hub.child c WHERE c.id = p.${column}))`;
const LISTED_PAIRS = `hub.duplicate_pair p CROSS JOIN LATERAL ${side('child_a')} a CROSS JOIN LATERAL ${side('child_b')} b`;

/**
 * Duplicate candidates (issue 16): found at registration (every department that registers) and by
 * the sweep, scored with the features that matched, listed to the readers who may see every field
 * a pair shows, and decided by a reviewer.
 */
export class DuplicateService implements RegistrationCheck<Promise<Scored[]> | null> {
  constructor(
    private readonly orm: MikroORM,
    private readonly sql: Sql,
    private readonly clock: Clock,
    readonly scorer: PairScorer = new PairScorer(),
  ) {}

  /**
   * The check's lookup for a registration of more than `BESIDE_FROM` children, begun before the
   * registration's transaction, on a connection of its own where one is free (`meetBeside`; on
   * PostgreSQL): the database finds the children they meet while the hub creates them and writes
   * their rows, and they are scored as soon as it answers. Null where it is not begun (a few
   * children, or no connection free: on PGlite, one connection in all); `registered` then looks
   * them up in the transaction.
   */
  begin(_actor: Actor, children: readonly RegisteredChild[]): Promise<Scored[]> | null {
    if (children.length <= BESIDE_FROM) return null;
    const probes: Probe[] = children.map((c, index) => ({ ...c, index }));
    const scored = meetBeside(this.sql, this.scorer, probes)?.then((met) => this.scored(probes, met)) ?? null;
    // Awaited by `registered`'s ending; a registration refused or replayed before never asks, and must not leave it unhandled.
    scored?.catch(() => undefined);
    return scored;
  }

  /**
   * The check made at registration, in the registration's transaction: the children the new ones
   * meet, a pair for each that scores as possible, and the new children's sound keys. It never
   * refuses a record: a child may be registered even if it looks like another (twins exist).
   *
   * With the lookup begun beside (`begin`), the pairs and sound keys are written after the
   * children's rows, before the commit (`beforeCommit`). Otherwise all of it goes before the
   * children's inserts, which the write flushes once, after: the lookup never reads their rows,
   * and neither the pairs nor the sound keys reference them (Migration0030), so a second flush,
   * the ORM comparing every child it holds, is saved.
   */
  async registered(em: EntityManager, actor: Actor, children: readonly RegisteredChild[], begun?: Promise<Scored[]> | null): Promise<void> {
    if (!begun) {
      await this.check(em, actor, children);
      return;
    }
    beforeCommit(em, async () => {
      await this.record(em, actor, await begun, children);
    });
  }

  /** The pairs the children make with any child in the hub and among themselves, and their sound keys; returns the pairs that are new. */
  private async check(em: EntityManager, actor: Actor, children: readonly MatchRecord[]): Promise<NewPair[]> {
    const probes: Probe[] = children.map((c, index) => ({ ...c, index }));
    return this.record(em, actor, this.scored(probes, await meet(em, this.scorer, probes)), probes);
  }

  /** The pairs that score as possible: each probe with the children it met, and the probes among themselves. */
  private scored(probes: readonly Probe[], met: readonly Met[]): Scored[] {
    const scored: Scored[] = [];
    for (const { index, child } of met) {
      // Most children met share only a birth date and a letter of the name: below POSSIBLE whatever else they share.
      if (!this.scorer.namesMayMatch(probes[index].name, child.name)) continue;
      const score = this.scorer.score(probes[index], child);
      if (score.band) scored.push({ a: probes[index].id, b: child.id, score });
    }
    forEachPairWithin(this.scorer, probes, (a, b) => {
      const score = this.scorer.score(a, b);
      if (score.band) scored.push({ a: a.id, b: b.id, score });
    });
    return scored;
  }

  /**
   * The periodic sweep (`npm run find-duplicates`, and `findDuplicates` for a region on demand):
   * every child whose hukou or residence is in the region, a thousand at a time, each batch its own
   * transaction, checked as at registration against every child in the hub. It also writes the
   * sound keys of children registered before there were any. Pairs already known, DIFFERENT ones
   * above all, are left as they are.
   */
  async sweep(actor: Actor, region: string, batchSize = 1000): Promise<{ children: number; pairsFound: number }> {
    const counties = regions.countyCodesWithin(region);
    const all = counties.length === regions.counties().length;
    if (all) return this.sweepAll(actor);
    let after = '00000000-0000-0000-0000-000000000000';
    let children = 0;
    let pairsFound = 0;
    const reader = readerFor(actor.identity);
    for (;;) {
      const params: unknown[] = [after, batchSize];
      const batch = await this.sql.query<MatchRecord>(`SELECT c.id, c.id_number AS "idNumber", c.name, c.gender, c.birth_date AS "birthDate",
        c.hukou_region AS "hukouRegion", c.residence_region AS "residenceRegion", c.township FROM hub.child c
        WHERE c.id > $1 AND (c.hukou_region = ANY($${params.push(counties)}) OR c.residence_region = ANY($${params.length}))
        ORDER BY c.id LIMIT $2`, params);
      if (batch.length === 0) break;
      const outcome = await runWrite(this.orm, actor, 'findDuplicates', null, null, (em) => this.check(em, actor, batch));
      children += batch.length;
      // Counted only if the caller may see it: a county's sweep also pairs its children with
      // children elsewhere, and a count of those would tell the county they exist.
      pairsFound += await this.countVisible(reader, outcome.result);
      after = batch[batch.length - 1].id;
    }
    return { children, pairsFound };
  }

  /**
   * The province-wide sweep, set-based: every blocking key holds the birth year (a date, a month,
   * a year, or the number's birth-date digits, which registration checks against the birth date),
   * so the province is read one birth year at a time, one statement each, and the pairs are found
   * by grouping in memory (`forEachPairWithin`, a month at a time), not by a lookup per child
   * (which took 290 s for 2,000,000 children by extrapolation). Each year in one transaction: the
   * sound keys that are missing or stale, and the new pairs. Memory: one year's children (about a
   * tenth) and one month's groups.
   */
  private async sweepAll(actor: Actor): Promise<{ children: number; pairsFound: number }> {
    const [range] = await this.sql.query<{ first: number | null; last: number | null }>(
      'SELECT extract(year FROM min(birth_date))::int AS first, extract(year FROM max(birth_date))::int AS last FROM hub.child');
    let children = 0;
    let pairsFound = 0;
    for (let year = range.first ?? 0; range.last !== null && year <= range.last; year++) {
      const rows = await this.sql.query<MatchRecord & { sound: string | null; month: string | null }>(`SELECT c.id, c.id_number AS "idNumber", c.name, c.gender,
        to_char(c.birth_date, 'YYYY-MM-DD') AS "birthDate", c.hukou_region AS "hukouRegion", c.residence_region AS "residenceRegion", c.township, k.sound, k.birth_month AS month
        FROM hub.child c LEFT JOIN hub.child_match_key k ON k.child_id = c.id WHERE c.birth_date >= $1::date AND c.birth_date < $2::date`, [`${year}-01-01`, `${year + 1}-01-01`]);
      if (rows.length === 0) continue;
      children += rows.length;
      const stale = rows.filter((r) => r.sound !== this.scorer.sound(r.name).fuzzy || r.month !== birthMonth(r.birthDate));
      const scored: Scored[] = [];
      // Month by month (every key but the strictest holds the birth month): a month's groups, not a year's, in memory.
      const byMonth = new Map<string, typeof rows>();
      for (const r of rows) {
        const month = birthMonth(r.birthDate);
        const list = byMonth.get(month);
        if (list) list.push(r);
        else byMonth.set(month, [r]);
      }
      const withoutNumber = rows.filter((r) => !r.idNumber);
      for (const [month, records] of byMonth) {
        forEachPairWithin(this.scorer, records, (a, b) => {
          const score = this.scorer.score(a, b);
          if (score.band) scored.push({ a: a.id, b: b.id, score });
        }, withoutNumber.filter((r) => birthMonth(r.birthDate) !== month));
      }
      const outcome = await runWrite(this.orm, actor, 'findDuplicates', null, null, async (em) => {
        for (let i = 0; i < stale.length; i += 10_000) await writeMatchKeys(em, this.scorer, stale.slice(i, i + 10_000));
        const found: NewPair[] = [];
        for (let i = 0; i < scored.length; i += 5_000) found.push(...await this.record(em, actor, scored.slice(i, i + 5_000)));
        return found.length;
      });
      // A province-wide sweep is a reader of every county's: every pair it finds is its to see.
      pairsFound += outcome.result;
    }
    return { children, pairsFound };
  }

  /** Who may start a sweep on demand: the deciders of pairs, for a region inside their own. */
  static checkMaySweep(actor: Actor, region: string): void {
    if (!decidesDuplicates(accessFor(actor.identity))) {
      throw new ForbiddenError('只有教育、公安录入员或督导可以查找疑似重复 (only EDU or PSB clerks, or supervisors, look for duplicates)');
    }
    if (!/^\d{6}$/.test(region) || !regions.get(region) || !mayFilterByRegion(actor.identity, region)) {
      throw BadUserInputError.one('region', `${region} 不在您的辖区内 (not inside your region)`);
    }
  }

  /**
   * Adds the pairs not yet known; a pair already known (open or decided, DIFFERENT above all) is
   * left as it is. A pair found is a suggestion computed from the children's logged fields, not a
   * change to any record, so finding it writes no change-log entry (the sweep would find it again);
   * the decision on it is a change, and is logged (`resolve`). The sound keys of `keyed` are
   * written by the same statement.
   */
  private async record(em: EntityManager, actor: Actor, scored: readonly Scored[], keyed: readonly MatchRecord[] = []): Promise<NewPair[]> {
    const pairs = new Map<string, { a: string; b: string; score: PairScore }>();
    for (const s of scored) {
      const [a, b] = [s.a.toLowerCase(), s.b.toLowerCase()].sort();
      pairs.set(`${a}:${b}`, { a, b, score: s.score });
    }
    if (pairs.size === 0 && keyed.length === 0) return [];
    const list = [...pairs.values()];
    return executeInTransaction<NewPair>(em, `WITH keyed AS (${UPSERT_MATCH_KEYS})
      INSERT INTO hub.duplicate_pair (id, child_a, child_b, score, band, features, status, found_at, found_by)
      SELECT id, a, b, score, band, string_to_array(features, ','), 'OPEN', ?, ?
      FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::real[], ?::text[], ?::text[]) AS n(id, a, b, score, band, features)
      ON CONFLICT (child_a, child_b) DO NOTHING RETURNING child_a AS a, child_b AS b`, [
      ...matchKeyBindings(this.scorer, keyed), actor.at ?? new Date(), actor.identity.sub, list.map(() => randomUUID()), list.map((p) => p.a), list.map((p) => p.b),
      list.map((p) => p.score.score), list.map((p) => p.score.band), list.map((p) => p.score.features.join(',')),
    ]);
  }

  /** How many of the pairs the reader may see (both children in its region). */
  private async countVisible(reader: Reader, found: readonly NewPair[]): Promise<number> {
    if (found.length === 0) return 0;
    const params: unknown[] = [found.map((p) => p.a), found.map((p) => p.b)];
    const [row] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM unnest($1::uuid[], $2::uuid[]) AS p(a, b)
      JOIN hub.child a ON a.id = p.a JOIN hub.child b ON b.id = p.b WHERE ${this.visible(reader, params)}`, params);
    return row.n;
  }

  /** The conditions that confine pairs to what a reader may see: both children in its region. */
  private visible(reader: Reader, params: unknown[]): string {
    if (!seesDuplicates(reader.access)) return 'FALSE';
    return `${scopeCondition(reader, params, 'a')} AND ${scopeCondition(reader, params, 'b')}`;
  }

  /** One page of pairs, by score (highest first); none at all for a reader who may not see pairs. */
  async page(reader: Reader, filter: PairFilter, first: number, after: string | null | undefined): Promise<{ rows: PairRow[]; hasNextPage: boolean; totalCount: () => Promise<number> }> {
    checkPageSize(first);
    const params: unknown[] = [];
    const where = [this.visible(reader, params)];
    where.push(`p.status = $${params.push(filter.status ?? 'OPEN')}`);
    if (filter.band) where.push(`p.band = $${params.push(filter.band)}`);
    if (filter.childId) where.push(`(p.child_a = $${params.push(filter.childId)}::uuid OR p.child_b = $${params.length}::uuid)`);
    if (filter.region) {
      if (!/^\d{6}$/.test(filter.region) || !mayFilterByRegion(reader.identity, filter.region)) {
        throw BadUserInputError.one('filter.region', `${filter.region} 不在您的辖区内 (not inside your region)`);
      }
      const p = `$${params.push(regions.countyCodesWithin(filter.region))}`;
      where.push(`(a.hukou_region = ANY(${p}) OR a.residence_region = ANY(${p}) OR b.hukou_region = ANY(${p}) OR b.residence_region = ANY(${p}))`);
    }
    const from = `FROM ${LISTED_PAIRS} WHERE ${where.join(' AND ')}`;
    const countParams = [...params];
    const page = [...where];
    if (after) {
      const [score, id] = decodeCursor('duplicate', after, CURSOR).split(/:(.*)/s);
      const s = `$${params.push(Number(score))}::real`;
      page.push(`(p.score < ${s} OR (p.score = ${s} AND p.id > $${params.push(id)}::uuid))`);
    }
    const rows = await this.sql.query<PairRow>(
      `SELECT ${PAIR_COLUMNS} FROM ${LISTED_PAIRS}
       WHERE ${page.join(' AND ')} ORDER BY p.score DESC, p.id LIMIT ${first + 1}`, params);
    return {
      rows: rows.slice(0, first),
      hasNextPage: rows.length > first,
      totalCount: async () => (await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, countParams))[0].n,
    };
  }

  static cursor(row: PairRow): string {
    return encodeCursor('duplicate', `${row.score}:${row.id}`);
  }

  /**
   * The open pairs of children just written, as `WritePayload.possibleDuplicates` reports them: for
   * each written child, the pairs with a child written before it in the batch or already in the hub.
   */
  async forWritten(reader: Reader, ids: readonly string[]): Promise<Array<{ index: number; candidateId: string; row: PairRow }>> {
    if (ids.length === 0 || !seesDuplicates(reader.access)) return [];
    const params: unknown[] = [ids];
    const rows = await this.sql.query<PairRow>(
      `SELECT ${PAIR_COLUMNS} FROM hub.duplicate_pair p JOIN hub.child a ON a.id = p.child_a JOIN hub.child b ON b.id = p.child_b
       WHERE (p.child_a = ANY($1::uuid[]) OR p.child_b = ANY($1::uuid[])) AND p.status = 'OPEN' AND ${this.visible(reader, params)}
       ORDER BY p.score DESC, p.id`, params);
    const position = new Map(ids.map((id, i) => [id.toLowerCase(), i]));
    return rows.map((row) => {
      const ia = position.get(row.childA) ?? -1;
      const ib = position.get(row.childB) ?? -1;
      return ia > ib ? { index: ia, candidateId: row.childB, row } : { index: ib, candidateId: row.childA, row };
    }).sort((x, y) => x.index - y.index);
  }

  /** Refuses a reader who may not see pairs at all, before anything else is looked at. */
  static checkSees(reader: Reader): void {
    if (!seesDuplicates(reader.access)) {
      throw new ForbiddenError('疑似重复仅对可读取双方姓名、出生日期、户籍和完整身份证号的用户可见 (duplicate pairs are shown only to readers of both children\'s names, birth dates, regions and full ID numbers)');
    }
  }

  /**
   * A reviewer's decision (EDU or PSB clerks of the children's region, or a supervisor): DIFFERENT
   * is recorded so that the pair is never proposed again; SAME merges the two (duplicate.merge.ts).
   * A pair outside the reviewer's region answers exactly as a pair that does not exist.
   */
  async resolve(actor: Actor, input: Decision): Promise<PairRow> {
    if (!decidesDuplicates(accessFor(actor.identity))) {
      throw new ForbiddenError('只有儿童所在地的教育、公安录入员或督导可以核查疑似重复 (only EDU or PSB clerks of the children\'s region, or supervisors, decide duplicates)');
    }
    const problems = new Problems();
    if (!UUID.test(input.pairId)) problems.add('pairId', '应为UUID (must be a UUID)');
    const reason = input.reason.trim();
    if (!reason) problems.add('reason', '须说明核查理由 (a reason is required)');
    else if (reason.length > 500) problems.add('reason', '理由最多500字 (at most 500 characters)');
    if (input.decision === 'SAME' && !input.survivorId) problems.add('survivorId', '判定为同一人时须指定保留的儿童 (SAME needs the child to keep)');
    else if (input.decision === 'SAME' && !UUID.test(input.survivorId!)) problems.add('survivorId', '应为UUID (must be a UUID)');
    if (input.decision === 'DIFFERENT' && input.survivorId) problems.add('survivorId', '判定为不同的人时两条记录都保留，不应指定 (DIFFERENT keeps both: give no survivorId)');
    problems.throwIfAny();
    const survivorId = input.survivorId?.toLowerCase() ?? null;
    const outcome = await runWrite(this.orm, { ...actor, reason }, 'resolveDuplicate', null, input, async (em) => {
      const pair = await em.findOne(DuplicatePairEntity, { id: input.pairId });
      const children = pair ? await em.find(ChildEntity, { id: { $in: [pair.childA, pair.childB] } }) : [];
      if (!pair || children.length !== 2 || !children.every((c) => childInScope(actor.identity, c))) {
        throw new NotFoundError(`您的辖区内没有疑似重复 ${input.pairId} (no such pair in your region)`);
      }
      if (pair.status !== 'OPEN') throw new ConflictError(`该疑似重复已核查为 ${pair.status} (this pair was already decided)`);
      if (input.expectedVersion != null && input.expectedVersion !== pair.version) {
        throw new ConflictError('记录已被他人修改，请重新读取后再提交 (the pair changed since you read it; read it again and retry)');
      }
      const survivor = children.find((c) => c.id === survivorId);
      if (input.decision === 'SAME' && !survivor) throw BadUserInputError.one('survivorId', '保留的儿童须是这一对中的一个 (the child to keep must be one of the pair)');
      pair.status = input.decision;
      pair.survivorId = survivorId;
      pair.reason = reason;
      pair.decidedBy = actor.identity.sub;
      pair.decidedAt = actor.at ?? new Date();
      pair.loggedRegion = pairRegion(children[0], children[1]);
      if (survivor) {
        const merged = children.find((c) => c !== survivor)!;
        pair.mergedHukouRegion = merged.hukouRegion;
        pair.mergedResidenceRegion = merged.residenceRegion;
        await mergeChildren(em, actor, pair.id, survivor, merged);
        // The merged record's other open pairs named a child that is gone: they go (suggestions,
        // never logged), and the survivor, as it now is, is checked afresh against the hub.
        await executeInTransaction(em, `DELETE FROM hub.duplicate_pair WHERE status = 'OPEN' AND ? IN (child_a, child_b)`, [merged.id]);
        await em.flush();
        await this.check(em, actor, [survivor]);
      }
      return pair.id;
    });
    const [row] = await this.sql.query<PairRow>(`SELECT ${PAIR_COLUMNS} FROM hub.duplicate_pair p WHERE p.id = $1`, [outcome.result]);
    return row;
  }
}

