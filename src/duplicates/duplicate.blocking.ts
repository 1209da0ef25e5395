/**
 * Blocking: which existing children are worth scoring against a record, found by keys that an
 * index answers, so that a check never compares a record with a whole county. A record meets a
 * child when they share any of:
 * - birth date and gender, with a county in common (either's hukou or residence);
 * - the name's sound (fuzzy pinyin: homophones and near-homophones) and birth month;
 * - the ID number's address and birth-date parts (its first 14 digits).
 * A record without an ID number gets the strictest check (issue 16): nothing can rule a child out
 * by its number, so it meets children born the same day with a city in common (not only a
 * county: the child found by civil affairs in one county may be at school in the next), and
 * children whose names sound alike born in the same year (a birth month misheard too).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { executeInTransaction } from '../changelog/change-log.append';
import type { MatchRecord, PairScorer } from './duplicate.scoring';

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
 */
const MATCH_COLUMNS = `c.id, c.id_number AS "idNumber", c.name, c.gender, to_char(c.birth_date, 'YYYY-MM-DD') AS "birthDate",
       c.hukou_region AS "hukouRegion", c.residence_region AS "residenceRegion", c.township`;
const CANDIDATES = `
WITH n AS (
  SELECT * FROM unnest(?::int[], ?::date[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
    AS n(idx, birth_date, gender, hukou, residence, sound, month, id14)
)
SELECT n.idx AS index, m.* FROM n CROSS JOIN LATERAL (
  SELECT ${MATCH_COLUMNS} FROM hub.child c
   WHERE c.birth_date = n.birth_date AND c.gender = n.gender
     AND (c.hukou_region IN (n.hukou, n.residence) OR c.residence_region IN (n.hukou, n.residence)
       -- The strictest check, for a record without a number: a city in common is enough.
       OR (n.id14 IS NULL AND (left(c.hukou_region, 4) IN (left(n.hukou, 4), left(n.residence, 4)) OR left(c.residence_region, 4) IN (left(n.hukou, 4), left(n.residence, 4)))))
  UNION
  SELECT ${MATCH_COLUMNS} FROM hub.child_match_key k JOIN hub.child c ON c.id = k.child_id
   WHERE k.sound = n.sound AND (k.birth_month = n.month OR (n.id14 IS NULL AND k.birth_month BETWEEN left(n.month, 4) || '-01' AND left(n.month, 4) || '-12'))
  UNION
  SELECT ${MATCH_COLUMNS} FROM hub.child c WHERE n.id14 IS NOT NULL AND c.id_number BETWEEN n.id14 || '0000' AND n.id14 || '999X'
) m`;

/** The children each probe meets (never one of `exclude`), in one statement for the whole batch. */
export async function meet(em: EntityManager, scorer: PairScorer, probes: readonly Probe[], exclude: readonly string[]): Promise<Met[]> {
  if (probes.length === 0) return [];
  // Estimated as costly (a thousand lateral lookups), the statement was JIT-compiled every time:
  // 190 of its 230 ms. Off for the rest of this transaction, which runs no large query.
  await executeInTransaction(em, "SELECT set_config('jit', 'off', true)", []);
  const rows = await executeInTransaction<MatchRecord & { index: number }>(em, CANDIDATES, [
    probes.map((p) => p.index), probes.map((p) => p.birthDate), probes.map((p) => p.gender), probes.map((p) => p.hukouRegion),
    probes.map((p) => p.residenceRegion), probes.map((p) => scorer.sound(p.name).fuzzy), probes.map((p) => birthMonth(p.birthDate)),
    probes.map((p) => id14(p.idNumber)),
  ]);
  const excluded = new Set(exclude.map((id) => id.toLowerCase()));
  return rows.filter((r) => !excluded.has(r.id)).map(({ index, ...child }) => ({ index, child }));
}

/** Pairs of probes that share a blocking key (within one batch, before any is in the table). */
export function meetWithin(scorer: PairScorer, probes: readonly Probe[]): Array<[Probe, Probe]> {
  const groups = new Map<string, Probe[]>();
  const add = (key: string, probe: Probe) => {
    const group = groups.get(key);
    if (group) group.push(probe);
    else groups.set(key, [probe]);
  };
  for (const p of probes) {
    add(`b:${p.birthDate}:${p.gender}`, p);
    add(`s:${scorer.sound(p.name).fuzzy}:${birthMonth(p.birthDate)}`, p);
    if (p.idNumber) add(`i:${id14(p.idNumber)}`, p);
  }
  const seen = new Set<string>();
  const pairs: Array<[Probe, Probe]> = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = group[i].index < group[j].index ? [group[i], group[j]] : [group[j], group[i]];
        const key = `${a.index}:${b.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // Birth date and gender alone: only with a county in common, as the table's key asks.
        pairs.push([a, b]);
      }
    }
  }
  return pairs;
}

/** Writes (or refreshes) the children's sound keys, in the caller's transaction. */
export async function writeMatchKeys(em: EntityManager, scorer: PairScorer, children: readonly MatchRecord[]): Promise<void> {
  if (children.length === 0) return;
  await executeInTransaction(em, `INSERT INTO hub.child_match_key (child_id, sound, birth_month)
    SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[])
    ON CONFLICT (child_id) DO UPDATE SET sound = EXCLUDED.sound, birth_month = EXCLUDED.birth_month`, [
    children.map((c) => c.id), children.map((c) => scorer.sound(c.name).fuzzy), children.map((c) => birthMonth(c.birthDate)),
  ]);
}
