import type { EntityManager } from '@mikro-orm/postgresql';
import { LONE_SURROGATE } from '../core/unicode';
import { crashTestPauseBetweenCommits } from '../db/orm';
import { canonicalAroundChain, EntryHasher, GENESIS_HASH, type StoredEntry } from './hash-chain';

/**
 * The statements that append to the change log, for its one writer (change-log.writer.ts): a few
 * entries as literals, each chained by the database's `hub.append_change_log_entry` in a message
 * that also commits; a large batch as typed arrays, chained here, after the lock and the head.
 */

/**
 * A county's chain code: the six digits of a region (GB/T 2260). Every entry goes to the chain of
 * its child's residence county or, about no child, of its own region; the chains written before
 * migration 0015 are one frozen chain, `global`, which takes no more entries.
 */
export const CHAIN_CODE = /^[0-9]{6}$/;
export const FROZEN_CHAIN = 'global';

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

/**
 * The channel the appends notify, with the highest sequence number appended (the change feed
 * LISTENs on it). A small write notifies from its asynchronous commit, so listeners may be woken
 * before its entries are durable: the feed reads no further than the flushed WAL (durable-read.ts).
 * Notifying from the durable transaction instead would cost every write more: a notifying commit
 * holds PostgreSQL's one notify lock until it ends, so the flushes of concurrent writers, shared
 * now, would be made one after another.
 */
export const CHANGE_LOG_CHANNEL = 'baoxue_change_log';

export type ChainHead = { readonly seq: string; readonly hash: string };
/** The heads of chains, by chain code. */
export type ChainHeads = ReadonlyMap<string, ChainHead>;

/** An entry with everything but its place in its chain (seq, previous hash, hash). */
export type Unchained = Omit<StoredEntry, 'seq' | 'prevHash'>;

/** An entry and the chain it goes to (the chain is bound in through the chain's genesis, not the entry's hash). */
export interface Placed {
  readonly chain: string;
  readonly entry: Unchained;
}

/** Entries chained to their chains' heads: each one's seq, previous hash and hash, and the heads they leave. */
export interface Chained {
  readonly heads: ChainHeads;
  readonly seqs: number[];
  readonly prevs: string[];
  readonly hashes: string[];
  /** Each entry's changes as JSON (as hashed), null for none. */
  readonly changes: Array<string | null>;
  readonly tails: ChainHeads;
}

const LOG_COLUMNS = `chain, seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id, child_id,
  hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash`;

/**
 * Hashes entries in order, each after the head of its own chain. A chain missing from `heads` has
 * not been guessed (the batch is chained again under the locks).
 */
function chain(entries: readonly Placed[], heads: ChainHeads): Chained {
  // Only the chains of these entries: their heads alone are locked, and moved on. Each chain's
  // last entry so far, by index, for the next one's seq and previous hash.
  const last = new Map<string, number>();
  const seqs: number[] = new Array(entries.length);
  const prevs: string[] = new Array(entries.length);
  const hashes: string[] = new Array(entries.length);
  const changes: Array<string | null> = new Array(entries.length);
  const hasher = new EntryHasher();
  for (let i = 0; i < entries.length; i++) {
    const { chain: code, entry } = entries[i];
    const before = last.get(code);
    const head = before === undefined ? heads.get(code) : undefined;
    seqs[i] = before === undefined ? Number(head?.seq ?? 0) + 1 : seqs[before] + 1;
    prevs[i] = before === undefined ? head?.hash ?? GENESIS_HASH : hashes[before];
    hashes[i] = hasher.hash(entry, seqs[i], prevs[i]);
    changes[i] = hasher.changesJson;
    last.set(code, i);
  }
  const tails = new Map<string, ChainHead>();
  for (const [code, i] of last) tails.set(code, { seq: String(seqs[i]), hash: hashes[i] });
  return { heads, seqs, prevs, hashes, changes, tails };
}

/**
 * A large batch's entries as typed arrays, one per column that varies, zipped by `ROWS FROM`:
 * PostgreSQL takes a thousand entries' arrays in a third of the time it takes the same entries as
 * one JSON document, and half as many bytes are sent. The arrays hold only text the hub makes
 * (times, ids, region codes, hashes); what a user wrote goes as JSON, as in the JSON path: the
 * `changes` as one JSON array, and what is the same for the whole write (the actor, the mutation,
 * the reason…) once, so that a lone surrogate, which the hash covers as JSON escapes it, is refused
 * there too rather than stored as U+FFFD. Each entry's chain and seq come with it; the chains'
 * heads are moved on in the same statement, and the change feed is told them, as
 * `hub.append_change_log_entry` tells it for a small write.
 */
const INSERT_FROM_ARRAYS = `WITH appended AS (INSERT INTO hub.change_log (${LOG_COLUMNS})
  SELECT e.chain, e.seq, e.at, w."actorSub", w."actorDept", w."actorRegion", w."actorRoles", e.operation, e.entity, e.entity_id, e.child_id,
    e.hukou_region, e.residence_region, e.version, e.changes, w.mutation, w.reason, w."requestId", w."idempotencyKey", e.prev_hash, e.hash
  FROM jsonb_to_record(?::jsonb) AS w("actorSub" text, "actorDept" text, "actorRegion" text, "actorRoles" text[], mutation text, reason text,
      "requestId" text, "idempotencyKey" text),
    ROWS FROM (unnest(?::text[]), unnest(?::bigint[]), unnest(?::timestamptz[]), unnest(?::text[]), unnest(?::text[]), unnest(?::text[]), unnest(?::uuid[]), unnest(?::text[]),
      unnest(?::text[]), unnest(?::integer[]), jsonb_array_elements(?::jsonb), unnest(?::text[]), unnest(?::text[]))
    AS e(chain, seq, at, operation, entity, entity_id, child_id, hukou_region, residence_region, version, changes, prev_hash, hash)
  RETURNING chain, seq),
  heads AS (UPDATE hub.chain_head h SET seq = u.seq, hash = u.hash FROM unnest(?::text[], ?::bigint[], ?::text[]) AS u(chain, seq, hash)
    WHERE h.chain = u.chain RETURNING h.chain, h.seq)
  SELECT pg_notify('${CHANGE_LOG_CHANNEL}', string_agg(chain || ':' || seq, ',' ORDER BY chain)) FROM heads HAVING count(*) > 0`;

/**
 * Entries appended per statement. A batch of more (a provincial reconciliation run opens 80,000
 * discrepancies in one transaction) goes in as several statements, each making its own bindings
 * as it is sent: one statement for all of them held its bindings and pg's 90 MB message at once.
 */
export const APPEND_SLICE = 10_000;

/**
 * A large batch's entries, chained, with the bindings of the statement that appends them (null
 * above APPEND_SLICE, made slice by slice, and when the entries go in by COPY instead).
 */
export interface ChainedBatch {
  readonly chained: Chained;
  readonly entries: readonly Placed[];
  readonly bindings: readonly unknown[] | null;
}

/**
 * Chains a large batch's entries to `heads` and, unless they go in by COPY, makes the bindings
 * that append them, so that a writer can do both while the database runs its own statement
 * (change-log.writer.ts).
 */
export function chainBatch(entries: readonly Placed[], heads: ChainHeads, bindings = true): ChainedBatch {
  const chained = chain(entries, heads);
  return { chained, entries, bindings: !bindings || entries.length > APPEND_SLICE ? null : arrayBindings(entries, chained) };
}

/** Entries `from` to `to` of a chained batch, with the heads they leave. */
function sliceOf({ heads, seqs, prevs, hashes, changes }: Chained, entries: readonly Placed[], from: number, to: number): Chained {
  const tails = new Map<string, ChainHead>();
  for (let i = from; i < to; i++) tails.set(entries[i].chain, { seq: String(seqs[i]), hash: hashes[i] });
  return { heads, seqs: seqs.slice(from, to), prevs: prevs.slice(from, to), hashes: hashes.slice(from, to), changes: changes.slice(from, to), tails };
}

/**
 * Appends a large batch's entries, chained to the heads read under their locks (which are held), as
 * typed arrays: one statement, or one per APPEND_SLICE entries in order, each moving the heads of
 * its chains on to its last entries.
 */
export async function appendArrays(em: EntityManager, batch: ChainedBatch): Promise<void> {
  if (batch.bindings) {
    await executeInTransaction(em, INSERT_FROM_ARRAYS, batch.bindings);
    return;
  }
  for (let from = 0; from < batch.entries.length; from += APPEND_SLICE) {
    const to = Math.min(from + APPEND_SLICE, batch.entries.length);
    await executeInTransaction(em, INSERT_FROM_ARRAYS, arrayBindings(batch.entries.slice(from, to), sliceOf(batch.chained, batch.entries, from, to)));
  }
}

/**
 * One column of a batch as PostgreSQL's array literal (`{"a","b",NULL}`): knex would otherwise
 * walk a thousand elements per column looking for undefined, and pg quote each one, on the
 * statement's way out. Every text element is quoted, with `"` and `\` escaped, so any text is
 * taken as it is; a null is NULL, a number its decimal.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null) literal += 'NULL';
    else if (typeof value === 'number') literal += String(value);
    else literal += `"${value.includes('"') || value.includes('\\') ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${literal}}`;
}

/** The bindings of `INSERT_FROM_ARRAYS`: entries of one write (what the write shares is taken from its first). */
function arrayBindings(placed: readonly Placed[], { seqs, prevs, hashes, changes, tails }: Chained): unknown[] {
  const column = (pick: (entry: Unchained) => string | number | null) => arrayLiteral(placed.map((p) => pick(p.entry)));
  const { actorSub, actorDept, actorRegion, actorRoles, mutation, reason, requestId, idempotencyKey } = placed[0].entry;
  const codes = [...tails.keys()].sort();
  return [
    JSON.stringify({ actorSub, actorDept, actorRegion, actorRoles, mutation, reason, requestId, idempotencyKey }),
    arrayLiteral(placed.map((p) => p.chain)),
    arrayLiteral(seqs),
    column((e) => e.at.toISOString()),
    column((e) => e.operation),
    column((e) => e.entity),
    column((e) => e.entityId),
    column((e) => e.childId),
    column((e) => e.hukouRegion),
    column((e) => e.residenceRegion),
    column((e) => e.version),
    `[${changes.map((json) => json ?? 'null').join(',')}]`,
    arrayLiteral(prevs),
    arrayLiteral(hashes),
    arrayLiteral(codes),
    arrayLiteral(codes.map((code) => tails.get(code)!.seq)),
    arrayLiteral(codes.map((code) => tails.get(code)!.hash)),
  ];
}

/** Runs a message of several statements (no parameters) in the entity manager's transaction; one result per statement. */
async function executeMessage(em: EntityManager, text: string): Promise<Array<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>> {
  const query = em.getConnection().getKnex().raw(text);
  const transaction = em.getTransactionContext();
  if (transaction) query.transacting(transaction);
  try {
    const results = await query;
    return Array.isArray(results) ? results : [results];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

/**
 * Ends the transaction in the message that appends its entries, so that the chain lock, which
 * only the commit releases, is not held while the answer travels to this process and a COMMIT
 * travels back: the next appender waits for the append and the commit alone. Only the last
 * statement of a transaction may do this: the subscriber's hook runs after the ORM's flush and
 * every other statement of the write, and the writer checks (`endsTransaction`) that no later hook
 * runs one.
 *
 * Nor is the lock held while the commit is flushed to disk. That commit is asynchronous, so it
 * releases the lock as soon as its record is written; the message then opens a transaction that
 * writes one WAL record of its own (a transactional logical message, which nothing decodes), and
 * ends it with a synchronous COMMIT, in the same message (`committedByMessage` spares the ORM's
 * own). WAL is flushed in order, so when that COMMIT returns the write's commit, written before, is
 * on disk too: the write is answered only once it is durable, as before, but the flushes of
 * concurrent writers, now outside the lock, are shared (group commit) instead of taken one after
 * another. A crash before the flush loses the write, which was
 * not answered, and everything appended after it, whose commits come later in the WAL: the chain
 * that survives is a prefix of the one written. Until the flush, a reader may see the write; any
 * writer that reads it commits after it in the WAL, so nothing durable can depend on it, and the
 * reads that hand entries out (the change feed, `changeLog`) wait for the flush (durable-read.ts).
 */
const COMMIT_HERE = "SET LOCAL synchronous_commit TO off; COMMIT; BEGIN; SELECT pg_logical_emit_message(true, 'baoxue', 'durable'); COMMIT";

/** `COMMIT_HERE`, with the crash test's pause (outside both transactions, holding no lock) where its ORM has one. */
function commitHere(em: EntityManager): string {
  const pause = crashTestPauseBetweenCommits(em.config);
  return pause ? COMMIT_HERE.replace('COMMIT; BEGIN;', `COMMIT; SELECT pg_sleep(${pause / 1000}); BEGIN;`) : COMMIT_HERE;
}

/** The ORM's transaction context: a knex transaction, whose client sends its statements. */
interface KnexTransaction {
  client: { query(connection: unknown, statement: unknown): Promise<unknown> };
}

/**
 * Tells the ORM's transaction that a message of ours has committed it (`COMMIT_HERE` ends with
 * the durable COMMIT), so that its own COMMIT, which would find no transaction, is not sent: it
 * would cost every write a round trip more than the same write without the log. knex (pinned
 * through the ORM) ends a transaction with the statement `COMMIT;` through the transaction's own
 * client, which is the context's `client`; that one statement, once, is answered here, and the
 * transaction completes as if the database had answered it. Anything else goes to the database.
 */
function committedByMessage(transaction: KnexTransaction): void {
  const { client } = transaction;
  const send = client.query;
  client.query = function (connection: unknown, statement: unknown) {
    if (statement !== 'COMMIT;') return send.call(this, connection, statement);
    client.query = send;
    return Promise.resolve({ rows: [], rowCount: null, command: 'COMMIT' });
  };
}

/**
 * Ends a large batch's transaction as a small write's message ends its own (`COMMIT_HERE`), after
 * `appendArrays`: the batch's notification takes PostgreSQL's one notify lock at its commit, and a
 * synchronous commit would hold it, and its chains' heads, while the batch's WAL (megabytes for a
 * thousand rows and their entries) is flushed; every logged write of every county, whose own
 * commit notifies, would wait behind that flush. Committed asynchronously, both are let go once
 * the commit's record is written, and the write is answered, as before, only once durable. `first`
 * is a statement sent before it in the same message (after a COPY, the heads moved on).
 */
export async function commitAfterAppend(em: EntityManager, first = ''): Promise<void> {
  await executeMessage(em, `${first && `${first}; `}${commitHere(em)}`);
  committedByMessage(em.getTransactionContext() as KnexTransaction);
}

/**
 * Appends a small write's entries in one round trip, as one message (`smallAppendStatements`), and
 * then, when the caller's hook ends the transaction, the commit (`COMMIT_HERE`). Nothing is
 * guessed, so concurrent writers never chain again, and the heads are held for the append and the
 * commit's record alone. Returns the heads the entries leave.
 */
export async function appendChainedInDatabase(em: EntityManager, entries: readonly Placed[], commit: boolean): Promise<ChainHeads> {
  const { text, firstCall } = smallAppendStatements(entries);
  const results = await executeMessage(em, `${text}; ${commit ? commitHere(em) : ''}`);
  if (commit) committedByMessage(em.getTransactionContext() as KnexTransaction);
  const tails = new Map<string, ChainHead>();
  for (let i = 0; i < entries.length; i++) {
    const [row] = results[firstCall + i].rows as Array<ChainHead & { chain: string }>;
    if (!row) throw new Error(`change log: ${entries.length} entries to append, entry ${i + 1} not appended`);
    const tail = tails.get(row.chain);
    if (!tail || Number(row.seq) > Number(tail.seq)) tails.set(row.chain, { seq: String(row.seq), hash: row.hash });
  }
  return tails;
}

/**
 * The statements that append a small write's entries: a call of `hub.append_change_log_entry`
 * (migration 0032) per entry, which locks the head of the entry's chain (making it, for a chain's
 * first entry), chains and inserts the entry, hashing it from its canonical JSON around the previous
 * hash and the seq (`canonicalAroundChain`), and moves the head on. The calls go in chain-code
 * order (each entry in its place among its chain's), so that heads are locked in the order every
 * appender takes them, and the last one notifies the change feed once, of every chain appended to.
 * A write over several chains first makes the heads any of them lacks, all at once, as a large
 * batch does (`lockChainsAndReadHeads`): made only when its call came, a new chain's head could wait
 * for a large batch that has just made it, while that batch waits for a lock this write already
 * holds. `firstCall` is the index of the first call's result.
 */
export function smallAppendStatements(entries: readonly Placed[]): { text: string; firstCall: number } {
  const sorted = [...entries].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  const codes = [...new Set(sorted.map((placed) => placed.chain))];
  const notify = arrayLiteral(codes);
  const calls = sorted.map((placed, i) => appendCall(placed, i === sorted.length - 1 ? notify : null));
  return codes.length > 1 ? { text: `${makeHeads(codes)}; ${calls.join('; ')}`, firstCall: 1 } : { text: calls.join('; '), firstCall: 0 };
}

/**
 * The statement that makes the heads of those of `codes` (sorted) that have none yet, from
 * `hub.chain_genesis`, in code order. The simple protocol takes no parameters; the codes are checked
 * to be six digits before they are written in.
 */
function makeHeads(codes: readonly string[]): string {
  for (const code of codes) if (!CHAIN_CODE.test(code)) throw new Error(`change log: ${JSON.stringify(code)} is not a county chain`);
  return `INSERT INTO hub.chain_head (chain, seq, hash)
      SELECT c, 0, hub.chain_genesis(c) FROM unnest(${chainList(codes)}) AS c WHERE NOT EXISTS (SELECT 1 FROM hub.chain_head e WHERE e.chain = c) ORDER BY c
      ON CONFLICT ON CONSTRAINT chain_head_pkey DO NOTHING`;
}

const chainList = (codes: readonly string[]) => `ARRAY[${codes.map((code) => `'${code}'`).join(',')}]::text[]`;

/**
 * One entry's call of `hub.append_change_log_entry` (migration 0032): its columns, its canonical
 * text around the chain's two values, and the chains to notify of (an array literal) or null.
 */
function appendCall({ chain, entry }: Placed, notify: string | null): string {
  const [before, between, after] = canonicalAroundChain(entry);
  const text = (value: string | null | undefined) => (value === null || value === undefined ? 'NULL' : textLiteral(value));
  return `SELECT chain, seq, hash FROM hub.append_change_log_entry(${textLiteral(chain)}, ${textLiteral(entry.at.toISOString())}, ${text(entry.actorSub)}, `
    + `${text(entry.actorDept)}, ${text(entry.actorRegion)}, ${textLiteral(arrayLiteral(entry.actorRoles))}, ${textLiteral(entry.operation)}, `
    + `${textLiteral(entry.entity)}, ${textLiteral(entry.entityId)}, ${entry.childId ? `${textLiteral(entry.childId)}::uuid` : 'NULL'}, `
    + `${text(entry.hukouRegion)}, ${text(entry.residenceRegion)}, ${entry.version === null || entry.version === undefined ? 'NULL' : integerLiteral(entry.version)}, `
    + `${textLiteral(JSON.stringify(entry.changes))}::jsonb, ${text(entry.mutation)}, ${text(entry.reason)}, ${text(entry.requestId)}, ${text(entry.idempotencyKey)}, `
    + `${textLiteral(before)}, ${textLiteral(between)}, ${textLiteral(after)}, ${notify === null ? 'NULL' : textLiteral(notify)})`;
}


/**
 * A text as a literal of a message (the simple protocol takes no parameters): an escape string,
 * which means the same whatever the server's `standard_conforming_strings`, with every `?` written
 * `\x3f`, which means the same: knex takes a bare one for a parameter (the ORM's patch of knex stops
 * that for statements without parameters; this does not rely on it). Text PostgreSQL cannot hold as
 * it is (a NUL, or a lone surrogate, which the client would send as U+FFFD while the hash covers its
 * JSON escape) is refused: the requests' check (web/input-text.ts) refuses it before it gets here.
 */
function textLiteral(value: string): string {
  if (value.includes('\0') || LONE_SURROGATE.test(value)) throw new Error('change log: an entry holds text that PostgreSQL cannot store as it is');
  return `E'${value.replace(/[\\'?]/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "''" : '\\x3f'))}'`;
}

function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`change log: ${value} is not an entry's version`);
  return String(value);
}

/**
 * Locks the heads of `chains` and reads them, in one round trip: a chain's first appender makes
 * its head (from `hub.chain_genesis`), then every head is locked `FOR UPDATE` in code order, so
 * that two writers of several counties never wait for each other in a circle (`makeHeads` checks
 * the codes). A frozen chain is refused. Each round trip under the locks holds up the other
 * writers of those counties.
 */
export async function lockChainsAndReadHeads(em: EntityManager, chains: readonly string[]): Promise<ChainHeads> {
  const codes = [...new Set(chains)].sort();
  const results = await executeMessage(em, `${makeHeads(codes)};
    SELECT chain, seq::text AS seq, hash::text AS hash, frozen FROM hub.chain_head WHERE chain = ANY(${chainList(codes)}) ORDER BY chain FOR UPDATE`);
  const rows = results[1].rows as Array<ChainHead & { chain: string; frozen: boolean }>;
  if (rows.length !== codes.length || rows.some((row) => row.frozen)) throw new Error(`change log: cannot append to chains ${codes.join(', ')}`);
  return new Map(rows.map((row) => [row.chain, { seq: row.seq, hash: row.hash }]));
}

/** Whether the guessed heads are those read under the locks, for every chain of the batch. */
export function sameHeads(guess: ChainHeads, locked: ChainHeads): boolean {
  for (const [code, head] of locked) {
    const guessed = guess.get(code);
    if (guessed?.hash !== head.hash || guessed?.seq !== head.seq) return false;
  }
  return true;
}
