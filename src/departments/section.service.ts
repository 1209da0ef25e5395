import type { MikroORM } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import { UUID } from '../core/ids';
import { MAX_BATCH } from '../children/child.service';
import { missingChild } from '../children/child.scope';
import type { RequestContext } from '../core/context';
import { ConflictError, ForbiddenError, Problems } from '../core/errors';
import { type Actor, runWrite, writeContexts, type WriteOutcome } from '../core/unit-of-work';
import { appendChangeLog, type ChildRegions } from '../changelog/change-log.writer';
import type { Sql } from '../db/sql';
import { accessFor, inScope } from '../permissions/access';
import type { SectionDefinition, SectionInput } from './section';
import { changesOf, readBeforeWrite, type RowWrite, writeRows } from './section.batch';
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
    return this.loader(ctx, def).load(childId);
  }

  /** The request's one loader of a section (the page's statement fills it too). */
  loader(ctx: RequestContext, def: SectionDefinition): DataLoader<string, SectionRow | null> {
    return ctx.loader(`section:${def.key}`, () => sectionLoader(this.sql, ctx.reader(), def));
  }

  /**
   * Creates or updates one section for a batch of children, all or none. Absent fields are null
   * (unknown) on a new record and stay as they are on an existing one; `null` clears an optional field. Returns the child ids in input order.
   */
  async upsert(actor: Actor, def: SectionDefinition, records: ReadonlyArray<SectionInput & Values>, idempotencyKey?: string | null): Promise<WriteOutcome<string[]>> {
    this.authorise(actor, def, records);
    this.validate(def, records);
    return runWrite(this.orm, actor, def.mutation, idempotencyKey, records, async (em) => {
      const childIds = records.map((r) => r.childId);
      const found = await readBeforeWrite(em, def, childIds);
      const missing = records.findIndex((r) => {
        const child = found.get(r.childId);
        return !child || !inScope(actor.identity, child.hukouRegion, child.residenceRegion);
      });
      if (missing >= 0) throw await missingChild(em, actor, `records[${missing}].childId`, records[missing].childId);

      const problems = new Problems();
      const writes: RowWrite[] = [];
      records.forEach((record, index) => {
        const path = `records[${index}]`;
        const row = found.get(record.childId)!.row;
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
        // As the ORM's unit of work would: an existing row is written only if a value (or its author) changes.
        // Only the fields given are written: one left out stays null (unknown) on a new row.
        const values: Values = {};
        for (const field of def.fields) {
          const value = record[field.name];
          if (value !== undefined && (!row || !sameValue(row[field.name], value))) values[field.name] = value;
        }
        if (!row || Object.keys(values).length > 0 || row.updatedBy !== actor.identity.sub) writes.push({ childId: record.childId, values, before: row });
      });
      problems.throwIfAny();
      const at = new Date();
      const regions: ChildRegions = new Map();
      for (const [id, child] of found) regions.set(id, { hukou: child.hukouRegion, residence: child.residenceRegion });
      // The rows' statement first: a large batch's entries are made while the database runs it. It
      // fails the write, when it fails, at the await; the catch only keeps Node from calling it unhandled meanwhile.
      const written = writeRows(em, def, writes, actor.identity.sub, at);
      written.catch(() => undefined);
      await appendChangeLog(em, writeContexts.get(em)!, changesOf(def, writes, actor.identity.sub, at), regions);
      await written;
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
        if (value === null && field.required) problems.add(`${path}.${field.name}`, `${field.label}不能为空 (may not be null)`);
        if (value === undefined || value === null || !field.check) continue;
        const problem = field.check(value as never);
        if (problem) problems.add(`${path}.${field.name}`, `${field.label}: ${problem}`);
      }
    });
    problems.throwIfAny();
  }
}

/** Whether a stored value and a written one are the same (what the ORM compares: scalars of the column's type). */
function sameValue(stored: unknown, written: unknown): boolean {
  return stored === written || (stored instanceof Date && written instanceof Date && stored.getTime() === written.getTime());
}

/** `expectedVersion` 0 means "must not exist yet"; any other number must equal the stored version. */
function checkVersion(record: SectionInput, row: Values | null, path: string): void {
  const expected = record.expectedVersion;
  if (expected === undefined || expected === null) return;
  const current = (row?.version as number | undefined) ?? 0;
  if (expected !== current) {
    throw new ConflictError(`${path}.expectedVersion: 期望版本 ${expected}，当前版本 ${current} (stale version; read the record again)`, {
      path: `${path}.expectedVersion`,
      currentVersion: current,
    });
  }
}
