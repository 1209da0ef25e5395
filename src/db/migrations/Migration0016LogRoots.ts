import { Migration } from '@mikro-orm/migrations';

/**
 * Signed roots over the change log's chains (issue 17, src/log-roots): every minute and on demand
 * the hub computes an RFC 6962 Merkle tree over each chain's entries, a tree over the chains' leaves,
 * signs its root (ES256) and links it to the previous root.
 *
 * - `hub.log_root`: one row per root, `seq` gap-free; `prev_hash` the previous root's hash (null for
 *   the first); `jws` the signed compact JWS whose payload names all of it. A trigger refuses a row
 *   that does not follow the last one, so that two signers can neither fork nor gap the sequence.
 * - `hub.log_root_chain`: the leaves of a root, for the chains whose head moved since the root
 *   before (a chain's leaf in root n is its latest row at or before n), with the right edge of the
 *   chain's tree, from which the next root extends it without reading the chain again.
 * Both are append-only, as the log is (migration 0002).
 */
export class Migration0016LogRoots extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.log_root (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      at timestamptz NOT NULL,
      root_hash char(64) NOT NULL CHECK (root_hash ~ '^[0-9a-f]{64}$'),
      prev_hash char(64) CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
      chains integer NOT NULL CHECK (chains > 0),
      key_id text NOT NULL,
      jws text NOT NULL)`);
    this.addSql(`CREATE TABLE hub.log_root_chain (
      chain text NOT NULL,
      root_seq bigint NOT NULL REFERENCES hub.log_root (seq),
      size bigint NOT NULL CHECK (size >= 0),
      head_hash char(64) NOT NULL,
      tree_hash char(64) NOT NULL,
      edge text[] NOT NULL,
      PRIMARY KEY (chain, root_seq))`);
    this.addSql('CREATE INDEX log_root_chain_root_idx ON hub.log_root_chain (root_seq)');

    this.addSql(`CREATE FUNCTION hub.log_root_follows() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE last hub.log_root;
      BEGIN
        SELECT * INTO last FROM hub.log_root ORDER BY seq DESC LIMIT 1;
        IF NEW.seq <> coalesce(last.seq, 0) + 1 OR NEW.prev_hash IS DISTINCT FROM last.root_hash THEN
          RAISE EXCEPTION 'hub.log_root: root % does not follow root %', NEW.seq, coalesce(last.seq, 0) USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    this.addSql('CREATE TRIGGER log_root_follows BEFORE INSERT ON hub.log_root FOR EACH ROW EXECUTE FUNCTION hub.log_root_follows()');

    this.addSql(`CREATE FUNCTION hub.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'hub.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['log_root', 'log_root_chain']) {
      this.addSql(`CREATE TRIGGER ${table}_no_update_or_delete BEFORE UPDATE OR DELETE ON hub.${table} FOR EACH ROW EXECUTE FUNCTION hub.append_only()`);
      this.addSql(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON hub.${table} FOR EACH STATEMENT EXECUTE FUNCTION hub.append_only()`);
    }
  }
}
