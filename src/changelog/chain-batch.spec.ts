import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { batchCopy, checkBatch, checkRows, parseBatch, parseRow } from './chain-batch';
import { canonicalOut, canonicalRow, COLUMNS } from './chain-batch.canonical';
import { chainGenesis, verifyChain } from './change-log.verify';
import { canonical, entryHash, GENESIS_HASH, HASHED_FIELDS, type StoredEntry } from './hash-chain';
import { registerModules } from '../app/modules';

/**
 * The verifier reads most rows straight from COPY's bytes (chain-batch.canonical.ts) and the rest
 * the exact way (`parseRow`, then `hashOfFields`). These tests hold the bytes path to the exact
 * one: the same canonical text wherever it takes a row, the exact way wherever it does not, and
 * the same verdict for every batch, tampered or not. The last part runs on a real PostgreSQL
 * server (TEST_DATABASE_URL), whose output the bytes path is written for.
 */

const SEQ = HASHED_FIELDS.indexOf('seq');

/** What the exact way hashes for a COPY row. */
function exactText(line: string): string {
  const row = parseRow(line);
  row[SEQ] = String(Number(row[SEQ]));
  return canonical(Object.fromEntries(HASHED_FIELDS.map((field, i) => [field, row[i]])));
}

/** What the bytes path hashes for a COPY row, or null where it leaves the row to the exact way. */
function bytesText(line: string): string | null {
  const buf = Buffer.from(line, 'utf8');
  const length = canonicalRow(buf, 0, buf.length, new Int32Array(COLUMNS));
  return length < 0 ? null : Buffer.from(canonicalOut(length)).toString('utf8');
}

/** A row as PostgreSQL's COPY writes one of the log (the bench's shape), with some columns replaced. */
const PLAIN: Record<string, string> = {
  seq: '7', at: '2026-10-01 08:00:02.5+00', actorSub: 'bench', actorDept: 'EDU', actorRegion: '350102', actorRoles: '{clerk}',
  operation: 'UPDATE', entity: 'EducationRecord', entityId: '0b4c1f9e-3f1a-4f57-9c6f-2f4d2b6f0a11', childId: '6f0e2c55-8a34-4b8e-a4a1-54b0c2a9e7d3',
  hukouRegion: '350102', residenceRegion: '350103', version: '2', changes: '{"status": {"after": "SUSPENDED", "before": "DROPPED_OUT"}}',
  mutation: 'upsertEducationRecords', reason: '\\N', requestId: 'req-1', idempotencyKey: '\\N', prevHash: GENESIS_HASH,
};
const line = (fields: Partial<Record<string, string>> = {}, hash = 'f'.repeat(64)) =>
  [...HASHED_FIELDS.map((field) => fields[field] ?? PLAIN[field]), hash].join('\t');

describe('the bytes path, row by row', () => {
  const fast = (fields: Partial<Record<string, string>>) => {
    const text = bytesText(line(fields));
    expect(text).toBe(exactText(line(fields)));
    return text;
  };
  const exact = (fields: Partial<Record<string, string>>) => expect(bytesText(line(fields))).toBeNull();

  it('writes the canonical JSON of a plain row', () => {
    expect(fast({})).toContain('"at":"2026-10-01T08:00:02.500Z","changes":{"status":{"after":"SUSPENDED","before":"DROPPED_OUT"}}');
  });

  it.each([
    ['nulls', { reason: '\\N', idempotencyKey: '\\N', version: '\\N', childId: '\\N', changes: '\\N', actorRoles: '\\N' }],
    ['Chinese text', { reason: '学籍新生登记', actorSub: '张三 (clerk)' }],
    ['emoji and other non-ASCII text', { reason: '😀 é \u2028 \uffff', requestId: '\u007f' }],
    ['empty text', { reason: '', idempotencyKey: '' }],
    ['times to the microsecond', { at: '2026-10-01 08:00:02.123456+00' }],
    ['whole seconds', { at: '2026-10-01 08:00:02+00' }],
    ['times with one fraction digit', { at: '1960-05-01 00:00:00.1+00' }],
    ['several roles', { actorRoles: '{clerk,expert,analyst}' }],
    ['no roles', { actorRoles: '{}' }],
    ['a role with non-ASCII letters', { actorRoles: '{é,clerk-2}' }],
    ['negative and zero versions', { version: '-5' }],
    ['a zero version', { version: '0' }],
    ['the largest int4', { version: '2147483647' }],
    ['integers, true, false, null', { changes: '{"a": 1, "b": -12, "c": 0, "d": true, "e": false, "f": null, "g": 123456789012345}' }],
    ['nested objects and arrays', { changes: '{"a": [1, [2, []], {"b": {}}], "c": {"d": {"e": [null, "x"]}}}' }],
    ['keys jsonb sorts shorter first', { changes: '{"b": 1, "aa": 2, "ccc": {"z": 1, "yy": [{"d": 1, "cc": 2}]}}' }],
    ['non-ASCII keys in jsonb order', { changes: '{"z": 1, "é": 2, "名字": "张三", "aé": 3}' }],
    ['1e5 as jsonb writes it', { changes: '{"a": 100000}' }],
    ['a top-level array, string, number, null', { changes: '[1, "a", null]' }],
    ['a top-level string', { changes: '"x"' }],
    ['a top-level number', { changes: '42' }],
    ['a top-level JSON null', { changes: 'null' }],
    ['an empty object', { changes: '{}' }],
    ['compact JSON', { changes: '{"b":1,"aa":[1,2]}' }],
  ])('takes %s, writing what the exact way writes', (_name, fields) => {
    expect(fast(fields)).not.toBeNull();
  });

  it('sorts the keys jsonb writes shorter first as JavaScript does', () => {
    expect(fast({ changes: '{"b": 1, "aa": 2}' })).toContain('"changes":{"aa":2,"b":1}');
    expect(fast({ changes: '{"z": 1, "é": 2}' })).toContain('"changes":{"z":1,"é":2}');
  });

  it.each([
    ['COPY escapes in text', { reason: 'tab\\there' }],
    ['a backslash in text', { reason: 'a\\\\b' }],
    ['a raw control character', { reason: 'a\u0001b' }],
    ['a double quote in text', { reason: 'say "hi"' }],
    ['JSON string escapes', { changes: '{"a": "x\\\\ny"}' }],
    ['an escaped quote in JSON', { changes: '{"a": "x\\\\"y"}' }],
    ['1.0', { changes: '{"a": 1.0}' }],
    ['a fraction', { changes: '{"a": 2.50}' }],
    ['an exponent', { changes: '{"a": 1e5}' }],
    ['-0', { changes: '{"a": -0}' }],
    ['16 digits', { changes: '{"a": 1234567890123456}' }],
    ['a leading zero', { changes: '{"a": 01}' }],
    ['keys ordered otherwise in UTF-16 than in UTF-8', { changes: '{"\ue000": 1, "😀": 2}' }],
    ['keys from U+E000 up', { changes: '{"a\uffff": 1, "a\ue000": 2}' }],
    ['a duplicate key', { changes: '{"a": 1, "a": 2}' }],
    ['deep nesting', { changes: `${'['.repeat(40)}${']'.repeat(40)}` }],
    ['invalid JSON', { changes: '{"a": tru}' }],
    ['trailing garbage', { changes: '{"a": 1} x' }],
    ['a quoted role', { actorRoles: '{"a b"}' }],
    ['a NULL role', { actorRoles: '{NULL}' }],
    ['a null role (any case)', { actorRoles: '{clerk,nuLL}' }],
    ['an empty role', { actorRoles: '{""}' }],
    ['two dimensions', { actorRoles: '{{a},{b}}' }],
    ['array bounds', { actorRoles: '[0:1]={a,b}' }],
    ['a time not in UTC', { at: '2026-10-01 16:00:02.25+08' }],
    ['a time before Christ', { at: '0001-01-01 00:00:00+00 BC' }],
    ['infinity', { at: 'infinity' }],
    ['seven fraction digits', { at: '2026-10-01 08:00:02.1234567+00' }],
    ['a version with a leading zero', { version: '02' }],
    ['a version not a number', { version: 'two' }],
  ])('leaves %s to the exact way', (_name, fields) => {
    exact(fields);
  });

  it('leaves rows with other than the columns of a batch to the exact way', () => {
    const short = line().split('\t').slice(0, -2).join('\t');
    const buf = Buffer.from(short);
    expect(canonicalRow(buf, 0, buf.length, new Int32Array(COLUMNS))).toBe(-1);
    const long = Buffer.from(`${line()}\textra`);
    expect(canonicalRow(long, 0, long.length, new Int32Array(COLUMNS))).toBe(-1);
  });

  it('writes what the exact way writes for random values of every kind, or leaves them to it', () => {
    const r = random(11);
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      const fields = { reason: r.text(), actorSub: r.text() || 'x', actorRoles: r.roles(), changes: jsonbText(r.value(0)), version: r.pick(['\\N', '0', '-1', '7', '02']) };
      const text = bytesText(line(fields));
      if (text !== null) {
        expect(text).toBe(exactText(line(fields)));
        taken++;
      }
    }
    // Most random rows hold an escape somewhere; enough are taken to mean something.
    expect(taken).toBeGreaterThan(200);
  });
});

/** A small deterministic generator of values and of their COPY text, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const chars = ['a', 'b', 'Z', '张', 'é', '😀', ' ', '_', '0', '\ue000', '\uffff', '"', '\\', '\n', '\t', '\u0001'];
  const plain = () => Array.from({ length: Math.floor(next() * 5) }, () => pick(chars.slice(0, 11))).join('');
  /** COPY text of a text value, escaped as COPY escapes it. */
  const text = () => copyEscape(next() < 0.8 ? plain() : Array.from({ length: 4 }, () => pick(chars)).join(''));
  const roles = () => pick(['{clerk}', '{clerk,expert}', '{}', '{"a b"}', '{NULL}', `{${plain().replace(/[\s{}",\\]/g, '') || 'x'}}`]);
  const value = (depth: number): unknown => {
    switch (Math.floor(next() * (depth > 2 ? 5 : 7))) {
      case 0: return null;
      case 1: return next() < 0.5;
      case 2: return pick([0, -1, 7, 1.5, 100000, 123456789012345, 1e21]);
      case 3: case 4: return next() < 0.8 ? plain() : pick(chars);
      case 5: return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [next() < 0.7 ? plain() : pick(chars), value(depth + 1)]));
    }
  };
  return { next, pick, text, roles, value };
}

function copyEscape(text: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  return text.replace(/[\\\n\r\t\b\f\v]/g, (c) => escapes[c]);
}

/** jsonb's text for a JSON value: keys shorter first (by UTF-8 bytes), `": "` and `", "`, then COPY's escapes. */
function jsonbText(value: unknown): string {
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(', ')}]`;
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const keys = Object.keys(v).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${write((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  };
  return copyEscape(write(value));
}

describe('the bytes path, batch by batch', () => {
  /** A chained batch of COPY rows from `from`, each row's fields replaced as `vary` says. */
  function batch(from: number, count: number, vary: (seq: number) => Partial<Record<string, string>> = () => ({})): string[] {
    const lines: string[] = [];
    let prevHash = GENESIS_HASH;
    for (let seq = from; seq < from + count; seq++) {
      const fields = { ...vary(seq), seq: String(seq), prevHash };
      prevHash = createHash('sha256').update(exactText(line(fields))).digest('hex');
      lines.push(line(fields, prevHash));
    }
    return lines;
  }
  const bytesOf = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  const exactCheck = (bytes: Buffer, from: number) => checkRows(parseBatch(bytes.toString('utf8')), from);
  // Rows the bytes path takes, and rows it leaves to the exact way, mixed.
  const mixed = (seq: number) => (seq % 3 === 0 ? { reason: 'tab\\there', changes: '{"a": 1.0}' } : seq % 3 === 1 ? { reason: '说明' } : {});

  it('checks an intact batch as the exact way does, rows of both kinds linked', () => {
    const lines = batch(101, 30, mixed);
    const check = checkBatch(bytesOf(lines), 101);
    expect(check).toEqual(exactCheck(bytesOf(lines), 101));
    expect(check).toMatchObject({ good: 30, bad: null, firstSeq: 101, firstPrevHash: GENESIS_HASH });
    expect(checkBatch(Buffer.alloc(0), 101)).toEqual(exactCheck(Buffer.alloc(0), 101));
    // The last row without its newline, as the exact way allows.
    const unterminated = Buffer.from(lines.join('\n'));
    expect(checkBatch(unterminated, 101)).toEqual(check);
  });

  const tamper = (lines: string[], at: number, column: string, value: string) => {
    const copy = [...lines];
    const fields = copy[at].split('\t');
    fields[column === 'hash' ? COLUMNS - 1 : HASHED_FIELDS.indexOf(column as (typeof HASHED_FIELDS)[number])] = value;
    copy[at] = fields.join('\t');
    return copy;
  };
  /** `tamper`, with the row's stored hash made again over what it then holds, as a forger would. */
  const forge = (lines: string[], at: number, column: string, value: string) => {
    const copy = tamper(lines, at, column, value);
    const fields = copy[at].split('\t');
    fields[COLUMNS - 1] = createHash('sha256').update(exactText(copy[at])).digest('hex');
    copy[at] = fields.join('\t');
    return copy;
  };
  const lines = batch(101, 30, mixed);
  it.each([
    ['relinked and hashed again', forge(lines, 12, 'prevHash', 'f'.repeat(64))],
    ['relinked and hashed again, a row the exact way reads', forge(lines, 14, 'prevHash', 'f'.repeat(64))],
    ['renumbered and hashed again', forge(lines, 7, 'seq', '109')],
    ['the last row renumbered and hashed again', forge(lines, 29, 'seq', '131')],
    ['altered and hashed again (the next row does not follow it)', forge(lines, 20, 'actorSub', 'someone')],
    ['altered text, first row', tamper(lines, 0, 'actorSub', 'someone')],
    ['altered text, a row the exact way reads', tamper(lines, 2, 'actorSub', 'someone')],
    ['altered JSON, key order', tamper(lines, 4, 'changes', '{"status": {"before": "DROPPED_OUT", "after": "SUSPENDED"}}')],
    ['altered JSON, spacing only (no change: same JSON)', tamper(lines, 4, 'changes', '{"status":{"after":"SUSPENDED","before":"DROPPED_OUT"}}')],
    ['altered JSON, 1 for 1.0 (no change: the same number)', tamper(lines, 3, 'changes', '{"a": 1}')],
    ['altered time', tamper(lines, 7, 'at', '2026-10-01 08:00:02.501+00')],
    ['same time written otherwise (no change)', tamper(lines, 7, 'at', '2026-10-01 16:00:02.5+08')],
    ['altered stored hash, last row', tamper(lines, 29, 'hash', 'e'.repeat(64))],
    ['stored hash in capitals', tamper(lines, 10, 'hash', lines[10].split('\t')[COLUMNS - 1].toUpperCase())],
    ['relinked', tamper(lines, 12, 'prevHash', 'f'.repeat(64))],
    ['a link written with an escape', tamper(lines, 12, 'prevHash', `\\x${lines[11].split('\t')[COLUMNS - 1].slice(2)}`)],
    ['a sequence number skipped', tamper(lines, 5, 'seq', '107')],
    ['a sequence number with a leading zero', tamper(lines, 5, 'seq', '0106')],
    ['a sequence number as NULL', tamper(lines, 5, 'seq', '\\N')],
    ['a deleted row', lines.filter((_, i) => i !== 9)],
    ['two swapped rows', [...lines.slice(0, 3), lines[4], lines[3], ...lines.slice(5)]],
    ['a row of another batch first', [lines[1], ...lines.slice(1)]],
    // The exact way reads a column too many as part of the stored hash.
    ['a row with a column too many', [...lines.slice(0, 5), `${lines[5]}\tx`, ...lines.slice(6)]],
  ])('gives the exact way\'s verdict: %s', (_name, tampered) => {
    expect(checkBatch(bytesOf(tampered), 101)).toEqual(exactCheck(bytesOf(tampered), 101));
  });

  it('gives the exact way\'s verdict on bytes that are not UTF-8', () => {
    // 说明 as Latin-1: a byte 0xF4 that starts no UTF-8 character.
    const bytes = Buffer.concat([bytesOf(lines.slice(0, 5)), Buffer.from(`${lines[5]}\n`, 'latin1'), bytesOf(lines.slice(6))]);
    expect(lines[5]).toContain('说明');
    expect(checkBatch(bytes, 101)).toEqual(exactCheck(bytes, 101));
    expect(checkBatch(bytes, 101)).toMatchObject({ good: 5, bad: { seq: 106, problem: 'altered' } });
  });

  it('does not take bytes that are not UTF-8 for text, even hashed as they are', () => {
    // A byte 0xFF in a reason, and the row's hash made over the canonical bytes with it: the driver reads U+FFFD there.
    const [row] = batch(101, 1, () => ({ reason: 'a~b' }));
    const canonicalBytes = Buffer.from(exactText(row)).toString('latin1').replace('a~b', 'a\xffb');
    const fields = row.split('\t');
    fields[HASHED_FIELDS.indexOf('reason')] = 'a\xffb';
    fields[COLUMNS - 1] = createHash('sha256').update(Buffer.from(canonicalBytes, 'latin1')).digest('hex');
    const bytes = Buffer.from(`${fields.join('\t')}\n`, 'latin1');
    expect(checkBatch(bytes, 101)).toEqual(exactCheck(bytes, 101));
    expect(checkBatch(bytes, 101)).toMatchObject({ good: 0, bad: { seq: 101, problem: 'altered' } });
  });

  it.each([
    ['a row short of a column', (l: string[]) => [...l.slice(0, 5), l[5].split('\t').slice(1).join('\t'), ...l.slice(6)]],
    ['a short row after a bad entry', (l: string[]) => [...tamper(l, 1, 'actorSub', 'x').slice(0, 5), l[5].split('\t').slice(1).join('\t'), ...l.slice(6)]],
    ['JSON the driver cannot parse', (l: string[]) => tamper(l, 6, 'changes', '{"a": tru}')],
  ])('throws what the exact way throws: %s', (_name, broken) => {
    const bytes = bytesOf(broken(lines));
    const thrown = (check: () => unknown) => {
      try {
        check();
      } catch (error) {
        return (error as Error).message;
      }
      return 'nothing thrown';
    };
    expect(thrown(() => checkBatch(bytes, 101))).toBe(thrown(() => exactCheck(bytes, 101)));
    expect(thrown(() => exactCheck(bytes, 101))).not.toBe('nothing thrown');
  });
});

/**
 * On PostgreSQL: entries with every kind of value written to a fresh database, and read back by
 * COPY in batches, as the verifier reads them. Needs TEST_DATABASE_URL (a server to create the
 * database on), as the end-to-end tests' PostgreSQL run does.
 */
const server = process.env.TEST_DATABASE_URL;
if (!server) process.stderr.write('\n*** TEST_DATABASE_URL is not set: chain-batch.spec.ts skips its tests on PostgreSQL. ***\n\n');
(server ? describe : describe.skip)('the bytes path on PostgreSQL\'s own output', () => {
  const name = `baoxue_test_${randomBytes(6).toString('hex')}`;
  const url = server ? Object.assign(new URL(server), { pathname: `/${name}` }).toString() : '';
  const admin = async (text: string) => {
    const client = new Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  let db: Awaited<ReturnType<typeof openDatabase>>;
  const ENTRIES = 240;
  const CHAIN = '350103';

  /** Changes as another writer could have stored them: JSON text that jsonb keeps its own way (1.0, 1e5, key order). */
  const CHANGES = [
    '{"status": {"before": "DROPPED_OUT", "after": "SUSPENDED"}}',
    '{"grade": {"before": 3, "after": 4}, "schoolId": {"before": null, "after": "S-1"}}',
    '{"b": 1, "aa": 2.50, "c": 1e5, "d": 1.0, "e": -0, "z": [1, {"yy": null, "x": true}], "é": "x", "名字": "张三"}',
    '{"note": "line\\nbreak \\"quoted\\" tab\\t \\\\ \\u0001", "emoji": "😀"}',
    '{"\\ue000": 1, "😀": 2, "a\\uffff": 3}',
    '{"deep": [[[[{"a": [[{"b": {}}]]}]]]], "empty": [], "n": null}',
    '[1, "top-level array"]',
    '"a string"',
  ];
  const ROLES = [['clerk'], ['clerk', 'expert'], [], ['a b', 'NULL', 'null', '', 'x,y', 'q"', 'é', 'back\\slash']];
  const TEXTS = ['bench', '学籍新生登记', 'tab\there', 'new\nline', 'back\\slash', 'say "hi"', '', '\u0001', 'N', '\\N', '😀'];

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    registerModules();
    db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, DATABASE_POOL_MAX: '3', LOG_LEVEL: 'silent' }), () => undefined);
    // A county chain, hanging from the (empty) frozen global chain's head as the writer's would.
    let prevHash = chainGenesis(CHAIN, GENESIS_HASH);
    for (let seq = 1; seq <= ENTRIES; seq++) {
      // Every fourth entry is of the bench's plain shape, the others of any.
      const plain = seq % 4 === 0;
      const text = (k: number) => (plain ? 'bench' : TEXTS[(seq * k) % TEXTS.length]);
      const changesText = plain ? CHANGES[0] : CHANGES[seq % CHANGES.length];
      const entry: StoredEntry = {
        seq, at: new Date(Date.UTC(2026, 9, 1) + seq * 1_003 - (seq % 5 === 0 ? 2e12 : 0)), actorSub: text(1) || 'x', actorDept: 'EDU', actorRegion: '350102',
        actorRoles: plain ? ['clerk'] : ROLES[seq % ROLES.length], operation: 'UPDATE', entity: 'EducationRecord', entityId: `e-${text(3)}`,
        childId: `6f0e2c55-8a34-4b8e-a4a1-${String(seq).padStart(12, '0')}`, hukouRegion: '350102', residenceRegion: '350103',
        version: seq % 7 === 0 ? null : seq % 3, changes: JSON.parse(changesText), mutation: 'upsertEducationRecords',
        reason: seq % 2 ? null : text(5), requestId: `r-${text(7)}`, idempotencyKey: seq % 3 ? null : text(2), prevHash,
      };
      prevHash = entryHash(entry);
      await db.sql.query(
        `INSERT INTO hub.change_log (chain, seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id, child_id, hukou_region,
           residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash)
         VALUES ('${CHAIN}', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, $17, $18, $19, $20)`,
        [seq, entry.at, entry.actorSub, entry.actorDept, entry.actorRegion, entry.actorRoles, entry.operation, entry.entity, entry.entityId, entry.childId,
          entry.hukouRegion, entry.residenceRegion, entry.version, changesText, entry.mutation, entry.reason, entry.requestId, entry.idempotencyKey, entry.prevHash, prevHash],
      );
    }
    await db.sql.query('INSERT INTO hub.chain_head (chain, seq, hash) VALUES ($1, $2, $3)', [CHAIN, ENTRIES, prevHash]);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('verifies the chain, in batches of every size', async () => {
    for (const batch of [1, 7, 100, 1000]) {
      const result = await verifyChain(db.sql, { batch });
      expect(result).toMatchObject({ ok: true, entries: ENTRIES });
      expect(result.chains.find((c) => c.chain === CHAIN)).toMatchObject({ ok: true, entries: ENTRIES, headSeq: ENTRIES });
    }
  });

  it('reads every batch as the exact way does, taking the plain rows', async () => {
    let taken = 0;
    for (let from = 1; from <= ENTRIES; from += 60) {
      const bytes = await db.sql.copyOut(batchCopy(CHAIN, from, from + 60));
      expect(checkBatch(bytes, from)).toEqual(checkRows(parseBatch(bytes.toString('utf8')), from));
      for (const row of bytes.toString('utf8').split('\n').filter(Boolean)) {
        const text = bytesText(row);
        if (text !== null) {
          expect(text).toBe(exactText(row));
          taken++;
        }
      }
    }
    // The plain entries at least.
    expect(taken).toBeGreaterThanOrEqual(ENTRIES / 4);
  });

  async function tampered(statement: string, undo: string) {
    const guarded = (sql: string) => db.sql.query(`ALTER TABLE hub.change_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE hub.change_log ENABLE TRIGGER USER`);
    await guarded(statement);
    try {
      const results = [];
      for (const batch of [1, 7, 100]) results.push(await verifyChain(db.sql, { batch }));
      return results;
    } finally {
      await guarded(undo);
    }
  }

  it.each([
    ['one changed byte in a plain entry', `UPDATE hub.change_log SET changes = jsonb_set(changes, '{status,after}', '"ENROLLED"') WHERE seq = 8`,
      `UPDATE hub.change_log SET changes = jsonb_set(changes, '{status,after}', '"SUSPENDED"') WHERE seq = 8`, 8, 'altered'],
    ['a number written otherwise', `UPDATE hub.change_log SET changes = jsonb_set(changes, '{d}', '1.00') WHERE seq = 2`,
      `UPDATE hub.change_log SET changes = jsonb_set(changes, '{d}', '1.0') WHERE seq = 2`, null, null],
    ['a changed role', `UPDATE hub.change_log SET actor_roles = '{clerk,expert}' WHERE seq = 4`, `UPDATE hub.change_log SET actor_roles = '{clerk}' WHERE seq = 4`, 4, 'altered'],
    ['a relinked entry at a batch edge', `UPDATE hub.change_log SET prev_hash = repeat('f', 64) WHERE seq = 101`,
      `UPDATE hub.change_log SET prev_hash = (SELECT hash FROM hub.change_log WHERE seq = 100) WHERE seq = 101`, 101, 'follow'],
  ])('finds %s where the walk does', async (_name, statement, undo, firstBad, problem) => {
    for (const result of await tampered(statement, undo)) {
      expect(result.firstBadSeq).toBe(firstBad);
      if (problem) expect(result.problem).toContain(problem);
      else expect(result.ok).toBe(true);
    }
    expect((await verifyChain(db.sql)).ok).toBe(true);
  });
});
