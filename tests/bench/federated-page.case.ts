import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type BenchCase, type BenchContext, BenchFailure, type CaseResult, type Cell, ratio, round, type TargetCheck } from './bench';
import { BENCH_TODAY } from './database';
import { pageRequestBody } from './federated-page.query';
import { metric, type Round, type RoundsSummary, runLoad, summariseRounds } from './load';
import { forkBench, type Forked } from './processes';
import { type ProfileSummary, profileLines, summariseProfile } from './profile-summary';

export const PAGE_SIZE = 100;
const SMALL_PAGE = 10;
/** Sequential requests whose statements are counted exactly (nothing else runs meanwhile). */
const COUNTED_REQUESTS = 5;

export type Hub = Forked<{ url: string; token: string; pid: number }>;
type Raw = Forked<{ url: string }>;

/** The real hub on a benchmark database, answering as an EDU clerk of `county`. */
export function forkHub(context: BenchContext, databaseUrl: string, county: string, poolMax: number): Promise<Hub> {
  return forkBench<Hub['ready']>('serve-hub.js', { databaseUrl, poolMax, today: BENCH_TODAY, identity: { dept: 'EDU', region: county } }, { execArgv: [...context.options.hubFlags] });
}

interface PageResponse {
  data?: { children: { edges: Array<{ node: { id: string } }> } } | null;
  errors?: unknown[];
}

async function post(url: string, body: string, token?: string): Promise<{ status: number; json: PageResponse }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as PageResponse };
}

/** The first place two JSON values differ, as a path, or null when they are equal. */
function firstDifference(a: unknown, b: unknown, at = '$'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
      if (found) return found;
    }
  }
  return `${at}: hub ${JSON.stringify(a)?.slice(0, 200)} vs raw ${JSON.stringify(b)?.slice(0, 200)}`;
}

/**
 * The comparison is fair only if both servers answer the same page: same children in the same
 * order, and the same values for every field, section and case (the whole body is compared).
 */
async function checkSamePage(hub: Hub, raw: Raw, county: string, first: number): Promise<number> {
  const body = pageRequestBody(county, first);
  const [fromHub, fromRaw] = await Promise.all([post(hub.ready.url, body, hub.ready.token), post(raw.ready.url, body)]);
  if (fromHub.status !== 200 || fromHub.json.errors) throw new BenchFailure(`hub answered ${fromHub.status}: ${JSON.stringify(fromHub.json.errors ?? fromHub.json).slice(0, 500)}`);
  if (fromRaw.status !== 200) throw new BenchFailure(`raw baseline answered ${fromRaw.status}: ${JSON.stringify(fromRaw.json).slice(0, 500)}`);
  const hubIds = fromHub.json.data?.children.edges.map((e) => e.node.id) ?? [];
  const rawIds = fromRaw.json.data?.children.edges.map((e) => e.node.id) ?? [];
  if (hubIds.length === 0) throw new BenchFailure(`the page of county ${county} is empty: nothing to compare`);
  if (!isDeepStrictEqual(hubIds, rawIds)) {
    throw new BenchFailure(`hub and raw baseline return different children (${hubIds.length} vs ${rawIds.length}; first hub ${hubIds[0]}, first raw ${rawIds[0]})`);
  }
  const difference = firstDifference(fromHub.json, fromRaw.json);
  if (difference) throw new BenchFailure(`hub and raw baseline differ at ${difference}`);
  return hubIds.length;
}

/** Statements per request, counted by the hub, over a few sequential requests of one page size. */
export async function statementsPerPage(hub: Hub, county: string, first: number): Promise<number> {
  const body = pageRequestBody(county, first);
  const before = await metric(hub.ready.url, 'baoxue_sql_statements_total');
  for (let i = 0; i < COUNTED_REQUESTS; i++) {
    const { json } = await post(hub.ready.url, body, hub.ready.token);
    if (json.errors) throw new BenchFailure(`hub answered errors: ${JSON.stringify(json.errors).slice(0, 300)}`);
  }
  return ((await metric(hub.ready.url, 'baoxue_sql_statements_total')) - before) / COUNTED_REQUESTS;
}

/**
 * Waits until the hub has finished what the load generator left in flight (its counters stop
 * moving), so that statements and requests are counted over the same requests.
 */
async function settled(url: string): Promise<[statements: number, requests: number]> {
  const read = async (): Promise<[number, number]> => [await metric(url, 'baoxue_sql_statements_total'), await metric(url, 'baoxue_graphql_requests_total')];
  let last = await read();
  for (let waited = 0; waited < 15_000; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await read();
    if (now[0] === last[0] && now[1] === last[1]) return now;
    last = now;
  }
  throw new BenchFailure('the hub was still answering 15 s after the load stopped');
}

export interface Measured extends RoundsSummary {
  server: string;
  connections: number;
  /** Hubs only: statements sent during the rounds per operation answered during them. */
  statementsPerRequest: number | null;
  rounds: Round[];
}

/** A server under load: a hub (which counts its statements and requests) or the raw baseline. */
export type Target = { server: string; url: string; token: string | null; county: string; hub: boolean };

function loadFor(target: Target, connections: number) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  return { url: `${target.url}/graphql`, body: pageRequestBody(target.county, PAGE_SIZE), headers, connections };
}

/** One round of load on one server; the hub's counters are read once it is idle again. */
async function oneRound(target: Target, connections: number, seconds: number) {
  // The raw server has no counters: a pause lets its last requests finish before the next round.
  const counters = async () => (target.hub ? settled(target.url) : new Promise<number[]>((resolve) => setTimeout(() => resolve([0, 0]), 1000)));
  const [statementsBefore, requestsBefore] = await counters();
  const loadAverage = round(os.loadavg()[0], 1);
  const result = await runLoad({ ...loadFor(target, connections), duration: seconds });
  const [statementsAfter, requestsAfter] = await counters();
  return { result: { ...result, loadAverage }, statements: statementsAfter - statementsBefore, answered: requestsAfter - requestsBefore };
}

/**
 * Two servers (the hub and the raw baseline, or two hubs) at one concurrency: both warmed up,
 * then `rounds` alternating rounds (a, b; b, a; …) sharing the duration, so that a change in the
 * load of this shared machine falls on both alike.
 */
export async function measurePair(context: BenchContext, targets: readonly [Target, Target], connections: number): Promise<[Measured, Measured]> {
  const { warmup, duration, rounds } = context.options;
  if (warmup > 0) for (const target of targets) await runLoad({ ...loadFor(target, connections), duration: warmup });
  const collected = targets.map(() => ({ rounds: [] as Round[], statements: 0, answered: 0 }));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const { result, statements, answered } = await oneRound(targets[i], connections, duration / rounds);
      collected[i].rounds.push(result);
      collected[i].statements += statements;
      collected[i].answered += answered;
    }
  }
  return targets.map((target, i) => {
    const { rounds: results, statements, answered } = collected[i];
    const measured: Measured = {
      server: target.server,
      connections,
      ...summariseRounds(results),
      statementsPerRequest: target.hub ? round(statements / answered, 2) : null,
      rounds: results,
    };
    context.log(`  ${target.server} c=${connections}: ${measured.requestsPerSecond.toFixed(1)} req/s, p50 ${measured.latencyP50} ms, p99 ${measured.latencyP99} ms` +
      `${measured.statementsPerRequest === null ? '' : `, ${measured.statementsPerRequest} statements/request`} (${rounds} rounds, load ${measured.loadAverage})`);
    return measured;
  }) as [Measured, Measured];
}

export async function profileHub(context: BenchContext, hub: Hub, county: string, connections: number, name = `hub-c${connections}`): Promise<{ file: string; summary: ProfileSummary }> {
  const file = path.join(context.artefactDir, `${name}.cpuprofile`);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` };
  const load = { url: `${hub.ready.url}/graphql`, body: pageRequestBody(county, PAGE_SIZE), headers, connections };
  await hub.request({ type: 'profile-start' });
  const result = await runLoad({ ...load, duration: context.options.profileSeconds });
  await hub.request({ type: 'profile-stop', file });
  context.log(`  profiled hub at c=${connections} for ${context.options.profileSeconds} s (${result.requestsPerSecond.toFixed(1)} req/s under the profiler): ${file}`);
  return { file: path.relative(context.root, file), summary: summariseProfile(file) };
}

export const federatedPage: BenchCase = {
  name: 'federated-page',
  needsDatabase: true,
  title: `Federated page: children(first: ${PAGE_SIZE}) in one county, every section and dropout case, as an EDU clerk`,
  async run(context): Promise<CaseResult> {
    const { options } = context;
    const database = context.database!;
    const county = database.county.code;
    const poolMax = 10;
    const hub = await forkHub(context, database.url, county, poolMax);
    let raw: Raw | null = null;
    try {
      raw = await forkBench<Raw['ready']>('serve-raw.js', { databaseUrl: database.url, poolMax });
      const children = await checkSamePage(hub, raw, county, PAGE_SIZE);
      await checkSamePage(hub, raw, county, SMALL_PAGE);
      context.log(`  hub and raw baseline answer the same page (${children} children of ${county} ${database.county.name}, every field compared)`);
      const statements = { [PAGE_SIZE]: await statementsPerPage(hub, county, PAGE_SIZE), [SMALL_PAGE]: await statementsPerPage(hub, county, SMALL_PAGE) };
      context.log(`  statements per page: ${statements[PAGE_SIZE]} at ${PAGE_SIZE} children, ${statements[SMALL_PAGE]} at ${SMALL_PAGE}`);

      const servers: [Target, Target] = [
        { server: 'hub', url: hub.ready.url, token: hub.ready.token, county, hub: true },
        { server: 'raw', url: raw.ready.url, token: null, county, hub: false },
      ];
      const runs: Measured[] = [];
      for (const connections of options.concurrency) runs.push(...(await measurePair(context, servers, connections)));
      const highest = Math.max(...options.concurrency);
      const profile = options.profileSeconds > 0 ? await profileHub(context, hub, county, highest) : null;

      const rows: Cell[][] = [];
      const ratios: Record<number, { requests: number; p99: number }> = {};
      for (const connections of options.concurrency) {
        const h = runs.find((r) => r.server === 'hub' && r.connections === connections)!;
        const r = runs.find((x) => x.server === 'raw' && x.connections === connections)!;
        ratios[connections] = { requests: ratio(h.requestsPerSecond, r.requestsPerSecond), p99: ratio(h.latencyP99, r.latencyP99) };
        rows.push([connections, 'hub', round(h.requestsPerSecond, 1), h.latencyP50, h.latencyP99, ratios[connections].requests, ratios[connections].p99, h.statementsPerRequest, h.loadAverage]);
        rows.push([connections, 'raw SQL', round(r.requestsPerSecond, 1), r.latencyP50, r.latencyP99, null, null, 1, r.loadAverage]);
      }
      const atHighest = ratios[highest];
      const targets: TargetCheck[] = [
        { what: `federated page c=${highest}: hub/raw requests/s`, value: atHighest.requests, target: '≥ 0.5', met: atHighest.requests >= 0.5 },
        { what: `federated page c=${highest}: hub/raw p99`, value: atHighest.p99, target: '≤ 2', met: atHighest.p99 <= 2 },
        {
          what: `statements per page (${PAGE_SIZE}; ${SMALL_PAGE} gives ${statements[SMALL_PAGE]})`,
          value: statements[PAGE_SIZE],
          target: '≤ 8, same at 10 and 100',
          met: statements[PAGE_SIZE] <= 8 && statements[PAGE_SIZE] === statements[SMALL_PAGE],
        },
      ];
      return {
        table: { columns: ['c', 'server', 'req/s', 'p50 ms', 'p99 ms', 'hub/raw req/s', 'hub/raw p99', 'statements/req', 'load avg'], rows },
        targets,
        data: { county: database.county, pageSize: PAGE_SIZE, rounds: options.rounds, childrenOnPage: children, poolMax, statementsPerPage: statements, runs, ratios, profile: profile ? { file: profile.file, ...profile.summary } : null },
        notes: profile ? profileLines(profile.summary) : [],
      };
    } finally {
      await Promise.all([hub.stop(), raw?.stop()]);
    }
  },
};
