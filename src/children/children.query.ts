import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';
import { OPEN_DROPOUT_STATUSES } from '../ledger/dropout-case.enums';
import { regions } from '../regions/region.registry';
import { mayFilterByRegion } from '../permissions/access';
import type { ChildFilter } from './child.input';
import { childSelectList, scopeCondition } from './child.loader';

/** A WHERE clause with its parameters, built from a filter the reader is allowed to use. */
export interface ChildWhere {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Filtering on a value is reading it: each filter names the matrix field it reads, and a reader
 * who may not read that field unmasked is refused, so nobody learns a hidden value by filtering.
 */
function requireReadable(reader: Reader, field: string, filterName: string): void {
  const level = reader.access.level(field);
  if (level !== 'R' && level !== 'W') {
    throw new ForbiddenError(`不能按无权查看的字段筛选 (filter ${filterName} reads ${field}, which your role may not read)`);
  }
}

function exists(table: string, condition: string, wanted: boolean): string {
  return `${wanted ? '' : 'NOT '}EXISTS (SELECT 1 FROM ${table} s WHERE s.child_id = c.id AND ${condition})`;
}

export function buildChildWhere(reader: Reader, filter: ChildFilter | undefined): ChildWhere {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const parts: string[] = [];
  parts.push(scopeCondition(reader, params));
  const f = filter ?? {};
  if (f.region !== undefined && f.region !== null) {
    requireReadable(reader, 'Child.hukouRegion', 'region');
    if (!regions.get(f.region)) throw BadUserInputError.one('filter.region', `未知的区划代码 ${f.region} (unknown region code)`);
    if (!mayFilterByRegion(reader.identity, f.region)) {
      throw new ForbiddenError(`区划 ${f.region} 不在您的辖区 ${reader.identity.region} 内 (region outside your own)`);
    }
    const p = param(regions.countyCodesWithin(f.region));
    parts.push(`(c.hukou_region = ANY(${p}) OR c.residence_region = ANY(${p}))`);
  }
  if (f.schoolStatus?.length) {
    requireReadable(reader, 'EducationRecord.status', 'schoolStatus');
    parts.push(exists('edu.education_record', `s.status = ANY(${param(f.schoolStatus)})`, true));
  }
  if (f.stage) {
    requireReadable(reader, 'EducationRecord.stage', 'stage');
    parts.push(exists('edu.education_record', `s.stage = ${param(f.stage)}`, true));
  }
  if (f.hasOpenDropoutCase !== undefined && f.hasOpenDropoutCase !== null) {
    requireReadable(reader, 'DropoutCase.status', 'hasOpenDropoutCase');
    parts.push(exists('edu.dropout_case', `s.status = ANY(${param(OPEN_DROPOUT_STATUSES)})`, f.hasOpenDropoutCase));
  }
  if (f.specialGroups?.length) {
    const columns = f.specialGroups.map((group) => {
      const flag = SPECIAL_GROUP_FLAGS[group];
      requireReadable(reader, `CivilAffairsRecord.${flag.field}`, `specialGroups ${group}`);
      return `s.${flag.column}`;
    });
    parts.push(exists('civil.civil_affairs_record', `(${columns.join(' OR ')})`, true));
  }
  // A flag may be unknown (null): `true` finds the children recorded yes, `false` every other child
  // (recorded no, unknown, or without a record), so that the two together miss no child.
  if (f.registeredPoor !== undefined && f.registeredPoor !== null) {
    requireReadable(reader, 'PovertyRecord.registeredPoor', 'registeredPoor');
    parts.push(exists('poverty.poverty_record', 's.registered_poor', f.registeredPoor));
  }
  if (f.hasDisability !== undefined && f.hasDisability !== null) {
    requireReadable(reader, 'DisabilityRecord.disabilityType', 'hasDisability');
    parts.push(exists('dpf.disability_record', 'TRUE', f.hasDisability));
  }
  if (f.hasSeriousIllness !== undefined && f.hasSeriousIllness !== null) {
    requireReadable(reader, 'HealthRecord.seriousIllness', 'hasSeriousIllness');
    parts.push(exists('health.health_record', 's.serious_illness', f.hasSeriousIllness));
  }
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/** The id of a page's child, for the subqueries of `pageQuery`'s embedded parts. */
export const PAGE_CHILD_ID = 'p."id"';

/**
 * One page, keyset-paginated by id: fetches one row more than asked to know if a next page
 * exists. `embedded` are subqueries per child (JSON), evaluated only for the page's rows, each
 * under its column name.
 */
export function pageQuery(
  reader: Reader, where: ChildWhere, first: number, after: string | null, embedded: ReadonlyArray<{ column: string; subquery: string }> = [],
): { text: string; values: unknown[] } {
  const values = [...where.params];
  let condition = where.sql;
  if (after) condition += ` AND c.id > $${values.push(after)}::uuid`;
  const limit = `$${values.push(first + 1)}`;
  const page = `SELECT ${childSelectList(reader)} FROM hub.child c WHERE ${condition} ORDER BY c.id LIMIT ${limit}`;
  if (embedded.length === 0) return { text: page, values };
  const columns = embedded.map((e) => {
    if (!/^embed:[A-Za-z]+$/.test(e.column)) throw new Error(`not an embedded column name: ${e.column}`);
    return `${e.subquery} AS "${e.column}"`;
  });
  return { text: `SELECT p.*, ${columns.join(', ')} FROM (${page}) p ORDER BY ${PAGE_CHILD_ID}`, values };
}

export function countQuery(where: ChildWhere): { text: string; values: unknown[] } {
  return { text: `SELECT count(*)::int AS n FROM hub.child c WHERE ${where.sql}`, values: where.params };
}
