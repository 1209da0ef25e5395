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
 * **Month ends** (`hub.stat_month`): the same cube as it stood at a month's end, kept once the month
 * end is settled (a day after it, stats.cache.ts) from the cube and the children the log names
 * since (`keepMonth`), and never again: the log is append-only, so what stood then does not change. A
 * monthly series reads one kept month per month end.
 *
 * Data loaded past the log (the seeder, `npm run seed`) drops both (`resetKeptStatistics`), and
 * the next question builds them again; it moves the state's `epoch`, which the answers kept by
 * each instance are keyed by too (stats.cache.ts). The hub deletes no row: a child's row is updated in place,
 * a cube row whose children all moved stays with `n = 0` (stats.query.ts leaves such groups out),
 * and a child merged into another keeps its row in `hub.stat_child`, no longer `counted`.
 */

/** The cube's columns at its finest grain: the values of a child it groups by (`hub.stat_child` has them too). */
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

/**
 * The cube at three grains, each the children counted by a subset of the columns: a question is
 * answered from the smallest that has every column it reads (and its reader's scope reads). At
 * 2,000,000 children the whole cube has about 255,000 groups, without township and hukou about
 * 49,000, without the special groups too about 17,000 (README "Benchmarks"): a province-wide
 * question by county and stage sums the last. Month ends are kept at the same grains.
 */
const FLAGS = [...Object.values(SPECIAL_GROUP_FLAGS).map((flag) => flag.column), 'registered_poor', 'monitored_household', 'disabled', 'serious_illness'];
export interface CubeGrain {
  readonly table: string;
  readonly month: string;
  readonly keys: readonly string[];
}
const COUNTY_KEYS = KEYS.filter((column) => column !== 'township' && column !== 'hukou_region');
export const GRAINS: readonly CubeGrain[] = [
  { table: 'hub.stat_cube_county', month: 'hub.stat_month_county', keys: COUNTY_KEYS.filter((column) => !FLAGS.includes(column)) },
  { table: 'hub.stat_cube_groups', month: 'hub.stat_month_groups', keys: COUNTY_KEYS },
  { table: 'hub.stat_cube', month: 'hub.stat_month', keys: KEYS },
];

/** The values of the base row `b` (stats.query.ts) a grain's view gives: its columns, and what is computed from them. */
function viewColumns(grain: CubeGrain): Set<string> {
  return new Set(['county', 'overdue', 'key_region', ...grain.keys.filter((column) => column !== 'residence_region')]);
}

/** The smallest grain that gives every value in `used` and the columns of the reader's scope, if any. */
export function grainFor(used: ReadonlySet<string>, scoped: boolean): CubeGrain | null {
  const wanted = [...used].filter((column) => column !== 'id');
  return GRAINS.find((grain) => {
    const view = viewColumns(grain);
    return (!scoped || grain.keys.includes('hukou_region')) && wanted.every((column) => view.has(column));
  }) ?? null;
}

/**
 * The statistics' base row `b` over a grain of the cube (or of a kept month end): each row a group
 * of `n` children, under the reader's scope (`scope` over alias `m`, which has the child's region
 * columns at the finest grain; `TRUE` for a province-wide reader).
 */
export function cubeView(grain: CubeGrain, of: { month?: string }, scope: string, day: string, keyRegions: string): string {
  const columns = grain.keys.filter((column) => column !== 'residence_region' && column !== 'open_deadline').map((column) => `m.${column}`);
  return `SELECT m.n, m.residence_region AS county, ${columns.join(', ')}, COALESCE(m.open_deadline < ${day}, FALSE) AS overdue,
      m.residence_region = ANY(${keyRegions}) AS key_region
    FROM ${of.month ? grain.month : grain.table} m WHERE ${of.month ? `m.at = ${of.month} AND ` : ''}${scope}`;
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
/** Adds (or takes out) the rows of `hub.stat_child` for the children in `$1`, at every grain. */
const addToCube = (sign: 1 | -1) => GRAINS.map((grain) => {
  const keys = grain.keys.join(', ');
  return `INSERT INTO ${grain.table} AS cu (${keys}, n)
  SELECT ${keys}, ${sign === 1 ? '' : '-'}count(*) FROM hub.stat_child WHERE child_id = ANY($1) AND counted GROUP BY ${keys}
  ON CONFLICT (${keys}) DO UPDATE SET n = cu.n + excluded.n`;
});
const storeFacts = (src: (t: AsOfTable) => string, open: string, where: string) => `INSERT INTO hub.stat_child (child_id, counted, ${keyList})
  SELECT child_id, TRUE, ${keyList} FROM (${factsSql(src, open, where)}) f
  ON CONFLICT (child_id) DO UPDATE SET counted = TRUE, ${KEYS.map((column) => `${column} = excluded.${column}`).join(', ')}`;
/** A child whose row is gone (merged into another) is no longer counted; its row stays (the hub deletes none). */
const uncountGone = (where: string) => `UPDATE hub.stat_child s SET counted = FALSE
  WHERE ${where} AND s.counted AND NOT EXISTS (SELECT 1 FROM hub.child c WHERE c.id = s.child_id)`;

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
    await q(storeFacts((t) => t.table, '$1', 'TRUE'), [OPEN_DROPOUT_STATUSES]);
    await q(uncountGone('TRUE'));
    for (const grain of GRAINS) {
      const keys = grain.keys.join(', ');
      await q(`UPDATE ${grain.table} SET n = 0 WHERE n <> 0`);
      await q(`INSERT INTO ${grain.table} AS cu (${keys}, n) SELECT ${keys}, count(*) FROM hub.stat_child WHERE counted GROUP BY ${keys}
        ON CONFLICT (${keys}) DO UPDATE SET n = excluded.n`);
    }
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
    for (const statement of addToCube(-1)) await q(statement, [ids]);
    await q(storeFacts((t) => forChildren(t), '$2', 'c.id = ANY($1)'), [ids, OPEN_DROPOUT_STATUSES]);
    await q(uncountGone('s.child_id = ANY($1)'), [ids]);
    for (const statement of addToCube(1)) await q(statement, [ids]);
  }
  return 'refreshed';
}

/** A table's rows of the children in the parameter `ids` only (every statistics table names its child). */
function forChildren(t: AsOfTable, ids = '$1'): string {
  return `(SELECT * FROM ${t.table} WHERE ${t.table === STAT_TABLES.child.table ? 'id' : 'child_id'} = ANY(${ids}))`;
}

/**
 * Drops the kept statistics: data was loaded past the change log (the seeder). The cube is built
 * again at the next question; `epoch` tells every instance that answers it kept are void.
 */
export async function resetKeptStatistics(q: (text: string) => Promise<unknown>): Promise<void> {
  await q('UPDATE hub.stat_cube_state SET heads = NULL, epoch = epoch + 1');
  for (const table of [...GRAINS.map((grain) => grain.month), 'hub.stat_month_state']) await q(`DELETE FROM ${table}`);
}

/**
 * Keeps the cube as of `at` (a settled month end, an ISO time) unless it is kept already, in the
 * caller's transaction, with the cube brought to `heads` (the chains' heads in its snapshot) first.
 * A child no entry after `at` names stood then as it stands now, so the month is the cube of now
 * with the children named since taken out and put back as they stood then (their rows rebuilt from
 * the log, stats.as-of.ts): one pass over the cube and the as-of rebuild of those children only,
 * instead of the as-of rebuild of every child (at 2,000,000 children, seconds instead of a minute;
 * README "Benchmarks"). A child created after `at` is not in the rebuild; one merged away since is
 * in neither, as in the tables' own answer as of then.
 */
export async function keepMonth(q: Query, at: string, heads: string): Promise<boolean> {
  const [mine] = await q('INSERT INTO hub.stat_month_state (at) VALUES ($1) ON CONFLICT DO NOTHING RETURNING at', [at]);
  if (!mine) return false;
  await refreshCube(q, heads);
  const [{ ids }] = await q<{ ids: string[] }>(`SELECT COALESCE(array_agg(DISTINCT l.child_id), '{}') AS ids FROM hub.change_log l
    WHERE l.at > $1 AND l.child_id IS NOT NULL`, [at]);
  const then = (t: AsOfTable) => asOfTableSql({ ...t, table: forChildren(t, '$3') }, '$1::timestamptz');
  await q(`INSERT INTO hub.stat_month (at, ${keyList}, n)
    SELECT $1, ${keyList}, sum(n) FROM (
      SELECT ${keyList}, n FROM hub.stat_cube
      UNION ALL SELECT ${keyList}, -1 FROM hub.stat_child WHERE child_id = ANY($3) AND counted
      UNION ALL SELECT ${keyList}, 1 FROM (${factsSql(then, '$2')}) f
    ) x GROUP BY ${keyList} HAVING sum(n) <> 0`, [at, OPEN_DROPOUT_STATUSES, ids]);
  // The coarser grains from the finest, not from the tables again.
  for (const grain of GRAINS.filter((g) => g.month !== 'hub.stat_month')) {
    const keys = grain.keys.join(', ');
    await q(`INSERT INTO ${grain.month} (at, ${keys}, n) SELECT at, ${keys}, sum(n) FROM hub.stat_month WHERE at = $1 GROUP BY at, ${keys}`, [at]);
  }
  return true;
}
