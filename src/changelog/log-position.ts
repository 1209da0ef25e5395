import { decodeCursor, encodeCursor } from '../core/connection';
import { BadUserInputError } from '../core/errors';

/**
 * A reader's place in the change log: for each chain, the last seq it has considered.
 *
 * `seq` is gap-free within a chain, and chains commit independently (each appender locks only its
 * chains' heads), so there is no one number that orders the whole log: entry 12 of Gulou may
 * commit after entry 40 of Taijiang, and a resume position "after 40" would lose it. A position
 * is a vector instead, one seq per chain; a chain it does not name is at 0 (nothing read).
 *
 * Text form: `chain:seq` pairs joined by commas, in chain order, chains at 0 left out
 * (`global:1200,350102:37`); the empty text is the start of the log. A plain integer N is the form
 * of the positions issued before the chains were split (`afterSeq`, old cursors): N in `global`.
 * Every county chain then starts at 0, which loses nothing and repeats nothing: county chains did
 * not exist when such a position was issued.
 */
export type LogPosition = ReadonlyMap<string, number>;

/** `global` (the frozen chain from before per-county chains) or a six-digit region code. */
export const CHAIN_NAME = /^(global|[0-9]{6})$/;
const PAIR = /^(global|[0-9]{6}):([0-9]{1,15})$/;
const LEGACY = /^[0-9]{1,15}$/;
/** A position names at most this many chains (the province has under a hundred counties). */
const MAX_CHAINS = 1000;
const CURSOR_KIND = 'log';
const CURSOR_TEXT = /^(global|[0-9]{6}):[0-9]{1,15}(,(global|[0-9]{6}):[0-9]{1,15})*$|^[0-9]{1,15}$/;

export const START: LogPosition = new Map();

/**
 * The position a client wrote (`argument` names it in the error). No chain is checked against the
 * log: whether a chain exists, or how long it is, is not the reader's to learn from an error.
 */
export function parsePosition(text: string, argument: string): LogPosition {
  const bad = (zh: string, en: string) => BadUserInputError.one(argument, `${zh}，应为“链:序号,…”或一个整数 (${en}: expected chain:seq,… or one integer)`);
  const trimmed = text.trim();
  if (trimmed === '') return START;
  if (LEGACY.test(trimmed)) return legacyPosition(Number(trimmed));
  const pairs = trimmed.split(',');
  if (pairs.length > MAX_CHAINS) throw bad('位置所列的链过多', 'too many chains');
  const position = new Map<string, number>();
  for (const pair of pairs) {
    const match = PAIR.exec(pair.trim());
    if (!match) throw bad('位置格式无效', 'not a position');
    if (position.has(match[1])) throw bad('同一条链出现两次', 'a chain named twice');
    const seq = Number(match[2]);
    if (seq > 0) position.set(match[1], seq);
  }
  return sorted(position);
}

/** A position issued before per-county chains: N entries of the global chain. */
export function legacyPosition(seq: number): LogPosition {
  return seq > 0 ? new Map([['global', seq]]) : START;
}

export function formatPosition(position: LogPosition): string {
  return [...sorted(position)].filter(([, seq]) => seq > 0).map(([chain, seq]) => `${chain}:${seq}`).join(',');
}

/** An opaque cursor of `changeLog` holding a position. */
export function positionCursor(position: LogPosition): string {
  // The start of the log is written as the legacy 0, so that a cursor's text is never empty.
  return encodeCursor(CURSOR_KIND, formatPosition(position) || '0');
}

/** The position in a `changeLog` cursor (old cursors held a global seq: they still work). */
export function positionOfCursor(cursor: string, argument = 'after'): LogPosition {
  const text = decodeCursor(CURSOR_KIND, cursor, CURSOR_TEXT, argument);
  return parsePosition(text, argument);
}

/**
 * A resume position as the change feed takes it: a `changeLog` cursor (endCursor) or the plain
 * text form. Plain text holds only digits, `global`, `:` and `,`; a cursor is base64url of
 * `log:…`, which never looks like that.
 */
export function positionOfText(text: string, argument: string): LogPosition {
  const trimmed = text.trim();
  if (trimmed === '' || LEGACY.test(trimmed) || trimmed.includes(':')) return parsePosition(trimmed, argument);
  return positionOfCursor(trimmed, argument);
}

/** The position moved on to `seq` in `chain` (never back). */
export function advance(position: Map<string, number>, chain: string, seq: number): void {
  if (seq > (position.get(chain) ?? 0)) position.set(chain, seq);
}

/** The position as two arrays for SQL (`unnest($1::text[], $2::bigint[])`). */
export function positionArrays(position: LogPosition): [string[], string[]] {
  const entries = [...position];
  return [entries.map(([chain]) => chain), entries.map(([, seq]) => String(seq))];
}

function sorted(position: LogPosition): Map<string, number> {
  return new Map([...position].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
