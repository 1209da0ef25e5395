import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ChildEntity } from '../children/child.entity';
import { EducationRecordEntity } from '../departments/education/education.entity';
import { PublicSecurityRecordEntity } from '../departments/public-security/public-security.entity';
import { CivilAffairsRecordEntity } from '../departments/civil-affairs/civil-affairs.entity';
import { PovertyRecordEntity } from '../departments/poverty/poverty.entity';
import { HealthRecordEntity } from '../departments/health/health.entity';
import { DisabilityRecordEntity } from '../departments/disability/disability.entity';
import { DropoutCaseEntity } from '../ledger/dropout-case.entity';
import { ExchangeNoticeEntity } from '../notices/notice.entity';
import { PersuasionVisitEntity } from '../ledger/persuasion-visit.entity';
import { AssessmentEntity } from '../ledger/assessment.entity';
import { WeeklyReportEntity } from '../ledger/weekly-report.entity';
import { ChangeLogSubscriber } from '../changelog/change-log.subscriber';
import { MIGRATIONS } from './migrations';

import { HomeTeachingEntity, HomeTeachingVisitEntity } from '../ledger/home-teaching.entity';
import { EnrollmentNoticeEntity } from '../enrollment/enrollment-notice.entity';

export const ENTITIES = [
  ChildEntity,
  EducationRecordEntity,
  PublicSecurityRecordEntity,
  CivilAffairsRecordEntity,
  PovertyRecordEntity,
  HealthRecordEntity,
  DisabilityRecordEntity,
  DropoutCaseEntity,
  ExchangeNoticeEntity,
  PersuasionVisitEntity,
  AssessmentEntity,
  WeeklyReportEntity,
  HomeTeachingEntity,
  HomeTeachingVisitEntity,
  EnrollmentNoticeEntity,
];

export interface OrmOptions {
  readonly url: string;
  readonly poolMax: number;
  /** Called with every SQL statement sent, for the statement counter and metrics. */
  readonly onQuery?: (sql: string) => void;
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(
    defineConfig({
      clientUrl: options.url,
      entities: ENTITIES,
      subscribers: [new ChangeLogSubscriber()],
      extensions: [Migrator],
      discovery: { warnWhenNoEntities: true },
      pool: { min: 0, max: options.poolMax },
      migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
      allowGlobalContext: false,
      forceUtcTimezone: true,
      ensureDatabase: false,
      debug: false,
      // The migrator reports each migration on the console; the server reports what it applied instead.
      logger: () => undefined,
    }),
  );
  if (options.onQuery) {
    const onQuery = options.onQuery;
    orm.em.getConnection().getKnex().on('query', (q: { sql: string }) => onQuery(q.sql));
  }
  return orm;
}

/** Applies pending migrations; returns their names. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
