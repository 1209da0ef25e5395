import { Migration } from '@mikro-orm/migrations';

/**
 * Duplicates (issue 16):
 * - `hub.child_match_key`: each child's name as it sounds (fuzzy pinyin) and its birth month, the
 *   blocking key for names typed by ear. Derived from the child's own logged fields and rebuilt by
 *   the sweep, so it is not logged itself (as an index is not).
 * - `hub.duplicate_pair`: a pair of children that may be one (child_a < child_b), its score and the
 *   features that matched, and the reviewer's decision. One row per pair for ever: a pair decided
 *   DIFFERENT is never proposed again.
 * - `hub.child_alias`: an id or ID number that now names another child (a merged child's id, a
 *   corrected number), so that `child(id)` and `childByIdNumber` still find the child.
 * - `hub.child_merge`: a merge, as a record on each of the two children (role MERGED and
 *   SURVIVOR), with what moved, so that the change log has a MERGE entry on both chains.
 */
export class Migration0019Duplicates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.child_match_key (
      child_id uuid PRIMARY KEY REFERENCES hub.child (id) ON DELETE CASCADE,
      sound text NOT NULL,
      birth_month char(7) NOT NULL)`);
    this.addSql('CREATE INDEX child_match_key_sound_idx ON hub.child_match_key (sound, birth_month)');
    this.addSql('CREATE INDEX child_birth_date_idx ON hub.child (birth_date, gender)');
    this.addSql(`CREATE TABLE hub.duplicate_pair (
      id uuid PRIMARY KEY,
      child_a uuid NOT NULL,
      child_b uuid NOT NULL,
      score real NOT NULL,
      band text NOT NULL CHECK (band IN ('LIKELY', 'POSSIBLE')),
      features text[] NOT NULL,
      status text NOT NULL CHECK (status IN ('OPEN', 'SAME', 'DIFFERENT')),
      survivor_id uuid,
      reason varchar(500),
      decided_by text,
      decided_at timestamptz,
      found_at timestamptz NOT NULL,
      found_by text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      CHECK (child_a < child_b),
      UNIQUE (child_a, child_b))`);
    this.addSql('CREATE INDEX duplicate_pair_child_b_idx ON hub.duplicate_pair (child_b)');
    this.addSql('CREATE INDEX duplicate_pair_open_idx ON hub.duplicate_pair (score DESC, id) WHERE status = \'OPEN\'');
    this.addSql(`CREATE TABLE hub.child_alias (
      alias text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('ID', 'ID_NUMBER')),
      child_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    this.addSql('CREATE INDEX child_alias_child_idx ON hub.child_alias (child_id)');
    this.addSql(`CREATE TABLE hub.child_merge (
      id uuid PRIMARY KEY,
      child_id uuid NOT NULL,
      role text NOT NULL CHECK (role IN ('MERGED', 'SURVIVOR')),
      merged_id uuid NOT NULL,
      survivor_id uuid NOT NULL,
      pair_id uuid NOT NULL,
      moved jsonb NOT NULL,
      merged_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1)`);
    this.addSql('CREATE INDEX child_merge_child_idx ON hub.child_merge (child_id)');
  }
}
