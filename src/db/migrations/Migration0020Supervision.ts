import { Migration } from '@mikro-orm/migrations';

/**
 * Supervisors' work (督导, issue 19; the notice's 四(二) and 三(二)):
 * - `hub.spot_check`: a sample of ledger entries (dropout cases, open and closed) drawn by a
 *   supervisor from a stated seed and a signed root of the change log (its seq and hash), with
 *   the frame it was drawn from (every case of the region then, and its stratum), so that anyone
 *   can redraw it and see that it was not hand-picked.
 * - `hub.spot_check_item`: one sampled case: what the ledger reported at the draw, the verifier it
 *   is assigned to (never one from the child's township), and what the verifier found.
 * - `hub.supervision_action`: interviews of counties (约谈), admonitions and correction orders to
 *   guardians (批评教育、责令限期改正), referrals to civil affairs or poverty alleviation (救助转介),
 *   each with a deadline, open until closed with an outcome.
 * No foreign key to the child or case, as reconciliation's discrepancies: a sample is a record of
 * what was drawn, and stays one. Nor from an item to its spot check: the unit of work inserts both
 * in one flush and orders tables only by declared relations; the draw writes them together.
 */
export class Migration0020Supervision extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.spot_check (
      id uuid PRIMARY KEY,
      region varchar(6) NOT NULL REFERENCES hub.region (code),
      seed varchar(64) NOT NULL,
      root_seq bigint NOT NULL,
      root_hash char(64) NOT NULL,
      strata text[] NOT NULL,
      size integer NOT NULL CHECK (size > 0),
      frame_size integer NOT NULL,
      frame_hash char(64) NOT NULL,
      frame jsonb NOT NULL,
      drawn_on date NOT NULL,
      drawn_by text NOT NULL,
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql('CREATE INDEX spot_check_region_idx ON hub.spot_check (region, id)');
    this.addSql(`CREATE TABLE hub.spot_check_item (
      id uuid PRIMARY KEY,
      spot_check_id uuid NOT NULL,
      case_id uuid NOT NULL,
      child_id uuid NOT NULL,
      county varchar(6) NOT NULL REFERENCES hub.region (code),
      township varchar(9),
      stratum text NOT NULL,
      reported jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('DRAWN', 'ASSIGNED', 'VERIFIED')),
      verifier_sub text,
      verifier_dept text,
      verifier_region varchar(9),
      assigned_on date,
      verified_on date,
      verified_by text,
      findings jsonb,
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL,
      CONSTRAINT spot_check_item_verifier_not_local CHECK (verifier_region IS NULL OR township IS NULL OR verifier_region <> township))`);
    this.addSql('CREATE UNIQUE INDEX spot_check_item_case_idx ON hub.spot_check_item (spot_check_id, case_id)');
    this.addSql('CREATE INDEX spot_check_item_verifier_idx ON hub.spot_check_item (verifier_sub, verifier_dept) WHERE verifier_sub IS NOT NULL');
    this.addSql(`CREATE TABLE hub.supervision_action (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('COUNTY_INTERVIEW', 'GUARDIAN_ADMONITION', 'CORRECTION_ORDER', 'ASSISTANCE_REFERRAL')),
      county varchar(6) NOT NULL REFERENCES hub.region (code),
      child_id uuid,
      township varchar(9),
      to_dept text,
      number varchar(40),
      deadline date NOT NULL,
      note varchar(500) NOT NULL,
      status text NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
      opened_on date NOT NULL,
      opened_by text NOT NULL,
      opened_dept text NOT NULL,
      closed_on date,
      closed_by text,
      outcome varchar(500),
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL,
      CONSTRAINT supervision_action_target CHECK ((kind = 'COUNTY_INTERVIEW') = (child_id IS NULL)),
      CONSTRAINT supervision_action_referral CHECK ((kind = 'ASSISTANCE_REFERRAL') = (to_dept IS NOT NULL)))`);
    this.addSql('CREATE INDEX supervision_action_county_idx ON hub.supervision_action (county, id)');
    this.addSql(`CREATE INDEX supervision_action_open_idx ON hub.supervision_action (deadline) WHERE status = 'OPEN'`);
  }
}
