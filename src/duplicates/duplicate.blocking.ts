/**
 * Blocking: which existing children are worth scoring against a record, found by keys that an
 * index answers, so that a check never compares a record with a whole county. A record meets a
 * child when they share any of:
 * - birth date and gender, with a county in common (either's hukou or residence);
 * - the name's sound (fuzzy pinyin: homophones and near-homophones) and birth month;
 * - the ID number's address and birth-date parts (its first 14 digits).
 * A pair of which either record has no ID number gets the strictest check (issue 16): nothing can
 * rule a child out by its number, so the two meet when born the same day with a city in common
 * (not only a county: the child found by civil affairs in one county may be at school in the
 * next), or with names alike in sound born in the same year (a birth month misheard too); a
 * record with a number meets children without one so too, as the sweep's rule has it.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { arrayLiteral, executeInTransaction } from '../changelog/change-log.append';
import type { Sql } from '../db/sql';
import { bestScoreSql, type MatchRecord, type PairScorer, THRESHOLDS } from './duplicate.scoring';

export interface Probe extends MatchRecord {
  /** The probe's place in its batch, returned with each child it meets. */
  readonly index: number;
}

export interface Met {
  readonly index: number;
  readonly child: MatchRecord;
}

export const birthMonth = (birthDate: string) => birthDate.slice(0, 7);
const id14 = (idNumber: string | null) => (idNumber ? idNumber.slice(0, 14) : null);

/**
 * Each probe's matches in a LATERAL subquery, so that every key is an index lookup per probe: as a
 * join of the whole batch, the planner hashed all of hub.child for each batch (two full scans per
 * thousand children, which made the sweep quadratic: 153 s for 200,000 children).
 *
 * The first two lookups are index-only (Migration0028): the birth-date block filters the covering
 * index's tuples, and the sound block reads only the key index's range (sound, birth year; the
 * bounds are `char(7)` like the column, or the range is a filter over every child of the sound),
 * then the few children it keeps by id. The blocks are UNION ALL: `meet` keeps a child met twice
 * once (a UNION hashed each probe's rows apart, a thousand times a batch); they return the child's
 * columns as they are, for the bound below, and the outer SELECT shapes the few kept. A probe already in the
 * table never meets itself; it may meet the rest of its batch, which `meet` leaves out (pairs
 * within a batch are `forEachPairWithin`'s).
 */
const CHILD_COLUMNS = 'c.id, c.id_number, c.name, c.gender, c.birth_date, c.hukou_region, c.residence_region, c.township';
const MEET = `
WITH n AS (
  SELECT * FROM unnest(?::uuid[], ?::int[], ?::date[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::char(7)[], ?::text[], ?::text[])
    AS n(id, idx, birth_date, gender, hukou_region, residence_region, township, sound, month, id_number, name)
)
SELECT n.idx AS index, m.id, m.id_number AS "idNumber", m.name, m.gender, to_char(m.birth_date, 'YYYY-MM-DD') AS "birthDate",
       m.hukou_region AS "hukouRegion", m.residence_region AS "residenceRegion", m.township
  FROM n CROSS JOIN LATERAL (
  SELECT ${CHILD_COLUMNS} FROM hub.child c
   WHERE c.birth_date = n.birth_date AND c.gender = n.gender AND c.id <> n.id
     -- Names alike in sound meet by the next key (same sound, same month); here only names one
     -- character apart can score: they share their first or their last character.
     AND (left(c.name, 1) = left(n.name, 1) OR right(c.name, 1) = right(n.name, 1) OR length(c.name) < 2 OR length(n.name) < 2)
     AND (c.hukou_region IN (n.hukou_region, n.residence_region) OR c.residence_region IN (n.hukou_region, n.residence_region)
       -- The strictest check, when either has no number: a city in common is enough.
       OR ((n.id_number IS NULL OR c.id_number IS NULL) AND (left(c.hukou_region, 4) IN (left(n.hukou_region, 4), left(n.residence_region, 4))
         OR left(c.residence_region, 4) IN (left(n.hukou_region, 4), left(n.residence_region, 4)))))
  UNION ALL
  SELECT ${CHILD_COLUMNS} FROM hub.child_match_key k JOIN hub.child c ON c.id = k.child_id
   -- One range of the index (sound, birth_month), the birth year; another month only when either has no number.
   WHERE k.sound = n.sound AND k.birth_month BETWEEN (left(n.month, 4) || '-01')::char(7) AND (left(n.month, 4) || '-12')::char(7)
     AND k.child_id <> n.id AND (k.birth_month = n.month OR n.id_number IS NULL OR c.id_number IS NULL)
  UNION ALL
  SELECT ${CHILD_COLUMNS} FROM hub.child c
   WHERE n.id_number IS NOT NULL AND c.id_number BETWEEN left(n.id_number, 14) || '0000' AND left(n.id_number, 14) || '999X' AND c.id <> n.id
) m
-- Most children met share a key and little else (a common name's sound in the birth year above
-- all): those that cannot reach POSSIBLE whatever their names' sounds are not sent.
WHERE ${bestScoreSql('m', 'n')} >= ${THRESHOLDS.POSSIBLE}`;

/** The lookup's statement (MEET) and its bindings, in the order of its `?`, for a batch of probes. */
function meetBindings(scorer: PairScorer, probes: readonly Probe[]): string[] {
  const column = (pick: (p: Probe) => string | number | null) => arrayLiteral(probes.map(pick));
  return [
    column((p) => p.id), column((p) => p.index), column((p) => p.birthDate), column((p) => p.gender), column((p) => p.hukouRegion),
    column((p) => p.residenceRegion), column((p) => p.township), column((p) => scorer.sound(p.name).fuzzy), column((p) => birthMonth(p.birthDate)),
    column((p) => p.idNumber || null), column((p) => p.name.trim()),
  ];
}

/**
 * Estimated as costly (a thousand lateral lookups), the statement was JIT-compiled every time:
 * 190 of its 230 ms. Off for the rest of its transaction, which runs no large query.
 */
const JIT_OFF = "jit = 'off'";

/** MEET with its parameters numbered, as pg sends a statement of its own (`meetBeside`). */
const MEET_NUMBERED = ((): string => {
  let n = 0;
  return MEET.replace(/\?/g, () => `$${++n}`);
})();

type MetRow = MatchRecord & { index: number };

/** Each probe's children met, once each, leaving out the probes themselves. */
function metOf(rows: readonly MetRow[], probes: readonly Probe[]): Met[] {
  const probeIds = new Set(probes.map((p) => p.id.toLowerCase()));
  const seen = new Set<string>();
  const met: Met[] = [];
  for (const { index, ...child } of rows) {
    const key = `${index}:${child.id}`;
    if (probeIds.has(child.id) || seen.has(key)) continue;
    seen.add(key);
    met.push({ index, child });
  }
  return met;
}

/**
 * The children each probe meets in the hub (never one of the probes), in one statement for the
 * whole batch, in the caller's transaction. It reads no row the check writes, so it may be sent
 * before the batch's own statements, the probes' rows and sound keys (`registered`), or beside them
 * (`meetBeside`). Its arrays go as array literals (knex walked each of the ten arrays' thousand
 * elements on the way out: 6–18 ms a batch).
 */
export async function meet(em: EntityManager, scorer: PairScorer, probes: readonly Probe[]): Promise<Met[]> {
  if (probes.length === 0) return [];
  await executeInTransaction(em, `SET LOCAL ${JIT_OFF}`, []);
  return metOf(await executeInTransaction<MetRow>(em, MEET, meetBindings(scorer, probes)), probes);
}

/**
 * The same lookup on a connection of its own, beside the caller's transaction (`Sql.readBeside`),
 * so that the database finds the children met while it writes the batch's rows: null when no
 * connection is to be had without waiting (on PGlite, always), and the caller looks them up in its
 * transaction (`meet`). It sees what is committed, as `meet` in a READ COMMITTED transaction does,
 * and not the batch's own rows, which `meet` leaves out.
 */
export function meetBeside(sql: Sql, scorer: PairScorer, probes: readonly Probe[]): Promise<Met[]> | null {
  if (probes.length === 0) return Promise.resolve([]);
  const rows = sql.readBeside<MetRow>([JIT_OFF], MEET_NUMBERED, meetBindings(scorer, probes));
  return rows && rows.then((found) => metOf(found, probes));
}

/**
 * Pairs of records that share a blocking key, among the records given (a registration batch before
 * any is in the table, or a whole birth year in the province-wide sweep), by the same keys as
 * `meet`: birth date and gender with a county in common, the name's sound and birth month, the
 * number's first 14 digits; and, where one of the two has no number (the strictest check), birth
 * date and gender with a city in common, or the name's sound and birth year. Found by grouping,
 * not by comparing all with all: a key's group is a handful of records, a strict key's group is
 * walked only from its records without a number. Each pair is visited once, in the first group
 * it shares (so nothing remembers the pairs seen: a birth year of the province has millions), and
 * only if the names may match (`namesMayMatch`: any other pair scores below POSSIBLE).
 * `others` (the sweep's records without a number born in other months of the year) are grouped
 * under the sound-and-year key only, and paired only with `records`, each such pair once over the
 * year's months.
 */
export function forEachPairWithin<P extends MatchRecord>(scorer: PairScorer, records: readonly P[], visit: (a: P, b: P) => void, others: readonly P[] = []): void {
  const all = others.length ? [...records, ...others] : records;
  const fuzzy = all.map((r) => scorer.sound(r.name).fuzzy);
  const groups = new Map<string, number[]>();
  const add = (key: string, i: number) => {
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  };
  records.forEach((p, i) => {
    for (const key of keysOf(p, fuzzy[i])) add(key, i);
  });
  // Records of other birth months without a number: only the sound-and-year key reaches across months.
  others.forEach((p, k) => add(`S:${fuzzy[records.length + k]}:${p.birthDate.slice(0, 4)}`, records.length + k));
  const n = records.length;
  for (const [key, group] of groups) {
    if (group.length < 2) continue;
    const strict = key.startsWith('B:') || key.startsWith('S:');
    for (let x = 0; x < group.length; x++) {
      for (let y = x + 1; y < group.length; y++) {
        const [i, j] = [group[x], group[y]];
        const [a, b] = [all[i], all[j]];
        if (strict && a.idNumber && b.idNumber) continue;
        if (i >= n || j >= n) {
          // One of `others` (e) and a record (r): visited here only if r has a number (e's own month
          // never holds r) or e's month comes first (else it is visited with e's month's records).
          if (i >= n && j >= n) continue;
          const [e, r] = i >= n ? [a, b] : [b, a];
          if (!r.idNumber && birthMonth(e.birthDate) > birthMonth(r.birthDate)) continue;
        }
        if (!scorer.namesMayMatch(a.name, b.name)) continue;
        if (firstSharedKey(a, b, fuzzy[i], fuzzy[j]) !== key) continue;
        visit(a, b);
      }
    }
  }
}

/** The keys a record is grouped under: its own (b, s, i), and the strict ones (B, S) that count only for a pair with a record without a number. */
function keysOf(p: MatchRecord, fuzzy: string): string[] {
  const month = birthMonth(p.birthDate);
  const keys = [`b:${p.birthDate}:${p.gender}:${p.hukouRegion}`];
  if (p.residenceRegion !== p.hukouRegion) keys.push(`b:${p.birthDate}:${p.gender}:${p.residenceRegion}`);
  keys.push(`s:${fuzzy}:${month}`);
  if (p.idNumber) keys.push(`i:${id14(p.idNumber)}`);
  const [hukouCity, residenceCity] = [p.hukouRegion.slice(0, 4), p.residenceRegion.slice(0, 4)];
  keys.push(`B:${p.birthDate}:${p.gender}:${hukouCity}`);
  if (residenceCity !== hukouCity) keys.push(`B:${p.birthDate}:${p.gender}:${residenceCity}`);
  keys.push(`S:${fuzzy}:${month.slice(0, 4)}`);
  return keys;
}

const lowestCommon = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x)).sort()[0];

/** The first of `keysOf`'s keys two records share (in that order, the lowest county or city first), or null. */
function firstSharedKey(a: MatchRecord, b: MatchRecord, fuzzyA: string, fuzzyB: string): string | null {
  const sameDay = a.birthDate === b.birthDate && a.gender === b.gender;
  if (sameDay) {
    const county = lowestCommon([a.hukouRegion, a.residenceRegion], [b.hukouRegion, b.residenceRegion]);
    if (county) return `b:${a.birthDate}:${a.gender}:${county}`;
  }
  const month = birthMonth(a.birthDate);
  if (fuzzyA === fuzzyB && month === birthMonth(b.birthDate)) return `s:${fuzzyA}:${month}`;
  if (a.idNumber && b.idNumber && id14(a.idNumber) === id14(b.idNumber)) return `i:${id14(a.idNumber)}`;
  if (a.idNumber && b.idNumber) return null;
  if (sameDay) {
    const city = lowestCommon([a.hukouRegion.slice(0, 4), a.residenceRegion.slice(0, 4)], [b.hukouRegion.slice(0, 4), b.residenceRegion.slice(0, 4)]);
    if (city) return `B:${a.birthDate}:${a.gender}:${city}`;
  }
  if (fuzzyA === fuzzyB && month.slice(0, 4) === b.birthDate.slice(0, 4)) return `S:${fuzzyA}:${month.slice(0, 4)}`;
  return null;
}

/**
 * Writes (or refreshes) sound keys: the statement and its bindings, for `writeMatchKeys` and for
 * the check, which writes them in the statement that records its pairs.
 */
export const UPSERT_MATCH_KEYS = `INSERT INTO hub.child_match_key (child_id, sound, birth_month)
    SELECT * FROM unnest(?::uuid[], ?::text[], ?::char(7)[])
    ON CONFLICT (child_id) DO UPDATE SET sound = EXCLUDED.sound, birth_month = EXCLUDED.birth_month`;

export function matchKeyBindings(scorer: PairScorer, children: readonly MatchRecord[]): string[] {
  return [arrayLiteral(children.map((c) => c.id)), arrayLiteral(children.map((c) => scorer.sound(c.name).fuzzy)), arrayLiteral(children.map((c) => birthMonth(c.birthDate)))];
}

/** Writes (or refreshes) the children's sound keys, in the caller's transaction. */
export async function writeMatchKeys(em: EntityManager, scorer: PairScorer, children: readonly MatchRecord[]): Promise<void> {
  if (children.length === 0) return;
  await executeInTransaction(em, UPSERT_MATCH_KEYS, matchKeyBindings(scorer, children));
}
