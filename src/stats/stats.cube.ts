import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';
import { OPEN_DROPOUT_STATUSES } from '../ledger/dropout-case.enums';
import { asOfTableSql, STAT_TABLES, type AsOfTable } from './stats.as-of';
import { statSections } from './stats.sections';

/**
 * The tables the hub keeps so that `statistics` need not count 2,000,000 children for each answer
 * (issue 15): every child's values as the statistics count them (`hub.stat_child`, one row per
 * child), and the number of children with each combination of those values (`hub.stat_cube`). An
 * answer over the cube sums a few tens of thousands of rows instead of joining seven tables of
 * 2,000,000; it is the same answer, because it is the same rows grouped (stats.query.ts uses the
 * cube only when every value the question reads is one of its columns, and counts `sum(n)` where
 * the tables count rows).
 *
 * **Kept by the change log.** `hub.stat_cube_state` names the chains' heads the cube stands at. A
 * question reads the heads in its snapshot; when they moved, the children named by the entries
 * since then (each entry names its child) are counted again from the tables in that same snapshot:
 * their old rows taken out of the cube, their new values stored and added in, and the heads moved,
 * in one transaction, after which the answer is read from the cube in the same snapshot. Every
 * change to these tables goes through the unit of work with its entries in the writer's
 * transaction (the as-of rebuild relies on the same), so the cube at given heads is the tables at
 * those heads. Two questions refreshing at once: the second fails to lock the state its snapshot
 * predates (a serialization failure) and asks again, on the refreshed cube.
 *
 * **Month ends** (`hub.stat_month`): the same cube as it stood at a month's end, counted once from
 * the tables rebuilt as of then (stats.as-of.ts), once the month end is settled (a day after it,
 * stats.cache.ts), and never again: the log is append-only, so what stood then does not change. A
 * monthly series reads one kept month per month end.
 *
 * Data loaded past the log (the seeder, `npm run seed`) drops both (`resetKeptStatistics`), and
 * the next question builds them again; it moves the state's `epoch`, which the answers kept by
 * each instance are keyed by too (stats.cache.ts). The hub deletes no row: a child's row is updated in place,
 * a cube row whose children all moved stays with `n = 0` (stats.query.ts leaves such groups out).
 */

/** The cube's columns: the values of a child it groups by (`hub.stat_child` has them too). */
export const CUBE_COLUMNS: ReadonlyArray<readonly [column: string, type: string]> = [
  ['residence_region', 'varchar(6)'], ['hukou_region', 'varchar(6)'], ['township', 'varchar(9)'], ['gender', 'text'],
  ['status', 'text'], ['stage', 'text'], ['grade', 'integer'],
  ['open_reason', 'text'], ['open_deadline', 'date'], ['returned', 'boolean'],
  ...Object.values(SPECIAL_GROUP_FLAGS).map((flag) => [flag.column, 'boolean'] as const),
  ['registered_poor', 'boolean'], ['monitored_household', 'boolean'], ['disabled', 'boolean'], ['serious_illness', 'boolean'],
];
const KEYS = CUBE_COLUMNS.map(([column]) => column);
const CHILD_COLUMNS = new Set(['residence_region', 'hukou_region', 'township', 'gender']);
const SECTION_COLUMNS = new Set(KEYS.filter((column) => !CHILD_COLUMNS.has(column)));

/** The values of the statistics' base row `b` (stats.query.ts) that the cube answers. */
export const CUBE_VIEW_COLUMNS: ReadonlySet<string> = new Set(['county', 'overdue', 'key_region', ...KEYS.filter((column) => column !== 'residence_region')]);

/**
 * The statistics' base row `b` over the cube (or a kept month end): each row a group of `n`
 * children, under the reader's scope (`scope` over alias `m`, which has the child's region columns).
 */
export function cubeView(of: { month?: string }, scope: string, day: string, keyRegions: string): string {
  const columns = KEYS.filter((column) => column !== 'residence_region' && column !== 'open_deadline').map((column) => `m.${column}`);
  return `SELECT m.n, m.residence_region AS county, ${columns.join(', ')}, COALESCE(m.open_deadline < ${day}, FALSE) AS overdue,
      m.residence_region = ANY(${keyRegions}) AS key_region
    FROM ${of.month ? 'hub.stat_month' : 'hub.stat_cube'} m WHERE ${of.month ? `m.at = ${of.month} AND ` : ''}${scope}`;
}

/** Every child's cube values, from `src` (today's tables, or the tables as of a time). */
function factsSql(src: (t: AsOfTable) => string, open: string, where = 'TRUE'): string {
  const sections = statSections(src, () => open, () => 'NULL::date', SECTION_COLUMNS);
  return `SELECT c.id AS child_id, c.residence_region, c.hukou_region, c.township, c.gender, ${sections.select.join(', ')}
    FROM ${src(STAT_TABLES.child)} c
    ${sections.joins.join('\n    ')}
    WHERE ${where}`;
}

type Query = <T extends Record<string, unknown>>(text: string, values?: readonly unknown[]) => Promise<T[]>;

const keyList = KEYS.join(', ');
const addToCube = (sign: 1 | -1) => `INSERT INTO hub.stat_cube AS cu (${keyList}, n)
  SELECT ${keyList}, ${sign === 1 ? '' : '-'}count(*) FROM hub.stat_child WHERE child_id = ANY($1) GROUP BY ${keyList}
  ON CONFLICT (${keyList}) DO UPDATE SET n = cu.n + excluded.n`;
const storeFacts = (src: (t: AsOfTable) => string, open: string, where: string) => `INSERT INTO hub.stat_child (child_id, ${keyList})
  SELECT child_id, ${keyList} FROM (${factsSql(src, open, where)}) f
  ON CONFLICT (child_id) DO UPDATE SET ${KEYS.map((column) => `${column} = excluded.${column}`).join(', ')}`;

/** Heads as CHAIN_HEADS_SQL gives them (`chain:seq,…`), as two arrays. */
function parseHeads(heads: string): { chains: string[]; seqs: string[] } {
  const pairs = heads ? heads.split(',').map((pair) => pair.split(':')) : [];
  return { chains: pairs.map(([chain]) => chain), seqs: pairs.map(([, seq]) => seq) };
}

/**
 * Brings the cube to `heads` (the chains' heads in the caller's snapshot), in the caller's
 * transaction. Returns what it did. Throws a serialization failure (40001) when another
 * transaction refreshed it after this snapshot began: the caller asks again.
 */
export async function refreshCube(q: Query, heads: string): Promise<'fresh' | 'refreshed' | 'built'> {
  const [state] = await q<{ heads: string | null }>('SELECT heads FROM hub.stat_cube_state');
  if (state.heads === heads) return 'fresh';
  await q('SELECT 1 FROM hub.stat_cube_state FOR UPDATE');
  await q('UPDATE hub.stat_cube_state SET heads = $1, refreshed_at = now()', [heads]);
  if (state.heads === null) {
    // First use (or after data was loaded past the log): every child counted, every group set.
    await q('UPDATE hub.stat_cube SET n = 0 WHERE n <> 0');
    await q(storeFacts((t) => t.table, '$1', 'TRUE'), [OPEN_DROPOUT_STATUSES]);
    await q(`INSERT INTO hub.stat_cube AS cu (${keyList}, n) SELECT ${keyList}, count(*) FROM hub.stat_child GROUP BY ${keyList}
      ON CONFLICT (${keyList}) DO UPDATE SET n = excluded.n`);
    await q('UPDATE hub.stat_cube_state SET built_at = now()');
    return 'built';
  }
  const before = parseHeads(state.heads);
  const [{ ids }] = await q<{ ids: string[] }>(`SELECT COALESCE(array_agg(DISTINCT l.child_id), '{}') AS ids
    FROM hub.chain_head h
    LEFT JOIN unnest($1::text[], $2::bigint[]) AS s(chain, seq) ON s.chain = h.chain
    JOIN hub.change_log l ON l.chain = h.chain AND l.seq > COALESCE(s.seq, 0) AND l.seq <= h.seq
    WHERE l.child_id IS NOT NULL`, [before.chains, before.seqs]);
  if (ids.length) {
    await q(addToCube(-1), [ids]);
    await q(storeFacts(forChildren, '$2', 'c.id = ANY($1)'), [ids, OPEN_DROPOUT_STATUSES]);
    await q(addToCube(1), [ids]);
  }
  return 'refreshed';
}

/** A table's rows of the children in `$1` only (every statistics table names its child). */
function forChildren(t: AsOfTable): string {
  return `(SELECT * FROM ${t.table} WHERE ${t.table === STAT_TABLES.child.table ? 'id' : 'child_id'} = ANY($1))`;
}

/**
 * Drops the kept statistics: data was loaded past the change log (the seeder). The cube is built
 * again at the next question; `epoch` tells every instance that answers it kept are void.
 */
export async function resetKeptStatistics(q: (text: string) => Promise<unknown>): Promise<void> {
  await q('UPDATE hub.stat_cube_state SET heads = NULL, epoch = epoch + 1');
  for (const table of ['hub.stat_month', 'hub.stat_month_state']) await q(`DELETE FROM ${table}`);
}

/** Keeps the cube as of `at` (a settled month end, parameter-ready ISO time) unless it is kept already. */
export async function keepMonth(q: Query, at: string): Promise<boolean> {
  const [mine] = await q('INSERT INTO hub.stat_month_state (at) VALUES ($1) ON CONFLICT DO NOTHING RETURNING at', [at]);
  if (!mine) return false;
  await q(`INSERT INTO hub.stat_month (at, ${keyList}, n)
    SELECT $1, ${keyList}, count(*) FROM (${factsSql((t) => asOfTableSql(t, '$1::timestamptz'), '$2')}) f GROUP BY ${keyList}`, [at, OPEN_DROPOUT_STATUSES]);
  return true;
}
