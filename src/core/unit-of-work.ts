import { createHash } from 'node:crypto';
import { OptimisticLockError, UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { Identity } from '../auth/identity';
import { BadUserInputError, ConflictError } from './errors';

/** Who is writing, carried into every write (and, through it, into the change log). */
export interface Actor {
  readonly identity: Identity;
  readonly requestId: string;
  /** Why, in the writer's words (an optional argument of every write). */
  readonly reason?: string | null;
  /**
   * When the change happened, for a history replayed in order into an empty log (the demo seed's
   * past months). A request never sets it: its entries carry the time of the write.
   */
  readonly at?: Date;
}

/** What the change-log hook needs to know about the write a flush belongs to. */
export interface WriteContext {
  readonly actor: Actor;
  readonly operation: string;
  readonly idempotencyKey: string | null;
}

/**
 * The write each transactional entity manager is doing. The change-log subscriber refuses to
 * flush an entity manager that is not registered here, so no write can skip the log.
 */
export const writeContexts = new WeakMap<EntityManager, WriteContext>();

/** Work a write started and must end before it commits (`beforeCommit`), by transaction. */
const endings = new WeakMap<EntityManager, Array<() => Promise<void>>>();

/**
 * Work to end in the write's transaction after its changes are flushed and before it commits: a
 * step that waits for something started beside the write (the duplicate check's lookup, on a
 * connection of its own while the write's rows go in) and then writes what it found. It writes by
 * statements (`executeInTransaction`), not entities: nothing flushes after it. A write that fails
 * before its end never runs it.
 */
export function beforeCommit(em: EntityManager, ending: () => Promise<void>): void {
  if (!writeContexts.has(em)) throw new Error('beforeCommit: only inside a write (runWrite)');
  const list = endings.get(em);
  if (list) list.push(ending);
  else endings.set(em, [ending]);
}

export interface WriteOutcome<R> {
  readonly result: R;
  /** True when an earlier call with the same idempotency key already did this work. */
  readonly replayed: boolean;
}

/** Canonical JSON (sorted keys), so that the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const MAX_KEY_LENGTH = 200;

/**
 * Runs one write as one transaction: all of it lands or none of it does. With an idempotency key,
 * the key is claimed first inside the transaction, so that a concurrent retry waits for this one
 * and then returns its result; the same key with a different request is refused.
 */
export async function runWrite<R>(
  orm: MikroORM,
  actor: Actor,
  operation: string,
  idempotencyKey: string | null | undefined,
  request: unknown,
  work: (em: EntityManager) => Promise<R>,
): Promise<WriteOutcome<R>> {
  if (actor.reason && actor.reason.length > 500) throw BadUserInputError.one('reason', '原因最多500字 (at most 500 characters)');
  if (idempotencyKey !== undefined && idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY_LENGTH)) {
    throw BadUserInputError.one('idempotencyKey', `幂等键长度应为 1 到 ${MAX_KEY_LENGTH} (must be 1 to ${MAX_KEY_LENGTH} characters)`);
  }
  const scope = `${actor.identity.dept}:${actor.identity.sub}`;
  // Only a keyed write is compared with an earlier one: a batch of 1,000 without a key is not hashed.
  const hash = idempotencyKey ? createHash('sha256').update(canonicalJson({ operation, request })).digest('hex') : null;
  try {
    return await orm.em.fork().transactional(async (em) => {
      writeContexts.set(em, { actor, operation, idempotencyKey: idempotencyKey ?? null });
      if (idempotencyKey) {
        const inserted = await em.execute(
          `INSERT INTO hub.idempotency_key (scope, key, operation, request_hash) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING key`,
          [scope, idempotencyKey, operation, hash],
        );
        if (inserted.length === 0) {
          const [prior] = await em.execute(`SELECT operation, request_hash, result FROM hub.idempotency_key WHERE scope = ? AND key = ?`, [scope, idempotencyKey]);
          if (prior.operation !== operation || prior.request_hash !== hash) {
            throw BadUserInputError.one('idempotencyKey', '此幂等键已用于另一个不同的请求 (this key was already used for a different request)');
          }
          // The first call may be committed and not yet on disk: a small logged write commits
          // asynchronously and is answered only after a second, synchronous commit. This
          // transaction writes one WAL record and commits synchronously, which flushes the first
          // call's commit, written before it, so a retry is never answered before the write it
          // repeats is durable (a crash would otherwise take back a write the hub answered).
          await em.execute("SELECT set_config('synchronous_commit', 'on', true), pg_logical_emit_message(true, 'baoxue', 'idempotent replay')");
          return { result: prior.result as R, replayed: true };
        }
      }
      const result = await work(em);
      await em.flush();
      for (const ending of endings.get(em) ?? []) await ending();
      if (idempotencyKey) {
        await em.execute(`UPDATE hub.idempotency_key SET result = ?::jsonb WHERE scope = ? AND key = ?`, [JSON.stringify(result), scope, idempotencyKey]);
      }
      return { result, replayed: false };
    });
  } catch (error) {
    if (error instanceof OptimisticLockError) {
      throw new ConflictError('记录已被他人修改，请重新读取后再提交 (the record changed since you read it; read it again and retry)');
    }
    if (error instanceof UniqueConstraintViolationException) {
      throw new ConflictError('与已有记录重复 (a record with the same unique value already exists)');
    }
    throw error;
  }
}
