import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { entryHash, type StoredEntry } from '../../src/changelog/hash-chain';
import { chainGenesis, verifyChain } from '../../src/changelog/change-log.verify';
import { batchCopy } from '../../src/changelog/chain-batch';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { DEPARTMENTS } from '../../src/auth/identity';
import { regions } from '../../src/regions/region.registry';
import { type BenchCase, BenchFailure, type CaseResult, round } from './bench';
import { measureCpu } from './cpu';
import { databaseUrl, withClient } from './database';
import { issueMonth } from './notices-cli';
import { registerModules } from '../../src/app/modules';

const BATCH = 20_000;
const STATUSES = ['ENROLLED', 'DROPPED_OUT', 'SUSPENDED', 'DEFERRED', 'HOME_TEACHING'];
const COLUMNS = 'chain, seq, at, actor_sub, actor_dept, actor_region, actor_roles, operation, entity, entity_id, child_id, hukou_region, residence_region, version, changes, mutation, reason, request_id, idempotency_key, prev_hash, hash';

/**
 * A month holding `count` change-log entries spread over the 84 county chains (entry n to county
 * n mod 84), written straight into a scratch database as the writer would chain them: each county's
 * seq gap-free from 1, its first entry linked to its genesis (`chainGenesis`, from the frozen
 * global chain's head, as `hub.chain_genesis` computes it), every hash recomputable, and
 * `hub.chain_head` naming each chain's last entry. The entries go in by COPY (setup, not measured).
 * Then: `verify-log` over all of it (issue 17: ≤ 5 s for 1,000,000 in 84 chains) and issuing that
 * month's notices (≤ 60 s, peak RSS ≤ 512 MB), by the notices CLI in a process of its own: its
 * time from spawn to exit and its own peak RSS, not the harness's. Issuing again must change
 * nothing, and a county notice must re-verify against the log.
 */
export async function fillLog(url: string, count: number, log: (line: string) => void): Promise<{ seconds: number; chains: number }> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  const counties = regions.counties().map((r) => r.code);
  const started = Date.now();
  try {
    const { rows: [global] } = await client.query<{ hash: string }>("SELECT hash::text AS hash FROM hub.chain_head WHERE chain = 'global'");
    if (!global) throw new BenchFailure('hub.chain_head has no frozen global chain (migration 0015)');
    const heads = new Map(counties.map((code) => [code, { seq: 0, hash: chainGenesis(code, global.hash) }]));
    const roles = '{clerk}';
    for (let from = 1; from <= count; from += BATCH) {
      let text = '';
      const to = Math.min(from + BATCH, count + 1);
      for (let n = from; n < to; n++) {
        const county = counties[n % counties.length];
        const head = heads.get(county)!;
        const entry: StoredEntry = {
          seq: head.seq + 1, at: new Date(Date.UTC(2026, 9, 1) + n * 2), actorSub: 'bench', actorDept: DEPARTMENTS[n % 6], actorRegion: county, actorRoles: ['clerk'],
          operation: 'UPDATE', entity: 'EducationRecord', entityId: randomUUID(), childId: randomUUID(), hukouRegion: county, residenceRegion: county,
          version: 2, changes: { status: { before: STATUSES[n % 5], after: STATUSES[(n + 1) % 5] } }, mutation: 'upsertEducationRecords',
          reason: null, requestId: 'bench', idempotencyKey: null, prevHash: head.hash,
        };
        const hash = entryHash(entry);
        head.seq = entry.seq;
        head.hash = hash;
        // COPY's text format: nothing here holds a tab, a newline or a backslash.
        text += `${county}\t${entry.seq}\t${entry.at.toISOString()}\t${entry.actorSub}\t${entry.actorDept}\t${entry.actorRegion}\t${roles}\t${entry.operation}\t${entry.entity}\t${entry.entityId}\t${entry.childId}\t${county}\t${county}\t${entry.version}\t${JSON.stringify(entry.changes)}\t${entry.mutation}\t\\N\t${entry.requestId}\t\\N\t${entry.prevHash}\t${hash}\n`;
      }
      await client.query('BEGIN');
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY hub.change_log (${COLUMNS}) FROM STDIN`)));
      await client.query('COMMIT');
      if ((from - 1) % (BATCH * 10) === 0) log(`  change log: ${to - 1} of ${count} entries written`);
    }
    const used = [...heads].filter(([, head]) => head.seq > 0);
    await client.query(
      `INSERT INTO hub.chain_head (chain, seq, hash) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
       ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
      [used.map(([code]) => code), used.map(([, head]) => head.seq), used.map(([, head]) => head.hash)],
    );
    await client.query('ANALYZE hub.change_log');
    return { seconds: (Date.now() - started) / 1000, chains: used.length };
  } finally {
    await client.end();
  }
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
      context.log(`change-log-scale: writing ${count.toLocaleString()} chained entries over the county chains`);
      const { seconds: fillSeconds, chains } = await fillLog(url, count, context.log);

      // Each walk's CPU: this process (main thread and hashing workers) and the database's server
      // processes of its connections, so that a run on shared cores still says what each walk costs.
      const walk = (read: 'heap' | 'index') => withClient(url, (c) => measureCpu(c, [process.pid], () => verifyChain(db.sql, { read })));
      const { result: verified, seconds: verifySeconds, cpuSeconds: verifyCpuSeconds, databaseCpuSeconds: verifyDatabaseCpuSeconds } = await walk('heap');
      const walked = verified.chains.filter((c) => c.entries > 0).length;
      if (!verified.ok || verified.entries !== count || walked !== chains) throw new BenchFailure(`verify-log: ${JSON.stringify({ ...verified, chains: walked })}`);
      context.log(`  verify-log: ${count.toLocaleString()} entries in ${chains} chains in ${verifySeconds.toFixed(2)} s (${verifyCpuSeconds.toFixed(2)} s CPU, this process and the database's; the database's ${verifyDatabaseCpuSeconds.toFixed(2)} s)`);
      // The same walk reading each chain by its index (the walk before the heap walk), for the ratio in the same run.
      const { result: byIndex, seconds: indexSeconds, cpuSeconds: indexCpuSeconds } = await walk('index');
      if (JSON.stringify(byIndex) !== JSON.stringify(verified)) throw new BenchFailure('verify-log: the walk by index and the heap walk disagree');
      context.log(`  verify-log reading each chain by its index: ${indexSeconds.toFixed(2)} s (${indexCpuSeconds.toFixed(2)} s CPU)`);

      // Why a walk of one chain reads what it reads: its entries lie among the other chains' in the
      // heap (appended in time order, as the hub appends them), so a batch of one chain's entries
      // is one heap page per entry. Its statement's buffers, explained on the first chain (cached or not).
      const plan = await withClient(url, async (c) => {
        const statement = batchCopy(regions.counties()[0].code, 1, 10_001).replace(/^COPY \(/, '').replace(/\) TO STDOUT$/, '');
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement}`);
        const lines = rows.map((r) => r['QUERY PLAN']);
        const buffers = /Buffers: shared (?:hit=(\d+))? ?(?:read=(\d+))?/.exec(lines.find((l) => l.includes('Buffers: shared')) ?? '');
        const rowsRead = Number(/rows=(\d+) loops/.exec(lines[0])?.[1] ?? NaN);
        return { pages: Number(buffers?.[1] ?? 0) + Number(buffers?.[2] ?? 0), rows: rowsRead, ms: Number(/Execution Time: ([\d.]+)/.exec(lines.at(-1) ?? '')?.[1] ?? NaN) };
      });
      context.log(`  one chain's batch: ${plan.rows} entries, ${plan.pages} pages, ${plan.ms} ms`);

      const issued = await issueMonth(db, url, '2026-10', regions.counties()[0].code);
      const { seconds: issueSeconds, peakRss } = issued.run;
      const told = issued.told;
      if (issued.problem) context.log(`  NOTICES DO NOT RE-VERIFY: ${issued.problem}`);
      const mb = (bytes: number) => round(bytes / 1024 / 1024, 0);
      const scale = count / 1_000_000;
      return {
        table: {
          columns: ['what', 'entries', 'seconds', 'entries/s', 'peak RSS MB (process)'],
          rows: [
            [`write the entries, chained in ${chains} county chains, by COPY (setup)`, count, round(fillSeconds, 1), round(count / fillSeconds, 0), null],
            [`verify-log (${chains} chains), the log read once in heap order`, count, round(verifySeconds, 2), round(count / verifySeconds, 0), null],
            [`verify-log, each chain read by its index (the walk before; same verdicts)`, count, round(indexSeconds, 2), round(count / indexSeconds, 0), null],
            [`issue ${issued.notices} notices (${told.toLocaleString()} entries told), notices CLI`, count, round(issueSeconds, 1), round(count / issueSeconds, 0), mb(peakRss)],
          ],
        },
        targets: context.options.smoke ? [] : [
          { what: `verify-log over 1,000,000 entries in ${chains} county chains (s)`, value: round(verifySeconds, 2), target: '≤ 5 s', met: verifySeconds <= 5 },
          { what: 'issue a month of 1,000,000 entries (s)', value: round(issueSeconds, 1), target: '≤ 60 s', met: issueSeconds <= 60 },
          { what: 'issue: peak RSS (MB, notices CLI process)', value: mb(peakRss), target: '≤ 512 MB', met: peakRss <= 512 * 1024 * 1024 },
          { what: 'issue: a county notice re-verifies against the log (1 yes, 0 no)', value: issued.problem ? 0 : 1, target: '1', met: !issued.problem },
        ],
        data: { count, chains, fillSeconds, verifySeconds, verifyCpuSeconds, verifyDatabaseCpuSeconds, indexSeconds, indexCpuSeconds, issueSeconds, peakRss, notices: issued.notices, told, reissueSeconds: issued.reissueSeconds, noticeProblem: issued.problem, batchPlan: plan, scale },
        notes: [
          `verify-log took ${round(verifyCpuSeconds, 2)} s of CPU (the harness's process with its hashing workers, and the database's server processes of its connections); reading each chain by its index, ${round(indexCpuSeconds, 2)} s.`,
          `The entries of the ${chains} chains lie interleaved in the heap, in the order they were appended: one batch of a chain read by its index (${plan.rows.toLocaleString('en')} entries, its statement explained) touched ${plan.pages.toLocaleString('en')} pages and ran in ${plan.ms} ms. The heap walk reads each page once, a range of pages per COPY, and splits the rows by chain; it took ${round(verifySeconds / indexSeconds, 2)}× the time of the walk by index in this run.`,
          `Issued by the notices CLI in its own process (spawn to exit, start-up included); its peak RSS read in the process as it exited (getrusage).`,
          `Issuing again returned the same ${issued.notices} notices in ${round(issued.reissueSeconds, 1)} s; ${issued.problem ? `but ${issued.problem}` : `${issued.verified} re-verified against the log`}.`,
        ],
      };
    } finally {
      await db.close();
      await withClient(context.options.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  },
};
