import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { type BenchCase, type BenchContext, BenchFailure, type CaseResult, type Cell, ratio, round, type TargetCheck } from './bench';
import { BENCH_TODAY } from './database';
import { metric, type Round, type RoundsSummary, runLoad, summariseRounds } from './load';
import type { LoadRequest } from './load-worker';
import type { Hub } from './federated-page.case';
import { forkBench } from './processes';
import { profileLines, summariseProfile } from './profile-summary';
import { type LockWaits, measureCpu, sampleLockWaits } from './cpu';

type LockCount = Pick<LockWaits, 'samples' | 'waiting' | 'waits'>;

/**
 * What the change log costs one write: a single-record `upsertEducationRecords` over HTTP, on two
 * hubs alike but for the log (one built without it, which only the benchmark's hub can be), side
 * by side on the same database, in alternating rounds. Every request renames a school, so every
 * request changes a record (and, on the logged hub, appends an entry); requests take children in
 * turn, so that concurrent writes do not queue on one row.
 */
export const MUTATION = `mutation Write($records: [EducationRecordInput!]!) { upsertEducationRecords(records: $records) { replayed } }`;
export const UNIQUE = '__N__';

type Variant = 'with log' | 'without log';

interface Measured extends RoundsSummary {
  variant: Variant;
  connections: number;
  rounds: Round[];
  /** Lock waits seen while this hub was loaded (see `sampleLockWaits`). */
  lockWaits: LockCount;
  /** CPU per request (ms) of the hub's process, and of the database's server processes (its connections' and the lock sampler's). */
  hubCpuMsPerRequest: number;
  databaseCpuMsPerRequest: number;
}

export function bodies(childIds: readonly string[]): string[] {
  return childIds.map((childId) => JSON.stringify({ query: MUTATION, variables: { records: [{ childId, schoolName: `基准学校 ${UNIQUE}` }] } }));
}

async function logEntries(client: Client): Promise<number> {
  return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log')).rows[0].n;
}

/** Children of the county (or only those living there) that have an education record, for the EDU clerk of that county to write. */
export async function childrenToWrite(client: Client, county: string, count: number, livingThere = false): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT c.id FROM hub.child c JOIN edu.education_record e ON e.child_id = c.id
     WHERE ${livingThere ? 'c.residence_region = $1' : 'c.hukou_region = $1 OR c.residence_region = $1'} ORDER BY c.id LIMIT $2`, [county, count]);
  if (rows.length === 0) throw new BenchFailure(`no child with an education record in ${county}`);
  return rows.map((r) => r.id);
}

/**
 * One write through each hub before measuring: it must succeed, and the logged hub must append
 * exactly one entry for it and the other none, or the comparison would not be of the log.
 */
async function checkHubs(client: Client, hubs: Record<Variant, Hub>, childId: string): Promise<void> {
  for (const [variant, hub] of Object.entries(hubs) as Array<[Variant, Hub]>) {
    const before = await logEntries(client);
    const body = bodies([childId])[0].split(UNIQUE).join(`check-${variant}-${Date.now()}`);
    const response = await fetch(`${hub.ready.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` }, body });
    const json = (await response.json()) as { errors?: unknown };
    if (response.status !== 200 || json.errors) throw new BenchFailure(`${variant}: the write answered ${response.status} ${JSON.stringify(json.errors ?? json).slice(0, 400)}`);
    const appended = (await logEntries(client)) - before;
    if (appended !== (variant === 'with log' ? 1 : 0)) throw new BenchFailure(`${variant}: one write appended ${appended} change-log entries`);
  }
}

async function measure(context: BenchContext, url: string, hubs: Record<Variant, Hub>, load: (hub: Hub) => Omit<LoadRequest, 'duration'>): Promise<Measured[]> {
  const { warmup, duration, rounds } = context.options;
  const variants: Variant[] = ['with log', 'without log'];
  const connections = load(hubs['with log']).connections;
  if (warmup > 0) for (const v of variants) await runLoad({ ...load(hubs[v]), duration: warmup });
  const collected: Record<Variant, Round[]> = { 'with log': [], 'without log': [] };
  const waits: Record<Variant, LockCount> = { 'with log': { samples: 0, waiting: 0, waits: 0 }, 'without log': { samples: 0, waiting: 0, waits: 0 } };
  // CPU seconds of the hub, and of the database's server processes (its connections' and the lock sampler's).
  const cpu: Record<Variant, { hub: number; database: number }> = { 'with log': { hub: 0, database: 0 }, 'without log': { hub: 0, database: 0 } };
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        const loadAverage = round(os.loadavg()[0], 1);
        const { result: { result, waits: seen }, cpuSeconds, databaseCpuSeconds } = await measureCpu(client, [hubs[v].ready.pid],
          () => sampleLockWaits(url, () => runLoad({ ...load(hubs[v]), duration: duration / rounds }), 20));
        collected[v].push({ ...result, loadAverage });
        waits[v] = { samples: waits[v].samples + seen.samples, waiting: waits[v].waiting + seen.waiting, waits: waits[v].waits + seen.waits };
        cpu[v] = { hub: cpu[v].hub + cpuSeconds - databaseCpuSeconds, database: cpu[v].database + databaseCpuSeconds };
      }
    }
  } finally {
    await client.end();
  }
  return variants.map((variant) => {
    const results = collected[variant];
    const summary = summariseRounds(results);
    const perRequest = (seconds: number) => round((1000 * seconds) / Math.max(1, summary.requests), 2);
    const measured: Measured = {
      variant, connections, ...summary, rounds: results, lockWaits: waits[variant],
      hubCpuMsPerRequest: perRequest(cpu[variant].hub), databaseCpuMsPerRequest: perRequest(cpu[variant].database),
    };
    context.log(`  ${variant} c=${connections}: ${measured.requestsPerSecond.toFixed(1)} req/s, p50 ${measured.latencyP50} ms, p99 ${measured.latencyP99} ms (${rounds} rounds, load ${measured.loadAverage}; a connection waited for a lock in ${measured.lockWaits.waiting} of ${measured.lockWaits.samples} samples, ${round(measured.lockWaits.waits / Math.max(1, measured.lockWaits.samples), 2)} on average; CPU per request: the hub's ${measured.hubCpuMsPerRequest} ms, the database's ${measured.databaseCpuMsPerRequest} ms)`);
    return measured;
  });
}

export const writes: BenchCase = {
  name: 'writes',
  needsDatabase: true,
  title: 'A single-record upsertEducationRecords as an EDU clerk, with the change log and without it (the hook off)',
  async run(context): Promise<CaseResult> {
    const { options } = context;
    const database = context.database!;
    const county = database.county.code;
    const poolMax = 10;
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const start = (withoutChangeLog: boolean) =>
      forkBench<Hub['ready']>('serve-hub.js', { databaseUrl: database.url, poolMax, today: BENCH_TODAY, identity: { dept: 'EDU', region: county }, withoutChangeLog },
        { execArgv: [...options.hubFlags] });
    const hubs = {} as Record<Variant, Hub>;
    try {
      hubs['with log'] = await start(false);
      hubs['without log'] = await start(true);
      const childIds = await childrenToWrite(client, county, options.smoke ? 40 : 1000);
      await checkHubs(client, hubs, childIds[0]);
      context.log(`  writing the education records of ${childIds.length} children of ${county} ${database.county.name} in turn; the logged hub appends one entry per write, the other none`);

      const entriesBefore = await logEntries(client);
      const errorsBefore = await metric(hubs['with log'].ready.url, 'baoxue_graphql_errors_total') + await metric(hubs['without log'].ready.url, 'baoxue_graphql_errors_total');
      // Each hub writes its own half of the children: a write the load generator gave up on at the end
      // of a run may still be running when the other hub's run starts, and must not meet it on a row.
      const half = Math.ceil(childIds.length / 2);
      const own = (hub: Hub) => (hub === hubs['with log'] ? childIds.slice(0, half) : childIds.slice(half));
      const load = (connections: number) => (hub: Hub) => ({
        url: `${hub.ready.url}/graphql`,
        body: '',
        bodies: bodies(own(hub)),
        uniqueToken: UNIQUE,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` },
        connections,
      });
      const runs: Measured[] = [];
      for (const connections of options.concurrency) runs.push(...(await measure(context, database.url, hubs, load(connections))));
      // Autocannon counts 200 answers; a GraphQL error is a 200 too, so the hubs' own error counters must not have moved.
      const errors = await metric(hubs['with log'].ready.url, 'baoxue_graphql_errors_total') + await metric(hubs['without log'].ready.url, 'baoxue_graphql_errors_total') - errorsBefore;
      if (errors > 0) {
        const byCode = async (hub: Hub) => (await (await fetch(`${hub.ready.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('baoxue_graphql_errors_total{'));
        throw new BenchFailure(`${errors} writes answered with GraphQL errors during the load: ${[...await byCode(hubs['with log']), ...await byCode(hubs['without log'])].join(', ')}`);
      }
      const appended = (await logEntries(client)) - entriesBefore;

      const highest = Math.max(...options.concurrency);
      let profile: { file: string; lines: string[] } | null = null;
      if (options.profileSeconds > 0) {
        const file = path.join(context.artefactDir, `hub-writes-c${highest}.cpuprofile`);
        await hubs['with log'].request({ type: 'profile-start' });
        await runLoad({ ...load(highest)(hubs['with log']), duration: options.profileSeconds });
        await hubs['with log'].request({ type: 'profile-stop', file });
        profile = { file: path.relative(context.root, file), lines: profileLines(summariseProfile(file)) };
        context.log(`  profiled the logged hub at c=${highest}: ${profile.file}`);
      }

      const rows: Cell[][] = [];
      const targets: TargetCheck[] = [];
      const ratios: Record<number, { requests: number; p99: number }> = {};
      for (const connections of options.concurrency) {
        const on = runs.find((r) => r.variant === 'with log' && r.connections === connections)!;
        const off = runs.find((r) => r.variant === 'without log' && r.connections === connections)!;
        ratios[connections] = { requests: ratio(on.requestsPerSecond, off.requestsPerSecond), p99: ratio(on.latencyP99, off.latencyP99) };
        rows.push([connections, 'with log', round(on.requestsPerSecond, 1), on.latencyP50, on.latencyP99, ratios[connections].requests, ratios[connections].p99, on.loadAverage]);
        rows.push([connections, 'without log', round(off.requestsPerSecond, 1), off.latencyP50, off.latencyP99, null, null, off.loadAverage]);
        targets.push({ what: `single write c=${connections}: with/without log requests/s`, value: ratios[connections].requests, target: '≥ 0.7', met: ratios[connections].requests >= 0.7 });
      }
      const loggedRequests = runs.filter((r) => r.variant === 'with log').reduce((sum, r) => sum + r.requests, 0);
      return {
        table: { columns: ['c', 'hub', 'req/s', 'p50 ms', 'p99 ms', 'with/without req/s', 'with/without p99', 'load avg'], rows },
        targets: options.smoke ? [] : targets,
        data: { county: database.county, children: childIds.length, poolMax, rounds: options.rounds, runs, ratios, appended, loggedRequests, profile },
        notes: [
          `Change-log entries appended during the measured runs and warm-ups: ${appended.toLocaleString('en')} (the logged hub answered ${loggedRequests.toLocaleString('en')} writes in the measured rounds; requests cut off by the end of a run may still land).`,
          ...runs.filter((r) => r.variant === 'with log').map((r) =>
            `Lock waits with the log at c=${r.connections} (pg_stat_activity sampled every 20 ms): a connection waited in ${r.lockWaits.waiting} of ${r.lockWaits.samples} samples, ${round(r.lockWaits.waits / Math.max(1, r.lockWaits.samples), 2)} connections on average (the writes are of one county's children, so they queue on few chains' heads); without the log: ${runs.find((o) => o.variant === 'without log' && o.connections === r.connections)!.lockWaits.waiting} of ${runs.find((o) => o.variant === 'without log' && o.connections === r.connections)!.lockWaits.samples}.`),
          ...runs.filter((r) => r.variant === 'with log').map((r) => {
            const without = runs.find((o) => o.variant === 'without log' && o.connections === r.connections)!;
            return `CPU per write at c=${r.connections}, with the log and without it: the hub's ${r.hubCpuMsPerRequest} and ${without.hubCpuMsPerRequest} ms, the database's ${r.databaseCpuMsPerRequest} and ${without.databaseCpuMsPerRequest} ms (its server processes for the hub's connections and the lock sampler's, from /proc).`;
          }),
          ...(profile ? [`logged hub profiled at c=${highest}: ${profile.file}`, ...profile.lines] : []),
        ],
      };
    } finally {
      await Promise.all(Object.values(hubs).map((hub) => hub.stop()));
      await client.end();
    }
  },
};
