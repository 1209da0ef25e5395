import type { MikroORM } from '@mikro-orm/postgresql';
import { ChildEntity } from '../children/child.entity';
import { UUID } from '../children/child.validation';
import { MAX_BATCH } from '../children/child.service';
import type { RequestContext } from '../core/context';
import { ConflictError, ForbiddenError, NotFoundError, Problems } from '../core/errors';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { accessFor, inScope } from '../permissions/access';
import type { SectionDefinition, SectionInput } from './section';
import type { SectionEntity } from './section.entity';
import { type SectionRow, sectionLoader } from './section.loader';

type Values = Record<string, unknown>;

/** Reads and writes every department section the same way, from its SectionDefinition. */
export class SectionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly sql: Sql,
  ) {}

  /** The section of one child, batched with every other child of the request. Null when absent or not visible. */
  async load(ctx: RequestContext, def: SectionDefinition, childId: string): Promise<SectionRow | null> {
    const reader = ctx.reader();
    if (!reader.access.canRead(`Child.${def.key}`)) return null;
    return ctx.loader(`section:${def.key}`, () => sectionLoader(this.sql, reader, def)).load(childId);
  }

  /**
   * Creates or updates one section for a batch of children, all or none. Absent fields stay as
   * they are; `null` clears an optional field. Returns the child ids in input order.
   */
  async upsert(actor: Actor, def: SectionDefinition, records: ReadonlyArray<SectionInput & Values>, idempotencyKey?: string | null): Promise<WriteOutcome<string[]>> {
    this.authorise(actor, def, records);
    this.validate(def, records);
    return runWrite(this.orm, actor, def.mutation, idempotencyKey, records, async (em) => {
      const childIds = records.map((r) => r.childId);
      const children = await em.find(ChildEntity, { id: { $in: childIds } }, { fields: ['id', 'hukouRegion', 'residenceRegion'] });
      const visible = new Set(children.filter((c) => inScope(actor.identity, c.hukouRegion, c.residenceRegion)).map((c) => c.id));
      const missing = records.findIndex((r) => !visible.has(r.childId));
      if (missing >= 0) throw new NotFoundError(`records[${missing}].childId: 您的辖区内没有儿童 ${records[missing].childId} (no such child in your region)`);

      const existing = new Map((await em.find(def.entity, { childId: { $in: childIds } } as never)).map((row: SectionEntity) => [row.childId, row]));
      const problems = new Problems();
      records.forEach((record, index) => {
        const path = `records[${index}]`;
        const row = existing.get(record.childId);
        checkVersion(record, row, path);
        const merged: Values = { ...(row ?? {}) };
        for (const field of def.fields) if (record[field.name] !== undefined) merged[field.name] = record[field.name];
        for (const field of def.fields) {
          if (field.required && (merged[field.name] === undefined || merged[field.name] === null)) {
            problems.add(`${path}.${field.name}`, `${field.label}为必填项 (required)`);
          }
        }
        def.crossCheck?.(merged, path, problems);
        if (problems.count) return;
        const target = row ?? em.create(def.entity, { childId: record.childId, updatedBy: actor.identity.sub } as never);
        const changes: Values = { updatedBy: actor.identity.sub };
        for (const field of def.fields) if (record[field.name] !== undefined) changes[field.name] = record[field.name];
        em.assign(target, changes as never);
      });
      problems.throwIfAny();
      return childIds;
    });
  }

  private authorise(actor: Actor, def: SectionDefinition, records: ReadonlyArray<Values>): void {
    const access = accessFor(actor.identity);
    if (!access.canWrite(`Child.${def.key}`)) {
      throw new ForbiddenError(`只有${def.label}部门的录入员可以写入此部分 (only ${def.dept} clerks write the ${def.key} section)`);
    }
    for (const field of def.fields) {
      if (records.some((r) => r[field.name] !== undefined) && !access.canWrite(`${def.typeName}.${field.name}`)) {
        throw new ForbiddenError(`不能写入字段 ${def.typeName}.${field.name} (your role may not write this field)`);
      }
    }
  }

  private validate(def: SectionDefinition, records: ReadonlyArray<SectionInput & Values>): void {
    const problems = new Problems();
    if (records.length === 0 || records.length > MAX_BATCH) problems.add('records', `每批 1 到 ${MAX_BATCH} 条 (a batch holds 1 to ${MAX_BATCH} records)`);
    const seen = new Map<string, number>();
    records.forEach((record, index) => {
      const path = `records[${index}]`;
      if (!UUID.test(record.childId)) problems.add(`${path}.childId`, '应为UUID (must be a UUID)');
      const earlier = seen.get(record.childId);
      if (earlier !== undefined) problems.add(`${path}.childId`, `与 records[${earlier}] 重复 (same child as records[${earlier}])`);
      seen.set(record.childId, index);
      const version = record.expectedVersion;
      if (version !== undefined && version !== null && (!Number.isInteger(version) || version < 0)) {
        problems.add(`${path}.expectedVersion`, '版本号应为非负整数 (must be a non-negative integer)');
      }
      for (const field of def.fields) {
        const value = record[field.name];
        if (value === null && (field.required || field.notNull)) problems.add(`${path}.${field.name}`, `${field.label}不能为空 (may not be null)`);
        if (value === undefined || value === null || !field.check) continue;
        const problem = field.check(value as never);
        if (problem) problems.add(`${path}.${field.name}`, `${field.label}: ${problem}`);
      }
    });
    problems.throwIfAny();
  }
}

/** `expectedVersion` 0 means "must not exist yet"; any other number must equal the stored version. */
function checkVersion(record: SectionInput, row: SectionEntity | undefined, path: string): void {
  const expected = record.expectedVersion;
  if (expected === undefined || expected === null) return;
  const current = row?.version ?? 0;
  if (expected !== current) {
    throw new ConflictError(`${path}.expectedVersion: 期望版本 ${expected}，当前版本 ${current} (stale version; read the record again)`, {
      path: `${path}.expectedVersion`,
      currentVersion: current,
    });
  }
}
