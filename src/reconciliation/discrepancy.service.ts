import type { MikroORM } from '@mikro-orm/postgresql';
import { isDepartment } from '../auth/identity';
import type { Clock } from '../core/clock';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import type { Reader } from '../core/context';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../core/errors';
import { type Actor, runWrite } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { readerFor, regionCondition } from '../core/context';
import { regions } from '../regions/region.registry';
import { DiscrepancyEntity, type DiscrepancyStatus } from './discrepancy.entity';
import { RULE_BY_CODE, RULES } from './reconciliation.rules';
import { visibleRules } from './reconciliation.visibility';

export interface DiscrepancyFilter {
  status?: DiscrepancyStatus | null;
  rule?: string | null;
  region?: string | null;
  childId?: string | null;
  overdue?: boolean | null;
  /** OPEN or IN_PROGRESS: still to be worked on. */
  open?: boolean | null;
  ownerDept?: string | null;
}

export interface DiscrepancyRow {
  id: string;
  rule: string;
  childId: string;
  county: string;
  township: string | null;
  facts: Record<string, unknown>;
  ownerDept: string;
  status: DiscrepancyStatus;
  openedOn: string;
  deadline: string;
  resolvedOn: string | null;
  fixedByChain: string | null;
  fixedBySeq: string | null;
  explanation: string | null;
  evidence: string | null;
  explainedBy: string | null;
  confirmedBy: string | null;
  version: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COLUMNS = `id, rule, child_id AS "childId", county, township, facts, owner_dept AS "ownerDept", status, opened_on AS "openedOn", deadline,
  resolved_on AS "resolvedOn", fixed_by_chain AS "fixedByChain", fixed_by_seq::text AS "fixedBySeq", explanation, evidence,
  explained_by AS "explainedBy", confirmed_by AS "confirmedBy", version`;
/** Not found, and not yours, read alike: a reader learns nothing of a discrepancy it may not see. */
const notFound = (id: string) => new NotFoundError(`id: 没有核实比对问题 ${id} (no such discrepancy)`);

/**
 * Where a reader may see discrepancies, as SQL over `hub.discrepancy d`, with its parameters from
 * `$first`: the rules whose compared fields it may all read, inside its region (a township user:
 * the township's door-to-door rules, in its township).
 */
function scopeOf(reader: Reader, first: number): { where: string; values: unknown[] } {
  const visible = visibleRules(reader.access);
  const rules = reader.township ? visible.filter((r) => RULE_BY_CODE.get(r)!.township) : visible;
  const region = regionCondition(reader, { township: 'd.township', county: 'd.county' }, first + 1);
  return { where: [`d.rule = ANY($${first}::text[])`, region.where].filter(Boolean).join(' AND '), values: [rules, ...region.values] };
}

/** Reads and hand transitions of discrepancies: started, explained, an explanation confirmed. */
export class DiscrepancyService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql, private readonly clock: Clock) {}

  today(): string {
    return this.clock.today();
  }

  async page(reader: Reader, filter: DiscrepancyFilter, first: number, after: string | null): Promise<{ rows: DiscrepancyRow[]; hasNextPage: boolean; totalCount: number }> {
    checkPageSize(first);
    const scope = scopeOf(reader, 1);
    const values = [...scope.values];
    const where = [scope.where];
    const add = (clause: (n: number) => string, value: unknown) => {
      values.push(value);
      where.push(clause(values.length));
    };
    if (filter.status) add((n) => `d.status = $${n}`, filter.status);
    if (filter.rule) {
      if (!RULE_BY_CODE.has(filter.rule)) throw BadUserInputError.one('filter.rule', `没有此规则，应为 ${RULES.map((r) => r.code).join(', ')} (no such rule)`);
      add((n) => `d.rule = $${n}`, filter.rule);
    }
    if (filter.region) {
      if (!regions.get(filter.region) || !regions.contains(reader.identity.region, filter.region) && !reader.township) {
        throw BadUserInputError.one('filter.region', '应为您辖区内的地区代码 (must be a region within yours)');
      }
      add((n) => `d.county = ANY($${n}::text[])`, regions.countyCodesWithin(filter.region));
    }
    if (filter.childId) {
      if (!UUID.test(filter.childId)) throw BadUserInputError.one('filter.childId', '应为UUID (must be a UUID)');
      add((n) => `d.child_id = $${n}`, filter.childId);
    }
    if (filter.open !== undefined && filter.open !== null) add((n) => `${filter.open ? '' : 'NOT '}(d.status = ANY($${n}::text[]))`, ['OPEN', 'IN_PROGRESS']);
    if (filter.ownerDept) {
      if (!isDepartment(filter.ownerDept)) throw BadUserInputError.one('filter.ownerDept', '未知部门，应为 EDU、PSB、CIVIL、POVERTY、HEALTH 或 DPF (unknown department)');
      add((n) => `d.owner_dept = $${n}`, filter.ownerDept);
    }
    if (filter.overdue !== undefined && filter.overdue !== null) {
      add((n) => (filter.overdue ? `d.status IN ('OPEN', 'IN_PROGRESS') AND d.deadline < $${n}` : `NOT (d.status IN ('OPEN', 'IN_PROGRESS') AND d.deadline < $${n})`), this.clock.today());
    }
    const counted = [...values];
    const [{ n }] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.discrepancy d WHERE ${where.join(' AND ')}`, counted);
    if (after) add((k) => `d.id > $${k}`, decodeCursor('discrepancy', after, UUID));
    values.push(first + 1);
    const rows = await this.sql.query<DiscrepancyRow>(
      `SELECT ${COLUMNS} FROM hub.discrepancy d WHERE ${where.join(' AND ')} ORDER BY d.id LIMIT $${values.length}`, values);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: n };
  }

  /** The discrepancies of many children at once (Child.discrepancies), each only if the reader may see it. */
  async ofChildren(reader: Reader, childIds: readonly string[]): Promise<DiscrepancyRow[][]> {
    const scope = scopeOf(reader, 2);
    const rows = await this.sql.query<DiscrepancyRow>(
      `SELECT ${COLUMNS} FROM hub.discrepancy d WHERE d.child_id = ANY($1::uuid[]) AND ${scope.where} ORDER BY d.opened_on DESC, d.id`, [childIds, ...scope.values]);
    return childIds.map((id) => rows.filter((r) => r.childId === id));
  }

  /** One discrepancy the reader may see, or NOT_FOUND (the same for one that does not exist). */
  async one(reader: Reader, id: string): Promise<DiscrepancyRow> {
    if (!UUID.test(id)) throw notFound(id);
    const scope = scopeOf(reader, 2);
    const [row] = await this.sql.query<DiscrepancyRow>(`SELECT ${COLUMNS} FROM hub.discrepancy d WHERE d.id = $1 AND ${scope.where}`, [id, ...scope.values]);
    if (!row) throw notFound(id);
    return row;
  }

  /**
   * The discrepancies' transitions, oldest first, from the change log (every transition is an entry),
   * each given with its child so that the log is read through its child index (change_log_child_idx)
   * rather than scanned for the entity's id.
   */
  async history(keys: ReadonlyArray<{ id: string; childId: string }>): Promise<Array<Array<{ at: Date; actorDept: string; actorSub: string; operation: string; chain: string; seq: string; changes: Record<string, { before: unknown; after: unknown }> }>>> {
    const rows = await this.sql.query<Record<string, any>>(
      `SELECT l.entity_id AS id, l.at, l.actor_dept AS "actorDept", l.actor_sub AS "actorSub", l.operation, l.chain, l.seq::text AS seq, l.changes
       FROM hub.change_log l WHERE l.child_id = ANY($2::uuid[]) AND l.entity = 'Discrepancy' AND l.entity_id = ANY($1::text[]) ORDER BY l.at, l.chain, l.seq`,
      [keys.map((k) => k.id), [...new Set(keys.map((k) => k.childId))]]);
    return keys.map(({ id }) => rows.filter((r) => r.id === id) as never);
  }

  /** 开始整改: the owning department takes the discrepancy up. */
  start(actor: Actor, id: string, expectedVersion: number): Promise<DiscrepancyRow> {
    return this.transition(actor, id, expectedVersion, 'startDiscrepancy', (d) => {
      this.requireOwner(actor, d);
      if (d.status !== 'OPEN') throw BadUserInputError.one('id', `只能开始处理 OPEN 状态的问题，当前为 ${d.status} (only an OPEN discrepancy can be started)`);
      d.status = 'IN_PROGRESS';
    });
  }

  /** 情况说明: the owning department says the discrepancy is a true exception; it stands once a supervisor confirms. */
  explain(actor: Actor, id: string, reason: string, evidence: string | null, expectedVersion: number): Promise<DiscrepancyRow> {
    if (!reason.trim() || reason.length > 500) throw BadUserInputError.one('reason', '必填，最多500字 (required, at most 500 characters)');
    if (evidence && evidence.length > 500) throw BadUserInputError.one('evidence', '最多500字 (at most 500 characters)');
    return this.transition(actor, id, expectedVersion, 'explainDiscrepancy', (d) => {
      this.requireOwner(actor, d);
      if (d.status !== 'OPEN' && d.status !== 'IN_PROGRESS') throw BadUserInputError.one('id', `问题已${d.status === 'RESOLVED' ? '解决' : '说明'} (the discrepancy is ${d.status})`);
      d.status = 'IN_PROGRESS';
      d.explanation = reason.trim();
      d.evidence = evidence?.trim() || null;
      d.explainedBy = actor.identity.sub;
      d.confirmedBy = null;
    });
  }

  /** 督导确认: a supervisor of the region accepts the explanation; the discrepancy is EXPLAINED. */
  confirmExplanation(actor: Actor, id: string, expectedVersion: number): Promise<DiscrepancyRow> {
    return this.transition(actor, id, expectedVersion, 'confirmExplanation', (d) => {
      if (!actor.identity.roles.includes('supervisor')) throw new ForbiddenError('情况说明须由督导确认 (a supervisor confirms explanations)');
      if (d.status !== 'IN_PROGRESS' || !d.explanation) throw BadUserInputError.one('id', '该问题没有待确认的情况说明 (the discrepancy has no explanation to confirm)');
      d.status = 'EXPLAINED';
      d.confirmedBy = actor.identity.sub;
      d.explainedOn = this.clock.today();
    });
  }

  private requireOwner(actor: Actor, d: DiscrepancyEntity): void {
    const { identity } = actor;
    if (identity.dept !== d.ownerDept || !identity.roles.some((r) => r === 'clerk' || r === 'liaison' || r === 'expert')) {
      throw new ForbiddenError(`此问题由 ${d.ownerDept} 部门处理 (the ${d.ownerDept} department's clerks, liaisons and experts work on it)`);
    }
  }

  private async transition(actor: Actor, id: string, expectedVersion: number, operation: string, change: (d: DiscrepancyEntity) => void): Promise<DiscrepancyRow> {
    const reader = readerFor(actor.identity);
    await this.one(reader, id);
    await runWrite(this.orm, actor, operation, null, { id, expectedVersion }, async (em) => {
      const d = await em.findOneOrFail(DiscrepancyEntity, { id });
      if (d.version !== expectedVersion) {
        throw new ConflictError(`expectedVersion: 期望版本 ${expectedVersion}，当前版本 ${d.version} (stale version)`, { path: 'expectedVersion', currentVersion: d.version });
      }
      change(d);
      d.updatedBy = actor.identity.sub;
      return [d.childId];
    });
    return this.one(reader, id);
  }
}
