import { Migration } from '@mikro-orm/migrations';

/**
 * Enrollment notices (三(一) 入学通知书): one per child and school year, from the police's roster,
 * with the assigned school and report date; arrival is recorded, and a child who does not report
 * is marked so and put on the dropout ledger.
 */
export class Migration0011EnrollmentNotices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE edu.enrollment_notice (
      id uuid PRIMARY KEY,
      child_id uuid NOT NULL REFERENCES hub.child (id),
      region varchar(6) NOT NULL REFERENCES hub.region (code),
      school_year smallint NOT NULL CHECK (school_year BETWEEN 2000 AND 2100),
      stage text NOT NULL CHECK (stage IN ('PRIMARY', 'JUNIOR_SECONDARY')),
      number varchar(40) NOT NULL UNIQUE,
      school_name varchar(100) NOT NULL,
      school_kind text NOT NULL CHECK (school_kind IN ('PUBLIC', 'PRIVATE')),
      priority boolean NOT NULL,
      report_on date NOT NULL,
      issued_on date NOT NULL,
      arrived_on date,
      status text NOT NULL CHECK (status IN ('ISSUED', 'ARRIVED', 'NOT_ARRIVED')),
      case_id uuid REFERENCES edu.dropout_case (id),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL,
      UNIQUE (child_id, school_year),
      CHECK ((status = 'ARRIVED') = (arrived_on IS NOT NULL)))`);
    this.addSql('CREATE INDEX enrollment_notice_region_idx ON edu.enrollment_notice (region, school_year, status)');
  }
}
