import type { Reader } from '../core/context';

/** How the change log names and labels one kind of entity, and which matrix field makes it visible. */
export interface LoggedEntity {
  /** GraphQL type name, the key of its fields in the permission matrix. */
  readonly type: string;
  readonly label: string;
  /** A reader who may not read this `Child.…` field is not told the entity changed at all. */
  readonly visibleWith: string;
  /** Logged fields and their Chinese labels; bookkeeping fields (version, timestamps) are not. */
  readonly fields: Readonly<Record<string, string>>;
  /** The child the entity is about, or null for records about no child (a notice's acknowledgement). */
  readonly childIdOf: (entity: Record<string, unknown>) => string | null;
  /** For the child itself: its hukou and residence counties (both set), which place every entry about it. */
  readonly childRegionsOf?: (entity: Record<string, unknown>) => { hukou: string; residence: string } | null;
  /** For records about no child: the region the entry belongs to. */
  readonly regionOf?: (entity: Record<string, unknown>) => string;
  /** Fields outside the matrix, shown to whoever may see the entry (a notice's acknowledgement). */
  readonly fieldsShownWithEntry?: boolean;
  /** A further, per-entry condition on who may be told of it. */
  readonly visibleTo?: (reader: Reader, entry: { actorDept: string }) => boolean;
}

/**
 * What a domain hands the composition root (src/app/modules.ts): the tables it maps, and how the
 * change log records each of its logged entities. The log imports no domain: it learns of them here.
 */
export interface DomainModule {
  /** MikroORM entity classes, for the database's entity list. */
  readonly entities: readonly (abstract new (...args: never[]) => object)[];
  /** Each logged entity's class and how the log names, labels and scopes it. */
  readonly logged: ReadonlyArray<readonly [entity: { readonly name: string }, logged: LoggedEntity]>;
}

const byEntityName = new Map<string, LoggedEntity>();
const byType = new Map<string, LoggedEntity>();

/**
 * Adds the domains' logged entities, at start (src/app/modules.ts, from every entry point). Adding
 * the same definition again changes nothing; a second, different definition of a class or of a
 * GraphQL type is refused, so one entity can never be labelled or scoped two ways.
 */
export function registerLoggedEntities(modules: readonly DomainModule[]): void {
  for (const [entity, logged] of modules.flatMap((m) => m.logged)) {
    const known = byEntityName.get(entity.name);
    if (known === logged) continue;
    if (known || byType.has(logged.type)) throw new Error(`change log: ${entity.name} (${logged.type}) is registered twice`);
    byEntityName.set(entity.name, logged);
    byType.set(logged.type, logged);
  }
}

/** Fails loudly when no module was registered: an empty catalogue would show every reader an empty log. */
function catalogue(): ReadonlyMap<string, LoggedEntity> {
  if (byEntityName.size === 0) {
    throw new Error('change log: no logged entity is registered; the entry point must call registerModules() (src/app/modules.ts) first');
  }
  return byEntityName;
}

export function loggedEntity(entityName: string): LoggedEntity | undefined {
  return catalogue().get(entityName);
}

export function loggedEntityByType(type: string): LoggedEntity | undefined {
  catalogue();
  return byType.get(type);
}

/** The entity that is the child (the one with childRegionsOf), by class name. */
export function childEntity(): { readonly entityName: string; readonly regionsOf: NonNullable<LoggedEntity['childRegionsOf']> } {
  for (const [entityName, logged] of catalogue()) {
    if (logged.childRegionsOf) return { entityName, regionsOf: logged.childRegionsOf };
  }
  throw new Error('change log: no registered module logs the child itself (childRegionsOf); see src/app/modules.ts');
}

export function allLoggedEntities(): LoggedEntity[] {
  return [...catalogue().values()];
}
