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
import { delayBetweenCommitsForCrashTest } from '../changelog/change-log.append';
import { markUnloggedForBenchmark } from '../changelog/change-log.writer';
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
  /**
   * No change-log hook and no entries: only for measuring what the log costs (the benchmark's own
   * hub, tests/bench/serve-hub.ts). The server never sets it, and no configuration can.
   */
  readonly benchmarkWithoutChangeLog?: boolean;
  /**
   * A pause between a small write's asynchronous and durable commits, only for the crash test of
   * the change feed (tests/e2e/feed-durability.test.ts, through tests/bench/serve-hub.ts): it widens
   * the window in which entries are visible but not yet on disk. The server never sets it, and no
   * configuration can.
   */
  readonly crashTestDelayBetweenCommitsMs?: number;
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(
    defineConfig({
      clientUrl: options.url,
      entities: ENTITIES,
      subscribers: options.benchmarkWithoutChangeLog ? [] : [new ChangeLogSubscriber()],
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
  if (options.benchmarkWithoutChangeLog) markUnloggedForBenchmark(orm.config);
  if (options.crashTestDelayBetweenCommitsMs) delayBetweenCommitsForCrashTest(orm.config, options.crashTestDelayBetweenCommitsMs);
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

/**
 * The migrations not applied yet, found by reading the migrator's table only. The migrator's own
 * check creates that table when it cannot see it, which the production role (README, "On
 * PostgreSQL") may not: it reads the table and never changes the schema.
 */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const connection = orm.em.getConnection();
  const [{ found }] = await connection.execute<Array<{ found: boolean }>>(`SELECT to_regclass('public.mikro_orm_migrations') IS NOT NULL AS found`);
  const rows = found ? await connection.execute<Array<{ name: string }>>('SELECT name FROM public.mikro_orm_migrations') : [];
  const applied = new Set(rows.map((row) => row.name.replace(/\.[jt]s$/, '')));
  return MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
}
