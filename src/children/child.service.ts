import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../core/clock';
import type { Reader } from '../core/context';
import { checkPageSize, decodeCursor, encodeCursor } from '../core/connection';
import { ConflictError, ForbiddenError, Problems } from '../core/errors';
import { TOWNSHIP_CODE } from '../auth/identity';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { accessFor, inScope } from '../permissions/access';
import { withReadAudit } from '../audit/sensitive-read.service';
import { executeInTransaction } from '../changelog/change-log.append';
import { ChildEntity } from './child.entity';
import type { AssignTownshipInput, ChildFilter, ChildIdNumberInput, RegisterChildInput } from './child.input';
import { updateIdNumbers } from './id-number.update';
import { childrenInScope } from './child.scope';
import type { RegisteredChild, RegistrationCheck } from './registration-check';
import { type ChildRow, childSelectList, scopeCondition, toChildView } from './child.loader';
import type { ChildView } from './child.type';
import { buildChildWhere, countQuery, pageQuery } from './children.query';
import type { PageEmbed } from './child.page-embeds';
import { checkNumberRequired, checkTownship, UUID, validateRegistration } from './child.validation';
import { normaliseIdNumber } from './id-number';

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
    private readonly registrationCheck: RegistrationCheck | null = null,
  ) {}

  /**
   * One page of children, in one statement. `auditIdNumbersFor` (a request id) says the caller
   * will send the page's ID numbers: when the reader reads them unmasked, the statement writes
   * their audit too. `embeds` are parts of each child the statement fetches too, left on each
   * child as `embedded` for their field resolvers.
   */
  async page(
    reader: Reader, filter: ChildFilter | undefined, first: number, after: string | null | undefined,
    { auditIdNumbersFor = null, embeds = [] }: { auditIdNumbersFor?: string | null; embeds?: readonly PageEmbed[] } = {},
  ): Promise<ChildPage> {
    checkPageSize(first);
    const afterId = after ? decodeCursor('child', after, UUID) : null;
    const where = buildChildWhere(reader, filter);
    const level = reader.access.level('Child.idNumber');
    const audit = auditIdNumbersFor !== null && (level === 'R' || level === 'W');
    const statement = (parts: readonly PageEmbed[]) => {
      const query = pageQuery(reader, where, first, afterId, parts);
      if (!audit) return query;
      return withReadAudit(query, { identity: reader.identity, requestId: auditIdNumbersFor, field: 'Child.idNumber', childColumn: 'id', valueColumn: 'idNumber', limit: first });
    };
    let fetched: Array<ChildRow & Record<string, unknown>>;
    try {
      const query = statement(embeds);
      fetched = await this.sql.query(query.text, query.values);
    } catch (error) {
      if (embeds.length === 0) throw error;
      // A part that cannot be read (a department's table unavailable) must not take the page down
      // with it: without the parts, each is read by its own loader and only the failing one errs.
      embeds = [];
      const query = statement(embeds);
      fetched = await this.sql.query(query.text, query.values);
    }
    const nodes = fetched.slice(0, first).map((row) => {
      const view = toChildView(row, reader);
      if (embeds.length) {
        const embedded: Record<string, unknown> = {};
        for (const embed of embeds) embedded[embed.field] = embed.read(row[embed.column]);
        view.embedded = embedded;
      }
      return view;
    });
    if (audit) for (const node of nodes) if (node.idNumber !== null) reader.audit.recorded(node.id, 'Child.idNumber');
    return {
      nodes,
      cursors: nodes.map((n) => encodeCursor('child', n.id)),
      hasNextPage: fetched.length > first,
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
    const params: unknown[] = [normaliseIdNumber(idNumber)];
    // A number that was corrected, or that belonged to a record merged into another, still finds the child.
    const rows = await this.sql.query<ChildRow>(
      `SELECT ${childSelectList(reader)} FROM hub.child c
       WHERE (c.id_number = $1 OR c.id = (SELECT a.child_id FROM hub.child_alias a WHERE a.alias = $1 AND a.kind = 'ID_NUMBER')) AND ${scopeCondition(reader, params)}
       ORDER BY c.id_number = $1 DESC LIMIT 1`,
      params,
    );
    return rows.length ? toChildView(rows[0], reader) : null;
  }

  /** The child an old id now names (a record merged into it), or null; the caller reads it under its own scope. */
  async aliasOf(id: string): Promise<string | null> {
    const [row] = await this.sql.query<{ childId: string }>(`SELECT child_id AS "childId" FROM hub.child_alias WHERE alias = $1 AND kind = 'ID'`, [id.toLowerCase()]);
    return row?.childId ?? null;
  }

  /** Registers a batch of children, all or none. Returns their ids in input order. */
  async register(actor: Actor, input: RegisterChildInput[], idempotencyKey?: string | null): Promise<WriteOutcome<string[]>> {
    const records = input.map((record) => (record.idNumber ? { ...record, idNumber: normaliseIdNumber(record.idNumber) } : record));
    const access = accessFor(actor.identity);
    if (!access.canWrite('Child.name')) {
      throw new ForbiddenError(`${actor.identity.dept} 的此角色不能登记儿童 (only the departments' clerks register children)`);
    }
    // Where a child lives within the county is set by who may write it (Child.township), also at registration.
    const township = records.findIndex((r) => r.township);
    if (township >= 0 && !access.canWrite('Child.township')) {
      throw new ForbiddenError(`records[${township}].township: 您的部门与角色不能登记乡镇（街道）(your department and role may not set the township)`);
    }
    const problems = new Problems();
    if (records.length === 0 || records.length > MAX_BATCH) problems.add('records', `每批 1 到 ${MAX_BATCH} 条 (a batch holds 1 to ${MAX_BATCH} records)`);
    records.forEach((record, index) => {
      validateRegistration(record, index, this.clock, problems);
      checkNumberRequired(record, index, actor.identity.dept, problems);
    });
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
    const ids = records.map((r) => r.id ?? randomUUID());
    const registered = records.map((record, index): RegisteredChild => ({
      id: ids[index],
      idNumber: record.idNumber || null,
      name: record.name.trim(),
      gender: record.gender,
      birthDate: record.birthDate,
      hukouRegion: record.hukouRegion,
      residenceRegion: record.residenceRegion,
      township: record.township ?? null,
    }));
    const begun = this.registrationCheck?.begin?.(actor, registered);
    return runWrite(this.orm, actor, 'registerChildren', idempotencyKey, records, async (em) => {
      const numbers = records.map((r) => r.idNumber).filter((n): n is string => !!n);
      if (numbers.length) {
        const existing: Array<{ idNumber: string | null }> = await em.find(ChildEntity, { idNumber: { $in: numbers } }, { fields: ['idNumber'] });
        // A number kept as an alias (corrected, or of a merged record) names a child too.
        existing.push(...await executeInTransaction<{ idNumber: string }>(em, `SELECT alias AS "idNumber" FROM hub.child_alias WHERE kind = 'ID_NUMBER' AND alias = ANY(?::text[])`, [numbers]));
        if (existing.length) {
          // The same answer whether or not the caller may read the child: the number is taken, and
          // nothing about whom it names (no id, region or name; no scope check to time). A caller
          // that may read the child finds it with childByIdNumber, which answers null outside its scope.
          const index = records.findIndex((r) => r.idNumber === existing[0].idNumber);
          throw new ConflictError(`records[${index}].idNumber: 该身份证号已登记，可用 childByIdNumber 查询 (this ID number is already registered; look it up with childByIdNumber)`, {
            path: `records[${index}].idNumber`,
          });
        }
      }
      const created = registered.map((child) => em.create(ChildEntity, { ...child, createdBy: actor.identity.sub, updatedBy: actor.identity.sub } as ChildEntity));
      if (this.registrationCheck) await this.registrationCheck.registered(em, actor, created, begun);
      return ids;
    });
  }

  /** The police give children their ID numbers, or correct them (the old number kept as an alias); all or none. */
  updateIdNumbers(actor: Actor, records: ChildIdNumberInput[], idempotencyKey?: string | null): Promise<WriteOutcome<string[]>> {
    return updateIdNumbers(this.orm, actor, records, idempotencyKey, this.registrationCheck, MAX_BATCH);
  }

  /** Sets (or clears) the township children live in, all or none. Returns their ids in input order. */
  async assignTownships(actor: Actor, records: AssignTownshipInput[], idempotencyKey?: string | null): Promise<WriteOutcome<string[]>> {
    if (!accessFor(actor.identity).canWrite('Child.township')) {
      throw new ForbiddenError('您的部门与角色不能登记乡镇（街道）(only education and public-security clerks set townships)');
    }
    const problems = new Problems();
    if (records.length === 0 || records.length > MAX_BATCH) problems.add('records', `每批 1 到 ${MAX_BATCH} 条 (a batch holds 1 to ${MAX_BATCH} records)`);
    records.forEach((r, i) => {
      if (!UUID.test(r.childId)) problems.add(`records[${i}].childId`, '应为UUID (must be a UUID)');
      if (r.township !== null && !TOWNSHIP_CODE.test(r.township)) problems.add(`records[${i}].township`, `乡镇（街道）代码应为9位数字 (a township code has 9 digits): ${r.township}`);
      if (records.findIndex((o) => o.childId === r.childId) !== i) problems.add(`records[${i}].childId`, '同一儿童重复 (same child twice)');
    });
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'assignTownships', idempotencyKey, records, async (em) => {
      const found = await childrenInScope(em, actor, records.map((r) => r.childId), (i) => `records[${i}].childId`);
      const inRegion = new Problems();
      records.forEach((r, i) => {
        const child = found.get(r.childId)!;
        if (r.township !== null) checkTownship(r.township, child.residenceRegion, `records[${i}].township`, inRegion);
        child.township = r.township;
        child.updatedBy = actor.identity.sub;
      });
      inRegion.throwIfAny();
      return records.map((r) => r.childId);
    });
  }
}
