import { ChangeSetType, type EventSubscriber, type FlushEventArgs, type TransactionEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeContexts } from '../core/unit-of-work';
import { childEntity, loggedEntity } from './catalogue';
import { APPENDS_AT_COMMIT, appendChangeLog, appendPendingEntries, type ChildRegions, type LoggedChange } from './change-log.writer';


const OPERATIONS: Partial<Record<ChangeSetType, LoggedChange['operation']>> = {
  [ChangeSetType.CREATE]: 'CREATE',
  [ChangeSetType.UPDATE]: 'UPDATE',
  [ChangeSetType.DELETE]: 'DELETE',
};

/**
 * The mutation hook: turns every flushed change set into change-log entries in the same
 * transaction (through the log's one writer, `appendChangeLog`), and appends a transaction's
 * entries just before it commits. It fails closed: a flush outside a registered write, of an
 * entity the log does not know, or whose entries cannot be written, fails, and so the change does
 * not happen.
 */
export class ChangeLogSubscriber implements EventSubscriber {
  readonly [APPENDS_AT_COMMIT] = true;

  async onFlush(args: FlushEventArgs): Promise<void> {
    const changeSets = args.uow.getChangeSets();
    if (changeSets.length === 0) return;
    const em = args.em as EntityManager;
    const write = writeContexts.get(em);
    if (!write || !em.isInTransaction()) {
      throw new Error('change-logged entities may only be written through a service write (runWrite)');
    }
    const changes = changeSets.map((cs): LoggedChange => {
      const operation = OPERATIONS[cs.type];
      if (!operation) throw new Error(`change log: no entry kind for ${cs.meta.className} ${cs.type}`);
      return {
        entityName: cs.meta.className,
        operation,
        entityId: String(cs.getPrimaryKey()),
        entity: cs.entity as Record<string, unknown>,
        original: (cs.originalEntity ?? {}) as Record<string, unknown>,
        payload: cs.payload as Record<string, unknown>,
      };
    });
    await appendChangeLog(em, write, changes, this.regionsInUnitOfWork(em, changes));
  }

  /** The last statements of every write's transaction: its entries, chained, and for a few entries the commit itself. */
  async beforeTransactionCommit(args: TransactionEventArgs): Promise<void> {
    if (args.em) await appendPendingEntries(args.em as EntityManager);
  }

  /** The children's regions the unit of work already holds (a child being created or loaded); the writer reads the others. */
  private regionsInUnitOfWork(em: EntityManager, changes: readonly LoggedChange[]): ChildRegions {
    const found: ChildRegions = new Map();
    const child = childEntity();
    for (const change of changes) {
      const id = loggedEntity(change.entityName)?.childIdOf(change.entity as Record<string, unknown>);
      if (!id || found.has(id)) continue;
      const loaded = em.getUnitOfWork().getById<object>(child.entityName, id);
      const regions = loaded && child.regionsOf(loaded as Record<string, unknown>);
      if (regions) found.set(id, regions);
    }
    return found;
  }
}
