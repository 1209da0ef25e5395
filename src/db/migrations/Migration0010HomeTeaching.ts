import { Migration } from '@mikro-orm/migrations';

/**
 * Home-delivered teaching (送教上门, 二(四)): after the expert panel decides on it, education assigns
 * a school and a teacher, and the teacher's visits are recorded with their dates.
 */
export class Migration0010HomeTeaching extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE edu.home_teaching (
      id uuid PRIMARY KEY,
      child_id uuid NOT NULL REFERENCES hub.child (id),
      case_id uuid REFERENCES edu.dropout_case (id),
      school_name varchar(100) NOT NULL,
      teacher varchar(50) NOT NULL,
      started_on date NOT NULL,
      ended_on date CHECK (ended_on IS NULL OR ended_on >= started_on),
      notes varchar(500),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    // One arrangement running per child at a time.
    this.addSql('CREATE UNIQUE INDEX home_teaching_running_idx ON edu.home_teaching (child_id) WHERE ended_on IS NULL');
    this.addSql('CREATE INDEX home_teaching_child_idx ON edu.home_teaching (child_id, started_on)');
    this.addSql(`CREATE TABLE edu.home_teaching_visit (
      id uuid PRIMARY KEY,
      home_teaching_id uuid NOT NULL REFERENCES edu.home_teaching (id),
      child_id uuid NOT NULL REFERENCES hub.child (id),
      visited_on date NOT NULL,
      teacher varchar(50) NOT NULL,
      hours numeric(3, 1) NOT NULL CHECK (hours > 0 AND hours <= 12),
      content varchar(500) NOT NULL,
      notes varchar(500),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql('CREATE INDEX home_teaching_visit_idx ON edu.home_teaching_visit (home_teaching_id, visited_on)');
    this.addSql('CREATE INDEX home_teaching_visit_child_idx ON edu.home_teaching_visit (child_id)');
  }
}
