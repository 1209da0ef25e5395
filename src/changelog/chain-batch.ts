import { types as pgTypes } from 'pg';
import { HASHED_FIELDS, hashOfFields } from './hash-chain';

/**
 * One batch of the chain, checked on its own (in the verifier's thread or in a worker thread):
 * the rows with sequence numbers in [from, from + size), as `batchCopy` reads them. The verifier joins the batches in order: the link from a batch's first entry to
 * the previous batch's last one is the only check left to it.
 */
export const BATCH_COLUMNS: Record<(typeof HASHED_FIELDS)[number], string> = {
  seq: 'seq', at: 'at', actorSub: 'actor_sub', actorDept: 'actor_dept', actorRegion: 'actor_region', actorRoles: 'actor_roles',
  operation: 'operation', entity: 'entity', entityId: 'entity_id', childId: 'child_id', hukouRegion: 'hukou_region',
  residenceRegion: 'residence_region', version: 'version', changes: 'changes', mutation: 'mutation', reason: 'reason',
  requestId: 'request_id', idempotencyKey: 'idempotency_key', prevHash: 'prev_hash',
};

/**
 * A batch as `COPY … TO STDOUT` text: each row the hashed fields' columns in `HASHED_FIELDS` order
 * and then the stored hash. COPY writes each value with its type's output function, as a plain
 * SELECT sends it, only escaped; the rows are turned back into exactly what the driver would
 * parse (`parseBatch`), in whichever thread checks them. The database does the least work this
 * way, and the batch crosses to a worker thread as bytes.
 */
export function batchCopy(from: number, to: number): string {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new Error(`change-log batch: bad range ${from}–${to}`);
  return `COPY (SELECT ${HASHED_FIELDS.map((f) => BATCH_COLUMNS[f]).join(', ')}, hash FROM hub.change_log WHERE seq >= ${from} AND seq < ${to} ORDER BY seq) TO STDOUT`;
}

const SEQ = HASHED_FIELDS.indexOf('seq');
const PREV = HASHED_FIELDS.indexOf('prevHash');
const HASH = HASHED_FIELDS.length;

/** What went wrong first in a batch, in the order the checks run on one entry. */
export type BatchProblem = 'missing' | 'unlinked' | 'altered';

export interface BatchCheck {
  readonly from: number;
  /** Entries that hold, from the first (its link to the previous batch not yet checked). */
  readonly good: number;
  /** The first entry's sequence number and previous hash, for the link to the previous batch. */
  readonly firstSeq: number | null;
  readonly firstPrevHash: string | null;
  /** The hash of the last good entry. */
  readonly lastHash: string | null;
  /** Set when an entry does not hold: the entry after the good ones. */
  readonly bad: { readonly seq: number; readonly expected: number; readonly problem: BatchProblem } | null;
}

const parseTimestamptz: (text: string) => unknown = pgTypes.getTypeParser(1184);

/** PostgreSQL's text for a timestamptz in a UTC session, e.g. `2026-10-01 08:00:02.5+00`. */
const PG_UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.(\d{1,6}))?\+00$/;

/**
 * What `toISOString()` gives for the Date that pg parses from the text (milliseconds cut, not
 * rounded, as pg does), without making the Date; other forms go through pg's own parser. A time
 * that is no valid date gives null, which no hash was made over, so the entry shows as altered.
 */
export function isoTime(text: string): string | null {
  const match = PG_UTC_TIME.exec(text);
  if (match) return `${text.slice(0, 10)}T${text.slice(11, 19)}.${((match[1] ?? '') + '000').slice(0, 3)}Z`;
  const parsed = parseTimestamptz(text);
  return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : null;
}

/** COPY's text escapes (it writes no others); `\\N` alone is NULL. */
const UNESCAPE: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const unescape = (field: string) => field.replace(/\\(.)/gs, (_, c: string) => UNESCAPE[c] ?? c);
const asText = (text: string) => text;
const parserOf = pgTypes.getTypeParser as (oid: number) => (text: string) => unknown;
/** Each column's parser: those the driver applies to a plain SELECT's text (and the time as `isoTime` gives it). */
const PARSERS: ReadonlyArray<(text: string) => unknown> = [
  ...HASHED_FIELDS.map((field) => {
    switch (field) {
      case 'at': return isoTime;
      case 'actorRoles': return parserOf(1009);
      case 'changes': return parserOf(3802);
      case 'version': return parserOf(23);
      default: return asText;
    }
  }),
  asText,
];

/** The rows of a batch's COPY text, each value as the driver would give it from a SELECT. */
export function parseBatch(text: string): unknown[][] {
  const rows: unknown[][] = [];
  const columns = PARSERS.length;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const row = new Array<unknown>(columns);
    let from = start;
    for (let i = 0; i < columns; i++) {
      const to = i === columns - 1 ? end : text.indexOf('\t', from);
      if (to < 0 || to > end) throw new Error(`change-log batch: a row of ${i + 1} columns, not ${columns}`);
      const field = text.slice(from, to);
      row[i] = field === '\\N' ? null : PARSERS[i](field.includes('\\') ? unescape(field) : field);
      from = to + 1;
    }
    if (from !== end + 1) throw new Error(`change-log batch: a row of more than ${columns} columns`);
    rows.push(row);
    start = end + 1;
  }
  return rows;
}

/**
 * Checks the batch's entries as the chain walk does, in the same order (sequence number, link,
 * content), except the first entry's link, which needs the previous batch.
 */
export function checkBatch(bytes: Uint8Array | null, from: number): BatchCheck {
  const rows = bytes === null || bytes.length === 0 ? [] : parseBatch(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  let expected = from;
  let prevHash: string | null = null;
  let firstSeq: number | null = null;
  let firstPrevHash: string | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const seq = Number(row[SEQ]);
    if (i === 0) {
      firstSeq = seq;
      firstPrevHash = row[PREV] as string;
    }
    const stop = (problem: BatchProblem): BatchCheck => ({ from, good: i, firstSeq, firstPrevHash, lastHash: prevHash, bad: { seq, expected, problem } });
    if (seq !== expected) return stop('missing');
    if (i > 0 && row[PREV] !== prevHash) return stop('unlinked');
    row[SEQ] = String(seq);
    const hash = row[HASH] as string;
    if (hashOfFields(row) !== hash) return stop('altered');
    prevHash = hash;
    expected++;
  }
  return { from, good: rows.length, firstSeq, firstPrevHash, lastHash: prevHash, bad: null };
}
