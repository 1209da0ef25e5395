import type { Client } from 'pg';

/**
 * The PGlite project's shared database, put back to how the migrations left it without running
 * them again. The first test file that asks for a migrated database migrates it and records its
 * baseline: a digest of the schema (every definition, privilege and trigger state in the user's
 * schemas) and the rows and sequence positions the migrations wrote (the regions, the chain heads,
 * the migrations' own table). A later file gets the baseline back by emptying every table and
 * writing those rows again, which takes a tenth of what the 26 migrations take on PGlite; and only
 * when the digest is still the baseline's: a file that changed the schema and did not undo it (or
 * dropped it, as the files that start from an earlier migration do) gets it wiped and migrated
 * from nothing, as every file did before.
 */
export interface Baseline {
  readonly schema: string;
  /** Table (quoted, schema-qualified) → its rows as JSON, for the tables the migrations wrote to. */
  readonly rows: Record<string, string>;
  readonly sequences: Array<{ name: string; value: string; called: boolean }>;
}

const USER_SCHEMAS = `SELECT oid FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`;

/** Everything in the user's schemas that a migration or a test could define, change or drop, as text. */
const SCHEMA_DIGEST = `
WITH ns AS (${USER_SCHEMAS})
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) AS digest FROM (
  SELECT 'schema ' || n.nspname || ' ' || n.nspowner::regrole || ' ' || coalesce(n.nspacl::text, '') FROM pg_namespace n JOIN ns USING (oid)
  UNION ALL SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' ' || c.relowner::regrole || ' ' || coalesce(c.relacl::text, '') || ' ' || c.relrowsecurity || ' ' || c.relforcerowsecurity || ' ' || coalesce(c.reloptions::text, '') || ' ' || c.relpersistence::text
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  UNION ALL SELECT 'column ' || a.attrelid::regclass || ' ' || a.attnum || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || a.attgenerated::text || ' ' || a.attidentity::text
      || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || coalesce(a.attacl::text, '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT 'constraint ' || con.conrelid::regclass || ' ' || con.contypid::regtype || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) || ' ' || con.convalidated
    FROM pg_constraint con JOIN ns ON ns.oid = con.connamespace
  UNION ALL SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace WHERE NOT t.tgisinternal
  UNION ALL SELECT 'rule ' || r.rulename || ' ' || pg_get_ruledef(r.oid) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN ns ON ns.oid = c.relnamespace
  UNION ALL SELECT 'policy ' || p.polrelid::regclass || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || p.polpermissive || ' ' || p.polroles::text
      || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL SELECT 'routine ' || p.oid::regprocedure || ' ' || p.prokind::text || ' ' || p.proowner::regrole || ' ' || coalesce(p.proacl::text, '') || ' '
      || CASE WHEN p.prokind = 'a' THEN '' ELSE pg_get_functiondef(p.oid) END
    FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text || ' ' || coalesce(t.typacl::text, '') || ' '
      || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
    FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  UNION ALL SELECT 'sequence ' || s.seqrelid::regclass || ' ' || s.seqtypid::regtype || ' ' || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache || ' ' || s.seqcycle
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL SELECT 'default privileges ' || d.defaclrole::regrole || ' ' || d.defaclnamespace || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text FROM pg_default_acl d
  UNION ALL SELECT 'extension ' || e.extname || ' ' || e.extversion FROM pg_extension e
  UNION ALL SELECT 'event trigger ' || e.evtname || ' ' || e.evtevent || ' ' || e.evtenabled::text FROM pg_event_trigger e
) AS items (item)`;

const TABLES = `SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.relkind::text IN ('r', 'p') AND c.relnamespace IN (${USER_SCHEMAS}) ORDER BY 1`;
const SEQUENCES = `SELECT c.oid::regclass::text AS name, coalesce(pg_sequence_last_value(c.oid), s.seqstart)::text AS value, pg_sequence_last_value(c.oid) IS NOT NULL AS called
  FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid WHERE c.relnamespace IN (${USER_SCHEMAS}) ORDER BY 1`;

export async function schemaDigest(client: Client): Promise<string> {
  return (await client.query<{ digest: string }>(SCHEMA_DIGEST)).rows[0].digest;
}

/** Records the database as it is now (just migrated) as the baseline. */
export async function captureBaseline(client: Client): Promise<Baseline> {
  const rows: Record<string, string> = {};
  for (const { name } of (await client.query<{ name: string }>(TABLES)).rows) {
    const [{ json }] = (await client.query<{ json: string | null }>(`SELECT json_agg(t)::text AS json FROM ${name} t`)).rows;
    if (json !== null) rows[name] = json;
  }
  const sequences = (await client.query<{ name: string; value: string; called: boolean }>(SEQUENCES)).rows;
  return { schema: await schemaDigest(client), rows, sequences };
}

/**
 * Puts the baseline's rows back if the schema is still the baseline's, and says whether it did.
 * The append-only tables refuse TRUNCATE by trigger: a replica session fires none, as pg_restore's does.
 */
export async function restoreBaseline(client: Client, baseline: Baseline): Promise<boolean> {
  if ((await schemaDigest(client)) !== baseline.schema) return false;
  const tables = (await client.query<{ name: string }>(TABLES)).rows.map((r) => r.name);
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL session_replication_role = replica');
    if (tables.length) await client.query(`TRUNCATE ${tables.join(', ')}`);
    for (const [table, json] of Object.entries(baseline.rows)) await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [json]);
    for (const s of baseline.sequences) await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [s.name, s.value, s.called]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return true;
}
