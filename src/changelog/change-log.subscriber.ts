import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ChildEntity } from '../children/child.entity';
import { writeContexts } from '../core/unit-of-work';
import { loggedEntity } from './catalogue';
import { entryHash, GENESIS_HASH, type StoredEntry } from './hash-chain';

/** One lock for the whole log: appenders take it in turn, so the chain never forks and seq has no gaps. */
export const CHAIN_LOCK = 727_100_001;

const OPERATIONS: Partial<Record<ChangeSetType, StoredEntry['operation']>> = {
  [ChangeSetType.CREATE]: 'CREATE',
  [ChangeSetType.UPDATE]: 'UPDATE',
  [ChangeSetType.DELETE]: 'DELETE',
};

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

/**
 * The mutation hook: turns every flushed change set into change-log entries in the same
 * transaction. It fails closed: a flush outside a registered write, of an entity the log does
 * not know, or whose entries cannot be written, fails, and so the change does not happen.
 */
export class ChangeLogSubscriber implements EventSubscriber {
  async onFlush(args: FlushEventArgs): Promise<void> {
    const changeSets = args.uow.getChangeSets();
    if (changeSets.length === 0) return;
    const em = args.em as EntityManager;
    const write = writeContexts.get(em);
    if (!write || !em.isInTransaction()) {
      throw new Error('change-logged entities may only be written through a service write (runWrite)');
    }
    const at = new Date();
    const drafts: Array<Omit<StoredEntry, 'seq' | 'prevHash' | 'hukouRegion' | 'residenceRegion'> & { region?: string }> = [];
    for (const cs of changeSets) {
      const logged = loggedEntity(cs.meta.className);
      const operation = OPERATIONS[cs.type];
      if (!logged || !operation) throw new Error(`change log: no entry kind for ${cs.meta.className} ${cs.type}`);
      const entity = cs.entity as Record<string, unknown>;
      const before = (cs.originalEntity ?? {}) as Record<string, unknown>;
      const changes: StoredEntry['changes'] = {};
      for (const field of Object.keys(logged.fields)) {
        const old = operation === 'CREATE' ? null : plain(before[field]);
        const now = operation === 'DELETE' ? null : plain(entity[field]);
        if (operation === 'UPDATE' && !(field in cs.payload)) continue;
        if (operation === 'CREATE' && now === null) continue;
        if (JSON.stringify(old) !== JSON.stringify(now)) changes[field] = { before: old, after: now };
      }
      if (operation === 'UPDATE' && Object.keys(changes).length === 0) continue;
      const version = typeof entity.version === 'number' ? (operation === 'UPDATE' ? (before.version as number) + 1 : entity.version) : operation === 'CREATE' ? 1 : null;
      const { identity } = write.actor;
      drafts.push({
        at,
        actorSub: identity.sub,
        actorDept: identity.dept,
        actorRegion: identity.region,
        actorRoles: [...identity.roles],
        operation,
        entity: logged.type,
        entityId: String(cs.getPrimaryKey()),
        childId: logged.childIdOf(entity) as string,
        region: logged.regionOf?.(entity),
        version,
        changes,
        mutation: write.operation,
        reason: write.actor.reason ?? null,
        requestId: write.actor.requestId,
        idempotencyKey: write.idempotencyKey,
      });
    }
    if (drafts.length === 0) return;
    const regions = await this.regionsOf(em, [...new Set(drafts.filter((d) => d.childId).map((d) => d.childId))]);
    // The lock is held until the transaction ends, so the next appender reads this head.
    await em.execute('SELECT pg_advisory_xact_lock(?)', [CHAIN_LOCK]);
    const [head] = await em.execute('SELECT seq, hash FROM hub.change_log ORDER BY seq DESC LIMIT 1');
    let seq = head ? Number(head.seq) : 0;
    let prevHash: string = head ? head.hash : GENESIS_HASH;
    const rows = drafts.map(({ region: ownRegion, ...draft }) => {
      const region = draft.childId ? regions.get(draft.childId) : ownRegion ? { hukou: ownRegion, residence: ownRegion } : undefined;
      if (!region) throw new Error(`change log: no region for ${draft.entity} ${draft.entityId}`);
      const entry: StoredEntry = { ...draft, seq: ++seq, prevHash, hukouRegion: region.hukou, residenceRegion: region.residence };
      const hash = entryHash(entry);
      prevHash = hash;
      return { ...entry, at: entry.at.toISOString(), hash };
    });
    await em.execute(
      `INSERT INTO hub.change_log (seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id, child_id,
         hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash)
       SELECT seq, at, "actorSub", "actorDept", "actorRegion", "actorRoles", operation, entity, "entityId", "childId",
         "hukouRegion", "residenceRegion", version, changes, mutation, reason, "requestId", "idempotencyKey", "prevHash", hash
       FROM jsonb_to_recordset(?::jsonb) AS x(seq bigint, at timestamptz, "actorSub" text, "actorDept" text, "actorRegion" text,
         "actorRoles" text[], operation text, entity text, "entityId" text, "childId" uuid, "hukouRegion" text, "residenceRegion" text,
         version integer, changes jsonb, mutation text, reason text, "requestId" text, "idempotencyKey" text, "prevHash" text, hash text)`,
      [JSON.stringify(rows)],
    );
  }

  /** The child's regions, from the unit of work when the child is there (being created or loaded), else from the database. */
  private async regionsOf(em: EntityManager, childIds: string[]): Promise<Map<string, { hukou: string; residence: string }>> {
    const found = new Map<string, { hukou: string; residence: string }>();
    const missing: string[] = [];
    for (const id of childIds) {
      const child = em.getUnitOfWork().getById<ChildEntity>(ChildEntity.name, id);
      if (child?.hukouRegion && child.residenceRegion) found.set(id, { hukou: child.hukouRegion, residence: child.residenceRegion });
      else missing.push(id);
    }
    if (missing.length) {
      const rows = await em.execute('SELECT id, hukou_region, residence_region FROM hub.child WHERE id = ANY(?::uuid[])', [`{${missing.join(',')}}`]);
      for (const row of rows) found.set(row.id, { hukou: row.hukou_region, residence: row.residence_region });
    }
    return found;
  }
}
