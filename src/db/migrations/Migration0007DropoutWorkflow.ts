import { Migration } from '@mikro-orm/migrations';

/**
 * The ledger's own work (二(三)(四), 三(二), 四(二)): who is responsible for a dropout case and by
 * when, how it was placed, the police's confirmation, persuasion visits (劝返), and the expert
 * panel's assessments with their evidence.
 */
export class Migration0007DropoutWorkflow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE edu.dropout_case
      ADD COLUMN responsible_person varchar(50),
      ADD COLUMN responsible_unit varchar(100),
      ADD COLUMN deadline date,
      ADD COLUMN placement text CHECK (placement IN ('HOME_TEACHING', 'SPECIAL_SCHOOL', 'MAINSTREAM_INCLUSION')),
      ADD COLUMN police_confirmed_on date,
      ADD COLUMN police_confirmed_by text`);
    this.addSql(`CREATE TABLE edu.persuasion_visit (
      id uuid PRIMARY KEY,
      case_id uuid NOT NULL REFERENCES edu.dropout_case (id),
      child_id uuid NOT NULL REFERENCES hub.child (id),
      visited_on date NOT NULL,
      visitor varchar(50) NOT NULL,
      method text NOT NULL CHECK (method IN ('HOME_VISIT', 'PHONE', 'AT_SCHOOL')),
      outcome text NOT NULL CHECK (outcome IN ('AGREED_TO_RETURN', 'REFUSED', 'NOT_REACHED', 'OTHER')),
      notes varchar(500),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql('CREATE INDEX persuasion_visit_case_idx ON edu.persuasion_visit (case_id, visited_on)');
    this.addSql('CREATE INDEX persuasion_visit_child_idx ON edu.persuasion_visit (child_id)');
    this.addSql(`CREATE TABLE hub.assessment (
      id uuid PRIMARY KEY,
      child_id uuid NOT NULL REFERENCES hub.child (id),
      case_id uuid REFERENCES edu.dropout_case (id),
      assessed_on date NOT NULL,
      members text[] NOT NULL CHECK (cardinality(members) > 0),
      decision text NOT NULL CHECK (decision IN ('MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL', 'HOME_TEACHING', 'DEFERRAL', 'SUSPENSION')),
      review_on date,
      evidence jsonb NOT NULL DEFAULT '[]',
      evidence_complete boolean NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql('CREATE INDEX assessment_child_idx ON hub.assessment (child_id, assessed_on)');
  }
}
