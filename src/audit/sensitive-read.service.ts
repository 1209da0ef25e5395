import { UUID } from '../core/ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import type { Identity } from '../auth/identity';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Sql } from '../db/sql';
import { regions } from '../regions/region.registry';
import { SENSITIVE_FIELDS, type SensitiveField } from './sensitive-read.collector';
import type { SensitiveReadConnection, SensitiveReadFilter, SensitiveReadType } from './sensitive-read.type';

/** The audit field of a notice export. */
export const EXPORT_FIELD = /^export:(xlsx|csv|print):\d{4}-\d{2}\/\d{6}\/[A-Z]+$/;

/** What a read that audits itself writes: who reads which field, for which request. */
export interface ReadAudit {
  readonly identity: Identity;
  readonly requestId: string;
  readonly field: SensitiveField;
  /** Output columns of the wrapped query: the child's id, and the sensitive value. */
  readonly childColumn: string;
  readonly valueColumn: string;
  /** Only the first `limit` rows (by the child column) are sent; a page fetches one more to know if another page follows. */
  readonly limit: number;
}

/**
 * Wraps a query so that the statement fetching sensitive values also writes their audit rows
 * (one per row with a value): nothing is fetched that is not audited, the audit costs no
 * statement of its own, and a failing audit fails the read itself. The rows come back ordered
 * by the child column.
 */
export function withReadAudit(query: { text: string; values: unknown[] }, audit: ReadAudit): { text: string; values: unknown[] } {
  const values = [...query.values];
  const p = (value: unknown) => `$${values.push(value)}`;
  const { identity } = audit;
  const child = `"${audit.childColumn}"`;
  const text = `WITH fetched AS (${query.text}),
    audit AS (
      INSERT INTO hub.sensitive_read (actor_sub, actor_dept, actor_region, actor_roles, child_id, field, request_id)
      SELECT ${p(identity.sub)}, ${p(identity.dept)}, ${p(identity.region)}, ${p(identity.roles)}::text[], r.${child}, ${p(audit.field)}, ${p(audit.requestId)}
      FROM (SELECT ${child}, "${audit.valueColumn}" AS value FROM fetched ORDER BY ${child} LIMIT ${p(audit.limit)}) r
      WHERE r.value IS NOT NULL ORDER BY r.${child})
    SELECT * FROM fetched ORDER BY ${child}`;
  return { text, values };
}

/** Writes and reads the sensitive-read audit. */
export class SensitiveReadService {
  constructor(private readonly sql: Sql) {}

  /** Records what one request sent; called before the response leaves, so a failure withholds it. */
  async flush(reader: Reader, requestId: string): Promise<void> {
    if (reader.audit.size === 0) return;
    const reads = reader.audit.entries();
    const { identity } = reader;
    await this.sql.query(
      `INSERT INTO hub.sensitive_read (actor_sub, actor_dept, actor_region, actor_roles, child_id, field, request_id)
       SELECT $1, $2, $3, $4, r.child_id, r.field, $5 FROM unnest($6::uuid[], $7::text[]) AS r(child_id, field)`,
      [identity.sub, identity.dept, identity.region, identity.roles, requestId, reads.map((r) => r.childId), reads.map((r) => r.field)],
    );
  }

  /**
   * Records one export of a notice (`export:<format>:<number>`): a row about no single child, in
   * the notice's region, written before the first byte of the export leaves.
   */
  async recordExport(identity: Identity, field: string, region: string, requestId: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO hub.sensitive_read (actor_sub, actor_dept, actor_region, actor_roles, child_id, region, field, request_id)
       VALUES ($1, $2, $3, $4, NULL, $5, $6, $7)`,
      [identity.sub, identity.dept, identity.region, identity.roles, region, field, requestId],
    );
  }

  async page(reader: Reader, filter: SensitiveReadFilter | undefined, first: number, after: string | null | undefined): Promise<SensitiveReadConnection> {
    if (!reader.identity.roles.includes('supervisor')) throw new ForbiddenError('只有督导可以查看敏感读取审计 (only supervisors read the audit)');
    checkPageSize(first);
    const params: unknown[] = [];
    const where: string[] = [];
    if (reader.counties) {
      // Reads of a child: by the child's counties; exports of a notice: by the notice's region.
      const p = `$${params.push(reader.counties)}`;
      const inRegion = regions.all().filter((r) => regions.contains(reader.identity.region, r.code)).map((r) => r.code);
      where.push(`(c.hukou_region = ANY(${p}) OR c.residence_region = ANY(${p}) OR a.region = ANY($${params.push(inRegion)}))`);
    }
    const f = filter ?? {};
    if (f.childId) {
      if (!UUID.test(f.childId)) throw BadUserInputError.one('filter.childId', '应为UUID (must be a UUID)');
      where.push(`a.child_id = $${params.push(f.childId)}`);
    }
    if (f.field) {
      if (!(SENSITIVE_FIELDS as readonly string[]).includes(f.field) && !EXPORT_FIELD.test(f.field)) {
        throw BadUserInputError.one('filter.field', `应为 ${SENSITIVE_FIELDS.join(', ')} 之一，或 export:<格式>:<通报编号>`);
      }
      where.push(`a.field = $${params.push(f.field)}`);
    }
    if (f.actorSub) where.push(`a.actor_sub = $${params.push(f.actorSub)}`);
    if (f.from) where.push(`a.at >= $${params.push(f.from)}`);
    if (f.to) where.push(`a.at < $${params.push(f.to)}`);
    if (after) where.push(`a.id > $${params.push(decodeCursor('audit', after, /^\d{1,18}$/))}`);
    const rows = await this.sql.query<SensitiveReadType>(
      `SELECT a.id::text AS id, a.at, a.actor_sub AS "actorSub", a.actor_dept AS "actorDept", a.actor_region AS "actorRegion",
              a.child_id AS "childId", a.region, a.field, a.request_id AS "requestId"
       FROM hub.sensitive_read a LEFT JOIN hub.child c ON c.id = a.child_id
       WHERE ${where.length ? where.join(' AND ') : 'TRUE'} ORDER BY a.id LIMIT $${params.push(first + 1)}`,
      params,
    );
    const edges = rows.slice(0, first).map((node) => ({ node, cursor: encodeCursor('audit', node.id) }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: !!after, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
