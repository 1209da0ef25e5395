import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { BATCH_COLUMNS, batchCopy, heapCopy, isoTime } from './chain-batch';
import { chainGenesis, type ChainVerifyResult, verifyChain, type VerifyResult } from './change-log.verify';
import { canonical, canonicalAroundChain, EntryHasher, entryHash, GENESIS_HASH, HASHED_FIELDS, type StoredEntry } from './hash-chain';

/**
 * The hash definition is `sha256(canonicalJson({ ...entry, seq: String(seq), at: ISO time }))`.
 * The log's own serialiser is written for speed; these tests hold it to that definition, and the
 * batched verifier to the plain walk, entry by entry, that it replaces.
 */
const definition = (entry: StoredEntry & Record<string, unknown>) => {
  const { at, ...rest } = entry;
  return createHash('sha256').update(canonicalJson({ ...rest, seq: String(entry.seq), at: at.toISOString() })).digest('hex');
};

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  // A lone surrogate is no text PostgreSQL can store: only the serialiser's own tests get one.
  const text = (storable = false) =>
    Array.from({ length: Math.floor(next() * 6) }, () => pick(['a', 'Z', '张', '"', '\\', '\n', '\t', '\u0001', '😀', storable ? '\r' : '\ud800', ' ', 'é', '_', '0', 'N'])).join('');
  const value = (depth: number, storable = false): unknown => {
    const kind = Math.floor(next() * (depth > 2 ? 6 : 9));
    switch (kind) {
      case 0: return null;
      case 1: return undefined;
      case 2: return next() < 0.5;
      case 3: return pick([0, -1, 1.5, 1e21, -0, Number.NaN, 2 ** 53]);
      case 4: case 5: return text(storable);
      case 6: return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1, storable));
      case 7: return new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 1e10));
      default: return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [text(storable), value(depth + 1, storable)]));
    }
  };
  return { next, pick, text, value };
}

describe('canonical serialisation', () => {
  it('writes what canonicalJson writes, for any JSON-like value', () => {
    const r = random(7);
    for (let i = 0; i < 5000; i++) {
      const value = r.value(0);
      expect(canonical(value)).toBe(canonicalJson(value));
    }
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    expect(canonical(sparse)).toBe(canonicalJson(sparse));
    expect(canonical({ b: 1, a: undefined, B: [undefined], 'ä': 2, '😀': 3, '\uffff': 4 })).toBe(canonicalJson({ b: 1, a: undefined, B: [undefined], 'ä': 2, '😀': 3, '\uffff': 4 }));
  });

  it('orders many keys as few, integer-like ones by code unit too (insertion up to 32 keys, sort beyond)', () => {
    for (const size of [2, 3, 17, 32, 33, 200]) {
      // Keys given in reverse, and integer-like ones, which objects list first in numeric order.
      const keys = Array.from({ length: size }, (_, i) => (i % 3 === 0 ? String(size - i) : `k${String.fromCharCode(0x4e00 + size - i)}${size - i}`));
      const value = Object.fromEntries(keys.map((key, i) => [key, i % 5 === 0 ? { z: i, a: [i], '10': null, '9': true } : i]));
      expect(canonical(value)).toBe(canonicalJson(value));
      const written = Object.keys(JSON.parse(canonical(value)) as object);
      expect(written).toHaveLength(size);
    }
    expect(canonical({ b: { after: 2, before: 1 }, a: { before: null, after: 'x' } })).toBe('{"a":{"after":"x","before":null},"b":{"after":2,"before":1}}');
  });

  it('writes values already in canonical order as the walk does, whatever they hold (the engine\'s serialiser writes those)', () => {
    class Listed extends Array<number> {
      toJSON() {
        return 'listed';
      }
    }
    const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: [nested(depth - 1)], b: null });
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: { after: 'x', before: null } });
    const values: unknown[] = [
      { after: 'x', before: null },
      { a: { after: [1, 'b', null, undefined, true], before: { x: -0, y: Number.NaN } }, b: undefined, c: '\ud800 \n 张三' },
      bare,
      { a: new Date(Date.UTC(2026, 11, 7)), b: 1 },
      { a: () => 1, b: 2 },
      { a: Symbol('s'), b: 2 },
      { a: Listed.from([1, 2]), b: [3] },
      { a: { toJSON: () => 'no' }, b: 1 },
      { a: [1, , 3], b: 1 }, // eslint-disable-line no-sparse-arrays
      { '10': 1, '9': 2, a: 3 },
      { a: new String('boxed'), b: 1 },
      nested(3),
      nested(20),
    ];
    for (const value of values) expect(canonical(value)).toBe(canonicalJson(value));
  });

  it('lists the hashed fields in canonical key order', () => {
    expect([...HASHED_FIELDS]).toEqual([...HASHED_FIELDS].sort((a, b) => (a < b ? -1 : 1)));
  });
});

function entryFor(seq: number, prevHash: string, r = random(seq)): StoredEntry {
  return {
    seq, at: new Date(Date.UTC(2026, 9, 1) + seq * 1_003), actorSub: r.text(true) || 'clerk', actorDept: r.pick(['EDU', 'PSB']), actorRegion: '350102',
    actorRoles: r.next() < 0.2 ? ['clerk', 'expert'] : ['clerk'], operation: r.pick(['CREATE', 'UPDATE', 'DELETE'] as const), entity: 'EducationRecord',
    entityId: randomUUID(), childId: r.next() < 0.1 ? (null as unknown as string) : randomUUID(), hukouRegion: '350102', residenceRegion: '350103',
    version: r.next() < 0.1 ? null : Math.floor(r.next() * 9),
    // Stored as jsonb: what JSON keeps of the values.
    changes: JSON.parse(JSON.stringify({ [r.text(true)]: { before: r.value(1, true), after: r.value(1, true) }, grade: { before: 3, after: 4 } })),
    mutation: 'upsertEducationRecords', reason: r.next() < 0.5 ? null : r.text(true), requestId: randomUUID(), idempotencyKey: r.next() < 0.5 ? null : r.text(true), prevHash,
  };
}

describe('entryHash', () => {
  it('is the definition, for entries with every kind of value, and with keys beyond the stored ones', () => {
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= 2000; seq++) {
      const entry = entryFor(seq, prevHash);
      prevHash = entryHash(entry);
      expect(prevHash).toBe(definition(entry as StoredEntry & Record<string, unknown>));
    }
    const extra = { ...entryFor(1, GENESIS_HASH), note: 'not a stored field' };
    expect(entryHash(extra)).toBe(definition(extra));
    const missing: Partial<StoredEntry> = { ...entryFor(2, GENESIS_HASH) };
    delete missing.reason;
    expect(entryHash(missing as StoredEntry)).toBe(definition(missing as StoredEntry & Record<string, unknown>));
  });
});

describe('EntryHasher', () => {
  it('hashes a batch\'s entries as the definition does, what they share serialised once, and keeps each one\'s changes as JSON', () => {
    // Entries of one write share the time, the actor and the request, value for value; some share
    // more with the entry before (the same changes object, a reason), some lack a field.
    const shared = entryFor(1, GENESIS_HASH);
    const hasher = new EntryHasher();
    let prevHash = GENESIS_HASH;
    let previous: StoredEntry | null = null;
    for (let seq = 1; seq <= 2000; seq++) {
      const own = entryFor(seq, prevHash);
      const entry: StoredEntry = { ...own, at: shared.at, actorSub: shared.actorSub, actorRoles: shared.actorRoles, requestId: shared.requestId };
      if (previous && seq % 7 === 0) entry.changes = previous.changes;
      if (seq % 11 === 0) entry.at = new Date(shared.at.getTime() + seq);
      if (seq % 13 === 0) delete (entry as Partial<StoredEntry>).reason;
      if (seq % 17 === 0) delete (entry as Partial<StoredEntry>).changes;
      // Without the first field in key order, another one opens the object.
      if (seq % 19 === 0) delete (entry as Partial<StoredEntry>).actorDept;
      const { seq: _seq, prevHash: _prev, ...unchained } = entry;
      const hash = hasher.hash(unchained, seq, prevHash);
      expect(hash).toBe(definition(entry as StoredEntry & Record<string, unknown>));
      expect(hash).toBe(entryHash(entry));
      if (entry.changes === undefined) expect(hasher.changesJson).toBeNull();
      else expect(JSON.parse(hasher.changesJson!)).toEqual(JSON.parse(JSON.stringify(entry.changes)));
      prevHash = hash;
      previous = entry;
    }
  });
});

describe('canonicalAroundChain', () => {
  it('is the definition once the previous hash and the seq are put between its pieces, for entries with every kind of value', () => {
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= 2000; seq++) {
      const { seq: _seq, prevHash: _prev, ...unchained } = entryFor(seq, prevHash);
      const [before, between, after] = canonicalAroundChain(unchained);
      const hash = createHash('sha256').update(`${before}${prevHash}${between}${seq}${after}`).digest('hex');
      expect(hash).toBe(definition({ ...unchained, seq, prevHash } as StoredEntry & Record<string, unknown>));
      prevHash = hash;
    }
    const missing: Partial<StoredEntry> = { ...entryFor(2, GENESIS_HASH) };
    delete missing.reason;
    const { seq, prevHash: prev, ...withoutReason } = missing as StoredEntry;
    const [before, between, after] = canonicalAroundChain(withoutReason);
    expect(createHash('sha256').update(`${before}${prev}${between}${seq}${after}`).digest('hex')).toBe(definition(missing as StoredEntry & Record<string, unknown>));
  });

  it('refuses a key that is not a stored field, which the database would not store but the hash would cover', () => {
    const { seq: _seq, prevHash: _prev, ...unchained } = entryFor(1, GENESIS_HASH);
    expect(() => canonicalAroundChain({ ...unchained, note: 'not a stored field' } as typeof unchained)).toThrow(/note is not a field/);
  });
});

describe('the time as hashed', () => {
  it('is what pg parses from PostgreSQL\'s text, then toISOString', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parse: (text: string) => Date = require('pg').types.getTypeParser(1184);
    for (const text of ['2026-10-01 08:00:02+00', '2026-10-01 08:00:02.5+00', '2026-10-01 08:00:02.123456+00', '2026-10-01 08:00:02.999999+00',
      '0099-01-01 00:00:00+00', '2026-10-01 16:00:02.25+08', '2026-10-01 08:00:02.1-03:30', '1960-05-01 00:00:00.0019+00']) {
      expect(isoTime(text)).toBe(parse(text).toISOString());
    }
    expect(isoTime('infinity')).toBeNull();
    expect(isoTime('not a time')).toBeNull();
  });
});

/** A value as PostgreSQL's COPY text writes it: the type's output, then COPY's escapes. */
function copyText(value: unknown, column: string): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (value instanceof Date) {
    // timestamptz in a UTC session: no trailing zeros in the fraction, none at all for whole seconds.
    text = value.toISOString().replace('T', ' ').replace(/\.?0*Z$/, '+00');
  } else if (column === 'actor_roles') {
    text = `{${(value as string[]).map((role) => (/^[\w-]+$/.test(role) && role !== 'NULL' ? role : `"${role.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
  } else if (column === 'changes') {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  return text.replace(/[\\\n\r\t\b\f\v]/g, (c) => escapes[c]);
}

type Row = StoredEntry & { hash: string };

/** Rows on a heap page of the memory log: few, so that the heap walk's ranges are many. */
const ROWS_PER_PAGE = 7;

/**
 * Rows as `Sql.copyOutMessages` gives them: a CopyData message each, and now and then a message
 * the server may send at any time (a NoticeResponse), which the reader must pass over.
 */
function copyMessages(rows: readonly string[]): Buffer {
  const message = (code: string, body: Buffer) => {
    const header = Buffer.alloc(5);
    header.write(code, 0, 'latin1');
    header.writeUInt32BE(body.length + 4, 1);
    return [header, body];
  };
  const notice = message('N', Buffer.from('SNOTICE\0Mnothing\0\0', 'latin1'));
  return Buffer.concat(rows.flatMap((row, i) => [...(i % 5 === 2 ? notice : []), ...message('d', Buffer.from(row, 'utf8'))]));
}

/**
 * The log as rows of several chains, served to the verifier the way PostgreSQL gives them: the
 * head rows, the chains the log holds with their last seq, the heap's size, COPY's batches of a
 * chain and COPY's ranges of heap pages. `global` is the frozen chain of before per-county chains,
 * from whose head the county chains' genesis hangs. Where each row lies in the heap is `place`'s
 * answer (by default the chains interleaved in the order they were appended); `copies` lists every
 * COPY the verifier made.
 */
function memoryLog(counts: Record<string, number>) {
  const chains = new Map<string, Map<number, Row>>();
  const heads = new Map<string, { seq: number; hash: string }>();
  const build = (chain: string, count: number, from: string) => {
    const rows = new Map<number, Row>();
    let prevHash = from;
    for (let seq = 1; seq <= count; seq++) {
      const entry = entryFor(seq, prevHash, random(seq * 31 + chain.length));
      prevHash = entryHash(entry);
      rows.set(seq, { ...entry, hash: prevHash });
    }
    chains.set(chain, rows);
    heads.set(chain, { seq: count, hash: prevHash });
  };
  build('global', counts.global ?? 0, GENESIS_HASH);
  const globalHead = heads.get('global')!.hash;
  for (const [chain, count] of Object.entries(counts)) if (chain !== 'global') build(chain, count, chainGenesis(chain, globalHead));
  const asLine = (row: Row) => [...HASHED_FIELDS.map((field) => copyText(row[field], BATCH_COLUMNS[field])), row.hash].join('\t');
  const chainOrder = Object.keys(counts);
  const layout = { place: (chain: string, seq: number) => seq * chainOrder.length + chainOrder.indexOf(chain) };
  const copies: string[] = [];
  const heap = () => [...chains].flatMap(([chain, rows]) => [...rows.values()].map((row) => ({ chain, row, at: layout.place(chain, row.seq) })))
    .sort((a, b) => a.at - b.at);
  const sql = {
    async query(text: string) {
      if (text.includes('pg_relation_size')) return [{ blocks: String(Math.ceil(heap().length / ROWS_PER_PAGE)) }];
      if (text.includes('FROM hub.chain_head')) return [...heads].map(([chain, head]) => ({ chain, seq: String(head.seq), hash: head.hash }));
      if (text.includes('WITH RECURSIVE')) {
        return [...chains].filter(([, rows]) => rows.size).sort(([a], [b]) => (a < b ? -1 : 1)).map(([chain, rows]) => ({ chain, last: String(Math.max(...rows.keys())) }));
      }
      throw new Error(`unexpected query ${text}`);
    },
    async copyOutMessages(text: string) {
      copies.push(text);
      const pages = /WHERE ctid >= '\((\d+),0\)'::tid(?: AND ctid < '\((\d+),0\)'::tid)?\) TO STDOUT$/.exec(text);
      if (!pages) throw new Error(`unexpected COPY ${text}`);
      const [from, to] = [Number(pages[1]), pages[2] === undefined ? null : Number(pages[2])];
      if (text !== heapCopy(from, to)) throw new Error(`unexpected COPY ${text}`);
      const rows = heap().slice(from * ROWS_PER_PAGE, to === null ? undefined : to * ROWS_PER_PAGE);
      // In chunks of odd sizes, as a socket would give them, with a little before and after; plain
      // Uint8Arrays, as chunks are once they have crossed to a worker thread.
      const bytes = Buffer.concat([Buffer.from('before'), copyMessages(rows.map(({ chain, row }) => `${chain}\t${row.seq}\t${asLine(row)}\n`)), Buffer.from('after')]);
      const chunks: Uint8Array[] = [];
      for (let at = 0, size = 333; at < bytes.length; at += size, size = 333 + (at % 7)) chunks.push(Uint8Array.from(bytes.subarray(at, at + size)));
      return { chunks, from: 6, to: bytes.length - 5 };
    },
    async copyOut(text: string) {
      copies.push(text);
      const range = /WHERE chain = '([^']+)' AND seq >= (\d+) AND seq < (\d+) ORDER BY seq\) TO STDOUT$/.exec(text);
      if (!range || text !== batchCopy(range[1], Number(range[2]), Number(range[3]))) throw new Error(`unexpected COPY ${text}`);
      const [from, to] = [Number(range[2]), Number(range[3])];
      const batch = [...(chains.get(range[1])?.values() ?? [])].filter((r) => r.seq >= from && r.seq < to).sort((a, b) => a.seq - b.seq);
      return Buffer.from(batch.map((row) => `${asLine(row)}\n`).join(''), 'utf8');
    },
  } as unknown as Sql;
  return { chains, heads, sql, globalHead, layout, copies };
}

/** The verifier as it was, chain by chain: one entry after another, from the chain's genesis, and then the head row. */
function walk(chains: Map<string, Map<number, Row>>, heads: Map<string, { seq: number; hash: string }>, globalHead: string): VerifyResult {
  const order = [...new Set([...chains.keys(), ...heads.keys()])].filter((c) => (chains.get(c)?.size ?? 0) > 0 || heads.has(c))
    .sort((a, b) => (a === 'global' ? 1 : b === 'global' ? -1 : a < b ? -1 : 1));
  const results: ChainVerifyResult[] = order.map((chain) => {
    let expectedSeq = 1;
    let prevHash = chainGenesis(chain, globalHead);
    const bad = (seq: number, problem: string): ChainVerifyResult => ({ chain, ok: false, entries: expectedSeq - 1, headSeq: null, headHash: null, firstBadSeq: seq, problem });
    for (const { hash, ...entry } of [...(chains.get(chain)?.values() ?? [])].sort((a, b) => a.seq - b.seq)) {
      if (entry.seq !== expectedSeq) return bad(Math.min(entry.seq, expectedSeq), `链 ${chain} 序号 ${expectedSeq} 缺失 (chain ${chain}: entry ${expectedSeq} is missing)`);
      if (entry.prevHash !== prevHash) return bad(entry.seq, `链 ${chain} 第 ${entry.seq} 条的前序哈希不符 (chain ${chain}: entry ${entry.seq} does not follow its predecessor)`);
      if (entryHash(entry) !== hash) return bad(entry.seq, `链 ${chain} 第 ${entry.seq} 条内容与哈希不符 (chain ${chain}: entry ${entry.seq} was altered)`);
      prevHash = hash;
      expectedSeq++;
    }
    const walked = expectedSeq - 1;
    const head = heads.get(chain);
    if (!head || head.seq > walked || (head.seq === walked && walked > 0 && head.hash !== prevHash)) {
      return bad(head ? Math.min(head.seq, walked + 1) : 1, `链 ${chain} 的链头记录与日志不符 (chain ${chain}: its head row does not name its last entry)`);
    }
    return { chain, ok: true, entries: walked, headSeq: walked || null, headHash: walked ? prevHash : null, firstBadSeq: null, problem: null };
  });
  const firstBad = results.find((r) => !r.ok) ?? null;
  return {
    ok: !firstBad, entries: results.reduce((n, r) => n + r.entries, 0), chains: results,
    firstBadChain: firstBad?.chain ?? null, firstBadSeq: firstBad?.firstBadSeq ?? null, problem: firstBad?.problem ?? null,
  };
}

/** Where rows lie in the heap: as appended, or scattered (entries of other connections, rows updated in place by someone). */
const LAYOUTS = {
  'by its index': null,
  'in heap order, as appended': (chains: string[]) => (chain: string, seq: number) => seq * chains.length + chains.indexOf(chain),
  'in heap order, scattered': () => (chain: string, seq: number) => {
    const h = createHash('sha256').update(`${chain}:${seq}`).digest();
    // Each entry a few pages from its turn: far enough to cross the ranges' edges, near enough to wait in the stash.
    return seq * 40 + h.readUInt32BE(0) / 2 ** 32 * 400;
  },
  'in heap order, one chain reversed': (chains: string[]) => (chain: string, seq: number) => (chain === '350103' ? (1_000 - seq) * 8 : seq * chains.length + chains.indexOf(chain)),
} as const;

describe.each(Object.keys(LAYOUTS) as Array<keyof typeof LAYOUTS>)('verifyChain chain by chain, read %s', (layoutName) => {
  // Batches of 100 sequence numbers and heap ranges of 3 pages here: the tampering below sits at,
  // around and across their edges, in one county chain, with the frozen global chain and two other
  // county chains beside it.
  const counts = { global: 57, '350102': 203, '350103': 120, '350203': 1 };
  const { chains, heads, sql, globalHead, layout, copies } = memoryLog(counts);
  const place = LAYOUTS[layoutName]?.(Object.keys(counts));
  if (place) layout.place = place;
  const rows = chains.get('350102')!;
  const verify = () => verifyChain(sql, place ? { batch: 100, pages: 3 } : { batch: 100, read: 'index' });
  /** The chains the verifier read by their index. */
  const readByIndex = () => [...new Set(copies.filter((c) => c.includes('ORDER BY seq')).map((c) => /chain = '([^']+)'/.exec(c)![1]))].sort();
  beforeEach(() => {
    copies.length = 0;
  });
  const original = new Map([...chains].map(([chain, r]) => [chain, new Map(r)]));
  const originalHeads = new Map(heads);
  const expected = () => walk(chains, heads, globalHead);

  afterEach(() => {
    for (const [chain, r] of original) {
      chains.get(chain)!.clear();
      for (const [seq, row] of r) chains.get(chain)!.set(seq, row);
    }
    heads.clear();
    for (const [chain, head] of originalHeads) heads.set(chain, head);
  });

  it('verifies intact chains as the plain walk does', async () => {
    const result = await verify();
    expect(result).toEqual(expected());
    expect(result).toMatchObject({ ok: true, entries: 57 + 203 + 120 + 1, firstBadChain: null });
    expect(result.chains.map((c) => [c.chain, c.headSeq])).toEqual([['350102', 203], ['350103', 120], ['350203', 1], ['global', 57]]);
    expect(result.chains[0].headHash).toBe(rows.get(203)!.hash);
    // Read once in heap order, however scattered, with no chain read again by its index.
    expect(readByIndex()).toEqual(place ? [] : ['350102', '350103', '350203', 'global']);
  });

  it('verifies an empty log', async () => {
    for (const r of chains.values()) r.clear();
    heads.clear();
    heads.set('global', { seq: 0, hash: GENESIS_HASH });
    expect(await verify()).toEqual({ ok: true, entries: 0, chains: [{ chain: 'global', ok: true, entries: 0, headSeq: null, headHash: null, firstBadSeq: null, problem: null }],
      firstBadChain: null, firstBadSeq: null, problem: null });
  });

  const altered = (seq: number) => () => rows.set(seq, { ...rows.get(seq)!, reason: 'changed afterwards' });
  const deleted = (...seqs: number[]) => () => seqs.forEach((seq) => rows.delete(seq));
  const swapped = (a: number, b: number) => () => {
    const [ra, rb] = [rows.get(a)!, rows.get(b)!];
    rows.set(a, { ...rb, seq: a });
    rows.set(b, { ...ra, seq: b });
  };
  const relinked = (seq: number) => () => rows.set(seq, { ...rows.get(seq)!, prevHash: 'f'.repeat(64) });
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it.each([
    ['altered, first entry', altered(1), 1],
    ['altered, last of a batch', altered(100), 100],
    ['altered, first of a batch', altered(101), 101],
    ['altered, head', altered(203), 203],
    ['deleted, first entry', deleted(1), 1],
    ['deleted, last of a batch', deleted(100), 100],
    ['deleted, first of a batch', deleted(101), 101],
    ['deleted, a whole batch', deleted(...range(101, 200)), 101],
    ['deleted, the end of one batch and the start of the next', deleted(...range(90, 110)), 90],
    ['deleted, the tail (the head row still names it)', deleted(202, 203), 202],
    ['swapped across a batch edge', swapped(100, 101), 100],
    ['swapped inside a batch', swapped(15, 16), 15],
    ['relinked, first of a batch', relinked(101), 101],
    ['altered twice, the earlier one named', () => { altered(150)(); altered(12)(); }, 12],
    ['moved from another county\'s chain', () => rows.set(1, { ...chains.get('350103')!.get(1)! }), 1],
  ])('names the first bad entry of the chain as the plain walk does, and still verifies the others: %s', async (_name, tamper, firstBad) => {
    tamper();
    const result = await verify();
    expect(result).toEqual(expected());
    expect(result).toMatchObject({ ok: false, firstBadChain: '350102', firstBadSeq: firstBad });
    expect(result.chains.filter((c) => c.ok).map((c) => c.chain)).toEqual(['350103', '350203', 'global']);
    if (place) expect(readByIndex()).toEqual(['350102']);
  });

  it('names a bad entry in each chain that has one', async () => {
    altered(7)();
    chains.get('350103')!.set(50, { ...chains.get('350103')!.get(50)!, actorSub: 'someone else' });
    const result = await verify();
    expect(result).toEqual(expected());
    expect(result.chains.filter((c) => !c.ok).map((c) => [c.chain, c.firstBadSeq])).toEqual([['350102', 7], ['350103', 50]]);
  });

  it('finds a head row that does not name the chain\'s last entry, and a changed frozen head (every county\'s genesis hangs from it)', async () => {
    heads.set('350203', { seq: 1, hash: 'e'.repeat(64) });
    let result = await verify();
    expect(result).toEqual(expected());
    expect(result).toMatchObject({ ok: false, firstBadChain: '350203', firstBadSeq: 1 });
    heads.set('350203', originalHeads.get('350203')!);
    heads.set('global', { seq: 57, hash: 'e'.repeat(64) });
    result = await verify();
    expect(result.chains.filter((c) => !c.ok).map((c) => c.chain)).toEqual(['350102', '350103', '350203', 'global']);
  });
});
