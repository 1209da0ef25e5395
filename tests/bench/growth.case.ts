import { withReadAudit } from '../../src/audit/sensitive-read.service';
import { buildChildWhere, pageQuery } from '../../src/children/children.query';
import { readerFor } from '../../src/core/context';
import { type BenchCase, BenchFailure, type CaseResult, type Cell, ratio, round, type TargetCheck } from './bench';
import { createBenchDatabase, openBenchDatabase, withClient } from './database';
import { pageRequestBody } from './federated-page.query';
import { forkHub, type Hub, type Measured, measurePair, PAGE_SIZE, statementsPerPage, type Target } from './federated-page.case';

/** The target of issue 6: the page at ten times the children is at most this much slower. */
const MAX_SLOWDOWN = 1.2;

interface PagePlan {
  /** Milliseconds PostgreSQL took to execute the page's statement (EXPLAIN ANALYZE, best of three). */
  executionMs: number;
  planningMs: number;
  plan: string[];
}

/**
 * The hub's own page statement (as the hub builds it for an EDU clerk of the county reading
 * `children(first: 100, filter: { region })` with ID numbers, audit included), explained and run
 * in a transaction that is rolled back, so that nothing is written.
 */
async function explainPage(url: string, county: string): Promise<PagePlan> {
  const reader = readerFor({ sub: 'bench-growth', dept: 'EDU', region: county, roles: ['clerk'] });
  const query = withReadAudit(pageQuery(reader, buildChildWhere(reader, { region: county }), PAGE_SIZE, null), {
    identity: reader.identity, requestId: 'bench-growth', field: 'Child.idNumber', childColumn: 'id', valueColumn: 'idNumber', limit: PAGE_SIZE,
  });
  return withClient(url, async (client) => {
    let best: PagePlan | null = null;
    for (let i = 0; i < 3; i++) {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.values);
        const plan = rows.map((r) => r['QUERY PLAN']);
        const ms = (label: string) => Number(/([\d.]+) ms/.exec(plan.find((line) => line.startsWith(label)) ?? '')?.[1] ?? NaN);
        const explained = { executionMs: ms('Execution Time'), planningMs: ms('Planning Time'), plan };
        if (!best || explained.executionMs < best.executionMs) best = explained;
      } finally {
        await client.query('ROLLBACK');
      }
    }
    return best!;
  });
}

async function pageChildren(hub: Hub, county: string): Promise<number> {
  const response = await fetch(`${hub.ready.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` },
    body: pageRequestBody(county, PAGE_SIZE),
  });
  const body = (await response.json()) as { data?: { children: { edges: unknown[] } }; errors?: unknown[] };
  if (response.status !== 200 || body.errors) throw new BenchFailure(`hub answered ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  return body.data!.children.edges.length;
}

const label = (children: number) => `${children.toLocaleString('en')} children`;

export const growth: BenchCase = {
  name: 'growth',
  needsDatabase: true,
  title: `Growth: the federated page (children(first: ${PAGE_SIZE}) in one county, every section) at the seeded size and at ten times as many children, side by side`,
  async run(context): Promise<CaseResult> {
    const { options } = context;
    const small = context.database!;
    const large = options.reuseLarge
      ? await openBenchDatabase(options, options.reuseLarge)
      : await createBenchDatabase({ ...options, children: options.largeChildren }, (line) => context.log(`  ${line}`));
    // The same county at both sizes: the generator spreads children over the counties alike, so its page is read among ten times as many.
    const county = small.county.code;
    const hubs: Hub[] = [];
    try {
      for (const database of [small, large]) hubs.push(await forkHub(context, database.url, county, 10));
      const [smallHub, largeHub] = hubs;
      for (const hub of hubs) {
        const children = await pageChildren(hub, county);
        if (children !== PAGE_SIZE) throw new BenchFailure(`a page in ${county} holds ${children} children, not ${PAGE_SIZE}`);
      }
      const statements = [await statementsPerPage(smallHub, county, PAGE_SIZE), await statementsPerPage(largeHub, county, PAGE_SIZE)];
      const plans = [await explainPage(small.url, county), await explainPage(large.url, county)];
      context.log(`  page statement (EXPLAIN ANALYZE): ${plans[0].executionMs} ms at ${label(small.children)}, ${plans[1].executionMs} ms at ${label(large.children)}`);

      const targets: [Target, Target] = [
        { server: label(small.children), url: smallHub.ready.url, token: smallHub.ready.token, county, hub: true },
        { server: label(large.children), url: largeHub.ready.url, token: largeHub.ready.token, county, hub: true },
      ];
      const runs: Array<[Measured, Measured]> = [];
      for (const connections of options.concurrency) runs.push(await measurePair(context, targets, connections));

      const rows: Cell[][] = [];
      const slowdowns: Record<number, { requests: number; p99: number }> = {};
      runs.forEach(([s, l], i) => {
        const connections = options.concurrency[i];
        slowdowns[connections] = { requests: ratio(s.requestsPerSecond, l.requestsPerSecond), p99: ratio(l.latencyP99, s.latencyP99) };
        rows.push([connections, s.server, round(s.requestsPerSecond, 1), s.latencyP50, s.latencyP99, null, null, s.statementsPerRequest, s.loadAverage]);
        rows.push([connections, l.server, round(l.requestsPerSecond, 1), l.latencyP50, l.latencyP99, slowdowns[connections].requests, slowdowns[connections].p99, l.statementsPerRequest, l.loadAverage]);
      });
      const highest = Math.max(...options.concurrency);
      const checks: TargetCheck[] = [
        {
          what: `federated page c=${highest}: ${label(large.children)} vs ${label(small.children)}, slowdown in requests/s`,
          value: slowdowns[highest].requests,
          target: `≤ ${MAX_SLOWDOWN}`,
          met: slowdowns[highest].requests <= MAX_SLOWDOWN,
        },
      ];
      return {
        table: { columns: ['c', 'database', 'req/s', 'p50 ms', 'p99 ms', 'slowdown req/s', 'p99 ratio', 'statements/req', 'load avg'], rows },
        targets: checks,
        data: {
          county: small.county,
          pageSize: PAGE_SIZE,
          databases: [small, large].map(({ name, children, dropoutCases, seedSeconds }) => ({ name, children, dropoutCases, seedSeconds })),
          statementsPerPage: statements,
          pageStatement: plans,
          runs,
          slowdowns,
        },
        notes: [
          `Both hubs read the page of ${county} ${small.county.name}; the rounds alternate between them. Slowdown: requests/s at ${label(small.children)} over requests/s at ${label(large.children)}.`,
          `The page's statement (EXPLAIN ANALYZE, best of three): ${plans[0].executionMs} ms at ${label(small.children)}, ${plans[1].executionMs} ms at ${label(large.children)}. Plan at ${label(large.children)}:`,
          ...plans[1].plan.filter((line) => !/^\s*(Planning|Execution|Buffers)/.test(line)).map((line) => `    ${line}`),
        ],
      };
    } finally {
      await Promise.all(hubs.map((hub) => hub.stop()));
      if (options.keep) context.log(`  kept database ${large.name} (${label(large.children)}): use it again with --reuse-large ${large.name}`);
      else await large.drop();
    }
  },
};
