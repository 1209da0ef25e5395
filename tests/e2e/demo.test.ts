import 'reflect-metadata';
import { DEMO_IDENTITIES } from '../../src/auth/demo-identities';
import { Clock } from '../../src/core/clock';
import { DEMO_RECORD_CHILD_ID, explorerExamples } from '../../src/web/explorer';
import { seedDemoIfEmpty } from '../../seeds/demo';
import { testRootKeys } from '../../src/log-roots/log-root.keys';
import { LogRootService } from '../../src/log-roots/log-root.service';
import { startTestHub, TODAY, type TestHub } from '../support/hub';

/**
 * The demo as a newcomer meets it on first start: the loaded children and three months of history
 * written through the hub, so that the change log, the notices and every explorer example have
 * something to show, whatever the order they are tried in.
 */
let hub: TestHub;
const tokens: Record<string, string> = {};
let seedSeconds = 0;

beforeAll(async () => {
  hub = await startTestHub();
  const started = Date.now();
  await seedDemoIfEmpty(hub.server.db, new Clock(TODAY), new LogRootService(hub.server.db.orm, hub.server.db.sql, testRootKeys()));
  seedSeconds = (Date.now() - started) / 1000;
  for (const d of DEMO_IDENTITIES) tokens[d.sub] = await hub.token({ dept: d.dept, region: d.region, roles: [...d.roles], sub: d.sub });
}, 180_000);
afterAll(() => hub?.stop());

const ok = async <T = any>(query: string, variables: Record<string, unknown>, who: string): Promise<T> => {
  const res = await hub.gql<T>(query, variables, tokens[who]);
  expect({ who, errors: res.body.errors }).toEqual({ who, errors: undefined });
  return res.body.data as T;
};

describe('the demo history', () => {
  it('is seeded in reasonable time', () => {
    process.stderr.write(`demo seed (3,000 children and three months of history): ${seedSeconds.toFixed(1)} s\n`);
    expect(seedSeconds).toBeLessThan(60);
  });

  it("fills the change log with the past three months' entries, dated on their days, on an intact chain", async () => {
    const data = await ok(`{ changeLog(first: 100) { edges { node { seq at actorDept entity operation } } pageInfo { hasNextPage } } }`, {}, 'demo-edu-clerk');
    expect(data.changeLog.edges.length).toBeGreaterThanOrEqual(20);
    expect(data.changeLog.pageInfo.hasNextPage).toBe(false);
    const months = new Set(data.changeLog.edges.map((e: any) => e.node.at.slice(0, 7)));
    expect([...months].sort()).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(new Set(data.changeLog.edges.map((e: any) => e.node.actorDept))).toEqual(new Set(['PSB', 'EDU', 'CIVIL', 'HEALTH', 'TOWNSHIP']));
    const ats = data.changeLog.edges.map((e: any) => e.node.at);
    expect([...ats].sort()).toEqual(ats);
    const verified = await ok('{ verifyChangeLog { ok entries firstBadSeq } }', {}, 'demo-edu-supervisor');
    expect(verified.verifyChangeLog).toMatchObject({ ok: true, firstBadSeq: null });
    expect(verified.verifyChangeLog.entries).toBeGreaterThanOrEqual(data.changeLog.edges.length);
  });

  it("gives the demo liaisons a notice for each past month, none of them empty, paged with edges and totalCount", async () => {
    const LIST = `query($after: String) { exchangeNotices(first: 2, after: $after) {
      totalCount edges { cursor node { number period summary { entries } } } nodes { number } pageInfo { hasNextPage endCursor } } }`;
    for (const who of ['demo-edu-liaison', 'demo-civil-liaison', 'demo-psb-liaison']) {
      const first = (await ok(LIST, { after: null }, who)).exchangeNotices;
      expect(first.totalCount).toBe(3);
      expect(first.pageInfo.hasNextPage).toBe(true);
      expect(first.nodes.map((n: any) => n.number)).toEqual(first.edges.map((e: any) => e.node.number));
      expect(first.pageInfo.endCursor).toBe(first.edges[1].cursor);
      const second = (await ok(LIST, { after: first.pageInfo.endCursor }, who)).exchangeNotices;
      expect(second).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });
      const notices = [...first.edges, ...second.edges].map((e: any) => e.node);
      expect(notices.map((n: any) => n.period)).toEqual(['2026-07', '2026-08', '2026-09']);
      for (const n of notices) expect({ who, number: n.number, empty: n.summary.entries === 0 }).toEqual({ who, number: n.number, empty: false });
    }
  });

  it("gives the record child a past: dropped out in July, back at school since August", async () => {
    const QUERY = 'query($id: ID!, $asOf: DateTimeISO) { child(id: $id, asOf: $asOf) { education { status } dropoutCases { status } } }';
    const then = await ok(QUERY, { id: DEMO_RECORD_CHILD_ID, asOf: '2026-07-30T00:00:00Z' }, 'demo-edu-clerk');
    expect(then.child).toEqual({ education: { status: 'DROPPED_OUT' }, dropoutCases: [{ status: 'PERSUADING' }] });
    const now = await ok(QUERY, { id: DEMO_RECORD_CHILD_ID, asOf: null }, 'demo-edu-clerk');
    expect(now.child).toEqual({ education: { status: 'ENROLLED' }, dropoutCases: [{ status: 'RETURNED' }] });
  });
});

describe('the explorer examples on the demo data', () => {
  const examples = explorerExamples(TODAY);
  /** The identity an example is meant for: a demo identity named in `who`, else the EDU clerk. */
  const whoFor = (who: string) => DEMO_IDENTITIES.find((d) => who.includes(d.sub))?.sub ?? 'demo-edu-clerk';

  it('runs the record example first, before any other example registered a child, for every identity of Fuzhou', async () => {
    const record = examples.find((e) => e.id === 'child')!;
    for (const who of ['demo-edu-clerk', 'demo-psb-clerk', 'demo-health-expert', 'demo-edu-clerk-taijiang', 'demo-township-clerk', 'demo-edu-supervisor']) {
      const res = await hub.gql<any>(record.query, JSON.parse(record.variables!), tokens[who]);
      // Sections the identity may not read are null with FORBIDDEN, as the example says; nothing else.
      expect({ who, codes: (res.body.errors ?? []).map((e) => e.extensions.code).filter((code) => code !== 'FORBIDDEN') }).toEqual({ who, codes: [] });
      expect((res.body.errors ?? []).every((e) => e.path?.length === 2 && e.path[0] === 'child')).toBe(true);
      expect(res.body.data!.child.id).toBe(DEMO_RECORD_CHILD_ID);
    }
  });

  it('runs every example without an error, the reading ones first and then in reverse order', async () => {
    const reads = examples.filter((e) => !e.query.trimStart().replace(/^(#.*\n)+/, '').startsWith('mutation'));
    const writes = examples.filter((e) => !reads.includes(e));
    for (const example of [...reads].reverse().concat(writes)) {
      await ok(example.query, example.variables ? JSON.parse(example.variables) : {}, whoFor(example.who));
    }
  });
});

describe('RegionLevel', () => {
  it('is upper case like every other enum, and the old lower-case names are still accepted', async () => {
    const upper = await ok('{ regions(level: COUNTY) { code level } }', {}, 'demo-edu-clerk');
    expect(upper.regions.length).toBe(84);
    expect(new Set(upper.regions.map((r: any) => r.level))).toEqual(new Set(['COUNTY']));
    const lower = await ok('query($l: RegionLevel) { regions(level: $l) { code level } }', { l: 'county' }, 'demo-edu-clerk');
    expect(lower.regions).toEqual(upper.regions);
    const child = await ok('query($id: ID!) { child(id: $id) { hukouRegion { level } residenceRegion { level } } }', { id: DEMO_RECORD_CHILD_ID }, 'demo-edu-clerk');
    expect(child.child).toEqual({ hukouRegion: { level: 'COUNTY' }, residenceRegion: { level: 'COUNTY' } });
    const me = await ok('{ me { region { level } } }', {}, 'demo-edu-supervisor');
    expect(me.me.region.level).toBe('PROVINCE');
  });
});
