import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LONE_SURROGATE } from '../core/unicode';
import { arrayLiteral, CHAIN_CODE, CHANGE_LOG_CHANNEL, type Chained, type ChainHeads, type Placed } from './change-log.append';

/**
 * A large batch's entries by `COPY … FROM STDIN`, PostgreSQL's bulk path, where the server allows
 * it (PGlite's socket serves no COPY FROM STDIN: there the batch goes in as typed arrays,
 * change-log.append.ts). The database parses a line of text per entry instead of a statement's
 * arrays and JSON. The lines are made as they are sent, under the heads' locks (a few milliseconds
 * for a thousand entries): made earlier and held, a thousand strings per batch outlived V8's young
 * generation and doubled the hub's garbage collection.
 */
const COPY_COLUMNS = `at, operation, entity, entity_id, child_id, hukou_region, residence_region, version, changes, chain,
  actor_sub, actor_dept, actor_region, actor_roles, mutation, reason, request_id, idempotency_key, seq, prev_hash, hash`;

const COPY_STATEMENT = `COPY hub.change_log (${COPY_COLUMNS}) FROM STDIN`;

/** At most how many bytes of lines go to the database at a time (more for a line longer than that). */
const COPY_CHUNK = 64 * 1024;

/** The pieces of a line, joined by tabs: the columns of `COPY_COLUMNS`, those the entries of a write share as one. */
const LINE_PIECES = 14;
const NEWLINE = 0x0a;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: `\N` for null; a backslash, tab or line end escaped. */
function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : value;
}

/** What the entries of one write share, in the order of `COPY_COLUMNS`. */
const SHARED = ['actorSub', 'actorDept', 'actorRegion', 'actorRoles', 'mutation', 'reason', 'requestId', 'idempotencyKey'] as const;

/**
 * Whether a batch can go in by COPY: its entries are of one write (what they share is written once),
 * and no text outside their JSON holds a lone surrogate. The arrays' statement sends that text as
 * JSON, whose escape the database refuses; COPY would store U+FFFD where the hash covers the
 * escape, an entry that could never verify. (What a user wrote in an entry's changes goes as JSON
 * here too, and is refused the same way.)
 */
export function copyable(entries: readonly Placed[]): boolean {
  const first = entries[0].entry;
  const text = [first.actorSub, first.actorDept, first.actorRegion, first.mutation, first.reason, first.requestId, first.idempotencyKey, ...first.actorRoles];
  if (text.some((value) => value !== null && LONE_SURROGATE.test(value))) return false;
  return entries.every(({ entry }) => SHARED.every((key) => entry[key] === first[key]) && !LONE_SURROGATE.test(entry.entityId));
}

/** The knex transaction of the ORM's context, whose client hands out the transaction's one connection. */
interface KnexTransaction {
  client: { acquireConnection(): Promise<PoolClient>; emit(event: 'query', query: { sql: string }): void };
}

/**
 * Appends a large batch (`copyable`), chained to the heads read under their locks (which are
 * held), by COPY, a slice of lines at a time. The heads are moved on after it, by `moveHeads`.
 */
export async function appendByCopy(em: EntityManager, entries: readonly Placed[], { seqs, prevs, hashes, changes }: Chained): Promise<void> {
  const transaction = em.getTransactionContext() as KnexTransaction;
  const connection = await transaction.client.acquireConnection();
  // The statement counter and the metrics hear of it as of any statement the ORM sends.
  transaction.client.emit('query', { sql: COPY_STATEMENT });
  const { actorSub, actorDept, actorRegion, actorRoles, mutation, reason, requestId, idempotencyKey } = entries[0].entry;
  const shared = [actorSub, actorDept, actorRegion, arrayLiteral(actorRoles), mutation, reason, requestId, idempotencyKey].map(field).join('\t');
  // Lines are sent some 64 KB at a time, each written into a buffer as it is made: a string or
  // buffer of a whole batch (600 KB for a thousand entries) would be made in V8's old generation,
  // which only a full collection frees. Each line is one join of its pieces, not a chain of
  // concatenations that writing it out would flatten again.
  function* slices() {
    let chunk = Buffer.allocUnsafe(COPY_CHUNK);
    let used = 0;
    let at: Date | null = null;
    const line: string[] = new Array<string>(LINE_PIECES);
    for (let i = 0; i < entries.length; i++) {
      const { chain, entry } = entries[i];
      if (entry.at !== at) {
        at = entry.at;
        line[0] = at.toISOString();
      }
      line[1] = entry.operation;
      line[2] = field(entry.entity);
      line[3] = field(entry.entityId);
      line[4] = field(entry.childId);
      line[5] = entry.hukouRegion;
      line[6] = entry.residenceRegion;
      line[7] = field(entry.version);
      line[8] = field(changes[i]);
      line[9] = chain;
      line[10] = shared;
      line[11] = String(seqs[i]);
      line[12] = prevs[i];
      line[13] = hashes[i];
      const text = line.join('\t');
      // UTF-8 takes at most three bytes for each UTF-16 code unit, and the line ends in one more.
      if (used + 3 * text.length + 1 > chunk.length) {
        if (used > 0) yield chunk.subarray(0, used);
        chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK, 3 * text.length + 1));
        used = 0;
      }
      used += chunk.write(text, used);
      chunk[used++] = NEWLINE;
    }
    if (used > 0) yield chunk.subarray(0, used);
  }
  try {
    await pipeline(Readable.from(slices(), { objectMode: false }), connection.query(copyFrom(COPY_STATEMENT)));
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
