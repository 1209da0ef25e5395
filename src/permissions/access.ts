import { ALL_DEPARTMENTS, type Department, type Identity, type Role, TOWNSHIP } from '../auth/identity';
import { regions } from '../regions/region.registry';
import { FIELD_MATRIX, type Level, ROLE_RULES } from './matrix';

const ORDER: Readonly<Record<Level, number>> = { '-': 0, M: 1, R: 2, W: 3 };
const max = (a: Level, b: Level): Level => (ORDER[a] >= ORDER[b] ? a : b);
const min = (a: Level, b: Level): Level => (ORDER[a] <= ORDER[b] ? a : b);

/** `Type.field` → the level of each department, parsed and checked once at start-up. */
function parseMatrix(source: Readonly<Record<string, string>>): ReadonlyMap<string, Readonly<Record<Department, Level>>> {
  const rows = new Map<string, Readonly<Record<Department, Level>>>();
  for (const [key, line] of Object.entries(source)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length !== ALL_DEPARTMENTS.length || !cells.every((c) => c in ORDER)) {
      throw new Error(`permission matrix row "${key}" must have ${ALL_DEPARTMENTS.length} cells of W R M -`);
    }
    const levels = Object.fromEntries(ALL_DEPARTMENTS.map((d, i) => [d, cells[i] as Level])) as Record<Department, Level>;
    const match = /^(\w+)\.(?:\{([\w,]+)\}|(\w+))$/.exec(key);
    if (!match) throw new Error(`permission matrix key "${key}" must read Type.field or Type.{a,b}`);
    const fields = match[2] ? match[2].split(',') : [match[3]];
    for (const field of fields) {
      const name = `${match[1]}.${field}`;
      if (rows.has(name)) throw new Error(`permission matrix names ${name} twice`);
      rows.set(name, Object.freeze(levels));
    }
  }
  return rows;
}

export const MATRIX = parseMatrix(FIELD_MATRIX);

/** Every `Type.field` the matrix governs. */
export function matrixFields(): string[] {
  return [...MATRIX.keys()];
}

/**
 * A role's level on a field. `forAggregates`: the level it may count the field at in statistics,
 * which for a role without row access (`rows: false`) is its column's level; for the others the same.
 */
function levelFor(dept: Department, role: Role, field: string, forAggregates = false): Level {
  const rule = ROLE_RULES[role];
  if (rule.departments && !rule.departments.includes(dept)) return '-';
  if (rule.rows === false && !forAggregates) return '-';
  const row = MATRIX.get(field);
  if (!row) return '-';
  let level: Level = rule.base === 'everything' ? 'R' : row[dept];
  level = min(level, rule.cap);
  const narrow = rule.narrow?.[field];
  if (narrow) level = min(level, narrow);
  const widen = rule.widen?.[field];
  if (widen) level = max(level, widen);
  return level;
}

/**
 * What one department-and-roles combination may do, decided once and cached, so that the
 * per-field work while answering a query is a map lookup.
 */
export class Access {
  private readonly levels = new Map<string, Level>();
  private readonly aggregateLevels = new Map<string, Level>();
  /** The department and roles it was decided from, the roles in order: what it is cached, and code compiled for it is kept, by. */
  readonly key: string;
  /** Whether any per-child row reaches this reader (false for analysts: statistics only). */
  readonly readsRows: boolean;

  constructor(
    readonly dept: Department,
    readonly roles: readonly Role[],
  ) {
    this.key = accessKey(dept, roles);
    for (const field of MATRIX.keys()) {
      let level: Level = '-';
      let aggregate: Level = '-';
      for (const role of roles) {
        level = max(level, levelFor(dept, role, field));
        aggregate = max(aggregate, levelFor(dept, role, field, true));
      }
      this.levels.set(field, level);
      this.aggregateLevels.set(field, aggregate);
    }
    this.readsRows = this.canRead('Child.id');
  }

  /** Whether statistics may count the field for this reader: read unmasked at the aggregate level. */
  canCount(field: string): boolean {
    const level = this.aggregateLevels.get(field) ?? '-';
    return level === 'R' || level === 'W';
  }

  level(field: string): Level {
    return this.levels.get(field) ?? '-';
  }

  canRead(field: string): boolean {
    return this.level(field) !== '-';
  }

  canWrite(field: string): boolean {
    return this.level(field) === 'W';
  }

  /** The fields of a type this reader may see, each with its level (R/W or M). */
  readable(typeName: string, fields: readonly string[]): Array<{ field: string; masked: boolean }> {
    const out: Array<{ field: string; masked: boolean }> = [];
    for (const field of fields) {
      const level = this.level(`${typeName}.${field}`);
      if (level !== '-') out.push({ field, masked: level === 'M' });
    }
    return out;
  }
}

const accessKey = (dept: Department, roles: readonly Role[]) => `${dept}:${[...roles].sort().join(',')}`;

const cache = new Map<string, Access>();

export function accessFor(identity: Pick<Identity, 'dept' | 'roles'>): Access {
  const key = accessKey(identity.dept, identity.roles);
  let access = cache.get(key);
  if (!access) {
    access = new Access(identity.dept, identity.roles);
    cache.set(key, access);
  }
  return access;
}

/**
 * The county codes whose children a user may see: a child is in scope when its hukou or residence
 * county is. Empty for a township user (whose code is no county's), so that any read scoped by
 * county alone shows a township user nothing: township scope is granted only where it is built.
 */
export function regionScope(identity: Pick<Identity, 'region'>): readonly string[] {
  return regions.countyCodesWithin(identity.region);
}

export function inScope(identity: Pick<Identity, 'region'>, ...countyCodes: string[]): boolean {
  return countyCodes.some((code) => regions.contains(identity.region, code));
}

/** The township a TOWNSHIP user is confined to (9-digit code), or null for everyone else. */
export function townshipOf(identity: Pick<Identity, 'dept' | 'region'>): string | null {
  return identity.dept === TOWNSHIP ? identity.region : null;
}

/**
 * Whether a user may narrow a read to a region: one inside its own or, for a township user, one
 * that holds its township (the township's scope still applies on top).
 */
export function mayFilterByRegion(identity: Pick<Identity, 'dept' | 'region'>, region: string): boolean {
  const township = townshipOf(identity);
  return township ? regions.contains(region, township.slice(0, 6)) : regions.contains(identity.region, region);
}

/** Whether a child is the user's: in its township for a township user, else by hukou or residence county. */
export function childInScope(
  identity: Pick<Identity, 'dept' | 'region'>,
  child: { hukouRegion: string; residenceRegion: string; township: string | null },
): boolean {
  const township = townshipOf(identity);
  return township ? child.township === township : inScope(identity, child.hukouRegion, child.residenceRegion);
}
