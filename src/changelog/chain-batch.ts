import { isUtf8 } from 'node:buffer';
import { hash as digest } from 'node:crypto';
import { types as pgTypes } from 'pg';
import { type CopiedMessages, copyRows, joinMessages } from '../db/copy-out';
import { canonicalOut, canonicalRow, COLUMNS, scanRow } from './chain-batch.canonical';
import { HASHED_FIELDS, hashOfFields } from './hash-chain';

/**
 * One batch of the chain, checked on its own (in the verifier's thread or in a worker thread):
 * the rows of one chain with sequence numbers in [from, from + size), as `batchCopy` reads them. The verifier joins the batches in order: the link from a batch's first entry to
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
export function batchCopy(chain: string, from: number, to: number): string {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new Error(`change-log batch: bad range ${from}–${to}`);
  if (!/^(global|[0-9]{6})$/.test(chain)) throw new Error(`change-log batch: bad chain ${JSON.stringify(chain)}`);
  return `COPY (SELECT ${HASHED_FIELDS.map((f) => BATCH_COLUMNS[f]).join(', ')}, hash FROM hub.change_log WHERE chain = '${chain}' AND seq >= ${from} AND seq < ${to} ORDER BY seq) TO STDOUT`;
}

/** A range of the log's heap pages as COPY text: each row its chain and seq, then a batch's columns (`batchCopy`). */
export function heapCopy(fromPage: number, toPage: number | null): string {
  if (!Number.isSafeInteger(fromPage) || fromPage < 0 || (toPage !== null && (!Number.isSafeInteger(toPage) || toPage <= fromPage))) {
    throw new Error(`change-log heap range: bad pages ${fromPage}–${toPage}`);
  }
  const upper = toPage === null ? '' : ` AND ctid < '(${toPage},0)'::tid`;
  return `COPY (SELECT chain, seq, ${HASHED_FIELDS.map((f) => BATCH_COLUMNS[f]).join(', ')}, hash FROM hub.change_log WHERE ctid >= '(${fromPage},0)'::tid${upper}) TO STDOUT`;
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
/** A text column's value from its COPY text. */
const textField = (field: string): string | null => (field === '\\N' ? null : field.includes('\\') ? unescape(field) : field);
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

/** One row of a batch's COPY text (no newline), each value as the driver would give it from a SELECT. */
export function parseRow(line: string): unknown[] {
  const columns = PARSERS.length;
  const row = new Array<unknown>(columns);
  let from = 0;
  for (let i = 0; i < columns; i++) {
    const to = i === columns - 1 ? line.length : line.indexOf('\t', from);
    if (to < 0) throw new Error(`change-log batch: a row of ${i + 1} columns, not ${columns}`);
    const field = line.slice(from, to);
    row[i] = field === '\\N' ? null : PARSERS[i](field.includes('\\') ? unescape(field) : field);
    from = to + 1;
  }
  if (from !== line.length + 1) throw new Error(`change-log batch: a row of more than ${columns} columns`);
  return row;
}

/** The rows of a batch's COPY text, each value as the driver would give it from a SELECT. */
export function parseBatch(text: string): unknown[][] {
  const rows: unknown[][] = [];
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    rows.push(parseRow(text.slice(start, end)));
    start = end + 1;
  }
  return rows;
}

/**
 * Checks the batch's entries as the chain walk does, in the same order (sequence number, link,
 * content), except the first entry's link, which needs the previous batch. The entries are read
 * from the bytes (`checkBytes`) while they hold; a batch in which one does not, or that is not
 * plainly COPY's UTF-8 rows, is checked again the exact way, which finds the same verdict (or
 * throws the same error) as the chain walk.
 */
export function checkBatch(bytes: Uint8Array | null, from: number): BatchCheck {
  if (bytes === null || bytes.length === 0) return checkRows([], from);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return (isUtf8(buf) && checkBytes(buf, from, linesOf(buf), false)) || checkRows(parseBatch(buf.toString('utf8')), from);
}

/** A batch's rows in a buffer: row i runs from `starts[i]` to `ends[i]`, its newline (or the buffer's end). */
interface Lines {
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
  readonly count: number;
}

/** The rows of COPY text laid end to end. */
function linesOf(buf: Buffer): Lines {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let start = 0; start < buf.length;) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    starts.push(start);
    ends.push(end);
    start = end + 1;
  }
  return { starts, ends, count: starts.length };
}

/** `checkBatch` the exact way, over the rows as `parseBatch` reads them. */
export function checkRows(rows: unknown[][], from: number): BatchCheck {
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

/**
 * `checkBatch` from the bytes: the batch's check if every entry holds, else null. A row is hashed
 * from `canonicalRow`'s bytes, or the exact way where it gives none. Sequence numbers are read as
 * plain decimals, and links compare the hashes' COPY text as it is: COPY writes equal text alike.
 * The rows are `lines` of `buf`, anywhere in it; `eachUtf8`: each must be checked to be UTF-8
 * (the caller has not checked the whole buffer, which holds more than rows).
 */
function checkBytes(buf: Buffer, from: number, lines: Lines, eachUtf8: boolean): BatchCheck | null {
  const ends = new Int32Array(COLUMNS);
  const fieldStart = (start: number, i: number) => (i === 0 ? start : ends[i - 1] + 1);
  let expected = from;
  let rows = 0;
  let firstPrev = 0;
  let firstPrevEnd = 0;
  let hashStart = 0;
  let hashEnd = 0;
  for (let line = 0; line < lines.count; line++) {
    const start = lines.starts[line];
    const end = lines.ends[line];
    if (eachUtf8 && !isUtf8(buf.subarray(start, end))) return null;
    const length = canonicalRow(buf, start, end, ends);
    if (length < 0 && scanRow(buf, start, ends) < 0) return null;
    if (decimal(buf, fieldStart(start, SEQ), ends[SEQ]) !== expected) return null;
    const prev = fieldStart(start, PREV);
    if (rows > 0 && !sameBytes(buf, prev, ends[PREV], hashStart, hashEnd)) return null;
    const hash = fieldStart(start, HASH);
    if (!isHex(buf, hash, end, length >= 0 ? digest('sha256', canonicalOut(length), 'hex') : exactHash(buf, start, end, expected))) return null;
    if (rows === 0) {
      firstPrev = prev;
      firstPrevEnd = ends[PREV];
    }
    hashStart = hash;
    hashEnd = end;
    rows++;
    expected++;
  }
  const text = (start: number, end: number) => textField(buf.toString('utf8', start, end));
  return { from, good: rows, firstSeq: rows ? from : null, firstPrevHash: rows ? text(firstPrev, firstPrevEnd) : null, lastHash: rows ? text(hashStart, hashEnd) : null, bad: null };
}

/** The row's hash as `checkRows` computes it, or null where `parseRow` throws (as the exact way then will). */
function exactHash(buf: Buffer, start: number, end: number, seq: number): string | null {
  try {
    const row = parseRow(buf.toString('utf8', start, end));
    row[SEQ] = String(seq);
    return hashOfFields(row);
  } catch {
    return null;
  }
}

/** A bigint's text as a number: 1 to 15 digits, no leading zero (what `String` gives back); -1 otherwise. */
function decimal(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 1 || end - start > 15 || buf[start] === 0x30) return -1;
  let value = 0;
  for (let p = start; p < end; p++) {
    const digit = buf[p] - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function sameBytes(buf: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (; a < aEnd; a++, b++) if (buf[a] !== buf[b]) return false;
  return true;
}

function isHex(buf: Uint8Array, start: number, end: number, hex: string | null): boolean {
  if (hex === null || end - start !== hex.length) return false;
  for (let k = 0; k < hex.length; k++) if (buf[start + k] !== hex.charCodeAt(k)) return false;
  return true;
}

/** What `checkRange` found in a range of the heap: each chain's runs of consecutive entries, checked as batches. */
export interface RangeCheck {
  readonly runs: ReadonlyArray<{ readonly chain: string; readonly check: BatchCheck }>;
  /** A row without a readable chain and seq: the range cannot be split, and every chain is walked by its index. */
  readonly unreadable: boolean;
}

/**
 * Where a range's messages are laid end to end, kept from range to range (grown as needed): a
 * thread's ranges are checked one at a time, each one's rows copied out into its runs, and memory
 * touched before takes the copy several times faster than fresh memory (a worker thread's goes
 * with it; the verifier's own thread checks ranges only for a log of a few ranges).
 */
let rangeSpace: Buffer | null = null;

/**
 * Checks a range of heap pages as `heapCopy` reads it, the COPY's messages as they came
 * (`Sql.copyOutMessages`, taken apart by `copyRows`): the rows split by chain, each chain's put in
 * sequence order (they lie mostly in it already), and each run of consecutive sequence numbers
 * checked as a batch (`checkBatch`). A seq met twice ends one run and starts another at the same
 * number, which the verifier's join then refuses. The verifier joins the runs of all ranges per chain.
 */
export function checkRange(copied: CopiedMessages): RangeCheck {
  const size = copied.to - copied.from;
  if (!rangeSpace || rangeSpace.length < size) rangeSpace = Buffer.allocUnsafeSlow(Math.ceil(size * 1.25));
  const buf = joinMessages(copied, rangeSpace);
  const byChain = new Map<number | string, { chain: string; seqs: number[]; starts: number[]; ends: number[] }>();
  let readable = true;
  const whole = copyRows(buf, (start, end) => {
    if (!readable) return;
    const tab = buf.indexOf(0x09, start);
    const seqEnd = tab < 0 || tab >= end ? -1 : buf.indexOf(0x09, tab + 1);
    const seq = seqEnd < 0 || seqEnd >= end ? -1 : decimal(buf, tab + 1, seqEnd);
    if (seq < 0) {
      readable = false;
      return;
    }
    // The chain's code read as a number where it is six digits (no string made per row), else its text.
    const code = tab - start === 6 ? decimal(buf, start, tab) : -1;
    const key = code >= 0 ? code : buf.toString('latin1', start, tab);
    let rows = byChain.get(key);
    if (!rows) byChain.set(key, (rows = { chain: buf.toString('latin1', start, tab), seqs: [], starts: [], ends: [] }));
    rows.seqs.push(seq);
    rows.starts.push(seqEnd + 1);
    rows.ends.push(end);
  });
  if (!whole || !readable) return { runs: [], unreadable: true };
  const runs: Array<{ chain: string; check: BatchCheck }> = [];
  for (const { chain, seqs, starts, ends } of byChain.values()) {
    let order = seqs.map((_, i) => i);
    if (seqs.some((seq, i) => i > 0 && seq < seqs[i - 1])) order = order.sort((a, b) => seqs[a] - seqs[b] || a - b);
    for (let first = 0; first < order.length;) {
      let last = first;
      while (last + 1 < order.length && seqs[order[last + 1]] === seqs[order[last]] + 1) last++;
      // The run's rows where they lie (their newlines left out); laid end to end only to be checked again the exact way.
      const count = last - first + 1;
      const lines = { starts: new Array<number>(count), ends: new Array<number>(count), count };
      for (let k = 0; k < count; k++) {
        lines.starts[k] = starts[order[first + k]];
        lines.ends[k] = ends[order[first + k]] - 1;
      }
      let check = checkBytes(buf, seqs[order[first]], lines, true);
      if (!check) {
        let size = 0;
        for (let k = first; k <= last; k++) size += ends[order[k]] - starts[order[k]];
        const run = Buffer.allocUnsafe(size);
        for (let k = first, at = 0; k <= last; k++) at += buf.copy(run, at, starts[order[k]], ends[order[k]]);
        check = checkBatch(run, seqs[order[first]]);
      }
      runs.push({ chain, check });
      first = last + 1;
    }
  }
  return { runs, unreadable: false };
}
