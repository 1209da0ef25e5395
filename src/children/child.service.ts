import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../core/clock';
import type { Reader } from '../core/context';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import { ConflictError, ForbiddenError, Problems } from '../core/errors';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { accessFor, inScope } from '../permissions/access';
import { ChildEntity } from './child.entity';
import type { ChildFilter, RegisterChildInput } from './child.input';
import { type ChildRow, childSelectList, scopeCondition, toChildView } from './child.loader';
import type { ChildView } from './child.type';
import { buildChildWhere, countQuery, pageQuery } from './children.query';
import { UUID, validateRegistration } from './child.validation';

export interface ChildPage {
  readonly nodes: ChildView[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly totalCount: () => Promise<number>;
}

export const MAX_BATCH = 1000;

/** Children: the federated list, lookups, and registration (the only way a child enters the hub). */
export class ChildService {
  constructor(
    private readonly orm: MikroORM,
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  async page(reader: Reader, filter: ChildFilter | undefined, first: number, after: string | null | undefined): Promise<ChildPage> {
    checkPageSize(first);
    const afterId = after ? decodeCursor('child', after, UUID) : null;
    const where = buildChildWhere(reader, filter);
    const query = pageQuery(reader, where, first, afterId);
    const rows = await this.sql.query<ChildRow>(query.text, query.values);
    const nodes = rows.slice(0, first).map((row) => toChildView(row, reader));
    return {
      nodes,
      cursors: nodes.map((n) => encodeCursor('child', n.id)),
      hasNextPage: rows.length > first,
      hasPreviousPage: afterId !== null,
      totalCount: async () => {
        const count = countQuery(where);
        const [row] = await this.sql.query<{ n: number }>(count.text, count.values);
        return row.n;
      },
    };
  }

  /**
   * Looking a child up by ID number is reading the number: it needs the number unmasked, or a
   * masked reader could confirm guesses of the hidden digits one lookup at a time.
   */
  async byIdNumber(reader: Reader, idNumber: string): Promise<ChildView | null> {
    const level = reader.access.level('Child.idNumber');
    if (level !== 'R' && level !== 'W') {
      throw new ForbiddenError('您的角色不能按身份证号查询 (your role may not look children up by ID number)');
    }
    const params: unknown[] = [idNumber];
    if (reader.counties) params.push(reader.counties);
    const rows = await this.sql.query<ChildRow>(
      `SELECT ${childSelectList(reader)} FROM hub.child c WHERE c.id_number = $1 AND ${scopeCondition(reader, 2)}`,
      params,
    );
    return rows.length ? toChildView(rows[0], reader) : null;
  }

  /** Registers a batch of children, all or none. Returns their ids in input order. */
  async register(actor: Actor, records: RegisterChildInput[], idempotencyKey?: string | null): Promise<WriteOutcome<string[]>> {
    const access = accessFor(actor.identity);
    if (!access.canWrite('Child.name')) {
      throw new ForbiddenError(`${actor.identity.dept} 的此角色不能登记儿童 (only education and public-security clerks register children)`);
    }
    const problems = new Problems();
    if (records.length === 0 || records.length > MAX_BATCH) problems.add('records', `每批 1 到 ${MAX_BATCH} 条 (a batch holds 1 to ${MAX_BATCH} records)`);
    records.forEach((record, index) => validateRegistration(record, index, this.clock, problems));
    const seen = new Map<string, number>();
    records.forEach((record, index) => {
      if (!record.idNumber) return;
      const earlier = seen.get(record.idNumber);
      if (earlier !== undefined) problems.add(`records[${index}].idNumber`, `与 records[${earlier}] 身份证号重复 (same ID number as records[${earlier}])`);
      seen.set(record.idNumber, index);
    });
    problems.throwIfAny();
    records.forEach((record, index) => {
      if (!inScope(actor.identity, record.hukouRegion, record.residenceRegion)) {
        throw new ForbiddenError(`records[${index}]: 户籍地和居住地均不在您的辖区 ${actor.identity.region} 内 (neither hukou nor residence is inside your region)`);
      }
    });
    return runWrite(this.orm, actor, 'registerChildren', idempotencyKey, records, async (em) => {
      const numbers = records.map((r) => r.idNumber).filter((n): n is string => !!n);
      if (numbers.length) {
        const existing = await em.find(ChildEntity, { idNumber: { $in: numbers } }, { fields: ['id', 'idNumber'] });
        if (existing.length) {
          const index = records.findIndex((r) => r.idNumber === existing[0].idNumber);
          throw new ConflictError(`records[${index}].idNumber: 该身份证号已登记为儿童 ${existing[0].id} (already registered)`, {
            existingChildId: existing[0].id,
            path: `records[${index}].idNumber`,
          });
        }
      }
      const ids = records.map((r) => r.id ?? randomUUID());
      records.forEach((record, index) => {
        em.create(ChildEntity, {
          id: ids[index],
          idNumber: record.idNumber || null,
          name: record.name.trim(),
          gender: record.gender,
          birthDate: record.birthDate,
          hukouRegion: record.hukouRegion,
          residenceRegion: record.residenceRegion,
          createdBy: actor.identity.sub,
          updatedBy: actor.identity.sub,
        } as ChildEntity);
      });
      return ids;
    });
  }
}
