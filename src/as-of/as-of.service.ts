import { type ChildRow, toChildView } from '../children/child.loader';
import type { ChildView } from '../children/child.type';
import type { Reader } from '../core/context';
import type { Sql } from '../db/sql';
import { META_COLUMNS, type SectionDefinition } from '../departments/section';
import type { SectionRow } from '../departments/section.loader';
import { SECTIONS } from '../departments/sections';
import type { DropoutCaseType } from '../ledger/dropout-case.type';
import { applyMask } from '../permissions/masks';
import { loggedEntityByType } from '../changelog/catalogue';
import { projectEntry } from '../changelog/change-log.projection';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import { storedEntry } from '../changelog/change-log.verify';
import { inLogOrder } from '../changelog/log-read';
import type { StoredEntry } from '../changelog/hash-chain';

/** One logged entity (the child, a section, a dropout case) as the log says it stood. */
interface EntityState {
  readonly entityId: string;
  /** False when the log holds updates but not the creation (a record written before the log, e.g. seeded). */
  readonly created: boolean;
  readonly createdAt: Date;
  /** The child its entries are about (the entry's, not a logged field), or null. */
  readonly childId: string | null;
  readonly values: Record<string, unknown>;
  version: number | null;
  updatedAt: Date;
  updatedBy: string;
}

/** The logged fields of an entity type, as the change-log hook writes them. */
const loggedFields = (type: string): string[] => Object.keys(loggedEntityByType(type)?.fields ?? {});

/** Applies entries in the order they happened (`inLogOrder`): CREATE and UPDATE set their `after` values, DELETE removes the entity. */
function replay(entries: readonly StoredEntry[]): Map<string, EntityState> {
  const states = new Map<string, EntityState>();
  for (const entry of entries) {
    const key = `${entry.entity}:${entry.entityId}`;
    if (entry.operation === 'DELETE') {
      states.delete(key);
      continue;
    }
    let state = states.get(key);
    if (!state || entry.operation === 'CREATE') {
      state = {
        entityId: entry.entityId, created: entry.operation === 'CREATE', createdAt: entry.at, childId: entry.childId ?? null, values: {}, version: null,
        updatedAt: entry.at, updatedBy: entry.actorSub,
      };
      states.set(key, state);
    }
    for (const [field, change] of Object.entries(entry.changes)) state.values[field] = change.after;
    state.version = entry.version;
    state.updatedAt = entry.at;
    state.updatedBy = entry.actorSub;
  }
  return states;
}

/** A section row shaped and projected like the section loader's: readable columns only, masks applied. */
function sectionRow(def: SectionDefinition, state: EntityState, childId: string, reader: Reader): SectionRow {
  const meta: Record<string, unknown> = { version: state.version, updatedAt: state.updatedAt, updatedBy: state.updatedBy };
  const columns = [...def.fields.map((f) => f.name), ...META_COLUMNS.map((c) => c.name)];
  const row: SectionRow = { childId };
  for (const { field, masked } of reader.access.readable(def.typeName, columns)) {
    const value = field in meta ? meta[field] : (state.values[field] ?? null);
    row[field] = masked ? applyMask(`${def.typeName}.${field}`, value) : value;
  }
  return row;
}

/** A ledger record (dropout case, visit, assessment) shaped like its loader's rows: columns the reader may not read are null. */
function ledgerRow(type: string, state: EntityState, reader: Reader): Record<string, unknown> {
  const all: Record<string, unknown> = { id: state.entityId, version: state.version, updatedAt: state.updatedAt, updatedBy: state.updatedBy };
  for (const field of loggedFields(type)) all[field] = state.values[field] ?? null;
  const row: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(all)) row[field] = reader.access.canRead(`${type}.${field}`) ? value : null;
  return row;
}

/** A child's records of one ledger type at that time, newest first by their date field. */
function ledgerRows(states: Map<string, EntityState>, type: string, dateField: string, reader: Reader): Array<Record<string, unknown>> {
  const found = [...states].filter(([key]) => key.startsWith(`${type}:`)).map(([, state]) => state);
  found.sort((a, b) => String(b.values[dateField] ?? '').localeCompare(String(a.values[dateField] ?? '')) || b.createdAt.getTime() - a.createdAt.getTime());
  return found.map((state) => ledgerRow(type, state, reader));
}

/** Home-teaching arrangements with their visits (grouped by the arrangement each visit names). */
function homeTeachingRows(states: Map<string, EntityState>, reader: Reader): Array<Record<string, unknown>> {
  const visits = [...states].filter(([key]) => key.startsWith('HomeTeachingVisit:')).map(([, state]) => state);
  const visible = reader.access.canRead('HomeTeaching.visits');
  return ledgerRows(states, 'HomeTeaching', 'startedOn', reader).map((row) => {
    const own = new Map(visits.filter((v) => row.id !== null && v.values.homeTeachingId === row.id).map((v) => [`HomeTeachingVisit:${v.entityId}`, v]));
    return { ...row, visits: visible ? ledgerRows(own, 'HomeTeachingVisit', 'visitedOn', reader) : null };
  });
}

/** One entity's logged values as the log says they stood at a time: its id, version and every logged field. */
export interface RebuiltEntity {
  readonly id: string;
  /** When its CREATE entry was written. */
  readonly createdAt: Date;
  /** The child its entries are about (kept by the entry, not as a logged field), or null. */
  readonly childId: string | null;
  readonly version: number | null;
  readonly values: Record<string, unknown>;
}

/**
 * Every entity of a logged type as it stood at `asOf`, rebuilt from the change log (entries in the
 * order they happened, chains merged by time), whatever child it concerns or none (a county
 * interview). Only those whose creation is in the log: a record loaded around the API has no past.
 * The caller scopes them to the reader, as it scopes the live table.
 */
export async function rebuildEntities(sql: Sql, entity: string, asOf: Date): Promise<RebuiltEntity[]> {
  const found = await sql.query('SELECT * FROM hub.change_log WHERE entity = $1 AND at <= $2', [entity, asOf]);
  const ordered = inLogOrder(found.map((row) => {
    const entry = storedEntry(row);
    return { entry, chain: String(row.chain), seq: entry.seq, at: entry.at };
  }));
  return [...replay(ordered.map((o) => o.entry)).values()].filter((state) => state.created)
    .map((state) => ({ id: state.entityId, createdAt: state.createdAt, childId: state.childId, version: state.version, values: state.values }));
}

/**
 * As-of reads (DESIGN.md section 8): a child's federated record as it stood at a given time,
 * rebuilt from the change log and shown under TODAY's permissions, through the same projection
 * and masks as a live read. The log covers what was written through the API: records that were
 * loaded around it (the demo seed) have no entries, so a child registered that way has no past,
 * and fields of a record whose creation is not in the log are known only from later updates.
 */
export class AsOfService {
  constructor(private readonly sql: Sql) {}

  /** The child at `asOf`, or null when the log says it did not exist then. Region scope is the caller's (today's regions). */
  async child(reader: Reader, childId: string, asOf: Date): Promise<ChildView | null> {
    // A child whose county of residence changed has entries in two chains: each in its chain's
    // order, the chains merged by time (inLogOrder).
    // With the entries of any record merged into it by then (issue 16): their records moved to it,
    // each with an entry of its own naming the move, and their earlier entries are its history;
    // and so on down, for a record that had itself been a survivor (a merge of a merge).
    const found = await this.sql.query(`WITH RECURSIVE records(id) AS (
        SELECT $1::uuid
        UNION
        SELECT (m.changes -> 'mergedId' ->> 'after')::uuid FROM records r JOIN hub.change_log m ON m.child_id = r.id
         WHERE m.entity = 'ChildMerge' AND m.at <= $2 AND m.changes -> 'role' ->> 'after' = 'SURVIVOR')
      SELECT * FROM hub.change_log WHERE at <= $2 AND child_id IN (SELECT id FROM records)`, [childId, asOf]);
    const ordered = inLogOrder(found.map((row) => {
      const entry = storedEntry(row);
      return { row, entry, chain: String(row.chain), seq: entry.seq, at: entry.at };
    }));
    const rows = ordered.map((o) => o.row);
    const states = replay(ordered.map((o) => o.entry));
    const child = states.get(`Child:${childId}`);
    if (!child?.created) return null;

    const readable = (field: string) => reader.access.canRead(`Child.${field}`);
    const row = {
      id: childId,
      version: readable('version') ? (child.version ?? 1) : null,
      createdAt: readable('createdAt') ? child.createdAt : null,
      updatedAt: readable('updatedAt') ? child.updatedAt : null,
    } as Record<string, unknown>;
    for (const field of loggedFields('Child')) row[field] = readable(field) ? (child.values[field] ?? null) : null;
    const view = toChildView(row as unknown as ChildRow, reader);

    const sections: Record<string, SectionRow | null> = {};
    for (const def of SECTIONS) {
      const state = states.get(`${def.typeName}:${childId}`);
      sections[def.key] = state && reader.access.canRead(`Child.${def.key}`) ? sectionRow(def, state, childId, reader) : null;
    }
    view.snapshot = {
      asOf,
      sections,
      dropoutCases: reader.access.canRead('Child.dropoutCases') ? (ledgerRows(states, 'DropoutCase', 'openedOn', reader) as unknown as DropoutCaseType[]) : null,
      persuasionVisits: reader.access.canRead('Child.persuasionVisits') ? ledgerRows(states, 'PersuasionVisit', 'visitedOn', reader) : null,
      assessments: reader.access.canRead('Child.assessments') ? ledgerRows(states, 'Assessment', 'assessedOn', reader) : null,
      homeTeaching: reader.access.canRead('Child.homeTeaching') ? homeTeachingRows(states, reader) : null,
      enrollmentNotices: reader.access.canRead('Child.enrollmentNotices')
        ? ledgerRows(states, 'EnrollmentNotice', 'issuedOn', reader).map((row) => ({ ...row, childId }))
        : null,
      // Projected only when asked for, and only as many as asked for: projecting is what the read audit counts.
      changes: (last: number): ChangeLogEntryType[] => {
        const out: ChangeLogEntryType[] = [];
        for (let i = rows.length - 1; i >= 0 && out.length < last; i--) {
          const entry = projectEntry(rows[i], reader);
          if (entry) out.push(entry);
        }
        return out;
      },
    };
    return view;
  }
}
