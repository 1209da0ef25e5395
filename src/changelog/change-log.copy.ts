import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { APPEND_SLICE, arrayLiteral, CHAIN_CODE, CHANGE_LOG_CHANNEL, type Chained, type ChainHeads, type Placed } from './change-log.append';

/**
 * A large batch's entries by `COPY … FROM STDIN`, PostgreSQL's bulk path, where the server allows
 * it (PGlite's socket serves no COPY FROM STDIN: there the batch goes in as typed arrays,
 * change-log.append.ts). The database parses a line of text per entry instead of a statement's
 * arrays and JSON: about half the time, spent while the chains' heads are locked.
 *
 * Each entry's line is made in two parts. What its place in the chain does not change is made
 * while the batch's own statement runs (`copyRowsOf`); only the seq and the two hashes are added
 * under the locks. The columns are ordered so: the entry's own values, then what the write shares
 * (the actor, the mutation, the reason…), written once for the batch, then the place in the chain.
 */
const COPY_COLUMNS = `at, operation, entity, entity_id, child_id, hukou_region, residence_region, version, changes, chain,
  actor_sub, actor_dept, actor_region, actor_roles, mutation, reason, request_id, idempotency_key, seq, prev_hash, hash`;

const COPY_STATEMENT = `COPY hub.change_log (${COPY_COLUMNS}) FROM STDIN`;


const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: `\N` for null; a backslash, tab or line end escaped. */
function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : value;
}

/** A UTF-16 surrogate without its pair, which UTF-8 cannot carry: written out, it would become U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Each entry's line up to its place in the chain, or null when the batch must go in as arrays: its
 * entries are of more than one write, or text a user wrote holds a lone surrogate. The arrays'
 * statement sends that text as JSON, whose escape the database refuses; COPY would store U+FFFD
 * where the hash covers the escape, an entry that could never verify. What a user wrote in an
 * entry's changes goes as JSON here too, and is refused the same way.
 */
export function copyRowsOf(entries: readonly Placed[]): string[] | null {
  const first = entries[0].entry;
  const { actorSub, actorDept, actorRegion, actorRoles, mutation, reason, requestId, idempotencyKey } = first;
  const sharedText = [actorSub, actorDept, actorRegion, mutation, reason, requestId, idempotencyKey, ...actorRoles];
  if (sharedText.some((text) => text !== null && LONE_SURROGATE.test(text))) return null;
  const shared = [actorSub, actorDept, actorRegion, arrayLiteral(actorRoles), mutation, reason, requestId, idempotencyKey].map(field).join('\t');
  const rows: string[] = [];
  for (const { chain, entry } of entries) {
    if (entry.requestId !== requestId || entry.actorSub !== actorSub || entry.actorRoles !== actorRoles || entry.mutation !== mutation
      || entry.reason !== reason || entry.idempotencyKey !== idempotencyKey || entry.actorDept !== actorDept || entry.actorRegion !== actorRegion) return null;
    if (LONE_SURROGATE.test(entry.entityId)) return null;
    rows.push(`${entry.at.toISOString()}\t${entry.operation}\t${field(entry.entity)}\t${field(entry.entityId)}\t${field(entry.childId)}\t${entry.hukouRegion}\t${entry.residenceRegion}\t${field(entry.version)}\t${field(JSON.stringify(entry.changes))}\t${chain}\t${shared}\t`);
  }
  return rows;
}

/** The knex transaction of the ORM's context, whose client hands out the transaction's one connection. */
interface KnexTransaction {
  client: { acquireConnection(): Promise<PoolClient>; emit(event: 'query', query: { sql: string }): void };
}

/**
 * Appends a large batch, chained to the heads read under their locks (which are held), by COPY of
 * `rows` (`copyRowsOf`) with each entry's seq and hashes, a slice of lines at a time. The heads are
 * moved on after it, by `moveHeads`.
 */
export async function appendByCopy(em: EntityManager, rows: readonly string[], { seqs, prevs, hashes }: Chained): Promise<void> {
  const transaction = em.getTransactionContext() as KnexTransaction;
  const connection = await transaction.client.acquireConnection();
  // The statement counter and the metrics hear of it as of any statement the ORM sends.
  transaction.client.emit('query', { sql: COPY_STATEMENT });
  function* lines() {
    for (let from = 0; from < rows.length; from += APPEND_SLICE) {
      let text = '';
      for (let i = from; i < Math.min(from + APPEND_SLICE, rows.length); i++) text += `${rows[i]}${seqs[i]}\t${prevs[i]}\t${hashes[i]}\n`;
      yield text;
    }
  }
  try {
    await pipeline(Readable.from(lines()), connection.query(copyFrom(COPY_STATEMENT)));
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * The statement that moves the chains' heads on to a batch's last entries and tells the change
 * feed, as the arrays' statement does, written out (no parameters) so that it can open the message
 * that commits (`commitAfterAppend`): a round trip fewer while the heads are locked. Every value is
 * checked to be what it must be before it is written in.
 */
export function moveHeads(tails: ChainHeads): string {
  const values = [...tails.keys()].sort().map((code) => {
    const { seq, hash } = tails.get(code)!;
    if (!CHAIN_CODE.test(code) || !/^[0-9]+$/.test(seq) || !HASH.test(hash)) throw new Error(`change log: not a head: ${code} ${seq} ${hash}`);
    return `('${code}', ${seq}, '${hash}')`;
  });
  return `WITH heads AS (UPDATE hub.chain_head h SET seq = u.seq, hash = u.hash FROM (VALUES ${values.join(', ')}) AS u(chain, seq, hash)
    WHERE h.chain = u.chain RETURNING h.chain, h.seq)
  SELECT pg_notify('${CHANGE_LOG_CHANNEL}', string_agg(chain || ':' || seq, ',' ORDER BY chain)) FROM heads HAVING count(*) > 0`;
}
