import { Migration } from '@mikro-orm/migrations';
import fujianRegions from '../../../seeds/fujian-regions.json';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Section bookkeeping: optimistic-lock version and who last changed the row (provenance). */
const SECTION_COLUMNS = `
  child_id uuid PRIMARY KEY REFERENCES hub.child (id),
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL`;

/**
 * The hub schema and one schema per department (DESIGN.md section 2), so that a department's
 * database role can be limited to its own schema. Enumerations are CHECK constraints on text:
 * readable in psql and easy to extend in a later migration. Frozen once released: later changes
 * go in new migrations.
 */
export class Migration0001Foundation extends Migration {
  override async up(): Promise<void> {
    for (const schema of ['hub', 'edu', 'psb', 'civil', 'poverty', 'health', 'dpf']) {
      this.addSql(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    }
    this.addSql(`CREATE TABLE hub.region (
      code varchar(6) PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
      name text NOT NULL,
      level text NOT NULL CHECK (level IN ('province', 'city', 'county')),
      parent_code varchar(6) REFERENCES hub.region (code))`);
    const values = fujianRegions.map((r) => `('${r.code}', '${r.name}', '${r.level}', ${r.parent ? `'${r.parent}'` : 'NULL'})`);
    this.addSql(`INSERT INTO hub.region (code, name, level, parent_code) VALUES ${values.join(',\n')}`);

    this.addSql(`CREATE TABLE hub.child (
      id uuid PRIMARY KEY,
      id_number varchar(18) UNIQUE,
      name varchar(50) NOT NULL,
      gender text NOT NULL CHECK (gender IN ('MALE', 'FEMALE')),
      birth_date date NOT NULL,
      hukou_region varchar(6) NOT NULL REFERENCES hub.region (code),
      residence_region varchar(6) NOT NULL REFERENCES hub.region (code),
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql('CREATE INDEX child_hukou_region_idx ON hub.child (hukou_region, id)');
    this.addSql('CREATE INDEX child_residence_region_idx ON hub.child (residence_region, id)');

    this.addSql(`CREATE TABLE edu.education_record (${SECTION_COLUMNS},
      status text NOT NULL CHECK (status IN (${list(['ENROLLED', 'DROPPED_OUT', 'SUSPENDED', 'DEFERRED', 'HOME_TEACHING', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL', 'STUDYING_ELSEWHERE'])})),
      stage text CHECK (stage IN ('PRIMARY', 'JUNIOR_SECONDARY')),
      grade smallint CHECK (grade BETWEEN 1 AND 9),
      school_name varchar(100))`);
    this.addSql('CREATE INDEX education_record_status_idx ON edu.education_record (status)');

    this.addSql(`CREATE TABLE edu.dropout_case (
      id uuid PRIMARY KEY,
      child_id uuid NOT NULL REFERENCES hub.child (id),
      reason text NOT NULL CHECK (reason IN (${list(['FAMILY_POVERTY', 'STUDY_WEARINESS', 'ILLNESS', 'DISABILITY', 'MISSING', 'ABROAD', 'HUKOU_ERROR', 'DECEASED', 'WORKING_AWAY', 'EARLY_MARRIAGE', 'OTHER', 'TO_BE_VERIFIED'])})),
      status text NOT NULL CHECK (status IN (${list(['OPEN', 'PERSUADING', 'RETURNED', 'PLACED', 'DEFERRED', 'SUSPENDED', 'CLOSED_NOT_DROPOUT'])})),
      opened_on date NOT NULL,
      closed_on date,
      notes varchar(500),
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL)`);
    this.addSql('CREATE INDEX dropout_case_child_idx ON edu.dropout_case (child_id)');
    this.addSql(`CREATE INDEX dropout_case_open_idx ON edu.dropout_case (child_id) WHERE status IN ('OPEN', 'PERSUADING')`);

    this.addSql(`CREATE TABLE psb.public_security_record (${SECTION_COLUMNS},
      hukou_status text NOT NULL CHECK (hukou_status IN ('REGISTERED', 'NO_HUKOU', 'RECORD_ERROR')),
      whereabouts text NOT NULL CHECK (whereabouts IN ('PRESENT', 'MISSING', 'ABROAD', 'DECEASED')),
      verified_on date)`);

    this.addSql(`CREATE TABLE civil.civil_affairs_record (${SECTION_COLUMNS},
      left_behind boolean NOT NULL DEFAULT false,
      de_facto_unsupported boolean NOT NULL DEFAULT false,
      migrant boolean NOT NULL DEFAULT false,
      parent_imprisoned boolean NOT NULL DEFAULT false,
      orphan boolean NOT NULL DEFAULT false,
      subsistence_allowance boolean NOT NULL DEFAULT false)`);

    this.addSql(`CREATE TABLE poverty.poverty_record (${SECTION_COLUMNS},
      registered_poor boolean NOT NULL DEFAULT false,
      monitored_household boolean NOT NULL DEFAULT false,
      household_id varchar(40))`);

    this.addSql(`CREATE TABLE health.health_record (${SECTION_COLUMNS},
      serious_illness boolean NOT NULL DEFAULT false,
      diagnosis_summary varchar(500),
      screened_on date)`);

    this.addSql(`CREATE TABLE dpf.disability_record (${SECTION_COLUMNS},
      disability_type text NOT NULL CHECK (disability_type IN ('VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE')),
      disability_level smallint NOT NULL CHECK (disability_level BETWEEN 1 AND 4),
      certificate_no varchar(30) UNIQUE)`);

    // A retried write returns the first result and writes nothing new (DESIGN.md section 3).
    this.addSql(`CREATE TABLE hub.idempotency_key (
      scope text NOT NULL,
      key varchar(200) NOT NULL,
      operation text NOT NULL,
      request_hash char(64) NOT NULL,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key))`);
  }
}
