import { DEPARTMENT_NAMES, DEPARTMENTS, type Identity } from '../auth/identity';
import { loadConfig } from '../config';
import { Clock } from '../core/clock';
import { AppError } from '../core/errors';
import { EmbeddedDatabaseInUseError } from '../db/data-dir-lock';
import { openDatabase } from '../db/database';
import { regions } from '../regions/region.registry';
import { allRecipients } from './notice.content';
import { periodProblem } from './notice.period';
import { rangeSize, rangesOf } from './notice.ranges';
import { type NoticeRow, NoticeService } from './notice.service';
import { registerModules } from '../app/modules';
import { LogRootService } from '../log-roots/log-root.service';
import { rootKeysFor } from '../log-roots/log-root.keys';

/**
 * `npm run notices -- --period 2026-10` (or `--period previous`, the month before today in China
 * Standard Time): issues the month's exchange notices as the provincial system, prints a summary
 * and exits 0; 1 on any failure, 2 on a usage error (a month that has not ended is one). Made to run from cron or a systemd timer:
 * issuing a month again returns the notices already issued and changes nothing.
 */

/** The system identity that issues the notices (a provincial supervisor, like the GraphQL mutation requires). */
const ISSUER: Identity = { sub: 'notices-cli', dept: 'EDU', region: '350000', roles: ['supervisor'] };

const USAGE = 'usage: npm run notices -- --period YYYY-MM | --period previous';

class UsageError extends Error {}

export function previousMonth(today: string): string {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

export function parsePeriod(argv: readonly string[], today: string): string {
  let period: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--period') period = argv[++i];
    else if (arg.startsWith('--period=')) period = arg.slice('--period='.length);
    else throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!period) throw new UsageError(USAGE);
  if (period === 'previous') return previousMonth(today);
  // The same rule as the mutation's (the service checks it again): a month that has not ended is refused before the database is opened.
  const problem = periodProblem(period, today);
  if (problem) throw new UsageError(`--period must be YYYY-MM or previous, got "${period}": ${problem}\n${USAGE}`);
  return period;
}

/** What the operator reads: issued or not, and how much each department is told. */
export function summarise(period: string, notices: readonly NoticeRow[], issuedNow: boolean, seconds: number): string {
  const lines: string[] = [];
  const first = notices[0];
  lines.push(issuedNow
    ? `notices ${period}: issued ${notices.length} notices now, covering ${first ? rangeSize(rangesOf(first)) : 0} log entries on ${first ? Object.keys(rangesOf(first)).length : 0} chains, up to their heads at issue`
    : `notices ${period}: already issued at ${first?.issuedAt.toISOString()} by ${first?.issuedBy}; ${notices.length} notices returned, nothing new issued`);
  lines.push('');
  lines.push('department     notices  county notices with entries  entries (province roll-up)');
  for (const dept of DEPARTMENTS) {
    const mine = notices.filter((n) => n.dept === dept);
    const counties = mine.filter((n) => regions.isCounty(n.region));
    const province = mine.find((n) => n.region === '350000');
    lines.push(`${dept.padEnd(8)}${DEPARTMENT_NAMES[dept]}   ${String(mine.length).padStart(7)}  ${`${counties.filter((n) => n.entryCount > 0).length} of ${counties.length}`.padStart(27)}  ${String(province?.entryCount ?? 0).padStart(26)}`);
  }
  lines.push('');
  lines.push(`time taken: ${seconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const clock = new Clock(config.today);
  let period: string;
  try {
    period = parsePeriod(process.argv.slice(2), clock.today());
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const started = Date.now();
  registerModules();
  const db = await openDatabase(config, () => undefined);
  try {
    const roots = new LogRootService(db.orm, db.sql, rootKeysFor(config));
    const { notices, issuedNow } = await new NoticeService(db.orm, db.sql, clock, roots).issue(ISSUER, period);
    process.stdout.write(summarise(period, notices, issuedNow, (Date.now() - started) / 1000));
    const expected = allRecipients().length;
    if (notices.length !== expected) {
      process.stderr.write(`notices ${period}: ${notices.length} notices found, ${expected} expected (every department in every region)\n`);
      return 1;
    }
    return 0;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      if (error instanceof EmbeddedDatabaseInUseError) {
        process.stderr.write(`notices: ${error.message}\nWhile the hub runs, issue the month through it instead: the issueMonthlyNotices(period) mutation, with a provincial supervisor's token.\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`notices: ${error instanceof AppError ? error.message : error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
