import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { BATCH_COLUMNS, batchCopy, isoTime } from './chain-batch';
import { verifyChain, type VerifyResult } from './change-log.verify';
import { canonical, canonicalAroundChain, entryHash, GENESIS_HASH, HASHED_FIELDS, type StoredEntry } from './hash-chain';

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

/** The log as rows, served to the verifier the way PostgreSQL's COPY gives its batches. */
function memoryLog(count: number) {
  const rows = new Map<number, StoredEntry & { hash: string }>();
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const entry = entryFor(seq, prevHash);
    prevHash = entryHash(entry);
    rows.set(seq, { ...entry, hash: prevHash });
  }
  const asLine = (row: StoredEntry & { hash: string }) =>
    [...HASHED_FIELDS.map((field) => copyText(row[field], BATCH_COLUMNS[field])), row.hash].join('\t');
  const sql = {
    async query(text: string) {
      if (text.includes('max(seq)')) return [{ head: rows.size ? String(Math.max(...rows.keys())) : null }];
      throw new Error(`unexpected query ${text}`);
    },
    async copyOut(text: string) {
      const range = /WHERE seq >= (\d+) AND seq < (\d+) ORDER BY seq\) TO STDOUT$/.exec(text);
      if (!range || text !== batchCopy(Number(range[1]), Number(range[2]))) throw new Error(`unexpected COPY ${text}`);
      const [from, to] = [Number(range[1]), Number(range[2])];
      const batch = [...rows.values()].filter((r) => r.seq >= from && r.seq < to).sort((a, b) => a.seq - b.seq);
      return Buffer.from(batch.map((row) => `${asLine(row)}\n`).join(''), 'utf8');
    },
  } as unknown as Sql;
  return { rows, sql };
}

/** The verifier as it was: one entry after another, from the first. */
function walk(rows: Map<number, StoredEntry & { hash: string }>): VerifyResult {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (const { hash, ...entry } of [...rows.values()].sort((a, b) => a.seq - b.seq)) {
    const bad = (problem: string): VerifyResult => ({ ok: false, entries, headSeq: null, headHash: null, firstBadSeq: Math.min(entry.seq, expectedSeq), problem });
    if (entry.seq !== expectedSeq) return bad(`序号 ${expectedSeq} 缺失 (entry ${expectedSeq} is missing)`);
    if (entry.prevHash !== prevHash) return bad(`第 ${entry.seq} 条的前序哈希不符 (entry ${entry.seq} does not follow its predecessor)`);
    if (entryHash(entry) !== hash) return bad(`第 ${entry.seq} 条内容与哈希不符 (entry ${entry.seq} was altered)`);
    prevHash = hash;
    expectedSeq++;
    entries++;
  }
  return { ok: true, entries, headSeq: entries ? expectedSeq - 1 : null, headHash: entries ? prevHash : null, firstBadSeq: null, problem: null };
}

describe('verifyChain in batches', () => {
  // Batches of 100 sequence numbers here: the tampering below sits at, around and across their edges.
  const { rows, sql } = memoryLog(203);
  const verify = () => verifyChain(sql, { batch: 100 });
  const original = new Map(rows);

  afterEach(() => {
    rows.clear();
    for (const [seq, row] of original) rows.set(seq, row);
  });

  it('verifies an intact chain as the plain walk does', async () => {
    const result = await verify();
    expect(result).toEqual(walk(rows));
    expect(result).toMatchObject({ ok: true, entries: 203, headSeq: 203, headHash: original.get(203)!.hash });
  });

  it('verifies an empty log', async () => {
    rows.clear();
    expect(await verify()).toEqual({ ok: true, entries: 0, headSeq: null, headHash: null, firstBadSeq: null, problem: null });
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
    ['swapped across a batch edge', swapped(100, 101), 100],
    ['swapped inside a batch', swapped(15, 16), 15],
    ['relinked, first of a batch', relinked(101), 101],
    ['altered twice, the earlier one named', () => { altered(150)(); altered(12)(); }, 12],
  ])('names the first bad entry as the plain walk does: %s', async (_name, tamper, firstBad) => {
    tamper();
    const result = await verify();
    expect(result).toEqual(walk(rows));
    expect(result).toMatchObject({ ok: false, firstBadSeq: firstBad });
  });

  it('does not see a deleted tail, as the plain walk does not (the head moved back)', async () => {
    deleted(202, 203)();
    expect(await verify()).toEqual(walk(rows));
  });
});
