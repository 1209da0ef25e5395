import { randomUUID } from 'node:crypto';
import { entryHash, GENESIS_HASH, type StoredEntry } from '../../src/changelog/hash-chain';
import { verifyChain } from '../../src/changelog/change-log.verify';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { DEPARTMENTS } from '../../src/auth/identity';
import { regions } from '../../src/regions/region.registry';
import { type BenchCase, BenchFailure, type CaseResult, round } from './bench';
import { databaseUrl, withClient } from './database';
import { issueMonth } from './notices-cli';
import { registerModules } from '../../src/app/modules';

const BATCH = 10_000;
const STATUSES = ['ENROLLED', 'DROPPED_OUT', 'SUSPENDED', 'DEFERRED', 'HOME_TEACHING'];

/**
 * A month holding `count` change-log entries, written straight into a scratch database with a
 * valid hash chain (education-status changes by every department in every county), then:
 * `verify-log` over all of it (target ≤ 10 s for 1,000,000) and issuing that month's notices
 * (target ≤ 60 s, peak RSS ≤ 512 MB), by the notices CLI in a process of its own: its time from
 * spawn to exit and its own peak RSS, not the harness's. Issuing again must change nothing, and a
 * county notice must re-verify against the log.
 */
async function fillLog(url: string, count: number, log: (line: string) => void): Promise<number> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  const counties = regions.counties().map((r) => r.code);
  let prevHash = GENESIS_HASH;
  const started = Date.now();
  try {
    for (let from = 1; from <= count; from += BATCH) {
      const rows = [];
      for (let seq = from; seq < Math.min(from + BATCH, count + 1); seq++) {
        const county = counties[seq % counties.length];
        const entry: StoredEntry = {
          seq, at: new Date(Date.UTC(2026, 9, 1) + seq * 2), actorSub: 'bench', actorDept: DEPARTMENTS[seq % 6], actorRegion: county, actorRoles: ['clerk'],
          operation: 'UPDATE', entity: 'EducationRecord', entityId: randomUUID(), childId: randomUUID(), hukouRegion: county, residenceRegion: county,
          version: 2, changes: { status: { before: STATUSES[seq % 5], after: STATUSES[(seq + 1) % 5] } }, mutation: 'upsertEducationRecords',
          reason: null, requestId: 'bench', idempotencyKey: null, prevHash,
        };
        const hash = entryHash(entry);
        prevHash = hash;
        rows.push({ ...entry, at: entry.at.toISOString(), hash });
      }
      await client.query(
        `INSERT INTO hub.change_log (seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id, child_id, hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash)
         SELECT seq, at, "actorSub", "actorDept", "actorRegion", "actorRoles", operation, entity, "entityId", "childId", "hukouRegion", "residenceRegion", version, changes, mutation, reason, "requestId", "idempotencyKey", "prevHash", hash
         FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, at timestamptz, "actorSub" text, "actorDept" text, "actorRegion" text, "actorRoles" text[], operation text, entity text,
           "entityId" text, "childId" uuid, "hukouRegion" text, "residenceRegion" text, version integer, changes jsonb, mutation text, reason text, "requestId" text, "idempotencyKey" text, "prevHash" text, hash text)`,
        [JSON.stringify(rows)],
      );
      if ((from - 1) % (BATCH * 20) === 0) log(`  change log: ${from - 1 + rows.length} of ${count} entries written`);
    }
    await client.query('ANALYZE hub.change_log');
  } finally {
    await client.end();
  }
  return (Date.now() - started) / 1000;
}

export const changeLogScale: BenchCase = {
  name: 'change-log-scale',
  title: 'A month of change-log entries: verify-log over all of them, and issuing the month\'s notices',
  needsDatabase: false,
  async run(context): Promise<CaseResult> {
    const count = context.options.smoke ? 20_000 : 1_000_000;
    const name = `baoxue_bench_log_${process.pid}`;
    await withClient(context.options.serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = databaseUrl(context.options.serverUrl, name);
    registerModules();
    const db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, DATABASE_POOL_MAX: '4', LOG_LEVEL: 'silent' }), () => undefined);
    try {
      context.log(`change-log-scale: writing ${count.toLocaleString()} chained entries`);
      const fillSeconds = await fillLog(url, count, context.log);

      const verifyStarted = Date.now();
      const verifyCpu = process.cpuUsage();
      const verified = await verifyChain(db.sql);
      const verifySeconds = (Date.now() - verifyStarted) / 1000;
      // This process's CPU (main thread and the hashing workers); the database's own is not in it.
      const { user, system } = process.cpuUsage(verifyCpu);
      const verifyCpuSeconds = (user + system) / 1e6;
      if (!verified.ok || verified.entries !== count) throw new BenchFailure(`verify-log: ${JSON.stringify(verified)}`);
      context.log(`  verify-log: ${count.toLocaleString()} entries in ${verifySeconds.toFixed(2)} s (${verifyCpuSeconds.toFixed(2)} s CPU in this process)`);

      const issued = await issueMonth(db, url, '2026-10', regions.counties()[0].code);
      const { seconds: issueSeconds, peakRss } = issued.run;
      const told = issued.told;
      const mb = (bytes: number) => round(bytes / 1024 / 1024, 0);
      const scale = count / 1_000_000;
      return {
        table: {
          columns: ['what', 'entries', 'seconds', 'entries/s', 'peak RSS MB (process)'],
          rows: [
            ['write the chained entries (setup)', count, round(fillSeconds, 1), round(count / fillSeconds, 0), null],
            ['verify-log', count, round(verifySeconds, 2), round(count / verifySeconds, 0), null],
            [`issue ${issued.notices} notices (${told.toLocaleString()} entries told), notices CLI`, count, round(issueSeconds, 1), round(count / issueSeconds, 0), mb(peakRss)],
          ],
        },
        targets: context.options.smoke ? [] : [
          { what: 'verify-log over 1,000,000 entries (s)', value: round(verifySeconds, 2), target: '≤ 10 s', met: verifySeconds <= 10 },
          { what: 'issue a month of 1,000,000 entries (s)', value: round(issueSeconds, 1), target: '≤ 60 s', met: issueSeconds <= 60 },
          { what: 'issue: peak RSS (MB, notices CLI process)', value: mb(peakRss), target: '≤ 512 MB', met: peakRss <= 512 * 1024 * 1024 },
        ],
        data: { count, fillSeconds, verifySeconds, verifyCpuSeconds, issueSeconds, peakRss, notices: issued.notices, told, reissueSeconds: issued.reissueSeconds, scale },
        notes: [
          `verify-log took ${round(verifyCpuSeconds, 2)} s of CPU in the harness's process (main thread and hashing workers), besides the database's own.`,
          `Issued by the notices CLI in its own process (spawn to exit, start-up included); its peak RSS read in the process as it exited (getrusage).`,
          `Issuing again returned the same ${issued.notices} notices in ${round(issued.reissueSeconds, 1)} s; ${issued.verified} re-verified against the log.`,
        ],
      };
    } finally {
      await db.close();
      await withClient(context.options.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  },
};
