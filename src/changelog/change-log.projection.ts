import type { Reader } from '../core/context';
import { isSensitive } from '../audit/sensitive-read.collector';
import { applyMask } from '../permissions/masks';
import { allLoggedEntities, loggedEntityByType } from './catalogue';
import type { ChangeLogEntryType, FieldChangeType } from './change-log.type';
import { storedEntry } from './change-log.verify';

/** Entity types whose changes the reader may be told of at all. */
export function visibleEntityTypes(reader: Reader): string[] {
  return allLoggedEntities().filter((e) => reader.access.canRead(e.visibleWith)).map((e) => e.type);
}

/** The change a moved record's entry holds (change-log.writer.ts), with its label. */
const MOVED_TO = 'childId';
const MOVED_LABEL = '所属儿童（合并重复登记时转移）the child it belongs to (moved by a merge)';

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * An entry as the reader may see it, or null when it may not learn of it at all: the same
 * matrix decides as for queries, so the log never carries a value the reader could not query.
 * An update that touched only fields hidden from the reader is not shown either.
 */
export function projectEntry(row: Record<string, unknown>, reader: Reader): ChangeLogEntryType | null {
  const entry = storedEntry(row);
  const logged = loggedEntityByType(entry.entity);
  if (!logged || !reader.access.canRead(logged.visibleWith)) return null;
  if (logged.visibleTo && !logged.visibleTo(reader, entry)) return null;
  const changes: FieldChangeType[] = [];
  for (const [field, change] of Object.entries(entry.changes)) {
    const key = `${entry.entity}.${field}`;
    // The child a record moved to (a merge) is told with the entry: the entry names that child
    // already. Only where it is no logged field of the entity (a supervision action's is, by the matrix).
    const moved = field === MOVED_TO && !(MOVED_TO in logged.fields);
    const level = logged.fieldsShownWithEntry || moved ? 'R' : reader.access.level(key);
    if (level === '-') continue;
    const shown = (value: unknown) => json(level === 'M' ? applyMask(key, value) : value);
    // A sensitive value in a log entry is a read of it like any other.
    if (level !== 'M' && isSensitive(key) && (change.before !== null || change.after !== null)) reader.audit.record(entry.childId, key);
    changes.push({ field, label: logged.fields[field] ?? (moved ? MOVED_LABEL : field), before: shown(change.before), after: shown(change.after) });
  }
  if (entry.operation === 'UPDATE' && changes.length === 0) return null;
  return {
    chain: String(row.chain),
    seq: entry.seq,
    at: entry.at,
    actorSub: entry.actorSub,
    actorDept: entry.actorDept,
    actorRegion: entry.actorRegion,
    operation: entry.operation,
    entity: entry.entity,
    entityLabel: logged.label,
    entityId: entry.entityId,
    childId: entry.childId,
    hukouRegion: entry.hukouRegion,
    residenceRegion: entry.residenceRegion,
    version: entry.version,
    changes,
    mutation: entry.mutation,
    reason: entry.reason,
    requestId: entry.requestId,
  };
}
