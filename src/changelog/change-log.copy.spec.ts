import { randomUUID } from 'node:crypto';
import type { Placed, Unchained } from './change-log.append';
import { copyable, moveHeads } from './change-log.copy';

/**
 * What decides whether a large batch goes in by COPY, and the statement that moves the heads after
 * it (written out, without parameters). That COPY stores every entry as the hash covers it is
 * tested end to end on PostgreSQL (tests/e2e/change-log-batches.test.ts: a batch of 30 stored as a
 * batch of 3 stores its own, with tabs, line ends, backslashes and `\N` in what the user wrote).
 */
const roles = ['clerk'];
function batch(count: number, change: (entry: Unchained, i: number) => Unchained = (e) => e): Placed[] {
  const at = new Date();
  return Array.from({ length: count }, (_, i) => {
    const id = randomUUID();
    const entry: Unchained = {
      at, actorSub: 'edu-clerk', actorDept: 'EDU', actorRegion: '350102', actorRoles: roles, operation: 'CREATE', entity: 'EducationRecord', entityId: id,
      childId: id, hukouRegion: '350102', residenceRegion: '350102', version: 1, changes: { grade: { before: null, after: 3 } },
      mutation: 'upsertEducationRecords', reason: 'a reason\twith\na tab', requestId: 'request', idempotencyKey: null,
    };
    return { chain: '350102', entry: change(entry, i) };
  });
}

describe('copyable', () => {
  it('takes a batch of one write, whatever its text, so long as UTF-8 can carry it', () => {
    expect(copyable(batch(30))).toBe(true);
    expect(copyable(batch(30, (e) => ({ ...e, reason: '张三 😀 \\N "x"' })))).toBe(true);
  });

  it('leaves a lone surrogate outside the JSON to the arrays, whose JSON the database refuses', () => {
    expect(copyable(batch(30, (e) => ({ ...e, reason: 'x \ud800 y' })))).toBe(false);
    expect(copyable(batch(30, (e) => ({ ...e, idempotencyKey: '\udc00' })))).toBe(false);
    expect(copyable(batch(30, (e, i) => (i === 7 ? { ...e, entityId: `${e.entityId}\ud83d` } : e)))).toBe(false);
  });

  it('leaves entries of more than one write to the arrays (what a write shares is written once)', () => {
    expect(copyable(batch(30, (e, i) => (i === 29 ? { ...e, requestId: 'another' } : e)))).toBe(false);
    expect(copyable(batch(30, (e, i) => (i === 3 ? { ...e, actorRoles: ['clerk'] } : e)))).toBe(false);
  });
});

describe('moveHeads', () => {
  const hash = 'ab'.repeat(32);
  it('moves each chain of the batch to its last entry, in code order, and tells the change feed', () => {
    const sql = moveHeads(new Map([['350103', { seq: '12', hash }], ['350102', { seq: '7', hash }]]));
    expect(sql).toContain(`VALUES ('350102', 7, '${hash}'), ('350103', 12, '${hash}')`);
    expect(sql).toContain("pg_notify('baoxue_change_log'");
  });

  it('refuses anything that is not a chain code, a seq or a hash, since it writes them into the text', () => {
    expect(() => moveHeads(new Map([["350102'; DROP TABLE hub.change_log; --", { seq: '1', hash }]]))).toThrow(/not a head/);
    expect(() => moveHeads(new Map([['350102', { seq: '1 OR 1=1', hash }]]))).toThrow(/not a head/);
    expect(() => moveHeads(new Map([['350102', { seq: '1', hash: `${hash.slice(1)}'` }]]))).toThrow(/not a head/);
  });
});
