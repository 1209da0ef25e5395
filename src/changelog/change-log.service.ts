import DataLoader from 'dataloader';
import { isDepartment } from '../auth/identity';
import { UUID } from '../core/ids';
import { checkPageSize, encodeCursor } from '../core/connection';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Sql } from '../db/sql';
import { loggedEntityByType } from './catalogue';
import { projectEntry, visibleEntityTypes } from './change-log.projection';
import type { ChangeLogEntryType, ChangeLogFilter } from './change-log.type';
import { storedEntry, verifyChain, type VerifyResult } from './change-log.verify';
import { readDurable, WAL_AT_READ } from './durable-read';
import { advance, CHAIN_NAME, positionCursor, positionOfCursor, START } from './log-position';
import { inLogOrder, readAfter } from './log-read';

export interface ChangeLogPage {
  readonly entries: ChangeLogEntryType[];
  /** Each entry's cursor: the position after it. */
  readonly cursors: string[];
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
    const f = filter ?? {};
    const types = visibleEntityTypes(reader);
    if (f.childId && !UUID.test(f.childId)) throw BadUserInputError.one('filter.childId', '应为UUID (must be a UUID)');
    if (f.dept && !isDepartment(f.dept)) throw BadUserInputError.one('filter.dept', '未知部门 (unknown department)');
    if (f.entity) {
      const logged = loggedEntityByType(f.entity);
      if (!logged) throw BadUserInputError.one('filter.entity', `未知对象类型 ${f.entity} (unknown entity type)`);
      if (!reader.access.canRead(logged.visibleWith)) throw new ForbiddenError(`您无权查看 ${f.entity} 的变更 (you may not read ${f.entity})`);
    }
    // Whether a chain exists is not checked: an answer that differed would tell whether a county has written anything.
    if (f.chain && !CHAIN_NAME.test(f.chain)) throw BadUserInputError.one('filter.chain', '应为六位区划代码或 global (must be a six-digit region code or global)');
    for (const field of ['fromSeq', 'toSeq'] as const) {
      if (f[field] === undefined || f[field] === null) continue;
      // Sequence numbers count per chain: a range without its chain would mean a different range in each.
      if (!f.chain) throw BadUserInputError.one(`filter.${field}`, '序号按链编号，须同时给出 filter.chain (sequence numbers count per chain: give filter.chain too)');
      if (!Number.isInteger(f[field]) || f[field]! < 0) throw BadUserInputError.one(`filter.${field}`, '应为非负整数 (must be a non-negative integer)');
    }
    const where = (params: unknown[]): string => {
      const conditions = [scope(reader, params), `entity = ANY($${params.push(types)})`];
      if (f.childId) conditions.push(`child_id = $${params.push(f.childId)}`);
      if (f.dept) conditions.push(`actor_dept = $${params.push(f.dept)}`);
      if (f.entity) conditions.push(`entity = $${params.push(f.entity)}`);
      if (f.actorSub) conditions.push(`actor_sub = $${params.push(f.actorSub)}`);
      if (f.from) conditions.push(`at >= $${params.push(f.from)}`);
      if (f.to) conditions.push(`at < $${params.push(f.to)}`);
      if (f.fromSeq) conditions.push(`seq >= $${params.push(f.fromSeq)}`);
      if (f.toSeq !== undefined && f.toSeq !== null) conditions.push(`seq <= $${params.push(f.toSeq)}`);
      return conditions.join(' AND ');
    };
    const start = after ? positionOfCursor(after) : START;
    // What the reader has been given: each edge's cursor. It moves only on entries delivered, so a
    // cursor names no chain and no seq the reader was not shown (another county's write volume).
    const given = new Map(start);
    // Where the reading has got to: also past entries that project to nothing, so as not to read them twice here.
    const read = new Map(start);
    const entries: ChangeLogEntryType[] = [];
    const cursors: string[] = [];
    // A department pages through the log as it follows the feed, resuming from the position it
    // holds: only entries on disk leave, as from the feed (durable-read.ts).
    for (let round = 0; round < 20; round++) {
      const rows = await readAfter(this.sql, read, { where, counties: reader.counties, chains: f.chain ? [f.chain] : null, limit: first + 1 });
      for (const row of rows) {
        advance(read, row.chain, Number(row.seq));
        // Entries that project to nothing (an update of hidden fields only) are skipped; keep reading to fill the page.
        const entry = projectEntry(row, reader);
        if (!entry) continue;
        entries.push(entry);
        advance(given, entry.chain, entry.seq);
        cursors.push(positionCursor(given));
        if (entries.length > first) break;
      }
      if (entries.length > first || rows.length <= first) break;
    }
    return { entries: entries.slice(0, first), cursors: cursors.slice(0, first), hasNextPage: entries.length > first, hasPreviousPage: start.size > 0 };
  }

  /**
   * The latest entries of many children in one statement, newest first. A child's entries are in
   * more than one chain when its county of residence changed: each chain's latest are read, and
   * merged in the order they happened (`inLogOrder`).
   */
  loader(reader: Reader, limit: number): DataLoader<string, ChangeLogEntryType[]> {
    return new DataLoader(async (childIds) => {
      const params: unknown[] = [childIds];
      // With the entries of every record merged into the child (issue 16; a merged id is kept as an
      // alias of its survivor, moved on to the last survivor of a merge of a merge): their records
      // moved to it, and their history is its history, as an as-of read of it tells.
      const rows = await readDurable(
        this.sql,
        `SELECT *, ${WAL_AT_READ} FROM (SELECT l.*, r.of_child, row_number() OVER (PARTITION BY r.of_child, l.chain ORDER BY l.seq DESC) AS n
           FROM (SELECT id AS of_child, id AS record FROM unnest($1::uuid[]) AS c(id)
                 UNION ALL SELECT a.child_id, a.alias::uuid FROM hub.child_alias a WHERE a.kind = 'ID' AND a.child_id = ANY($1::uuid[])) r
           JOIN hub.change_log l ON l.child_id = r.record
           WHERE l.entity = ANY($${params.push(visibleEntityTypes(reader))})) t
         WHERE n <= $${params.push(limit * 3)}`,
        params,
      );
      const byChild = new Map<string, Array<Record<string, any>>>();
      for (const { of_child: child, ...row } of rows) {
        const list = byChild.get(child) ?? [];
        list.push(row);
        byChild.set(child, list);
      }
      return childIds.map((id) => {
        const ordered = inLogOrder((byChild.get(id) ?? []).map((row) => ({ row, chain: String(row.chain), seq: Number(row.seq), at: storedEntry(row).at }))).reverse();
        const out: ChangeLogEntryType[] = [];
        // Projected newest first and only as many as shown: projecting is what the read audit counts.
        for (const { row } of ordered) {
          if (out.length >= limit) break;
          const entry = projectEntry(row, reader);
          if (entry) out.push(entry);
        }
        return out;
      });
    });
  }

  /** A notice's entry cursor (notice.resolver.ts pages one notice's range by seq; changeLog's own cursors are positions). */
  cursor(entry: ChangeLogEntryType): string {
    return encodeCursor('log', String(entry.seq));
  }

  /** Only supervisors verify the chain (it reads every department's entries, though it shows none). */
  verify(reader: Reader): Promise<VerifyResult> {
    if (!reader.identity.roles.includes('supervisor')) throw new ForbiddenError('只有督导可以校验变更日志 (only supervisors verify the change log)');
    return verifyChain(this.sql);
  }
}
