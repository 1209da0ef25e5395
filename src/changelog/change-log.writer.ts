import type { EntityManager } from '@mikro-orm/postgresql';
import type { WriteContext } from '../core/unit-of-work';
import { loggedEntity } from './catalogue';
import {
  appendArrays, appendChainedInDatabase, chainBatch, commitAfterAppend, type ChainedBatch, type ChainHead, type ChainHeads, executeInTransaction, lockChainsAndReadHeads,
  type Placed, sameHeads, type Unchained,
} from './change-log.append';
import { appendByCopy, copyable, moveHeads } from './change-log.copy';
import type { StoredEntry } from './hash-chain';
import { copiesFromStdin, isUnloggedForBenchmark } from '../db/orm';

/**
 * Marks the subscriber that appends a transaction's recorded entries before it commits
 * (`appendPendingEntries`): entries recorded on an ORM without one would never be appended, so
 * `appendChangeLog` refuses to record them there.
 */
export const APPENDS_AT_COMMIT: unique symbol = Symbol('appends the change log at commit');

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

/** An entry whose regions are still to be filled in (from its child's, or its own region when it has no child). */
interface Draft {
  readonly entry: Unchained;
  readonly ownRegion: string | undefined;
}

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

/**
 * Whether a field's value changed, as JSON tells it: two texts, booleans or nulls that are not the
 * same differ without being serialised (their JSON differs as they do); anything else is compared
 * as JSON (a number NaN is `null` there, an array or object by its members).
 */
function differs(old: unknown, now: unknown): boolean {
  if (old === now) return false;
  const simple = (value: unknown) => value === null || typeof value === 'string' || typeof value === 'boolean';
  return (simple(old) && simple(now)) || JSON.stringify(old) !== JSON.stringify(now);
}

/**
 * Each logged entity's field names, listed once, in canonical order (by UTF-16 code unit): an
 * entry's changes are made in that order, each as `{ after, before }`, so that the hash's
 * canonical JSON of them is the engine's own serialisation (hash-chain.ts, `canonical`).
 */
const fieldNames = new WeakMap<object, readonly string[]>();
function fieldsOf(fields: Readonly<Record<string, string>>): readonly string[] {
  let names = fieldNames.get(fields);
  if (!names) fieldNames.set(fields, (names = Object.keys(fields).sort()));
  return names;
}

/**
 * The entry of one change, without its place in the chain and with its regions left blank; null
 * for an UPDATE that changed no logged field. `actorRoles` is the write's copy of the actor's roles,
 * shared by its entries.
 */
function draftOf(change: LoggedChange, write: WriteContext, at: Date, actorRoles: string[]): Draft | null {
  const { operation } = change;
  const logged = loggedEntity(change.entityName);
  if (!logged) throw new Error(`change log: no entry kind for ${change.entityName} ${operation}`);
  const { entity, original: before } = change;
  const changes: StoredEntry['changes'] = {};
  for (const field of fieldsOf(logged.fields)) {
    const old = operation === 'CREATE' ? null : plain(before[field]);
    const now = operation === 'DELETE' ? null : plain(entity[field]);
    if (operation === 'UPDATE' && !(field in change.payload)) continue;
    if (operation === 'CREATE' && now === null) continue;
    if (differs(old, now)) changes[field] = { after: now, before: old };
  }
  // A record moved to another child (a merge of two records of one child, issue 16) says so in
  // an entry of its own, on the chain of the child it now belongs to.
  if (operation === 'UPDATE' && !('childId' in logged.fields) && 'childId' in change.payload && before.childId !== entity.childId) {
    changes.childId = { after: plain(entity.childId), before: plain(before.childId) };
  }
  if (operation === 'UPDATE' && Object.keys(changes).length === 0) return null;
  const version = typeof entity.version === 'number' ? (operation === 'UPDATE' ? (before.version as number) + 1 : entity.version) : operation === 'CREATE' ? 1 : null;
  const { identity } = write.actor;
  const entry: Unchained = {
    at,
    actorSub: identity.sub,
    actorDept: identity.dept,
    actorRegion: identity.region,
    actorRoles,
    operation,
    entity: logged.type,
    entityId: change.entityId,
    childId: logged.childIdOf(entity) as string,
    hukouRegion: '',
    residenceRegion: '',
    version,
    changes,
    mutation: write.operation,
    reason: write.actor.reason ?? null,
    requestId: write.actor.requestId,
    idempotencyKey: write.idempotencyKey,
  };
  return { entry, ownRegion: logged.regionOf?.(entity) };
}

/** The entries of a transaction, recorded as its changes are made and appended when it commits. */
interface Pending {
  readonly write: WriteContext;
  readonly entries: Placed[];
  /** A large batch's entries chained early, on a guess at the head, with their statement's bindings (see `appendChangeLog`). */
  prepared: ChainedBatch | null;
  /** Whether a large batch's entries go in by COPY (`copyable`): the server takes it, and their text can go that way. */
  copy: boolean;
}

const pendingEntries = new WeakMap<EntityManager, Pending>();

/**
 * The heads each ORM (its configuration, shared by its forked entity managers) left last, by
 * chain. A large batch is chained to them early, while its own statement runs (see
 * `appendChangeLog`): within one instance nobody else appends to a county in between, as a rule. A
 * guess that is wrong (another writer appended, or that transaction rolled back) costs chaining
 * again under the locks, never a wrong chain: the heads are read under the locks and compared.
 */
const lastHeads = new WeakMap<object, Map<string, ChainHead>>();

/**
 * Remembers heads: those a batch leaves once appended, and those a batch chained early will leave
 * (`guessed`), so that a second batch of the same county made meanwhile (a client that keeps two
 * batches in flight) is chained after it. A head appended does not replace a guess further on in
 * its chain: that guess is of a batch still to come.
 */
function rememberHeads(config: object, heads: ChainHeads, guessed = false): void {
  let known = lastHeads.get(config);
  if (!known) lastHeads.set(config, (known = new Map()));
  for (const [code, head] of heads) {
    const before = known.get(code);
    if (guessed || !before || Number(head.seq) >= Number(before.seq)) known.set(code, head);
  }
}
/**
 * Up to this many entries go in as one message with the lock, chained by the database; larger
 * batches (a bulk import) are chained and hashed here when they are recorded, while the batch's
 * own statement runs, and go in as typed arrays after the lock.
 */
const SMALL = 20;

/**
 * Whether the change log's subscriber is the last to run before the commit, so that appending
 * may end the transaction: a later hook's statements would otherwise land after the commit.
 */
function endsTransaction(em: EntityManager): boolean {
  const hooks = [...em.getEventManager().getSubscribers()].filter((s) => typeof s.beforeTransactionCommit === 'function');
  return hooks.length > 0 && APPENDS_AT_COMMIT in hooks[hooks.length - 1];
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
 * The one writer of the change log: turns changes into entries (field-level before and after) and
 * records them for the caller's transaction; `appendPendingEntries` chains, hashes and appends them
 * just before that transaction commits, in it (the subscriber calls it), so that the chains' locks,
 * held from the append to the end of the transaction, waits for nothing else. Every write reaches
 * the log through here, from the ORM's flush or from a set-based batch. `knownRegions` are the
 * children's regions the caller already has; the others are read now, as the changes are made.
 *
 * A large batch is chained and hashed here already, on a guess at the head, so that a caller that
 * sends its own statement first does that work while the database runs it; a wrong guess costs
 * chaining again at the commit.
 */
export async function appendChangeLog(em: EntityManager, write: WriteContext, changes: readonly LoggedChange[], knownRegions: ChildRegions = new Map()): Promise<void> {
  // An ORM opened with `benchmarkWithoutChangeLog` (the benchmark's hub only; see db/orm.ts) records nothing.
  if (isUnloggedForBenchmark(em.config)) return;
  const transaction = em.getTransactionContext() as object | undefined;
  // The entries go in when the outermost transaction commits: a savepoint's commit runs no hook.
  if (!transaction || 'savepointName' in transaction) throw new Error('change log: entries are recorded only in a write\'s own (outermost) transaction');
  let pending = pendingEntries.get(em);
  if (pending && pending.write !== write) throw new Error('change log: one transaction, one write');
  if (!pending && ![...em.getEventManager().getSubscribers()].some((s) => APPENDS_AT_COMMIT in s)) {
    throw new Error('change log: this ORM has no subscriber to append entries at commit');
  }
  const at = write.actor.at ?? new Date();
  // A statement the caller has just started goes out first (its sending takes a few turns of the
  // event loop's queue): a large batch's entries are then made while the database runs it.
  if (changes.length > SMALL) await new Promise((resolve) => setImmediate(resolve));
  const actorRoles = [...write.actor.identity.roles];
  const drafts: Draft[] = [];
  for (const change of changes) {
    const draft = draftOf(change, write, at, actorRoles);
    if (draft) drafts.push(draft);
  }
  if (drafts.length === 0) return;
  const regions = await regionsFromDatabase(em, [...new Set(drafts.filter((d) => d.entry.childId).map((d) => d.entry.childId))], knownRegions);
  for (const { entry, ownRegion } of drafts) {
    const region = entry.childId ? regions.get(entry.childId) : ownRegion ? { hukou: ownRegion, residence: ownRegion } : undefined;
    if (!region) throw new Error(`change log: no region for ${entry.entity} ${entry.entityId}`);
    entry.hukouRegion = region.hukou;
    entry.residenceRegion = region.residence;
  }
  if (!pending) pendingEntries.set(em, (pending = { write, entries: [], prepared: null, copy: false }));
  const guess: ChainHeads = pending.prepared?.chained.heads ?? new Map(lastHeads.get(em.config));
  // An entry goes to its child's residence county's chain; about no child, to its own region's.
  for (const { entry } of drafts) pending.entries.push({ chain: entry.residenceRegion, entry });
  if (pending.entries.length > SMALL) {
    pending.copy = copiesFromStdin(em.config) && copyable(pending.entries);
    pending.prepared = chainBatch(pending.entries, guess, !pending.copy);
    rememberHeads(em.config, pending.prepared.chained.tails, true);
  }
}

/**
 * Appends the entries recorded in the entity manager's transaction, chained to the head, under the
 * locks of their chains' heads, which are held until the transaction ends, so that the next appender reads these heads;
 * a few entries are chained by the database and committed in one message (`appendChainedInDatabase`). Run just
 * before the commit, by the subscriber; a failure fails the commit, so no change lands without its
 * entries.
 */
export async function appendPendingEntries(em: EntityManager): Promise<void> {
  const pending = pendingEntries.get(em);
  if (!pending) return;
  pendingEntries.delete(em);
  const { entries } = pending;
  if (entries.length <= SMALL) {
    rememberHeads(em.config, await appendChainedInDatabase(em, entries, endsTransaction(em)));
    return;
  }
  const heads = await lockChainsAndReadHeads(em, entries.map((placed) => placed.chain));
  const guessed = pending.prepared && sameHeads(pending.prepared.chained.heads, heads) ? pending.prepared : null;
  // A batch chained on a wrong guess is let go before the batch is chained again: for a large one
  // (a provincial reconciliation run's 80,000 entries) its bindings are some 100 MB.
  pending.prepared = null;
  const batch = guessed ?? chainBatch(entries, heads, !pending.copy);
  rememberHeads(em.config, batch.chained.tails);
  if (!pending.copy) {
    await appendArrays(em, batch);
    if (endsTransaction(em)) await commitAfterAppend(em);
    return;
  }
  await appendByCopy(em, entries, batch.chained);
  if (endsTransaction(em)) await commitAfterAppend(em, moveHeads(batch.chained.tails));
  else await executeInTransaction(em, moveHeads(batch.chained.tails), []);
}
