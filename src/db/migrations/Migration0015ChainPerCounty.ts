import { Migration } from '@mikro-orm/migrations';

/**
 * One hash chain per county (issue 17): an entry belongs to the chain of its child's residence
 * county, or, about no child, of its own region (a city's or the province's chain); `seq` counts
 * gap-free within its chain, and an append locks only the heads of the chains it writes.
 *
 * - `hub.change_log.chain`: the chain's region code. Every entry written before this migration
 *   stays where it is, in the frozen chain `global`, and nothing of it is rewritten: its hashes,
 *   links and sequence numbers verify as they did.
 * - `hub.chain_head`: a row per chain, its last seq and hash, locked `FOR UPDATE` by an appender in
 *   the order of the chain codes (so that writers of several counties never deadlock), and
 *   updated in the appender's transaction. `global` is there too, frozen at the head it had.
 * - A new chain starts from `hub.chain_genesis(chain)`, the SHA-256 of the canonical JSON
 *   `{"chain":"<code>","from":"<the frozen global head's hash>"}`: every county chain hangs from the
 *   global chain's head, and an entry cannot be moved to another chain without breaking its link
 *   (the chain's code is bound in through its genesis rather than in each entry's hash, so an
 *   entry's hash is computed exactly as before).
 * - `hub.append_change_log(entries)` takes each entry's `chain` and chains every chain on from its
 *   head; its notification names the chains it appended to, with their new heads (`chain:seq,…`).
 */
export class Migration0015ChainPerCounty extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.chain_head (
      chain text PRIMARY KEY CHECK (chain = 'global' OR chain ~ '^[0-9]{6}$'),
      seq bigint NOT NULL CHECK (seq >= 0),
      hash char(64) NOT NULL,
      frozen boolean NOT NULL DEFAULT false)`);
    this.addSql(`INSERT INTO hub.chain_head (chain, seq, hash, frozen)
      SELECT 'global', coalesce(max(seq), 0), coalesce((SELECT hash FROM hub.change_log ORDER BY seq DESC LIMIT 1), repeat('0', 64)), true FROM hub.change_log`);

    this.addSql(`ALTER TABLE hub.change_log ADD COLUMN chain text NOT NULL DEFAULT 'global'`);
    this.addSql('ALTER TABLE hub.change_log ALTER COLUMN chain DROP DEFAULT');
    this.addSql('ALTER TABLE hub.change_log DROP CONSTRAINT change_log_pkey');
    this.addSql('ALTER TABLE hub.change_log ADD PRIMARY KEY (chain, seq)');

    this.addSql(`CREATE FUNCTION hub.chain_genesis(code text) RETURNS text LANGUAGE sql STABLE AS $$
      SELECT encode(sha256(convert_to('{"chain":"' || code || '","from":"' || h.hash || '"}', 'UTF8')), 'hex')
      FROM hub.chain_head h WHERE h.chain = 'global' $$`);

    this.addSql('DROP FUNCTION hub.append_change_log(jsonb)');
    this.addSql(`CREATE FUNCTION hub.append_change_log(entries jsonb) RETURNS TABLE (chain text, seq bigint, hash text) LANGUAGE plpgsql AS $$
      DECLARE
        chains text[];
        head_seqs bigint[];
        head_hashes text[];
        entry record;
        i integer;
        count integer := 0;
        seqs bigint[] := '{}';
        prevs text[] := '{}';
        hashes text[] := '{}';
      BEGIN
        SELECT array_agg(DISTINCT x.chain ORDER BY x.chain) INTO chains FROM jsonb_to_recordset(entries) AS x(chain text);
        IF chains IS NULL THEN RETURN; END IF;
        IF EXISTS (SELECT 1 FROM unnest(chains) AS c WHERE c IS NULL OR c !~ '^[0-9]{6}$') THEN
          RAISE EXCEPTION 'change log: an entry names no county chain';
        END IF;
        -- A chain's first appender makes its head; in code order, so that two new chains never deadlock.
        INSERT INTO hub.chain_head AS h (chain, seq, hash)
          SELECT c, 0, hub.chain_genesis(c) FROM unnest(chains) AS c
          WHERE NOT EXISTS (SELECT 1 FROM hub.chain_head e WHERE e.chain = c) ORDER BY c
          ON CONFLICT ON CONSTRAINT chain_head_pkey DO NOTHING;
        SELECT array_agg(l.seq ORDER BY l.chain), array_agg(l.hash::text ORDER BY l.chain) INTO head_seqs, head_hashes
          FROM (SELECT h.chain, h.seq, h.hash FROM hub.chain_head h WHERE h.chain = ANY(chains) AND NOT h.frozen ORDER BY h.chain FOR UPDATE) l;
        IF coalesce(array_length(head_seqs, 1), 0) <> array_length(chains, 1) THEN
          RAISE EXCEPTION 'change log: a chain is frozen';
        END IF;
        FOR entry IN SELECT x.chain, x.before, x.between, x.after FROM jsonb_to_recordset(entries) AS x(chain text, before text, between text, after text) LOOP
          count := count + 1;
          IF entry.before IS NULL OR entry.between IS NULL OR entry.after IS NULL THEN
            RAISE EXCEPTION 'change log: entry % has no canonical text to hash', count;
          END IF;
          i := array_position(chains, entry.chain);
          head_seqs[i] := head_seqs[i] + 1;
          prevs := prevs || head_hashes[i];
          head_hashes[i] := encode(sha256(convert_to(entry.before || head_hashes[i] || entry.between || head_seqs[i]::text || entry.after, 'UTF8')), 'hex');
          seqs := seqs || head_seqs[i];
          hashes := hashes || head_hashes[i];
        END LOOP;
        RETURN QUERY INSERT INTO hub.change_log AS l (chain, seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id,
            child_id, hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash)
          SELECT x.chain, seqs[x.n], x.at, x."actorSub", x."actorDept", x."actorRegion", x."actorRoles", x.operation, x.entity, x."entityId",
            x."childId", x."hukouRegion", x."residenceRegion", x.version, x.changes, x.mutation, x.reason, x."requestId", x."idempotencyKey",
            prevs[x.n], hashes[x.n]
          FROM ROWS FROM (jsonb_to_recordset(entries) AS (chain text, at timestamptz, "actorSub" text, "actorDept" text, "actorRegion" text,
              "actorRoles" text[], operation text, entity text, "entityId" text, "childId" uuid, "hukouRegion" text, "residenceRegion" text,
              version integer, changes jsonb, mutation text, reason text, "requestId" text, "idempotencyKey" text)) WITH ORDINALITY
            AS x(chain, at, "actorSub", "actorDept", "actorRegion", "actorRoles", operation, entity, "entityId", "childId", "hukouRegion",
              "residenceRegion", version, changes, mutation, reason, "requestId", "idempotencyKey", n)
          RETURNING l.chain, l.seq, l.hash::text;
        UPDATE hub.chain_head h SET seq = u.seq, hash = u.hash FROM unnest(chains, head_seqs, head_hashes) AS u(chain, seq, hash) WHERE h.chain = u.chain;
        PERFORM pg_notify('baoxue_change_log', string_agg(u.chain || ':' || u.seq, ',' ORDER BY u.chain)) FROM unnest(chains, head_seqs) AS u(chain, seq);
      END $$`);
  }
}
