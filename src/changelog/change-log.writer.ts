import type { EntityManager } from '@mikro-orm/postgresql';
import { escapeLiteral } from 'pg';
import type { WriteContext } from '../core/unit-of-work';
import { loggedEntity } from './catalogue';
import { entryHash, GENESIS_HASH, type StoredEntry } from './hash-chain';

/** One lock for the whole log: appenders take it in turn, so the chain never forks and seq has no gaps. */
export const CHAIN_LOCK = 727_100_001;

/**
 * ORMs (their configuration, which every forked entity manager shares) built without the log, to
 * measure what the log costs: only `openOrm({ benchmarkWithoutChangeLog })` adds one, and only the
 * benchmark's hub (tests/bench/serve-hub.ts) asks for it. No setting or variable reaches it.
 */
const unloggedForBenchmark = new WeakSet<object>();

export function markUnloggedForBenchmark(ormConfig: object): void {
  unloggedForBenchmark.add(ormConfig);
}

/**
 * One changed entity, as the ORM's change set describes it: the subscriber makes these from the
 * unit of work, set-based writes (a department's batch upsert) make them from the rows they write.
 */
export interface LoggedChange {
  /** The entity class's name, as the catalogue knows it. */
  readonly entityName: string;
  readonly operation: StoredEntry['operation'];
  readonly entityId: string;
  /** The entity's values after the change. */
  readonly entity: Readonly<Record<string, unknown>>;
  /** Its values before (empty for a CREATE). */
  readonly original: Readonly<Record<string, unknown>>;
  /** For an UPDATE: the properties written (the change set's payload); a logged field outside it is unchanged. */
  readonly payload: Readonly<Record<string, unknown>>;
}

export type ChildRegions = Map<string, { hukou: string; residence: string }>;

type Draft = Omit<StoredEntry, 'seq' | 'prevHash' | 'hukouRegion' | 'residenceRegion'> & { region?: string };

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

/** The entry of one change, without its place in the chain; null for an UPDATE that changed no logged field. */
function draftOf(change: LoggedChange, write: WriteContext, at: Date): Draft | null {
  const { operation } = change;
  const logged = loggedEntity(change.entityName);
  if (!logged) throw new Error(`change log: no entry kind for ${change.entityName} ${operation}`);
  const { entity, original: before } = change;
  const changes: StoredEntry['changes'] = {};
  for (const field of Object.keys(logged.fields)) {
    const old = operation === 'CREATE' ? null : plain(before[field]);
    const now = operation === 'DELETE' ? null : plain(entity[field]);
    if (operation === 'UPDATE' && !(field in change.payload)) continue;
    if (operation === 'CREATE' && now === null) continue;
    if (JSON.stringify(old) !== JSON.stringify(now)) changes[field] = { before: old, after: now };
  }
  if (operation === 'UPDATE' && Object.keys(changes).length === 0) return null;
  const version = typeof entity.version === 'number' ? (operation === 'UPDATE' ? (before.version as number) + 1 : entity.version) : operation === 'CREATE' ? 1 : null;
  const { identity } = write.actor;
  return {
    at,
    actorSub: identity.sub,
    actorDept: identity.dept,
    actorRegion: identity.region,
    actorRoles: [...identity.roles],
    operation,
    entity: logged.type,
    entityId: change.entityId,
    childId: logged.childIdOf(entity) as string,
    region: logged.regionOf?.(entity),
    version,
    changes,
    mutation: write.operation,
    reason: write.actor.reason ?? null,
    requestId: write.actor.requestId,
    idempotencyKey: write.idempotencyKey,
  };
}

/** Runs a statement in the entity manager's transaction, with its parameters bound (not spliced into the text). */
export async function executeInTransaction<T = Record<string, unknown>>(em: EntityManager, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  const query = em.getConnection().getKnex().raw(sql, bindings as never);
  const transaction = em.getTransactionContext();
  if (transaction) query.transacting(transaction);
  try {
    return ((await query) as { rows: T[] }).rows;
  } catch (error) {
    // The ORM's own error classes, so that a unique violation is a CONFLICT as on any other write.
    throw em.getDriver().convertException(error as Error);
  }
}

type ChainHead = { seq: string; hash: string };

/** The entries (a JSON array, as `rows` below) appended from a JSON expression, in their columns. */
const insertEntries = (json: string) => `INSERT INTO hub.change_log (seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id, child_id,
     hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash)
   SELECT seq, at, "actorSub", "actorDept", "actorRegion", "actorRoles", operation, entity, "entityId", "childId",
     "hukouRegion", "residenceRegion", version, changes, mutation, reason, "requestId", "idempotencyKey", "prevHash", hash
   FROM jsonb_to_recordset(${json}) AS x(seq bigint, at timestamptz, "actorSub" text, "actorDept" text, "actorRegion" text,
     "actorRoles" text[], operation text, entity text, "entityId" text, "childId" uuid, "hukouRegion" text, "residenceRegion" text,
     version integer, changes jsonb, mutation text, reason text, "requestId" text, "idempotencyKey" text, "prevHash" text, hash text)`;

const HEAD = 'SELECT seq, hash FROM hub.change_log ORDER BY seq DESC LIMIT 1';
const HEAD_HASH = 'SELECT hash FROM hub.change_log ORDER BY seq DESC LIMIT 1';

/**
 * The head each ORM (its configuration, shared by its forked entity managers) chained to last. When
 * nobody else appended since, which is the rule within one instance, the next entries can be
 * chained to it before the lock is taken, and the lock, the check and the append are one round trip.
 * A guess that is wrong (another instance appended, or that transaction rolled back) costs one
 * more round trip, never a wrong chain: the entries go in only if the head is still the guess.
 */
const lastHeads = new WeakMap<object, ChainHead>();
/** Larger batches (a bulk import) are not chained on a guess: a wrong one would waste their hashing. */
const GUESS_AT_MOST = 20;

/**
 * In one round trip, as one message of three statements (the simple protocol, hence the entries as
 * an escaped literal rather than a parameter): the chain lock; the entries, appended only if the
 * head is still `expected` (the insert's snapshot is taken after the lock, so it sees the last
 * appender's commit); and the head then, to chain to if they were not. Every `?` of the JSON is
 * written as its JSON escape, which means the same: knex takes a bare one for a parameter (the
 * ORM's patch of knex stops that for statements without parameters; this does not rely on it).
 */
async function appendIfHead(em: EntityManager, expected: ChainHead, rows: string): Promise<{ ok: true } | { ok: false; head: ChainHead | undefined }> {
  const entries = escapeLiteral(rows.replaceAll('?', '\\u003f'));
  const text = `SELECT pg_advisory_xact_lock(${Number(CHAIN_LOCK)});
    ${insertEntries(`${entries}::jsonb`)} WHERE (${HEAD_HASH}) = ${escapeLiteral(expected.hash)};
    ${HEAD}`;
  const results = await executeMessage(em, text);
  return results[1].rowCount ? { ok: true } : { ok: false, head: results[2].rows[0] as ChainHead | undefined };
}

/** Runs a message of several statements (no parameters) in the entity manager's transaction; one result per statement. */
async function executeMessage(em: EntityManager, text: string): Promise<Array<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>> {
  const query = em.getConnection().getKnex().raw(text);
  const transaction = em.getTransactionContext();
  if (transaction) query.transacting(transaction);
  try {
    return (await query) as Array<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

/**
 * Takes the chain lock and reads the head in one round trip: two statements in one message (the
 * simple protocol, so no parameters), the read after the lock, so that its snapshot already sees
 * the last appender's commit. Each round trip under the lock holds up every other writer.
 */
async function lockChainAndReadHead(em: EntityManager): Promise<ChainHead | undefined> {
  const results = await executeMessage(em, `SELECT pg_advisory_xact_lock(${Number(CHAIN_LOCK)}); ${HEAD}`);
  return results[1].rows[0] as ChainHead | undefined;
}

async function regionsFromDatabase(em: EntityManager, childIds: string[], found: ChildRegions): Promise<ChildRegions> {
  const missing = childIds.filter((id) => !found.has(id));
  if (missing.length) {
    const rows = await executeInTransaction<{ id: string; hukou_region: string; residence_region: string }>(
      em, 'SELECT id, hukou_region, residence_region FROM hub.child WHERE id = ANY(?::uuid[])', [missing]);
    for (const row of rows) found.set(row.id, { hukou: row.hukou_region, residence: row.residence_region });
  }
  return found;
}

/**
 * The one writer of the change log: turns changes into entries (field-level before and after),
 * chains and hashes them and appends them, in the caller's transaction. Every write reaches the
 * log through here, from the ORM's flush or from a set-based batch. `knownRegions` are the
 * children's regions the caller already has; the others are read.
 */
export async function appendChangeLog(em: EntityManager, write: WriteContext, changes: readonly LoggedChange[], knownRegions: ChildRegions = new Map()): Promise<void> {
  if (unloggedForBenchmark.has(em.config)) return;
  const at = new Date();
  const drafts: Draft[] = [];
  for (const change of changes) {
    const draft = draftOf(change, write, at);
    if (draft) drafts.push(draft);
  }
  if (drafts.length === 0) return;
  const regions = await regionsFromDatabase(em, [...new Set(drafts.filter((d) => d.childId).map((d) => d.childId))], knownRegions);
  // Chains the entries to a head and makes their last one the next appender's guess at once, before
  // they are even sent: concurrent writers of this process then queue on the lock each with the
  // entries that follow the one before it, and the lock passes from one commit to the next append.
  const chain = (head: ChainHead | undefined) => {
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
    lastHeads.set(em.config, { seq: String(seq), hash: prevHash });
    return rows;
  };
  // The lock is held until the transaction ends, so the next appender reads this head.
  const guess = lastHeads.get(em.config);
  let head: ChainHead | undefined;
  if (guess && drafts.length <= GUESS_AT_MOST) {
    const appended = await appendIfHead(em, guess, JSON.stringify(chain(guess)));
    if (appended.ok) return;
    head = appended.head;
  } else {
    head = await lockChainAndReadHead(em);
  }
  await executeInTransaction(em, insertEntries('?::jsonb'), [JSON.stringify(chain(head))]);
}
