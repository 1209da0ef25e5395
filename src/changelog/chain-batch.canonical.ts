import { HASHED_FIELDS } from './hash-chain';

/**
 * The canonical JSON of a batch row written from its COPY bytes straight into a byte buffer, with
 * no string or object made on the way: the bytes `hashOfFields` hashes for the row as `parseRow`
 * reads it, for the shapes PostgreSQL writes for the log (plain text, `{clerk}`,
 * `2026-10-01 08:00:02.5+00`, jsonb's `{"grade": {"after": 4, "before": 3}}`). Anything else
 * leaves the row to the exact way (`parseRow`): any COPY or JSON escape, control character, number
 * other than an integer of up to 15 digits, array element that needs quoting, time not in UTC, key
 * that may sort otherwise by UTF-16 than by UTF-8 (a character from U+E000 up decides), nesting
 * deeper than `MAX_DEPTH`. The batch must be valid UTF-8, so that its bytes are those of its text.
 */

/** The batch row's columns: the hashed fields in `HASHED_FIELDS` order, then the stored hash. */
export const COLUMNS = HASHED_FIELDS.length + 1;
const LAST = COLUMNS - 1;
const MAX_DEPTH = 32;

const TAB = 0x09, NL = 0x0a, SPACE = 0x20, QUOTE = 0x22, COMMA = 0x2c, MINUS = 0x2d, DOT = 0x2e, ZERO = 0x30, NINE = 0x39, COLON = 0x3a;
const PLUS = 0x2b, T = 0x54, Z = 0x5a, N = 0x4e, LBRACKET = 0x5b, BACKSLASH = 0x5c, RBRACKET = 0x5d, LBRACE = 0x7b, RBRACE = 0x7d;
const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'utf8'));
const NULL = bytes('null'), TRUE = bytes('true'), FALSE = bytes('false');

type Kind = 'text' | 'time' | 'roles' | 'integer' | 'json';
const KIND: Partial<Record<(typeof HASHED_FIELDS)[number], Kind>> = { at: 'time', actorRoles: 'roles', version: 'integer', changes: 'json' };
const KINDS: readonly Kind[] = HASHED_FIELDS.map((field) => KIND[field] ?? 'text');
/** `{"key":` for the first field, `,"key":` for the others: all fields are present in a row. */
const PREFIXES = HASHED_FIELDS.map((field, i) => bytes(`${i ? ',' : '{'}${JSON.stringify(field)}:`));

/**
 * Finds the row starting at `start`: `ends[i]` is the index of the tab or newline that ends column
 * i. Returns the index of the row's newline (or the buffer's end), -1 for a row with other than
 * `COLUMNS` columns.
 */
export function scanRow(buf: Uint8Array, start: number, ends: Int32Array): number {
  let column = 0;
  let p = start;
  for (const length = buf.length; p < length; p++) {
    const c = buf[p];
    if (c === TAB) {
      if (column === LAST) return -1;
      ends[column++] = p;
    } else if (c === NL) {
      break;
    }
  }
  if (column !== LAST) return -1;
  ends[LAST] = p;
  return p;
}

let out = new Uint8Array(1 << 16);
/** Where the next output byte goes. The loops below copy it and `out` to locals: faster in V8. */
let o = 0;

function put(source: Uint8Array): void {
  const dst = out;
  let q = o;
  for (let k = 0; k < source.length; k++) dst[q++] = source[k];
  o = q;
}

/** Copies buf[from, to) to the output. */
function copy(buf: Uint8Array, from: number, to: number): void {
  const dst = out;
  let q = o;
  for (let p = from; p < to; p++) dst[q++] = buf[p];
  o = q;
}

/**
 * The canonical JSON of the hashed fields of the row from `start` to `end` (its newline, or the
 * buffer's end), its columns found on the way into `ends` as `scanRow` finds them: the length
 * written to `canonicalOut`, or -1 if the row must go the exact way (then `ends` is not complete).
 */
export function canonicalRow(buf: Uint8Array, start: number, end: number, ends: Int32Array): number {
  // The output is at most twice the row (`\N` → `null`, `{a}` → `["a"]`) and the keys.
  const room = 2 * (end - start) + 512;
  if (out.length < room) out = new Uint8Array(2 * room);
  o = 0;
  let from = start;
  for (let i = 0; i < LAST; i++) {
    put(PREFIXES[i]);
    let to: number;
    if (buf[from] === BACKSLASH && buf[from + 1] === N && buf[from + 2] === TAB) {
      put(NULL);
      to = from + 2;
    } else if (KINDS[i] === 'text') {
      to = text(buf, from, end);
      if (to < 0) return -1;
    } else {
      for (to = from; to < end && buf[to] !== TAB;) to++;
      if (to === end) return -1;
      let ok: boolean;
      switch (KINDS[i]) {
        case 'time': ok = time(buf, from, to); break;
        case 'roles': ok = roles(buf, from, to); break;
        case 'integer': ok = integer(buf, from, to) === to; break;
        default: ok = skipSpaces(buf, json(buf, from, to, 0), to) === to;
      }
      if (!ok) return -1;
    }
    ends[i] = to;
    from = to + 1;
  }
  for (let p = from; p < end; p++) if (buf[p] === TAB) return -1;
  ends[LAST] = end;
  out[o++] = RBRACE;
  return o;
}

/** The bytes `canonicalRow` wrote (valid until its next call). */
export const canonicalOut = (length: number): Uint8Array => out.subarray(0, length);

/**
 * A text value as JSON.stringify writes it, the bytes up to the next tab in quotes, when none
 * needs an escape: returns the tab's index, or -1.
 */
function text(buf: Uint8Array, from: number, end: number): number {
  const dst = out;
  let q = o;
  dst[q++] = QUOTE;
  let p = from;
  for (; p < end; p++) {
    const c = buf[p];
    if (c < SPACE || c === QUOTE || c === BACKSLASH) break;
    dst[q++] = c;
  }
  dst[q++] = QUOTE;
  o = q;
  return p < end && buf[p] === TAB ? p : -1;
}

const isDigit = (c: number) => c >= ZERO && c <= NINE;

/** `isoTime`'s fast case on bytes: `YYYY-MM-DD hh:mm:ss[.f{1,6}]+00` → `"YYYY-MM-DDThh:mm:ss.fffZ"`. */
function time(buf: Uint8Array, from: number, to: number): boolean {
  const length = to - from;
  if (length !== 22 && (length < 24 || length > 29)) return false;
  for (let k = 0; k < 19; k++) {
    const c = buf[from + k];
    const expected = k === 4 || k === 7 ? MINUS : k === 10 ? SPACE : k === 13 || k === 16 ? COLON : -1;
    if (expected < 0 ? !isDigit(c) : c !== expected) return false;
  }
  if (buf[to - 3] !== PLUS || buf[to - 2] !== ZERO || buf[to - 1] !== ZERO) return false;
  const fraction = from + 20;
  if (length > 22) {
    if (buf[from + 19] !== DOT) return false;
    for (let p = fraction; p < to - 3; p++) if (!isDigit(buf[p])) return false;
  }
  const dst = out;
  let q = o;
  dst[q++] = QUOTE;
  for (let k = 0; k < 19; k++) dst[q++] = k === 10 ? T : buf[from + k];
  dst[q++] = DOT;
  for (let k = 0; k < 3; k++) dst[q++] = fraction + k < to - 3 ? buf[fraction + k] : ZERO;
  dst[q++] = Z;
  dst[q++] = QUOTE;
  o = q;
  return true;
}

/** A text[] of unquoted elements (`{clerk,expert}`), as the JSON array of its strings. */
function roles(buf: Uint8Array, from: number, to: number): boolean {
  if (to - from < 2 || buf[from] !== LBRACE || buf[to - 1] !== RBRACE) return false;
  out[o++] = LBRACKET;
  if (to - from > 2) {
    let element = from + 1;
    for (let p = element; p < to; p++) {
      const c = buf[p];
      if (c === COMMA || p === to - 1) {
        const length = p - element;
        // Empty, or NULL in any case: PostgreSQL would have quoted the element; it reads as null.
        if (length === 0 || (length === 4 && (buf[element] | 0x20) === 0x6e && (buf[element + 1] | 0x20) === 0x75
          && (buf[element + 2] | 0x20) === 0x6c && (buf[element + 3] | 0x20) === 0x6c)) return false;
        if (element > from + 1) out[o++] = COMMA;
        out[o++] = QUOTE;
        copy(buf, element, p);
        out[o++] = QUOTE;
        element = p + 1;
      } else if (c <= SPACE || c === QUOTE || c === BACKSLASH || c === LBRACE || c === RBRACE) {
        return false;
      }
    }
  }
  out[o++] = RBRACKET;
  return true;
}

/**
 * An integer of at most 15 digits, written as is (what JSON.stringify writes for the number it
 * parses to); returns the position after it, or -1. `-0`, leading zeros, fractions and exponents
 * are left to the exact way.
 */
function integer(buf: Uint8Array, from: number, to: number): number {
  let p = from;
  if (p < to && buf[p] === MINUS) p++;
  const digits = p;
  if (p >= to || !isDigit(buf[p])) return -1;
  if (buf[p] === ZERO) {
    if (digits !== from) return -1;
    p++;
  } else {
    while (p < to && isDigit(buf[p])) p++;
    if (p - digits > 15) return -1;
  }
  if (p < to && (buf[p] === DOT || (buf[p] | 0x20) === 0x65 || isDigit(buf[p]))) return -1;
  copy(buf, from, p);
  return p;
}

function skipSpaces(buf: Uint8Array, p: number, to: number): number {
  if (p < 0) return -1;
  while (p < to && buf[p] === SPACE) p++;
  return p;
}

/** A JSON value from `from` (after spaces), in canonical form; returns the position after it, or -1. */
function json(buf: Uint8Array, from: number, to: number, depth: number): number {
  const p = skipSpaces(buf, from, to);
  if (p >= to) return -1;
  const c = buf[p];
  if (c === QUOTE) return string(buf, p, to);
  if (c === LBRACE) return object(buf, p, to, depth);
  if (c === LBRACKET) return array(buf, p, to, depth);
  if (c === MINUS || isDigit(c)) return integer(buf, p, to);
  const literal = c === 0x6e ? NULL : c === 0x74 ? TRUE : c === 0x66 ? FALSE : null;
  if (literal === null || p + literal.length > to) return -1;
  for (let k = 0; k < literal.length; k++) if (buf[p + k] !== literal[k]) return -1;
  put(literal);
  return p + literal.length;
}

/** A JSON string with no escape in it, from its opening quote: the same bytes. */
function string(buf: Uint8Array, from: number, to: number): number {
  const dst = out;
  let q = o;
  dst[q++] = QUOTE;
  for (let p = from + 1; p < to; p++) {
    const c = buf[p];
    if (c === QUOTE) {
      dst[q++] = QUOTE;
      o = q;
      return p + 1;
    }
    if (c < SPACE || c === BACKSLASH) return -1;
    dst[q++] = c;
  }
  return -1;
}

function array(buf: Uint8Array, from: number, to: number, depth: number): number {
  if (depth >= MAX_DEPTH) return -1;
  out[o++] = LBRACKET;
  let p = skipSpaces(buf, from + 1, to);
  if (p < to && buf[p] === RBRACKET) {
    out[o++] = RBRACKET;
    return p + 1;
  }
  for (;;) {
    p = skipSpaces(buf, json(buf, p, to, depth + 1), to);
    if (p < 0 || p >= to) return -1;
    if (buf[p] === RBRACKET) {
      out[o++] = RBRACKET;
      return p + 1;
    }
    if (buf[p] !== COMMA) return -1;
    out[o++] = COMMA;
    p++;
  }
}

/**
 * Compares two keys (escape-free JSON strings' contents) as JavaScript's sort does, by UTF-16 code
 * unit: UTF-8 bytes compare the same way up to U+DFFF; 2 where a character from U+E000 up decides.
 */
function compareKeys(buf: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  for (; a < aEnd && b < bEnd; a++, b++) {
    const x = buf[a];
    const y = buf[b];
    if (x !== y) return x >= 0xee || y >= 0xee ? 2 : x < y ? -1 : 1;
  }
  return a < aEnd ? 1 : b < bEnd ? -1 : 0;
}

/**
 * A JSON object with its members in canonical key order. jsonb writes keys shorter first (then by
 * bytes): where that is not the canonical order too, the members are written again, sorted.
 */
function object(buf: Uint8Array, from: number, to: number, depth: number): number {
  if (depth >= MAX_DEPTH) return -1;
  const start = o;
  out[o++] = LBRACE;
  let p = skipSpaces(buf, from + 1, to);
  if (p < to && buf[p] === RBRACE) {
    out[o++] = RBRACE;
    return p + 1;
  }
  let lastKey = -1;
  let lastKeyEnd = -1;
  for (;;) {
    if (p >= to || buf[p] !== QUOTE) return -1;
    const key = p + 1;
    p = string(buf, p, to);
    if (p < 0) return -1;
    if (lastKey >= 0) {
      const order = compareKeys(buf, lastKey, lastKeyEnd, key, p - 1);
      if (order === 1) return sortedObject(buf, from, to, depth, start);
      if (order !== -1) return -1;
    }
    lastKey = key;
    lastKeyEnd = p - 1;
    p = skipSpaces(buf, p, to);
    if (p >= to || buf[p] !== COLON) return -1;
    out[o++] = COLON;
    p = skipSpaces(buf, json(buf, p + 1, to, depth + 1), to);
    if (p < 0 || p >= to) return -1;
    if (buf[p] === RBRACE) {
      out[o++] = RBRACE;
      return p + 1;
    }
    if (buf[p] !== COMMA) return -1;
    out[o++] = COMMA;
    p = skipSpaces(buf, p + 1, to);
  }
}

/** `object` again from its start, its members written one after another, then put in key order. */
function sortedObject(buf: Uint8Array, from: number, to: number, depth: number, start: number): number {
  o = start;
  const members: Array<{ key: number; keyEnd: number; at: number; end: number }> = [];
  let p = skipSpaces(buf, from + 1, to);
  for (;;) {
    if (p >= to || buf[p] !== QUOTE) return -1;
    const key = p + 1;
    const at = o;
    p = string(buf, p, to);
    if (p < 0) return -1;
    const keyEnd = p - 1;
    p = skipSpaces(buf, p, to);
    if (p >= to || buf[p] !== COLON) return -1;
    out[o++] = COLON;
    p = skipSpaces(buf, json(buf, p + 1, to, depth + 1), to);
    if (p < 0 || p >= to) return -1;
    members.push({ key, keyEnd, at, end: o });
    if (buf[p] === RBRACE) break;
    if (buf[p] !== COMMA) return -1;
    p = skipSpaces(buf, p + 1, to);
  }
  let comparable = true;
  members.sort((a, b) => {
    const order = compareKeys(buf, a.key, a.keyEnd, b.key, b.keyEnd);
    if (order !== -1 && order !== 1) comparable = false;
    return order;
  });
  if (!comparable) return -1;
  const written = out.slice(start, o);
  o = start;
  out[o++] = LBRACE;
  members.forEach((member, i) => {
    if (i > 0) out[o++] = COMMA;
    out.set(written.subarray(member.at - start, member.end - start), o);
    o += member.end - member.at;
  });
  out[o++] = RBRACE;
  return p + 1;
}
