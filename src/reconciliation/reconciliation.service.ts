import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../core/clock';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { type Actor, canonicalJson, runWrite, writeContexts } from '../core/unit-of-work';
import { regions } from '../regions/region.registry';
import { DiscrepancyEntity } from './discrepancy.entity';
import { ReconciliationRunEntity } from './reconciliation-run.entity';
import { arrayLiteral, executeInTransaction } from '../changelog/change-log.append';
import { appendChangeLog, type LoggedChange } from '../changelog/change-log.writer';
import { FIXING_ENTITIES, type ReconciliationRule, RULE_BY_CODE, RULES } from './reconciliation.rules';

/** A child a rule fires on, as its query returns it. */
export interface Finding {
  readonly rule: string;
  readonly childId: string;
  readonly county: string;
  readonly township: string | null;
  readonly facts: Record<string, unknown>;
}

export interface RunOutcome {
  readonly run: ReconciliationRunEntity;
  readonly openedIds: string[];
  readonly resolvedIds: string[];
}

const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const ACTIVE = ['OPEN', 'IN_PROGRESS', 'EXPLAINED'];

/** The month before `YYYY-MM`. */
function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * Why a run may not be labelled with this month, or null. A run reads the ledgers as they stand
 * now, so it can stand only for the month under way (a check mid-month, which unlike a notice
 * shuts nothing out: runs are not a sequence) or the month just ended (the monthly run, made in
 * the first days of the next, as the notices are). A future month, or one long past, would be a
 * label the data does not bear out.
 */
export function runPeriodProblem(period: string, today: string): string | null {
  if (!PERIOD.test(period)) return '应为 YYYY-MM，如 2026-11 (must be YYYY-MM)';
  const current = today.slice(0, 7);
  if (period > current) return `${period} 月尚未开始（今天是 ${today}，中国标准时间）(the month has not begun: today is ${today} China Standard Time)`;
  if (period < previousMonth(current)) {
    return `只能运行本月或上月（今天是 ${today}）：运行读取的是当前台账 (only this month or the last may be run: a run reads the ledgers as they are today)`;
  }
  return null;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Runs a rule's statement in the transaction: one set-based query per rule, never a query per child. */
export async function findings(em: EntityManager, rule: ReconciliationRule, counties: readonly string[], schoolYearStart: string, today: string): Promise<Finding[]> {
  // The rules number their parameters $1…$3 (PostgreSQL's style); the ORM's raw queries bind `?`.
  const sql = rule.sql.replace(/\$([1-3])/g, (_, n: string) => ['?', '?', '?'][Number(n) - 1]);
  const order: Array<readonly string[] | string> = [];
  for (const match of rule.sql.matchAll(/\$([1-3])/g)) order.push([counties, schoolYearStart, today][Number(match[1]) - 1]);
  const rows = await executeInTransaction<{ child_id: string; county: string; township: string | null; facts: Record<string, unknown> }>(em, sql, order);
  return rows.map((r) => ({ rule: rule.code, childId: r.child_id, county: r.county, township: r.township, facts: typeof r.facts === 'string' ? JSON.parse(r.facts) : r.facts }));
}

/**
 * For each child, the last change-log entry about it, of the kinds the rules compare, written on or
 * after `since`: the write that fixed a discrepancy. Named by its chain and seq, since each county
 * has its own chain (change_log_child_idx).
 */
async function fixingEntries(em: EntityManager, childIds: readonly string[]): Promise<Map<string, { chain: string; seq: string; at: Date }>> {
  if (childIds.length === 0) return new Map();
  const rows = await executeInTransaction<{ child_id: string; chain: string; seq: string; at: Date }>(em,
    // Ordered by the column, not the text it is selected as ('10' < '9').
    `SELECT DISTINCT ON (l.child_id) l.child_id, l.chain, l.seq::text AS seq, l.at FROM hub.change_log l
     WHERE l.child_id = ANY(?::uuid[]) AND l.entity = ANY(?::text[]) ORDER BY l.child_id, l.at DESC, l.chain DESC, l.seq DESC`,
    [childIds, FIXING_ENTITIES],
  );
  return new Map(rows.map((r) => [r.child_id, { chain: r.chain, seq: r.seq, at: new Date(r.at) }]));
}

/** The heads of every chain at this moment of the run's transaction: what the run was computed against. One function, for a signed root to replace. */
export async function runAnchor(em: EntityManager): Promise<Record<string, { seq: string; hash: string }>> {
  const rows: Array<{ chain: string; seq: string; hash: string }> = await em.execute('SELECT chain, seq::text AS seq, hash FROM hub.chain_head ORDER BY chain', []);
  return Object.fromEntries(rows.map((r) => [r.chain, { seq: r.seq, hash: r.hash }]));
}

/** Monthly reconciliation runs (核实比对, 二(二)) and re-checks of one child. */
export class ReconciliationService {
  constructor(private readonly orm: MikroORM, private readonly clock: Clock) {}

  /** Who may run a region: a supervisor of it, or its education liaison. */
  static mayRun(actor: Actor, region: string): boolean {
    const { identity } = actor;
    if (!regions.contains(identity.region, region)) return false;
    return identity.roles.includes('supervisor') || (identity.dept === 'EDU' && identity.roles.includes('liaison'));
  }

  /**
   * One run, one transaction: opens a discrepancy for every (rule, child) that fires and has none
   * that is not resolved, keeps those that still fire, and resolves those in the region that no
   * longer do, naming the change-log entry that fixed them. Runs are serialised with each other and
   * with discrepancy writes by a lock on the table, so that two runs never open the same pair twice.
   */
  async run(actor: Actor, period: string, region: string): Promise<RunOutcome> {
    const periodProblem = runPeriodProblem(period, this.clock.today());
    if (periodProblem) throw BadUserInputError.one('period', periodProblem);
    if (!/^[0-9]{6}$/.test(region) || !regions.get(region)) throw BadUserInputError.one('region', '应为省、市或县（市、区）代码 (must be a province, city or county code)');
    if (!ReconciliationService.mayRun(actor, region)) {
      throw new ForbiddenError('核实比对由本辖区督导或教育部门联络员运行 (a supervisor or the education liaison of the region runs reconciliation)');
    }
    const counties = regions.countyCodesWithin(region);
    const today = this.clock.today();
    const runId = randomUUID();
    const outcome = await runWrite(this.orm, actor, 'runReconciliation', null, { period, region }, async (em) => {
      await em.execute('LOCK TABLE hub.discrepancy IN SHARE ROW EXCLUSIVE MODE', []);
      let found: Finding[] = [];
      for (const rule of RULES) found.push(...(await findings(em, rule, counties, this.clock.schoolYearStart(), today)));
      const foundCount = found.length;
      // The region's unresolved discrepancies as plain rows, not entities: a province holds tens of
      // thousands, and a run changes only those that stop firing (loaded as entities below).
      const active = await executeInTransaction<{ id: string; rule: string; child_id: string; county: string; status: string }>(em,
        `SELECT id, rule, child_id, county, status FROM hub.discrepancy WHERE status = ANY(?::text[]) AND county = ANY(?::text[])`, [ACTIVE, [...counties]]);
      const key = (rule: string, child: string) => `${rule}:${child}`;
      const firing = new Set(found.map((f) => key(f.rule, f.childId)));
      // Active anywhere (a discrepancy of another county for the same pair is kept where it is).
      const activeAnywhere = new Set((await executeInTransaction<{ rule: string; child_id: string }>(em,
        `SELECT rule, child_id FROM hub.discrepancy WHERE status <> 'RESOLVED' AND child_id = ANY(?::uuid[])`, [[...new Set(found.map((f) => f.childId))]],
      )).map((r) => key(r.rule, r.child_id)));
      // The findings' facts are written once and not kept: a province's take 100 MB and more.
      const opening = found.filter((f) => !activeAnywhere.has(key(f.rule, f.childId))).map((f) => ({ ...f, id: randomUUID() }));
      found = [];
      const opened = await insertDiscrepancies(em, opening.splice(0), runId, today, actor.identity.sub);
      const openedIds = opened.map((d) => d.id);
      const after: Array<{ id: string; rule: string; childId: string; county: string; status: string }> = opened.map((d) => ({ ...d, status: 'OPEN' }));
      const endingIds = new Set(active.filter((d) => !firing.has(key(d.rule, d.child_id))).map((d) => d.id));
      const ending = endingIds.size ? await em.find(DiscrepancyEntity, { id: { $in: [...endingIds] } }) : [];
      const fixes = await fixingEntries(em, ending.map((d) => d.childId));
      for (const d of ending) resolve(d, fixes.get(d.childId), runId, today, actor.identity.sub);
      for (const d of active) if (!endingIds.has(d.id)) after.push({ id: d.id, rule: d.rule, childId: d.child_id, county: d.county, status: d.status });
      // The frozen summary: what is left open in the region, by rule and county, and the chains' heads the run read.
      const counts: Record<string, Record<string, number>> = {};
      for (const d of after) (counts[d.rule] ??= {})[d.county] = (counts[d.rule]?.[d.county] ?? 0) + 1;
      const listed = after.map((d) => `${d.id}:${d.rule}:${d.childId}:${d.status}`).sort().join(',');
      const chainHeads = await runAnchor(em);
      const contentHash = createHash('sha256').update(canonicalJson({ period, region, counts, chainHeads, discrepancies: createHash('sha256').update(listed).digest('hex') })).digest('hex');
      em.create(ReconciliationRunEntity, {
        id: runId, period, region, ranAt: new Date(), ranBy: actor.identity.sub, counts, opened: openedIds.length, kept: foundCount - openedIds.length,
        resolved: ending.length, chainHeads, contentHash,
      } as unknown as ReconciliationRunEntity);
      // The resolutions and the run through the ORM's flush first (a few entries), then the opened
      // discrepancies' entries in one batch: the writer chains a large batch as it is recorded, so
      // recording it last chains it once rather than again at the flush.
      await em.flush();
      await logOpened(em, opened);
      return { openedIds, resolvedIds: ending.map((d) => d.id) };
    });
    const em = this.orm.em.fork();
    const run = await em.findOneOrFail(ReconciliationRunEntity, { id: runId });
    return { run, ...outcome.result };
  }

  /**
   * 即时复核: re-runs the discrepancy's rule for its child now; resolves it if it no longer fires.
   * Returns whether it was resolved. The caller has checked that the actor may see it.
   */
  async recheck(actor: Actor, discrepancyId: string): Promise<boolean> {
    const today = this.clock.today();
    const { result } = await runWrite(this.orm, actor, 'recheckDiscrepancy', null, { discrepancyId }, async (em) => {
      await em.execute('LOCK TABLE hub.discrepancy IN SHARE ROW EXCLUSIVE MODE', []);
      const d = await em.findOneOrFail(DiscrepancyEntity, { id: discrepancyId });
      if (d.status === 'RESOLVED') return false;
      const rule = RULES.find((r) => r.code === d.rule)!;
      const still = (await findings(em, rule, [d.county], this.clock.schoolYearStart(), today)).some((f) => f.childId === d.childId);
      if (still) return false;
      resolve(d, (await fixingEntries(em, [d.childId])).get(d.childId), null, today, actor.identity.sub);
      return true;
    });
    return result;
  }
}

interface Opened { readonly id: string; readonly rule: string; readonly childId: string; readonly county: string; readonly deadline: string }

/**
 * Opens a discrepancy for each finding, set-based: one INSERT of the rows, their facts sent once
 * and not kept. Their change-log entries follow (`logOpened`), as the ORM's flush would make
 * them, so that a provincial run's tens of thousands of new discrepancies never become entities
 * in the unit of work (whose change sets took the CLI's peak RSS to 1.1 GB at 79,000).
 */
async function insertDiscrepancies(em: EntityManager, opening: ReadonlyArray<Finding & { id: string }>, runId: string, today: string, by: string): Promise<Opened[]> {
  if (opening.length === 0) return [];
  const createdAt = new Date().toISOString();
  const deadlines = new Map(RULES.map((rule) => [rule.code, addDays(today, rule.deadlineDays)]));
  const column = (pick: (finding: Finding & { id: string }) => string | null) => arrayLiteral(opening.map(pick));
  // `fields` are the facts' keys in code-point order, as Array.prototype.sort orders them (they are ASCII).
  await executeInTransaction(em, `INSERT INTO hub.discrepancy (id, rule, child_id, county, township, facts, fields, owner_dept, status, opened_on, deadline,
      opened_by_run, version, created_at, updated_at, updated_by)
    SELECT r.id, r.rule, r.child_id, r.county, r.township, r.facts, ARRAY(SELECT k FROM jsonb_object_keys(r.facts) AS k ORDER BY k COLLATE "C"), r.owner_dept,
      'OPEN', ?::date, r.deadline, ?::uuid, 1, ?::timestamptz, ?::timestamptz, ?
    FROM ROWS FROM (unnest(?::uuid[]), unnest(?::text[]), unnest(?::uuid[]), unnest(?::text[]), unnest(?::text[]), jsonb_array_elements(?::jsonb), unnest(?::text[]), unnest(?::date[]))
      AS r(id, rule, child_id, county, township, facts, owner_dept, deadline)`, [
    today, runId, createdAt, createdAt, by,
    column((f) => f.id), column((f) => f.rule), column((f) => f.childId), column((f) => f.county), column((f) => f.township),
    JSON.stringify(opening.map((f) => f.facts)), column((f) => RULE_BY_CODE.get(f.rule)!.owner.dept), column((f) => deadlines.get(f.rule)!),
  ]);
  return opening.map((f) => ({ id: f.id, rule: f.rule, childId: f.childId, county: f.county, deadline: deadlines.get(f.rule)! }));
}

/** The opened discrepancies' change-log entries, through the log's one writer: a CREATE of the logged fields, version 1, as the ORM's flush makes them. */
async function logOpened(em: EntityManager, opened: readonly Opened[]): Promise<void> {
  if (opened.length === 0) return;
  const changes = opened.map((d): LoggedChange => ({
    entityName: DiscrepancyEntity.name, operation: 'CREATE', entityId: d.id, original: {}, payload: {},
    entity: { childId: d.childId, rule: d.rule, county: d.county, status: 'OPEN', deadline: d.deadline, version: 1 },
  }));
  await appendChangeLog(em, writeContexts.get(em)!, changes);
}

/** CORRECTED is never set by hand: a run or re-check that no longer finds the fault resolves it, naming the write that fixed it. */
function resolve(d: DiscrepancyEntity, fix: { chain: string; seq: string; at: Date } | undefined, runId: string | null, today: string, by: string): void {
  d.status = 'RESOLVED';
  d.resolvedOn = today;
  d.resolvedByRun = runId;
  // Only a write made after the discrepancy was found can have fixed it.
  const fixed = fix && fix.at >= d.createdAt ? fix : undefined;
  d.fixedByChain = fixed?.chain ?? null;
  d.fixedBySeq = fixed?.seq ?? null;
  d.updatedBy = by;
}
