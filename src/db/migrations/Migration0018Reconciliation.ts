import { Migration } from '@mikro-orm/migrations';

/**
 * Monthly reconciliation (核实比对, issue 14):
 * - `hub.discrepancy`: one row per (rule, child) the rules found, from the run that opened it to
 *   its end (RESOLVED by a run or a re-check that no longer finds it, naming the change-log entry
 *   that fixed it by chain and seq; or EXPLAINED, an exception a supervisor confirmed). At most one
 *   discrepancy per rule and child is not RESOLVED (the partial unique index), so a run finds
 *   the one it keeps by (rule, child) and re-running gives the same ids.
 * - `hub.reconciliation_run`: a run, frozen like a notice: its counts per rule and county, the
 *   heads of the chains it ran against, and a content hash over them and the discrepancies it left.
 * No foreign key to the child: a deleted child's discrepancies are resolved by the next run.
 */
export class Migration0018Reconciliation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.reconciliation_run (
      id uuid PRIMARY KEY,
      period char(7) NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      region varchar(6) NOT NULL REFERENCES hub.region (code),
      ran_at timestamptz NOT NULL,
      ran_by text NOT NULL,
      counts jsonb NOT NULL,
      opened integer NOT NULL,
      kept integer NOT NULL,
      resolved integer NOT NULL,
      chain_heads jsonb NOT NULL,
      content_hash char(64) NOT NULL,
      version integer NOT NULL DEFAULT 1)`);
    this.addSql('CREATE INDEX reconciliation_run_region_idx ON hub.reconciliation_run (region, period, ran_at)');
    this.addSql(`CREATE TABLE hub.discrepancy (
      id uuid PRIMARY KEY,
      rule varchar(8) NOT NULL,
      child_id uuid NOT NULL,
      county varchar(6) NOT NULL REFERENCES hub.region (code),
      township varchar(9),
      facts jsonb NOT NULL,
      fields text[] NOT NULL,
      owner_dept text NOT NULL,
      status text NOT NULL CHECK (status IN ('OPEN', 'IN_PROGRESS', 'RESOLVED', 'EXPLAINED')),
      opened_on date NOT NULL,
      deadline date NOT NULL,
      opened_by_run uuid NOT NULL,
      resolved_on date,
      resolved_by_run uuid,
      fixed_by_chain text,
      fixed_by_seq bigint,
      explanation varchar(500),
      evidence varchar(500),
      explained_by text,
      confirmed_by text,
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql(`CREATE UNIQUE INDEX discrepancy_active_idx ON hub.discrepancy (rule, child_id) WHERE status <> 'RESOLVED'`);
    this.addSql('CREATE INDEX discrepancy_county_idx ON hub.discrepancy (county, id)');
    this.addSql('CREATE INDEX discrepancy_child_idx ON hub.discrepancy (child_id)');
  }
}
