import { Migration } from '@mikro-orm/migrations';

/**
 * `hub.append_change_log(entries)`: a small write's entries, appended and chained by the database
 * under the chain lock, in one call. The hub sends each entry's columns and its canonical JSON
 * around the two values only the chain gives it (`before`, `between`, `after`: see
 * `canonicalAroundChain` in src/changelog/hash-chain.ts); the function takes the lock, reads the
 * head, hashes the entries one after another (SHA-256 of `before || prev_hash || between || seq ||
 * after`, the same hash the hub computes) and inserts them in one statement. A function keeps its
 * plans, so the append is planned once per connection rather than with every write; and nothing
 * travels back to the hub while the lock is held.
 *
 * The change feed's notification (the new head's seq on `baoxue_change_log`) is sent by the two
 * statements that append, this function and a bulk batch's insert (src/changelog/change-log.append.ts),
 * instead of by a statement trigger: the trigger, with its transition table, was a fifth of what
 * appending one entry cost the database.
 *
 * It runs with its caller's rights (SECURITY INVOKER): a role may append through it only what it
 * may INSERT into the log itself (the README's restricted role may; nobody may UPDATE or DELETE).
 */
export class Migration0013ChangeLogAppend extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE FUNCTION hub.append_change_log(entries jsonb) RETURNS TABLE (seq bigint, hash text) LANGUAGE plpgsql AS $$
      DECLARE
        head_seq bigint;
        head_hash text;
        entry record;
        count integer := 0;
        prevs text[] := '{}';
        hashes text[] := '{}';
      BEGIN
        PERFORM pg_advisory_xact_lock(727100001);
        SELECT l.seq, l.hash INTO head_seq, head_hash FROM hub.change_log l ORDER BY l.seq DESC LIMIT 1;
        head_seq := coalesce(head_seq, 0);
        head_hash := coalesce(head_hash, repeat('0', 64));
        FOR entry IN SELECT x.before, x.between, x.after FROM jsonb_to_recordset(entries) AS x(before text, between text, after text) LOOP
          count := count + 1;
          IF entry.before IS NULL OR entry.between IS NULL OR entry.after IS NULL THEN
            RAISE EXCEPTION 'change log: entry % has no canonical text to hash', count;
          END IF;
          prevs := prevs || head_hash;
          head_hash := encode(sha256(convert_to(entry.before || head_hash || entry.between || (head_seq + count)::text || entry.after, 'UTF8')), 'hex');
          hashes := hashes || head_hash;
        END LOOP;
        RETURN QUERY INSERT INTO hub.change_log AS l (seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id,
            child_id, hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash)
          SELECT head_seq + x.n, x.at, x."actorSub", x."actorDept", x."actorRegion", x."actorRoles", x.operation, x.entity, x."entityId",
            x."childId", x."hukouRegion", x."residenceRegion", x.version, x.changes, x.mutation, x.reason, x."requestId", x."idempotencyKey",
            prevs[x.n], hashes[x.n]
          FROM ROWS FROM (jsonb_to_recordset(entries) AS (at timestamptz, "actorSub" text, "actorDept" text, "actorRegion" text,
              "actorRoles" text[], operation text, entity text, "entityId" text, "childId" uuid, "hukouRegion" text, "residenceRegion" text,
              version integer, changes jsonb, mutation text, reason text, "requestId" text, "idempotencyKey" text)) WITH ORDINALITY
            AS x(at, "actorSub", "actorDept", "actorRegion", "actorRoles", operation, entity, "entityId", "childId", "hukouRegion",
              "residenceRegion", version, changes, mutation, reason, "requestId", "idempotencyKey", n)
          RETURNING l.seq, l.hash::text;
        IF count > 0 THEN
          PERFORM pg_notify('baoxue_change_log', (head_seq + count)::text);
        END IF;
      END $$`);
    this.addSql('DROP TRIGGER change_log_notify ON hub.change_log');
    this.addSql('DROP FUNCTION hub.change_log_notify()');
  }
}
