import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../core/clock';
import { checkPageSize, decodeCursor } from '../core/connection';
import { type Reader, readerFor, regionCondition } from '../core/context';
import { isRealDate } from '../core/dates';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError, Problems } from '../core/errors';
import { type Actor, runWrite } from '../core/unit-of-work';
import { rebuildEntities } from '../as-of/as-of.service';
import type { Sql } from '../db/sql';
import { ACTION_KINDS, actionLevel, readableActionKinds } from '../permissions/action-access';
import { childInScope } from '../permissions/access';
import type { ActionKind } from '../permissions/matrix';
import { regions } from '../regions/region.registry';
import { SupervisionActionEntity } from './supervision-action.entity';

export interface ActionInput {
  readonly kind: string;
  readonly county?: string | null;
  readonly childId?: string | null;
  readonly toDept?: string | null;
  readonly deadline: string;
  readonly note: string;
}

export interface ActionFilter {
  readonly kind?: string | null;
  readonly status?: string | null;
  readonly overdue?: boolean | null;
  readonly region?: string | null;
  readonly childId?: string | null;
}

export type ActionRow = Omit<SupervisionActionEntity, 'createdAt' | 'updatedAt' | 'updatedBy'>;

/** The table's columns as a record set, for an as-of read: the rebuilt actions, in place of `hub.supervision_action a`. */
const REBUILT = `jsonb_to_recordset($X::jsonb) AS a (id uuid, kind text, county text, child_id uuid, township text, to_dept text, number text, deadline date, note text,
  status text, opened_on date, opened_by text, opened_dept text, closed_on date, closed_by text, outcome text, version int)`;

/** The day a time falls on in China Standard Time. */
export const chinaDay = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REFERRED_TO = ['CIVIL', 'POVERTY'];
const COLUMNS = `a.id, a.kind, a.county, a.child_id AS "childId", a.township, a.to_dept AS "toDept", a.number, a.deadline, a.note, a.status,
  a.opened_on AS "openedOn", a.opened_by AS "openedBy", a.opened_dept AS "openedDept", a.closed_on AS "closedOn", a.closed_by AS "closedBy", a.outcome, a.version`;
/** Not found, and not yours, read alike. */
const notFound = (id: string) => new NotFoundError(`id: 没有督导事项 ${id} (no such action)`);

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Where a reader may see actions, as SQL over `hub.supervision_action a` with parameters from
 * `$first`: the kinds ACTION_MATRIX lets it read, in its region (a township: its township's
 * children; a county interview belongs to no township).
 */
function scopeOf(reader: Reader, first: number): { where: string; values: unknown[] } {
  const region = regionCondition(reader, { township: 'a.township', county: 'a.county' }, first + 1);
  return { where: [`a.kind = ANY($${first}::text[])`, region.where].filter(Boolean).join(' AND '), values: [readableActionKinds(reader.identity), ...region.values] };
}

/** 约谈、批评教育、责令限期改正、救助转介 (三(二), 四(二)): recorded, listed, closed; every step a change-log entry. */
export class SupervisionActionService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql, private readonly clock: Clock) {}

  today(): string {
    return this.clock.today();
  }

  async record(actor: Actor, input: ActionInput, idempotencyKey: string | null): Promise<string> {
    const { identity } = actor;
    const problems = new Problems();
    const today = this.clock.today();
    if (!(ACTION_KINDS as string[]).includes(input.kind)) throw BadUserInputError.one('input.kind', `应为 ${ACTION_KINDS.join(', ')}`);
    const kind = input.kind as ActionKind;
    const level = actionLevel(identity, kind);
    if (level !== 'S' && level !== 'W') throw new ForbiddenError(`您的部门与角色不能记录 ${kind} (your department and role may not record ${kind})`);
    if (!isRealDate(input.deadline) || input.deadline < today || input.deadline > addDays(today, 366)) problems.add('input.deadline', '应为今天起一年内的日期 (a date from today to a year ahead)');
    if (!input.note?.trim() || input.note.length > 500) problems.add('input.note', '必填，最多500字 (required, at most 500 characters)');
    if (kind === 'ASSISTANCE_REFERRAL' ? !REFERRED_TO.includes(input.toDept ?? '') : input.toDept) {
      problems.add('input.toDept', kind === 'ASSISTANCE_REFERRAL' ? '救助转介应送 CIVIL 或 POVERTY (a referral goes to CIVIL or POVERTY)' : '仅救助转介填写 (only for a referral)');
    }
    let county: string;
    let township: string | null = null;
    if (kind === 'COUNTY_INTERVIEW') {
      if (input.childId) problems.add('input.childId', '约谈的对象是县，不填儿童 (an interview is about a county, not a child)');
      const c = input.county ?? '';
      if (!regions.isCounty(c) || !regions.contains(identity.region, c) || identity.region === c) problems.add('input.county', '应为您辖区内下级的县（市、区）代码 (a county below your region)');
      problems.throwIfAny();
      county = c;
    } else {
      if (input.county) problems.add('input.county', '由儿童的居住地确定，不填 (taken from the child\'s residence)');
      problems.throwIfAny();
      const id = input.childId ?? '';
      const [child] = UUID.test(id) ? await this.sql.query<{ hukouRegion: string; residenceRegion: string; township: string | null }>(
        'SELECT hukou_region AS "hukouRegion", residence_region AS "residenceRegion", township FROM hub.child WHERE id = $1', [id]) : [];
      if (!child || !childInScope(identity, child)) throw new NotFoundError(`input.childId: 没有儿童 ${id} (no such child)`);
      county = child.residenceRegion;
      township = child.township;
    }
    const id = randomUUID();
    const number = kind === 'CORRECTION_ORDER' ? `${county}责改〔${today.slice(0, 4)}〕${id.slice(0, 6)}号` : null;
    const { result } = await runWrite(this.orm, actor, 'recordAction', idempotencyKey, input, async (em) => {
      em.create(SupervisionActionEntity, {
        id, kind, county, childId: input.childId ?? null, township, toDept: input.toDept ?? null, number, deadline: input.deadline, note: input.note.trim(), status: 'OPEN',
        openedOn: today, openedBy: identity.sub, openedDept: identity.dept, closedOn: null, closedBy: null, outcome: null, updatedBy: identity.sub,
      } as unknown as SupervisionActionEntity);
      return id;
    });
    return result;
  }

  /** Closes an open action with its outcome: who recorded its kind, or for a referral the department it was sent to. */
  async close(actor: Actor, id: string, outcome: string, expectedVersion: number): Promise<ActionRow> {
    const { identity } = actor;
    const reader = readerFor(identity);
    const action = await this.one(reader, id);
    const level = actionLevel(identity, action.kind);
    const may = action.kind === 'ASSISTANCE_REFERRAL' ? level === 'A' && identity.dept === action.toDept : level === 'S' || level === 'W';
    if (!may) throw new ForbiddenError(action.kind === 'ASSISTANCE_REFERRAL' ? `救助转介由 ${action.toDept} 答复 (the ${action.toDept} clerks answer the referral)` : `您的部门与角色不能办结 ${action.kind} (your department and role may not close it)`);
    if (!outcome?.trim() || outcome.length > 500) throw BadUserInputError.one('outcome', '必填，最多500字 (required, at most 500 characters)');
    await runWrite(this.orm, actor, 'closeAction', null, { id, outcome, expectedVersion }, async (em) => {
      const a = await em.findOneOrFail(SupervisionActionEntity, { id });
      if (a.version !== expectedVersion) throw new ConflictError(`expectedVersion: 期望版本 ${expectedVersion}，当前版本 ${a.version} (stale version)`, { path: 'expectedVersion', currentVersion: a.version });
      if (a.status !== 'OPEN') throw BadUserInputError.one('id', '该事项已办结 (already closed)');
      Object.assign(a, { status: 'CLOSED', closedOn: this.clock.today(), closedBy: identity.sub, outcome: outcome.trim(), updatedBy: identity.sub });
      return null;
    });
    return this.one(reader, id);
  }

  async one(reader: Reader, id: string): Promise<ActionRow> {
    if (!UUID.test(id)) throw notFound(id);
    const scope = scopeOf(reader, 2);
    const [row] = await this.sql.query<ActionRow>(`SELECT ${COLUMNS} FROM hub.supervision_action a WHERE a.id = $1 AND ${scope.where}`, [id, ...scope.values]);
    if (!row) throw notFound(id);
    return row;
  }

  /**
   * A page of the actions the reader may see, now or, with `asOf`, as they stood then: rebuilt from
   * the change log and put through exactly the same scope and filters (today's permissions and
   * regions, as every as-of read), `overdue` as of that day.
   */
  async page(reader: Reader, filter: ActionFilter, first: number, after: string | null, asOf: Date | null = null): Promise<{ rows: ActionRow[]; hasNextPage: boolean; totalCount: number }> {
    checkPageSize(first);
    if (asOf && asOf.getTime() > Date.now()) throw BadUserInputError.one('asOf', '不能是将来 (not in the future)');
    const scope = scopeOf(reader, 1);
    const values = [...scope.values];
    let source = 'hub.supervision_action a';
    if (asOf) {
      const rebuilt = await rebuildEntities(this.sql, 'SupervisionAction', asOf);
      values.push(JSON.stringify(rebuilt.map(({ id, version, values: v }) => ({
        id, version, kind: v.kind, county: v.county, child_id: v.childId, township: v.township, to_dept: v.toDept, number: v.number, deadline: v.deadline, note: v.note,
        status: v.status, opened_on: v.openedOn, opened_by: v.openedBy, opened_dept: v.openedDept, closed_on: v.closedOn, closed_by: v.closedBy, outcome: v.outcome,
      }))));
      source = REBUILT.replace('$X', `$${values.length}`);
    }
    const where = [scope.where];
    const add = (clause: (n: number) => string, value: unknown) => {
      values.push(value);
      where.push(clause(values.length));
    };
    if (filter.kind) {
      if (!(ACTION_KINDS as string[]).includes(filter.kind)) throw BadUserInputError.one('filter.kind', `应为 ${ACTION_KINDS.join(', ')}`);
      add((n) => `a.kind = $${n}`, filter.kind);
    }
    if (filter.status) {
      if (!['OPEN', 'CLOSED'].includes(filter.status)) throw BadUserInputError.one('filter.status', '应为 OPEN 或 CLOSED');
      add((n) => `a.status = $${n}`, filter.status);
    }
    if (filter.region) {
      if (!regions.get(filter.region) || (!reader.township && !regions.contains(reader.identity.region, filter.region))) throw BadUserInputError.one('filter.region', '应为您辖区内的地区代码 (must be a region within yours)');
      add((n) => `a.county = ANY($${n}::text[])`, regions.countyCodesWithin(filter.region));
    }
    if (filter.childId) {
      if (!UUID.test(filter.childId)) throw BadUserInputError.one('filter.childId', '应为UUID (must be a UUID)');
      add((n) => `a.child_id = $${n}`, filter.childId);
    }
    if (filter.overdue !== undefined && filter.overdue !== null) {
      add((n) => (filter.overdue ? `a.status = 'OPEN' AND a.deadline < $${n}` : `NOT (a.status = 'OPEN' AND a.deadline < $${n})`), asOf ? chinaDay(asOf) : this.clock.today());
    }
    const [{ n }] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${source} WHERE ${where.join(' AND ')}`, values);
    if (after) add((k) => `a.id > $${k}`, decodeCursor('action', after, UUID));
    values.push(first + 1);
    const rows = await this.sql.query<ActionRow>(`SELECT ${COLUMNS} FROM ${source} WHERE ${where.join(' AND ')} ORDER BY a.id LIMIT $${values.length}`, values);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: n };
  }

  /** The actions about many children at once (Child.supervisionActions), each only if the reader may see it: one statement. */
  async ofChildren(reader: Reader, childIds: readonly string[]): Promise<ActionRow[][]> {
    const scope = scopeOf(reader, 2);
    const rows = await this.sql.query<ActionRow>(`SELECT ${COLUMNS} FROM hub.supervision_action a WHERE a.child_id = ANY($1::uuid[]) AND ${scope.where} ORDER BY a.opened_on DESC, a.id`, [childIds, ...scope.values]);
    return childIds.map((id) => rows.filter((r) => r.childId === id));
  }

  static isOverdue(row: Pick<ActionRow, 'status' | 'deadline'>, today: string): boolean {
    return row.status === 'OPEN' && row.deadline < today;
  }
}
