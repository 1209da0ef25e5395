import { hash as digest } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** One change-log entry as stored: everything the hash covers. */
export interface StoredEntry {
  seq: number;
  at: Date;
  actorSub: string;
  actorDept: string;
  actorRegion: string;
  actorRoles: string[];
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  entity: string;
  entityId: string;
  /** Null for entries about no child (acknowledgements of notices). */
  childId: string;
  hukouRegion: string;
  residenceRegion: string;
  version: number | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  mutation: string;
  reason: string | null;
  requestId: string;
  idempotencyKey: string | null;
  prevHash: string;
}

/**
 * `canonicalJson` of core/unit-of-work (sorted keys, undefined members left out), written out
 * without intermediate arrays: the verifier runs it on every entry of the log, and in worker
 * threads, which should not load the ORM that unit-of-work imports. hash-chain.spec.ts checks that
 * the two agree. Keys are sorted by UTF-16 code unit, as `<` compares them.
 */
export function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  // What is already in canonical order the engine's own serialiser writes as canonical JSON would,
  // several times faster: an entry's changes, which the writer makes so (change-log.writer.ts).
  if (writtenAsIs(value, 0)) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = sortedKeys(value);
  let text = '{';
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonical(member)}`;
  }
  return `${text}}`;
}

/** How deep `writtenAsIs` looks before it leaves a value to `canonical`'s own walk. */
const AS_IS_DEPTH = 8;

/**
 * Whether `JSON.stringify` writes a value exactly as `canonical` does: text, numbers, booleans and
 * null; arrays without holes; objects of the plain kind (no `toJSON`, no class) whose keys are
 * listed in canonical order already. Anything else (a function, a symbol, a `Date`, a sparse array,
 * keys out of order, deeper than `AS_IS_DEPTH`) is left to the walk, which writes it as it always has.
 */
function writtenAsIs(value: unknown, depth: number): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (type !== 'object' || depth > AS_IS_DEPTH) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!(i in value) || !writtenAsIs(value[i], depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1] < keys[i])) return false;
    if (!writtenAsIs((value as Record<string, unknown>)[keys[i]], depth + 1)) return false;
  }
  return true;
}

/** Up to how many keys `sortedKeys` sorts by insertion. */
const INSERTION_SORTED = 32;

/**
 * An object's own keys in the order `sort()` gives them (by UTF-16 code unit), sorted in place by
 * insertion when they are few: `Array.prototype.sort` allocates its working state on every call,
 * and canonical JSON sorts the two or three keys of thousands of small objects per batch (a
 * change's `{ before, after }`), which made those sorts a sixth of all the bytes an import allocated.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > INSERTION_SORTED) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

/** The hashed fields in the order canonical JSON writes them, so that an entry needs no sorting. */
export const HASHED_FIELDS: readonly (keyof StoredEntry)[] = (
  ['seq', 'at', 'actorSub', 'actorDept', 'actorRegion', 'actorRoles', 'operation', 'entity', 'entityId', 'childId', 'hukouRegion',
    'residenceRegion', 'version', 'changes', 'mutation', 'reason', 'requestId', 'idempotencyKey', 'prevHash'] as const
).slice().sort();
const KNOWN = new Set<string>(HASHED_FIELDS);
const KEYS = HASHED_FIELDS.map((key) => `${JSON.stringify(key)}:`);
/** Each key as the first member of an object writes it, and as any later one. */
const OPENING_KEYS = KEYS.map((key) => `{${key}`);
const LATER_KEYS = KEYS.map((key) => `,${key}`);
const SEQ = HASHED_FIELDS.indexOf('seq');
const AT = HASHED_FIELDS.indexOf('at');
const PREV = HASHED_FIELDS.indexOf('prevHash');
const CHANGES = HASHED_FIELDS.indexOf('changes');

/**
 * The hash of an entry given as its field values in `HASHED_FIELDS` order, `seq` as decimal text
 * and `at` as ISO text: exactly the canonical JSON of the object those values make (an undefined
 * value leaves its key out), without building that object. The verifier hashes rows this way.
 */
export function hashOfFields(values: ArrayLike<unknown>): string {
  let text = '{';
  for (let i = 0; i < KEYS.length; i++) {
    const value = values[i];
    if (value === undefined) continue;
    if (text.length > 1) text += ',';
    text += KEYS[i];
    text += typeof value === 'string' ? JSON.stringify(value) : canonical(value);
  }
  return digest('sha256', `${text}}`, 'hex');
}

/**
 * The canonical JSON of an entry not yet in the chain, around the two values only the chain
 * gives it: `[before, between, after]` such that its hash is the SHA-256 of
 * `before + prevHash + between + String(seq) + after` (both values are written as JSON strings,
 * and neither needs escaping: hex digits and decimal digits). The database chains small writes
 * from these (change-log.append.ts), so that the head is read and hashed under the chain lock in
 * the statement that appends, with no round trip to this process.
 */
export function canonicalAroundChain(entry: Omit<StoredEntry, 'seq' | 'prevHash'>): [string, string, string] {
  const pieces: string[] = [];
  let text = '{';
  let first = true;
  for (let i = 0; i < KEYS.length; i++) {
    const key = HASHED_FIELDS[i];
    const inChain = i === SEQ || i === PREV;
    const value = key === 'at' ? entry.at.toISOString() : inChain ? null : entry[key as keyof typeof entry];
    if (value === undefined) continue;
    if (!first) text += ',';
    first = false;
    text += KEYS[i];
    if (inChain) {
      pieces.push(`${text}"`);
      text = '"';
    } else {
      text += typeof value === 'string' ? JSON.stringify(value) : canonical(value);
    }
  }
  for (const key in entry) if (!KNOWN.has(key)) throw new Error(`change log: ${key} is not a field of an entry`);
  pieces.push(`${text}}`);
  return pieces as [string, string, string];
}

/**
 * SHA-256 over a canonical serialisation (sorted keys, ISO time), so that the hash can be
 * recomputed from the stored row by anyone, in any language, and any altered byte shows:
 * `sha256(canonicalJson({ ...entry, seq: String(entry.seq), at: entry.at.toISOString() }))`, hex.
 */
export function entryHash(entry: StoredEntry): string {
  for (const key in entry) {
    // Any key beyond the stored fields is hashed too, as canonical JSON takes every key.
    if (!KNOWN.has(key)) {
      const { at, ...rest } = entry;
      return digest('sha256', canonical({ ...rest, seq: String(entry.seq), at: at.toISOString() }), 'hex');
    }
  }
  const values: unknown[] = HASHED_FIELDS.map((key) => entry[key]);
  values[SEQ] = String(entry.seq);
  values[AT] = entry.at.toISOString();
  return hashOfFields(values);
}

/**
 * Hashes the entries of one batch in turn, each as `entryHash` does: a value met again in the
 * same field as the entry before (what the entries of one write share: the actor, the time, the
 * mutation, the request, and often the regions) is serialised once, not once per entry. The
 * entries must not change while they are hashed. `changesJson` is the last entry's changes as
 * serialised (null when it has none), so that the statement that stores them need not serialise
 * them again: jsonb keeps the same value from either text.
 */
export class EntryHasher {
  /** Each field's last value, and its JSON. */
  private readonly values: unknown[] = new Array(KEYS.length);
  private readonly texts: string[] = new Array(KEYS.length);
  /**
   * The pieces of one entry's JSON, two per field (its key, its value) and the closing brace,
   * joined at once: `+=` would leave a string of a few dozen concatenations per entry to flatten,
   * the largest share of what an import allocated. Reused from entry to entry.
   */
  private readonly pieces: string[] = new Array<string>(2 * KEYS.length + 1).fill('');
  private at: Date | null = null;
  private atText = '';
  changesJson: string | null = null;

  hash(entry: Omit<StoredEntry, 'seq' | 'prevHash'>, seq: number, prevHash: string): string {
    this.changesJson = null;
    const pieces = this.pieces;
    let first = true;
    for (let i = 0; i < KEYS.length; i++) {
      let json: string;
      if (i === SEQ) json = `"${seq}"`;
      else if (i === PREV) json = JSON.stringify(prevHash);
      else {
        const value = i === AT ? this.time(entry.at) : entry[HASHED_FIELDS[i] as keyof typeof entry];
        if (value === undefined) {
          pieces[2 * i] = pieces[2 * i + 1] = '';
          continue;
        }
        if (value !== this.values[i] || this.texts[i] === undefined) {
          this.values[i] = value;
          this.texts[i] = typeof value === 'string' ? JSON.stringify(value) : canonical(value);
        }
        json = this.texts[i];
        if (i === CHANGES) this.changesJson = json;
      }
      pieces[2 * i] = first ? OPENING_KEYS[i] : LATER_KEYS[i];
      pieces[2 * i + 1] = json;
      first = false;
    }
    pieces[2 * KEYS.length] = first ? '{}' : '}';
    return digest('sha256', pieces.join(''), 'hex');
  }

  /** The time as ISO text, made once for the `Date` the entries of a write share. */
  private time(at: Date): string {
    if (at !== this.at) {
      this.at = at;
      this.atText = at.toISOString();
    }
    return this.atText;
  }
}
