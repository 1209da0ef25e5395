import DataLoader from 'dataloader';
import { isDepartment } from '../auth/identity';
import { UUID } from '../core/ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Sql } from '../db/sql';
import { loggedEntityByType } from './catalogue';
import { projectEntry, visibleEntityTypes } from './change-log.projection';
import type { ChangeLogEntryType, ChangeLogFilter } from './change-log.type';
import { verifyChain, type VerifyResult } from './change-log.verify';
import { readDurable, WAL_AT_READ } from './durable-read';

export interface ChangeLogPage {
  readonly entries: ChangeLogEntryType[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

function scope(reader: Reader, params: unknown[]): string {
  if (!reader.counties) return 'TRUE';
  const p = `$${params.push(reader.counties)}`;
  return `(hukou_region = ANY(${p}) OR residence_region = ANY(${p}))`;
}

/** Reading the change log, always through the reader's region and permissions. */
export class ChangeLogService {
  constructor(private readonly sql: Sql) {}

  async page(reader: Reader, filter: ChangeLogFilter | undefined, first: number, after: string | null | undefined): Promise<ChangeLogPage> {
    checkPageSize(first);
    const params: unknown[] = [];
    const where = [scope(reader, params), `entity = ANY($${params.push(visibleEntityTypes(reader))})`];
    const f = filter ?? {};
    if (f.childId) {
      if (!UUID.test(f.childId)) throw BadUserInputError.one('filter.childId', '应为UUID (must be a UUID)');
      where.push(`child_id = $${params.push(f.childId)}`);
    }
    if (f.dept) {
      if (!isDepartment(f.dept)) throw BadUserInputError.one('filter.dept', '未知部门 (unknown department)');
      where.push(`actor_dept = $${params.push(f.dept)}`);
    }
    if (f.entity) {
      const logged = loggedEntityByType(f.entity);
      if (!logged) throw BadUserInputError.one('filter.entity', `未知对象类型 ${f.entity} (unknown entity type)`);
      if (!reader.access.canRead(logged.visibleWith)) throw new ForbiddenError(`您无权查看 ${f.entity} 的变更 (you may not read ${f.entity})`);
      where.push(`entity = $${params.push(f.entity)}`);
    }
    if (f.actorSub) where.push(`actor_sub = $${params.push(f.actorSub)}`);
    if (f.from) where.push(`at >= $${params.push(f.from)}`);
    if (f.to) where.push(`at < $${params.push(f.to)}`);
    if (f.fromSeq) where.push(`seq >= $${params.push(f.fromSeq)}`);
    if (f.toSeq) where.push(`seq <= $${params.push(f.toSeq)}`);
    let afterSeq = after ? Number(decodeCursor('log', after, /^\d{1,15}$/)) : 0;
    const hasPreviousPage = afterSeq > 0;
    const seqParam = params.push(afterSeq);
    const limitParam = params.push(first + 1);
    // A department pages through the log as it follows the feed, resuming after the last seq it
    // holds: only entries on disk leave, as from the feed (durable-read.ts).
    const text = `SELECT *, ${WAL_AT_READ} FROM hub.change_log WHERE ${where.join(' AND ')} AND seq > $${seqParam} ORDER BY seq LIMIT $${limitParam}`;
    // Entries that project to nothing (an update of hidden fields only) are skipped; keep reading to fill the page.
    const entries: ChangeLogEntryType[] = [];
    for (let round = 0; round < 20; round++) {
      params[seqParam - 1] = afterSeq;
      const rows = await readDurable(this.sql, text, params);
      for (const row of rows) {
        afterSeq = Number(row.seq);
        const entry = projectEntry(row, reader);
        if (entry) entries.push(entry);
        if (entries.length > first) break;
      }
      if (entries.length > first || rows.length <= first) break;
    }
    return { entries: entries.slice(0, first), hasNextPage: entries.length > first, hasPreviousPage };
  }

  cursor(entry: ChangeLogEntryType): string {
    return encodeCursor('log', String(entry.seq));
  }

  /** The latest entries of many children in one statement. */
  loader(reader: Reader, limit: number): DataLoader<string, ChangeLogEntryType[]> {
    return new DataLoader(async (childIds) => {
      const params: unknown[] = [childIds];
      const rows = await readDurable(
        this.sql,
        `SELECT *, ${WAL_AT_READ} FROM (SELECT *, row_number() OVER (PARTITION BY child_id ORDER BY seq DESC) AS n FROM hub.change_log
           WHERE child_id = ANY($1::uuid[]) AND entity = ANY($${params.push(visibleEntityTypes(reader))})) t
         WHERE n <= $${params.push(limit * 3)} ORDER BY seq DESC`,
        params,
      );
      const byChild = new Map<string, ChangeLogEntryType[]>();
      for (const row of rows) {
        const entry = projectEntry(row, reader);
        if (!entry) continue;
        const list = byChild.get(entry.childId) ?? [];
        if (list.length < limit) list.push(entry);
        byChild.set(entry.childId, list);
      }
      return childIds.map((id) => byChild.get(id) ?? []);
    });
  }

  /** Only supervisors verify the chain (it reads every department's entries, though it shows none). */
  verify(reader: Reader): Promise<VerifyResult> {
    if (!reader.identity.roles.includes('supervisor')) throw new ForbiddenError('只有督导可以校验变更日志 (only supervisors verify the change log)');
    return verifyChain(this.sql);
  }
}
