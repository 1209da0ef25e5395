import path from 'node:path';
import { Clock } from '../../src/core/clock';
import { readerFor } from '../../src/core/context';
import type { Database } from '../../src/db/database';
import { NoticeService } from '../../src/notices/notice.service';
import { LogRootService } from '../../src/log-roots/log-root.service';
import { testRootKeys } from '../../src/log-roots/log-root.keys';
import { BenchFailure } from './bench';
import { type CliRun, runCli } from './processes';

const DIST = path.resolve(__dirname, '../..');

/**
 * `npm run notices -- --period P` as an operator runs it: the compiled CLI in a process of its own
 * on `databaseUrl`, so that its time and memory are its own and not the harness's.
 */
export function runNoticesCli(databaseUrl: string, period: string): Promise<CliRun> {
  return runCli(path.join(DIST, 'src/notices/notices.cli.js'), ['--period', period], { DATABASE_URL: databaseUrl }, 'notices CLI');
}

export interface IssuedMonth {
  readonly run: CliRun;
  readonly notices: number;
  /** Entries told, over all notices (an entry is told to each department and region it concerns). */
  readonly told: number;
  readonly reissueSeconds: number;
  /** The notice re-verified against the log. */
  readonly verified: string;
  /** Why that notice did not re-verify, or null when it did. */
  readonly problem: string | null;
}

/**
 * Issues a month through the CLI, then checks what it issued: issuing again returns the same
 * notices and changes nothing (or the run fails), and whether the county's fullest notice
 * re-verifies against the log (its content hash recomputed from the entries, its chain head), as
 * `exchangeNotice(id) { verification }` does (`problem` says why not).
 */
export async function issueMonth(db: Database, url: string, period: string, county: string): Promise<IssuedMonth> {
  const run = await runNoticesCli(url, period);
  const hashes = () => db.sql.query('SELECT number, content_hash FROM hub.exchange_notice WHERE period = $1 ORDER BY number', [period]);
  const issued = await hashes();
  const again = await runNoticesCli(url, period);
  if (!again.stdout.includes('already issued')) throw new BenchFailure(`issuing ${period} again did not return the notices already issued:\n${again.stdout}`);
  if (JSON.stringify(await hashes()) !== JSON.stringify(issued)) throw new BenchFailure(`issuing ${period} again changed its notices`);
  const [{ told }] = await db.sql.query<{ told: number }>('SELECT coalesce(sum(entry_count), 0)::float8 AS told FROM hub.exchange_notice WHERE period = $1', [period]);
  const notices = new NoticeService(db.orm, db.sql, new Clock(), new LogRootService(db.orm, db.sql, testRootKeys()));
  const [sample] = await db.sql.query<{ id: string }>('SELECT id FROM hub.exchange_notice WHERE period = $1 AND region = $2 ORDER BY entry_count DESC, number LIMIT 1', [period, county]);
  const notice = await notices.get(readerFor({ sub: 'bench', dept: 'EDU', region: '350000', roles: ['supervisor'] }), sample.id);
  const verification = await notices.verify(notice);
  // A notice that does not re-verify is a failure of the run, not a figure.
  if (!verification.contentHashOk || !verification.chainHeadOk || notice.entryCount === 0) {
    throw new BenchFailure(`notice ${notice.number} (${notice.entryCount} entries) does not re-verify: ${JSON.stringify(verification)}`);
  }
  const problem = null;
  return { run, notices: issued.length, told, reissueSeconds: again.seconds, verified: `${notice.number} (${notice.entryCount.toLocaleString('en')} entries)`, problem };
}
