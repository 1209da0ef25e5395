import type { Department } from '../auth/identity';
import type { Problems } from '../core/errors';
import type { SectionEntity } from './section.entity';

/** Every upsert record names its child and, to update safely, the version it was read at. */
export interface SectionInput {
  childId: string;
  expectedVersion?: number | null;
}

export interface SectionField {
  /** Property of the entity, the GraphQL type and the input. */
  readonly name: string;
  readonly column: string;
  /** 中文 label, for notices, exports and error messages. */
  readonly label: string;
  /**
   * Must be given when the record is created, and may never be null. Any other field left out of
   * a write is unknown (null) on a new record and unchanged on an existing one, and `null` sent
   * for it clears it to unknown: "not said" is never stored as "no".
   */
  readonly required?: boolean;
  /** Why a (non-null) value is unacceptable, or null. GraphQL has already checked its type. */
  readonly check?: (value: never) => string | null;
}

/**
 * One department's section of the federated child: where it is stored, which fields it has and
 * how they are checked. The generic loader and upsert service work from this description, so
 * every section is read and written the same way.
 */
export interface SectionDefinition<E extends SectionEntity = SectionEntity> {
  /** Field of `Child` that holds this section. */
  readonly key: string;
  readonly typeName: string;
  readonly label: string;
  readonly dept: Department;
  readonly table: string;
  readonly entity: new () => E;
  readonly mutation: string;
  readonly fields: readonly SectionField[];
  /** Checks across fields, on the record as it will be stored. */
  readonly crossCheck?: (record: Readonly<Record<string, unknown>>, path: string, problems: Problems) => void;
}

/** Columns every section has; `timestamp` marks a timestamptz (a Date when read). */
export const META_COLUMNS: ReadonlyArray<{ name: string; column: string; timestamp?: boolean }> = [
  { name: 'version', column: 'version' },
  { name: 'updatedAt', column: 'updated_at', timestamp: true },
  { name: 'updatedBy', column: 'updated_by' },
];

export function maxLength(limit: number): (value: string) => string | null {
  return (value) => (value.length > limit ? `最多 ${limit} 个字符 (at most ${limit} characters)` : null);
}

export function notAfterToday(today: () => string): (value: string) => string | null {
  return (value) => (value > today() ? '日期不能晚于今天 (date is in the future)' : null);
}
