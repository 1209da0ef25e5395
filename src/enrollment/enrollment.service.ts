import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { UUID } from '../children/child.validation';
import { isRealDate } from '../children/id-number';
import { scopeCondition } from '../children/child.loader';
import type { Clock } from '../core/clock';
import type { Reader } from '../core/context';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import { BadUserInputError, ForbiddenError, NotFoundError, Problems } from '../core/errors';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { EducationRecordEntity } from '../departments/education/education.entity';
import type { Stage } from '../departments/education/education.enums';
import { DropoutCaseEntity } from '../ledger/dropout-case.entity';
import { OPEN_DROPOUT_STATUSES } from '../ledger/dropout-case.enums';
import { childrenInScope } from '../children/child.scope';
import { requireWrite } from '../ledger/ledger.scope';
import { inScope, mayFilterByRegion } from '../permissions/access';
import { regions } from '../regions/region.registry';
import { EnrollmentNoticeEntity } from './enrollment-notice.entity';
import type { SchoolKind } from './enrollment.enums';
import type { EnrollmentArrivalInput, EnrollmentNoticeFilter, IssueEnrollmentNoticesInput } from './enrollment.input';
import type { EnrollmentNoticeType } from './enrollment.types';

/** GraphQL field → column of edu.enrollment_notice. */
export const NOTICE_COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', schoolYear: 'school_year', stage: 'stage', number: 'number', schoolName: 'school_name', schoolKind: 'school_kind', priority: 'priority',
  reportOn: 'report_on', issuedOn: 'issued_on', arrivedOn: 'arrived_on', status: 'status', caseId: 'case_id',
  version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};

/** Who enters which grade: six by 31 August for primary (义务教育法第十一条), twelve for junior secondary. */
const ENTRY: Readonly<Record<Stage, { age: number; grade: number }>> = { PRIMARY: { age: 6, grade: 1 }, JUNIOR_SECONDARY: { age: 12, grade: 7 } };

export function entryCohort(schoolYear: number, stage: Stage): { bornFrom: string; bornTo: string } {
  const age = ENTRY[stage].age;
  return { bornFrom: `${schoolYear - age - 1}-09-01`, bornTo: `${schoolYear - age}-08-31` };
}

export interface IssueOutcome {
  issued: number;
  alreadyIssued: number;
  priorityInPublic: number;
  placesLeft: number;
}

export interface NonArrivalOutcome {
  marked: number;
  casesOpened: number;
  /** Children without household registration among the non-arrivals, for the police. */
  withoutHukou: string[];
}

/** The select list of a notice for a reader: withheld columns are not fetched. */
export function noticeSelect(reader: Reader, alias = 'n'): string {
  return Object.entries(NOTICE_COLUMNS)
    .map(([field, column]) => (reader.access.canRead(`EnrollmentNotice.${field}`) ? `${alias}.${column} AS "${field}"` : `NULL AS "${field}"`))
    .join(', ');
}

/**
 * Enrollment (三(一)): from the children the police registered in a county, education assigns
 * schools (public places first to poverty-registered families), issues each child's notice,
 * records arrivals, and puts those who did not report on the dropout ledger; children among them
 * without household registration are listed for the police.
 */
export class EnrollmentService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql, private readonly clock: Clock) {}

  private county(actor: Actor, region: string, path: string): void {
    if (!regions.isCounty(region)) throw BadUserInputError.one(path, `应为县级区划代码 (a county code): ${region}`);
    if (!inScope(actor.identity, region)) throw new ForbiddenError(`${path}: 区划 ${region} 不在您的辖区内 (outside your region)`);
  }

  async issue(actor: Actor, input: IssueEnrollmentNoticesInput): Promise<WriteOutcome<IssueOutcome>> {
    requireWrite(actor, 'EnrollmentNotice.schoolName', '发放入学通知书');
    const today = this.clock.today();
    const problems = new Problems();
    if (!Number.isInteger(input.schoolYear) || input.schoolYear < 2000 || input.schoolYear > 2100) problems.add('input.schoolYear', '学年无效 (not a school year)');
    if (!isRealDate(input.reportOn) || input.reportOn < today) problems.add('input.reportOn', '报到日期应为今天或以后 (today or later)');
    else if (input.reportOn.slice(0, 4) !== String(input.schoolYear)) problems.add('input.reportOn', `报到日期应在 ${input.schoolYear} 年 (in ${input.schoolYear})`);
    if (input.schools.length === 0 || input.schools.length > 200) problems.add('input.schools', '1 到 200 所学校 (1 to 200 schools)');
    input.schools.forEach((s, i) => {
      if (!s.name.trim() || s.name.length > 100) problems.add(`input.schools[${i}].name`, '必填，最多100字 (required, at most 100 characters)');
      if (!Number.isInteger(s.places) || s.places < 1 || s.places > 10_000) problems.add(`input.schools[${i}].places`, '学位数应为 1 到 10000 (1 to 10,000)');
      if (input.schools.findIndex((o) => o.name.trim() === s.name.trim()) !== i) problems.add(`input.schools[${i}].name`, '学校重复 (the same school twice)');
    });
    problems.throwIfAny();
    this.county(actor, input.region, 'input.region');
    const stage = input.stage as Stage;
    const { bornFrom, bornTo } = entryCohort(input.schoolYear, stage);
    return runWrite(this.orm, actor, 'issueEnrollmentNotices', null, input, async (em) => {
      // One issuer per county and year at a time, so that numbers run on without gaps or clashes.
      await em.execute('SELECT pg_advisory_xact_lock(727100002, hashtext(?))', [`${input.schoolYear}:${input.region}`]);
      // In the order the notices are numbered and written: by birth date, which every reader of a
      // notice may read. Numbers, and the change log's order, must not tell priority (poverty
      // registration) to departments that may not read it, nor print it on the guardian's notice.
      const roster: Array<{ id: string; priority: boolean }> = await em.execute(
        `SELECT c.id, COALESCE(p.registered_poor OR p.monitored_household, false) AS priority
         FROM hub.child c
         JOIN psb.public_security_record s ON s.child_id = c.id AND s.whereabouts <> 'DECEASED'
         LEFT JOIN poverty.poverty_record p ON p.child_id = c.id
         WHERE c.residence_region = ? AND c.birth_date BETWEEN ?::date AND ?::date
           AND NOT EXISTS (SELECT 1 FROM edu.enrollment_notice n WHERE n.child_id = c.id AND n.school_year = ?)
         ORDER BY c.birth_date, c.id`,
        [input.region, bornFrom, bornTo, input.schoolYear],
      );
      const [{ issued: before }] = await em.execute<Array<{ issued: number }>>(
        'SELECT count(*)::int AS issued FROM edu.enrollment_notice WHERE region = ? AND school_year = ?', [input.region, input.schoolYear],
      );
      const ordered = [...input.schools.filter((s) => s.kind === 'PUBLIC'), ...input.schools.filter((s) => s.kind !== 'PUBLIC')];
      const places = ordered.reduce((sum, s) => sum + s.places, 0);
      if (roster.length > places) {
        throw BadUserInputError.one('input.schools', `学位不足：需要 ${roster.length} 个，提供 ${places} 个 (${roster.length} children need places; ${places} offered)`);
      }
      // Places are handed out priority first (public schools first), then numbered in roster order.
      const schoolOf = new Map<string, (typeof ordered)[number]>();
      let school = 0;
      let used = 0;
      for (const child of [...roster.filter((c) => c.priority), ...roster.filter((c) => !c.priority)]) {
        while (used >= ordered[school].places) {
          school++;
          used = 0;
        }
        schoolOf.set(child.id, ordered[school]);
        used++;
      }
      let priorityInPublic = 0;
      roster.forEach((child, i) => {
        const assigned = schoolOf.get(child.id)!;
        if (child.priority && assigned.kind === 'PUBLIC') priorityInPublic++;
        em.create(EnrollmentNoticeEntity, {
          id: randomUUID(), childId: child.id, region: input.region, schoolYear: input.schoolYear, stage,
          number: `${input.schoolYear}-${input.region}-${String(before + i + 1).padStart(6, '0')}`,
          schoolName: assigned.name.trim(), schoolKind: assigned.kind as SchoolKind, priority: child.priority, reportOn: input.reportOn, issuedOn: today,
          arrivedOn: null, status: 'ISSUED', caseId: null, updatedBy: actor.identity.sub,
        } as EnrollmentNoticeEntity);
      });
      return { issued: roster.length, alreadyIssued: before, priorityInPublic, placesLeft: places - roster.length };
    });
  }

  /** 报到: the child arrived; the education record shows it enrolled at the school, in the entry grade. */
  async recordArrivals(actor: Actor, arrivals: EnrollmentArrivalInput[], key?: string | null): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'EnrollmentNotice.arrivedOn', '登记报到');
    requireWrite(actor, 'EducationRecord.status', '登记报到');
    const today = this.clock.today();
    const problems = new Problems();
    if (arrivals.length === 0 || arrivals.length > 1000) problems.add('arrivals', '每批 1 到 1000 条 (1 to 1000 arrivals)');
    arrivals.forEach((a, i) => {
      if (!UUID.test(a.noticeId)) problems.add(`arrivals[${i}].noticeId`, '应为UUID (must be a UUID)');
      if (!isRealDate(a.arrivedOn) || a.arrivedOn > today) problems.add(`arrivals[${i}].arrivedOn`, '应为不晚于今天的日期 (a date not in the future)');
      if (arrivals.findIndex((o) => o.noticeId === a.noticeId) !== i) problems.add(`arrivals[${i}].noticeId`, '同一通知书重复 (the same notice twice)');
    });
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'recordEnrollmentArrivals', key, arrivals, async (em) => {
      const notices = new Map((await em.find(EnrollmentNoticeEntity, { id: { $in: arrivals.map((a) => a.noticeId) } })).map((n) => [n.id, n]));
      const childIds = arrivals.map((a) => notices.get(a.noticeId)?.childId ?? a.noticeId);
      await childrenInScope(em, actor, childIds, (i) => `arrivals[${i}].noticeId`);
      const records = new Map((await em.find(EducationRecordEntity, { childId: { $in: childIds } })).map((r) => [r.childId, r]));
      const late = new Problems();
      arrivals.forEach((a, i) => {
        const notice = notices.get(a.noticeId)!;
        if (notice.status === 'ARRIVED') late.add(`arrivals[${i}].noticeId`, `已于 ${notice.arrivedOn} 报到 (already arrived)`);
        if (a.arrivedOn < notice.issuedOn) late.add(`arrivals[${i}].arrivedOn`, `早于通知书发放日期 ${notice.issuedOn} (before the notice was issued)`);
        notice.status = 'ARRIVED';
        notice.arrivedOn = a.arrivedOn;
        notice.updatedBy = actor.identity.sub;
        const record = records.get(notice.childId) ?? em.create(EducationRecordEntity, { childId: notice.childId, updatedBy: actor.identity.sub } as never);
        record.status = 'ENROLLED';
        record.stage = notice.stage;
        record.grade = ENTRY[notice.stage].grade;
        record.schoolName = notice.schoolName;
        record.updatedBy = actor.identity.sub;
      });
      late.throwIfAny();
      return childIds;
    });
  }

  /**
   * After the report date: notices still not answered are marked, and each such child gets a
   * dropout case (reason to be verified, the school responsible) unless one is already open.
   */
  async markNonArrivals(actor: Actor, schoolYear: number, region: string, responsiblePerson: string): Promise<WriteOutcome<NonArrivalOutcome>> {
    requireWrite(actor, 'EnrollmentNotice.status', '标记未报到');
    requireWrite(actor, 'DropoutCase.status', '立案');
    if (!responsiblePerson.trim() || responsiblePerson.length > 50) throw BadUserInputError.one('responsiblePerson', '必填，最多50字 (required, at most 50 characters)');
    this.county(actor, region, 'region');
    const today = this.clock.today();
    return runWrite(this.orm, actor, 'markNonArrivals', null, { schoolYear, region, responsiblePerson }, async (em) => {
      const due = await em.find(EnrollmentNoticeEntity, { region, schoolYear, status: 'ISSUED', reportOn: { $lt: today } }, { orderBy: { number: 'asc' } });
      const childIds = due.map((n) => n.childId);
      const open = new Map((await em.find(DropoutCaseEntity, { childId: { $in: childIds }, status: { $in: [...OPEN_DROPOUT_STATUSES] } })).map((c) => [c.childId, c]));
      let casesOpened = 0;
      for (const notice of due) {
        let found = open.get(notice.childId);
        if (!found) {
          found = em.create(DropoutCaseEntity, {
            id: randomUUID(), childId: notice.childId, reason: 'TO_BE_VERIFIED', status: 'OPEN', openedOn: today, closedOn: null,
            notes: `入学通知书 ${notice.number} 未按期（${notice.reportOn}）报到 (did not report by the date on the enrollment notice)`,
            responsiblePerson: responsiblePerson.trim(), responsibleUnit: notice.schoolName, deadline: this.clock.caseDeadline(),
            placement: null, policeConfirmedOn: null, policeConfirmedBy: null, updatedBy: actor.identity.sub,
          } as unknown as DropoutCaseEntity);
          casesOpened++;
        }
        notice.status = 'NOT_ARRIVED';
        notice.caseId = found.id;
        notice.updatedBy = actor.identity.sub;
      }
      const withoutHukou = childIds.length
        ? (await em.execute<Array<{ child_id: string }>>(
          `SELECT child_id FROM psb.public_security_record WHERE child_id = ANY(?::uuid[]) AND hukou_status = 'NO_HUKOU' ORDER BY child_id`, [`{${childIds.join(',')}}`],
        )).map((r) => r.child_id)
        : [];
      return { marked: due.length, casesOpened, withoutHukou };
    });
  }

  /** Notices of a school year in the reader's scope, by number. */
  async page(reader: Reader, filter: EnrollmentNoticeFilter, first: number, after: string | null | undefined): Promise<{ nodes: EnrollmentNoticeType[]; totalCount: number; endCursor: string | null; hasNextPage: boolean }> {
    checkPageSize(first);
    const params: unknown[] = [filter.schoolYear];
    const where = ['n.school_year = $1', scopeCondition(reader, params)];
    if (filter.region) {
      if (!regions.get(filter.region)) throw BadUserInputError.one('filter.region', `未知的区划代码 ${filter.region} (unknown region code)`);
      if (!mayFilterByRegion(reader.identity, filter.region)) {
        throw new ForbiddenError(`区划 ${filter.region} 不在您的辖区内 (region outside your own)`);
      }
      where.push(`n.region = ANY($${params.push(regions.countyCodesWithin(filter.region))})`);
    }
    if (filter.status) where.push(`n.status = $${params.push(filter.status)}`);
    if (filter.withoutHukou) {
      if (!reader.access.canRead('PublicSecurityRecord.hukouStatus')) throw new ForbiddenError('不能按无权查看的户籍状态筛选 (withoutHukou reads PublicSecurityRecord.hukouStatus, which your role may not read)');
      where.push(`EXISTS (SELECT 1 FROM psb.public_security_record s WHERE s.child_id = n.child_id AND s.hukou_status = 'NO_HUKOU')`);
    }
    const countParams = [...params];
    const [{ total }] = await this.sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM edu.enrollment_notice n JOIN hub.child c ON c.id = n.child_id WHERE ${where.join(' AND ')}`, countParams);
    if (after) where.push(`n.number > $${params.push(decodeCursor('enrollment', after, /^[\w-]{1,40}$/))}`);
    const rows = await this.sql.query<EnrollmentNoticeType & { cursor: string }>(
      `SELECT ${noticeSelect(reader)}, n.child_id AS "childId", n.number AS cursor FROM edu.enrollment_notice n JOIN hub.child c ON c.id = n.child_id
       WHERE ${where.join(' AND ')} ORDER BY n.number LIMIT $${params.push(first + 1)}`,
      params,
    );
    const nodes = rows.slice(0, first);
    const endCursor = nodes.length ? encodeCursor('enrollment', nodes[nodes.length - 1].cursor) : null;
    return { nodes: nodes.map(({ cursor: _cursor, ...n }) => n), totalCount: total, endCursor, hasNextPage: rows.length > first };
  }

  /** One notice in the reader's scope, with its child's id, or NOT_FOUND. */
  async get(reader: Reader, id: string): Promise<EnrollmentNoticeType & { childId: string; region: string }> {
    const params: unknown[] = [UUID.test(id) ? id : '00000000-0000-0000-0000-000000000000'];
    const [row] = await this.sql.query<EnrollmentNoticeType & { childId: string; region: string }>(
      `SELECT ${noticeSelect(reader)}, n.child_id AS "childId", n.region FROM edu.enrollment_notice n JOIN hub.child c ON c.id = n.child_id
       WHERE n.id = $1 AND ${scopeCondition(reader, params)}`,
      params,
    );
    if (!row) throw new NotFoundError(`您的辖区内没有入学通知书 ${id} (no such enrollment notice in your region)`);
    return row;
  }
}
