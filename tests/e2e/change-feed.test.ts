import { Client } from 'pg';
import WebSocket from 'ws';
import { makeEphemeralKey } from '../../src/auth/keys';
import { signToken } from '../../src/auth/tokens';
import { childInput, REGISTER } from '../support/fixtures';
import { type FeedProcess, subscribeInAnotherProcess } from '../support/feed';
import { startTestHub, target, type TestHub } from '../support/hub';
import { formatPosition, parsePosition, positionCursor, positionOfCursor } from '../../src/changelog/log-position';

/**
 * The change feed: subscribers in other processes, over WebSocket, on one instance, while the
 * writes go through another instance on the same database.
 */
let a: TestHub;
let b: TestHub;
const t: Record<string, string> = {};
const processes: FeedProcess[] = [];

const ENTRY_FIELDS = 'chain seq operation entity entityLabel entityId childId actorSub actorDept mutation reason version hukouRegion residenceRegion changes { field label before after }';
const LOG = `query($filter: ChangeLogFilter, $after: String) { changeLog(filter: $filter, first: 100, after: $after) {
  edges { cursor node { ${ENTRY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const upsert = (mutation: string, type: string) => `mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`;
const EDU = upsert('upsertEducationRecords', 'EducationRecordInput');
const POVERTY = upsert('upsertPovertyRecords', 'PovertyRecordInput');
const HEALTH = upsert('upsertHealthRecords', 'HealthRecordInput');
const DPF = upsert('upsertDisabilityRecords', 'DisabilityRecordInput');

function feed(hub: TestHub, token: string | null, variables: Record<string, unknown> = {}, query?: string): FeedProcess {
  const process = subscribeInAnotherProcess(hub.url, token, variables, query);
  processes.push(process);
  return process;
}

/** Where the log stands now, in the text form of a position (each chain's head). */
async function position(): Promise<string> {
  const rows = await a.sql<{ chain: string; seq: string }>('SELECT chain, seq FROM hub.chain_head ORDER BY chain');
  return formatPosition(new Map(rows.map((r) => [r.chain, Number(r.seq)])));
}

/** The last entry appended (the tests write one after another), as `chain:seq`. */
async function lastKey(): Promise<string> {
  const [row] = await a.sql<{ chain: string; seq: string }>('SELECT chain, seq FROM hub.change_log ORDER BY at DESC, seq DESC LIMIT 1');
  return `${row.chain}:${row.seq}`;
}

const key = (e: Record<string, any>) => `${e.chain}:${e.seq}`;

async function write(hub: TestHub, query: string, variables: Record<string, unknown>, token: string): Promise<void> {
  const res = await hub.gql(query, variables, token);
  expect(res.body.errors).toBeUndefined();
}

/** What `changeLog` shows the same token after the position `from`, every page: the feed must deliver exactly this (in (chain, seq) order). */
async function logAfter(token: string, from: string, filter: Record<string, unknown> = {}): Promise<Array<Record<string, any>>> {
  const nodes: Array<Record<string, any>> = [];
  let after: string | null = positionCursor(parsePosition(from, 'after'));
  for (;;) {
    const res = await a.gql(LOG, { filter, after }, token);
    expect(res.body.errors).toBeUndefined();
    const conn = (res.body.data as any).changeLog;
    nodes.push(...conn.edges.map((e: any) => e.node));
    if (!conn.pageInfo.hasNextPage) return nodes;
    after = conn.pageInfo.endCursor;
  }
}

/** The feed delivers each chain in order, and chains need no common order: compare as changeLog orders them. */
const byChain = (keys: string[]) => [...keys].sort((x, y) => {
  const [cx, sx] = x.split(':');
  const [cy, sy] = y.split(':');
  return cx < cy ? -1 : cx > cy ? 1 : Number(sx) - Number(sy);
});

/** Each chain's entries in ascending seq order, as delivered. */
function inOrderPerChain(keys: string[]): boolean {
  const last = new Map<string, number>();
  for (const k of keys) {
    const [chain, seq] = k.split(':');
    if (Number(seq) <= (last.get(chain) ?? 0)) return false;
    last.set(chain, Number(seq));
  }
  return true;
}

beforeAll(async () => {
  a = await startTestHub();
  b = await startTestHub({ sameDatabaseAs: a });
  for (const dept of ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const) t[dept] = await a.token({ dept, region: '350102', sub: `${dept.toLowerCase()}-clerk` });
  t.analyst = await a.token({ dept: 'EDU', region: '350102', roles: ['analyst'] });
  t.taijiang = await a.token({ dept: 'EDU', region: '350103' });
  t.supervisor = await a.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  t.supervisorClerk = await a.token({ dept: 'EDU', region: '350000', sub: 'province-edu-clerk' });
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});

afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe('delivery across instances and processes', () => {
  it('delivers entries written through a second instance to a subscriber of the first, exactly as changeLog shows them', async () => {
    const from = await position();
    const subscriber = feed(a, t.EDU, { after: from });
    await subscriber.connected();
    const child = childInput({ name: '陈思远' });
    await write(b, REGISTER, { records: [child] }, t.EDU);
    await write(b, EDU, { r: [{ childId: child.id, status: 'ENROLLED', stage: 'PRIMARY', grade: 4 }] }, t.EDU);
    await write(b, EDU, { r: [{ childId: child.id, grade: 5 }] }, t.EDU);
    await subscriber.until((p) => p.entries().length >= 3, 'three entries');
    const expected = await logAfter(t.EDU, from);
    expect(expected.map((e) => `${e.operation} ${e.entity}`)).toEqual(['CREATE Child', 'CREATE EducationRecord', 'UPDATE EducationRecord']);
    expect(subscriber.entries()).toEqual(expected);
  });

  it('without a position, starts with the entries written after it subscribed', async () => {
    const before = await position();
    const subscriber = feed(a, t.EDU);
    await subscriber.connected();
    // The server attaches the subscriber a moment after the connection: write until the first arrives.
    for (let i = 0; i < 20 && subscriber.entries().length === 0; i++) {
      await write(b, REGISTER, { records: [childInput()] }, t.EDU);
      await subscriber.until((p) => p.entries().length > 0, 'a first entry', 1000).catch(() => undefined);
    }
    const first = subscriber.keys()[0];
    const since = (await logAfter(t.EDU, before)).map(key);
    expect(since).toContain(first);
    await write(b, REGISTER, { records: [childInput(), childInput()] }, t.EDU);
    const last = await lastKey();
    await subscriber.until((p) => p.keys().includes(last), `entry ${last}`);
    const all = (await logAfter(t.EDU, before)).map(key);
    expect(subscriber.keys()).toEqual(all.slice(all.indexOf(first)));
  });

  it('resumes from the position the client holds (each chain\'s highest seq received) after a disconnect, on either instance, with no entry lost or repeated', async () => {
    const from = await position();
    const first = feed(a, t.EDU, { after: from });
    await first.connected();
    // Writes keep coming through both instances while the first subscriber is cut off.
    const writes = (async () => {
      for (let i = 0; i < 12; i++) await write(i % 2 ? a : b, REGISTER, { records: [childInput()] }, i % 2 ? t.PSB : t.EDU);
    })();
    await first.until((p) => p.entries().length >= 3, 'three entries');
    await first.kill('SIGKILL');
    const seen = first.keys();
    // The client's resume position: the highest seq it received in each chain.
    const resumed = feed(b, t.EDU, { after: first.position() });
    await writes;
    await write(a, REGISTER, { records: [childInput()] }, t.EDU);
    const last = await lastKey();
    await resumed.until((p) => p.keys().includes(last), `entry ${last}`);
    const all = [...seen, ...resumed.keys()];
    expect(new Set(all).size).toBe(all.length);
    expect(byChain(all)).toEqual((await logAfter(t.EDU, from)).map(key));
    expect(all).toHaveLength(13);
  });

  it('replays everything after the deprecated afterSeq 0 and then continues live', async () => {
    const subscriber = feed(b, t.supervisor, { afterSeq: 0, filter: { entity: 'Child' } });
    const expected = (await logAfter(t.supervisor, '', { entity: 'Child' })).map(key);
    await subscriber.until((p) => p.entries().length >= expected.length, `${expected.length} entries`);
    await write(a, REGISTER, { records: [childInput()] }, t.PSB);
    const last = await lastKey();
    await subscriber.until((p) => p.keys().includes(last), `entry ${last}`);
    expect(subscriber.keys()).toEqual([...expected, last]);
  });
});

describe('per-chain positions', () => {
  it('delivers every entry of concurrent writers in several counties exactly once, each chain in order', async () => {
    const from = await position();
    const province = feed(a, t.supervisor, { after: from });
    const gulou = feed(b, t.EDU, { after: from });
    await Promise.all([province.connected(), gulou.connected()]);
    const clerk = await a.token({ dept: 'EDU', region: '350000', sub: 'province-clerk' });
    const counties = ['350102', '350103', '350104', '350105'];
    // Four writers, one per county, through both instances at once; some children live outside their hukou county.
    await Promise.all(counties.map(async (county, w) => {
      for (let i = 0; i < 6; i++) {
        const residenceRegion = i % 3 === 0 ? counties[(w + 1) % counties.length] : county;
        await write(i % 2 ? a : b, REGISTER, { records: [childInput({ hukouRegion: county, residenceRegion }), childInput({ hukouRegion: county })] }, clerk);
      }
    }));
    const expected = (await logAfter(t.supervisor, from)).map(key);
    expect(expected).toHaveLength(48);
    expect(new Set(expected.map((k) => k.split(':')[0]))).toEqual(new Set(counties));
    await province.until((p) => p.entries().length >= 48, '48 entries');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(new Set(province.keys()).size).toBe(48);
    expect(inOrderPerChain(province.keys())).toBe(true);
    expect(byChain(province.keys())).toEqual(expected);
    // Gulou sees its own children and those with hukou in Gulou living in Taijiang, and nothing else.
    const gulouExpected = (await logAfter(t.EDU, from)).map(key);
    await gulou.until((p) => p.entries().length >= gulouExpected.length, `${gulouExpected.length} entries`);
    expect(inOrderPerChain(gulou.keys())).toBe(true);
    expect(byChain(gulou.keys())).toEqual(gulouExpected);
    expect(gulou.entries().every((e) => e.hukouRegion === '350102' || e.residenceRegion === '350102')).toBe(true);
  });

  it('follows on from a changeLog endCursor into the feed with no gap or duplicate', async () => {
    const from = await position();
    for (let i = 0; i < 3; i++) await write(b, REGISTER, { records: [childInput(), childInput({ hukouRegion: '350103' })] }, t.supervisorClerk);
    // A client pages through changeLog part of the way (two entries), then switches to the feed with the endCursor it holds.
    const page = await a.gql(LOG.replace('first: 100', 'first: 2'), { filter: {}, after: positionCursor(parsePosition(from, 'after')) }, t.supervisor);
    const conn = (page.body.data as any).changeLog;
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const subscriber = feed(a, t.supervisor, { after: conn.pageInfo.endCursor });
    await subscriber.connected();
    await write(a, REGISTER, { records: [childInput({ hukouRegion: '350104' })] }, t.supervisorClerk);
    const last = await lastKey();
    await subscriber.until((p) => p.keys().includes(last), `entry ${last}`);
    const read = conn.edges.map((e: any) => key(e.node));
    const all = [...read, ...subscriber.keys()];
    expect(new Set(all).size).toBe(all.length);
    expect(byChain(all)).toEqual((await logAfter(t.supervisor, from)).map(key));
  });

  it('gives cursors that name only chains and seqs of entries the reader was shown', async () => {
    const from = await position();
    // A Taijiang child living in Gulou (in Gulou's chain) among Gulou's own children, which Taijiang may not see.
    await write(b, REGISTER, { records: [childInput(), childInput()] }, t.EDU);
    await write(b, REGISTER, { records: [childInput({ hukouRegion: '350103', residenceRegion: '350102' })] }, t.EDU);
    await write(b, REGISTER, { records: [childInput(), childInput()] }, t.EDU);
    const start = positionCursor(parsePosition(from, 'after'));
    const res = await a.gql(LOG, { filter: {}, after: start }, t.taijiang);
    const edges = (res.body.data as any).changeLog.edges;
    expect(edges.map((e: any) => e.node.residenceRegion)).toEqual(['350102']);
    const given = parsePosition(from, 'after');
    for (const edge of edges) {
      given.set(edge.node.chain, edge.node.seq);
      expect(formatPosition(positionOfCursor(edge.cursor))).toBe(formatPosition(given));
    }
    // Gulou's chain moved on by two entries after the one Taijiang saw; its cursor does not say so.
    const gulouHead = Number((await a.sql<{ seq: string }>(`SELECT seq FROM hub.chain_head WHERE chain = '350102'`))[0].seq);
    expect(edges[0].node.seq).toBe(gulouHead - 2);
    // Filtering by a chain that exists answers as one that does not: neither's existence is told.
    const other = await a.gql(LOG, { filter: { chain: '350105' }, after: start }, t.taijiang);
    const none = await a.gql(LOG, { filter: { chain: '350999' }, after: start }, t.taijiang);
    expect(other.body).toEqual(none.body);
    const noRange = await a.gql(LOG, { filter: { fromSeq: 1 } }, t.taijiang);
    expect(noRange.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(noRange.body.errors![0].message).toMatch(/filter\.fromSeq.*[\u4e00-\u9fff].*give filter\.chain/);
  });

  it('refuses a malformed position, naming the argument, and both forms at once', async () => {
    const answer = async (variables: Record<string, unknown>) => {
      const p = feed(a, t.EDU, variables);
      await p.until((x) => x.events.some((e) => e.event === 'next' || e.event === 'error'), 'an answer');
      const event = p.events.find((e) => e.event === 'next' || e.event === 'error')!;
      return (event.payload?.errors ?? event.errors ?? []).map((e: any) => `${e.extensions?.code} ${e.message}`);
    };
    const [malformed] = await answer({ after: '350102:1,350102:2' });
    expect(malformed).toMatch(/^BAD_USER_INPUT .*after: .*[\u4e00-\u9fff].*chain named twice/);
    const [both] = await answer({ after: '350102:1', afterSeq: 1 });
    expect(both).toMatch(/^BAD_USER_INPUT .*after/);
  });
});

describe('the feed tells no department more than the matrix lets it query', () => {
  it('projects each entry through the subscriber\'s permissions, region and filter', async () => {
    const from = await position();
    const who = ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF', 'taijiang'];
    const subscribers = Object.fromEntries(who.map((k, i) => [k, feed(i % 2 ? a : b, t[k], { after: from })]));
    const onlyEducation = feed(a, t.PSB, { after: from, filter: { entity: 'EducationRecord' } });
    await Promise.all(Object.values(subscribers).map((p) => p.connected()));

    const child = childInput({ name: '黄可欣', gender: 'FEMALE' });
    const certificate = `${child.idNumber}12`;
    await write(b, REGISTER, { records: [child] }, t.PSB);
    await write(b, EDU, { r: [{ childId: child.id, status: 'ENROLLED', stage: 'JUNIOR_SECONDARY', grade: 7 }] }, t.EDU);
    await write(a, POVERTY, { r: [{ childId: child.id, registeredPoor: true, householdId: 'HH-SECRET-4711' }] }, t.POVERTY);
    await write(b, HEALTH, { r: [{ childId: child.id, seriousIllness: true, diagnosisSummary: '机密诊断-白血病' }] }, t.HEALTH);
    await write(a, DPF, { r: [{ childId: child.id, disabilityType: 'VISUAL', disabilityLevel: 2, certificateNo: certificate }] }, t.DPF);
    await write(b, POVERTY, { r: [{ childId: child.id, householdId: 'HH-SECRET-4712' }] }, t.POVERTY);
    // Last, a Taijiang child: the marker every subscriber in the province or Taijiang waits for.
    const marker = childInput({ hukouRegion: '350103' });
    await write(a, REGISTER, { records: [marker] }, t.taijiang);
    const last = await lastKey();

    for (const [k, subscriber] of Object.entries(subscribers)) {
      const expected = await logAfter(t[k], from);
      await subscriber.until((p) => p.entries().length >= expected.length, `${k}: ${expected.length} entries`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect({ k, entries: subscriber.entries() }).toEqual({ k, entries: expected });
      if (k !== 'HEALTH') expect(subscriber.raw).not.toContain('机密诊断');
      if (k !== 'POVERTY') expect(subscriber.raw).not.toContain('HH-SECRET');
      if (k !== 'DPF') expect(subscriber.raw).not.toContain(certificate);
    }
    const entities = (k: string) => new Set(subscribers[k].entries().map((e) => e.entity));
    expect(entities('PSB')).toEqual(new Set(['Child', 'EducationRecord']));
    expect(entities('HEALTH')).not.toContain('PovertyRecord');
    expect(entities('EDU')).toContain('HealthRecord');
    const eduPoverty = subscribers.EDU.entries().filter((e) => e.entity === 'PovertyRecord');
    // The second poverty write changed only the household id: EDU is not told of it at all.
    expect(eduPoverty).toHaveLength(1);
    // The household id is hidden; monitoredHousehold was not sent, so it is not logged (not said is not no).
    expect(eduPoverty[0].changes.map((c: any) => c.field)).toEqual(['registeredPoor']);
    expect(subscribers.POVERTY.entries().filter((e) => e.entity === 'PovertyRecord')).toHaveLength(2);
    const civilChild = subscribers.CIVIL.entries().find((e) => e.entity === 'Child' && e.childId === child.id)!;
    expect(civilChild.changes.find((c: any) => c.field === 'idNumber').after).toMatch(/^"\d{6}\*{12}"$/);
    const dpfCert = subscribers.EDU.entries().find((e) => e.entity === 'DisabilityRecord')!.changes.find((c: any) => c.field === 'certificateNo');
    expect(dpfCert.after).toBe(`"${certificate.slice(0, 6)}**********${certificate.slice(-4)}"`);
    expect(subscribers.taijiang.keys()).toEqual([last]);
    // What the feed sent unmasked is in the sensitive-read audit, like any other read.
    const audited = await a.sql<{ actor_sub: string; field: string }>(
      `SELECT actor_sub, field FROM hub.sensitive_read WHERE child_id = $1 AND request_id LIKE 'ws-%' ORDER BY actor_sub, field`, [child.id]);
    const reads = new Set(audited.map((r) => `${r.actor_sub} ${r.field}`));
    for (const read of ['dpf-clerk DisabilityRecord.certificateNo', 'dpf-clerk Child.idNumber', 'edu-clerk Child.idNumber', 'health-clerk HealthRecord.diagnosisSummary', 'psb-clerk Child.idNumber']) {
      expect(reads).toContain(read);
    }
    // Masked for civil affairs, poverty and health, withheld from analysts: nothing of theirs to audit.
    for (const read of reads) expect(read).not.toMatch(/^(civil-clerk|poverty-clerk|test-edu-350102-\d+) |^health-clerk Child/);
    await onlyEducation.until((p) => p.entries().length >= 1, 'the education entry');
    expect(onlyEducation.entries().map((e) => e.entity)).toEqual(['EducationRecord']);
  });

  it('refuses a filter on an entity the subscriber may not see, and a bad filter', async () => {
    const forbidden = feed(a, t.PSB, { filter: { entity: 'HealthRecord' } });
    const bad = feed(a, t.PSB, { filter: { dept: 'NASA' }, afterSeq: -1 });
    await forbidden.until((p) => p.events.some((e) => e.event === 'next' || e.event === 'error'), 'an answer');
    const answer = (p: FeedProcess) => {
      const event = p.events.find((e) => e.event === 'next' || e.event === 'error')!;
      return (event.payload?.errors ?? event.errors ?? []).map((e) => e.extensions?.code);
    };
    expect(answer(forbidden)).toEqual(['FORBIDDEN']);
    // An analyst reads aggregates only: no feed of changes to children at all.
    const analyst = feed(a, t.analyst, {});
    await analyst.until((p) => p.events.some((e) => e.event === 'next' || e.event === 'error'), 'an answer');
    expect(answer(analyst)).toEqual(['FORBIDDEN']);
    await bad.until((p) => p.events.some((e) => e.event === 'next' || e.event === 'error'), 'an answer');
    expect(answer(bad)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('authentication', () => {
  const closedWith = async (p: FeedProcess) => {
    await p.until((x) => x.events.some((e) => e.event === 'closed'), 'the connection to close');
    return p.events.find((e) => e.event === 'closed')!.code;
  };

  it('refuses a connection without a valid token', async () => {
    const stranger = await makeEphemeralKey();
    const foreign = await signToken(stranger.signing, a.jwt, { sub: 'intruder', dept: 'EDU', region: '350000', roles: ['supervisor'] });
    const expired = await a.token({ dept: 'EDU', region: '350102', ttlSeconds: -3600 });
    const refused = [null, 'not-a-token', foreign, expired].map((token) => feed(a, token, { afterSeq: 0 }));
    for (const p of refused) {
      expect(await closedWith(p)).toBe(4403);
      expect(p.entries()).toEqual([]);
    }
  });

  it('serves only subscriptions over WebSocket', async () => {
    const p = feed(a, t.EDU, {}, '{ me { sub } }');
    await p.until((x) => x.events.some((e) => e.event === 'error' || e.event === 'next'), 'an answer');
    const event = p.events.find((e) => e.event === 'error' || e.event === 'next')!;
    expect((event.errors ?? event.payload?.errors ?? []).map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
  });

  it('refuses an upgrade on any other path', async () => {
    const socket = new WebSocket(`${a.url.replace(/^http/, 'ws')}/elsewhere`, 'graphql-transport-ws');
    const outcome = await new Promise((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      socket.on('open', () => resolve('open'));
      socket.on('error', (error) => resolve(error.message));
    });
    socket.terminate();
    expect(outcome).toBe(404);
  });
});

describe('across instances on PostgreSQL', () => {
  const onPostgres = target === 'postgresql' ? it : it.skip;

  /** The notifications of the change log's channel that `work` causes, on a connection of their own: the first, and any within 100 ms after it. */
  async function notificationsDuring(work: () => Promise<void>): Promise<string[]> {
    const [url] = await a.sql<{ url: string }>('SELECT current_database() AS url');
    const base = new URL(process.env.TEST_DATABASE_URL!);
    base.pathname = `/${url.url}`;
    const listener = new Client({ connectionString: base.toString() });
    await listener.connect();
    try {
      const payloads: string[] = [];
      listener.on('notification', (n) => payloads.push(n.payload ?? ''));
      await listener.query('LISTEN baoxue_change_log');
      await work();
      // Delivered when the writing transaction commits: wait for it (a busy machine may take a while), then for no second one.
      for (const deadline = Date.now() + 10_000; !payloads.length && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100));
      return payloads;
    } finally {
      await listener.end();
    }
  }

  onPostgres('notifies with the chains appended to and their new heads only', async () => {
    const payloads = await notificationsDuring(() => write(b, REGISTER, { records: [childInput(), childInput()] }, t.EDU));
    expect(payloads).toEqual([await lastKey()]);
  });

  onPostgres('notifies once for a write over several counties, with each chain\'s new head, in code order', async () => {
    // Entries of the later county first: the write's entries are appended in chain-code order.
    const taijiang = { hukouRegion: '350103', residenceRegion: '350103' };
    const payloads = await notificationsDuring(() => write(b, REGISTER, { records: [childInput(taijiang), childInput(), childInput(taijiang)] }, t.supervisorClerk));
    const heads = await a.sql<{ chain: string; seq: string }>("SELECT chain, max(seq)::text AS seq FROM hub.change_log WHERE chain IN ('350102', '350103') GROUP BY chain ORDER BY chain");
    expect(payloads).toEqual([heads.map((h) => `${h.chain}:${h.seq}`).join(',')]);
  });

  onPostgres('loses nothing when the listening connection is cut', async () => {
    const from = await position();
    const subscriber = feed(a, t.EDU, { after: from });
    await subscriber.connected();
    await write(b, REGISTER, { records: [childInput()] }, t.EDU);
    await subscriber.until((p) => p.entries().length >= 1, 'the first entry');
    const killed = await a.sql<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'baoxue-change-feed' AND datname = current_database()`);
    expect(killed.length).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 3; i++) await write(b, REGISTER, { records: [childInput()] }, t.EDU);
    const last = await lastKey();
    await subscriber.until((p) => p.keys().includes(last), `entry ${last}`);
    expect(subscriber.keys()).toEqual((await logAfter(t.EDU, from)).map(key));
  });
});

describe('shutdown', () => {
  it('closes its WebSocket subscribers when an instance stops, and they resume on another', async () => {
    const from = await position();
    const subscriber = feed(b, t.EDU, { after: from });
    await subscriber.connected();
    await b.stop();
    await subscriber.until((p) => p.events.some((e) => e.event === 'closed'), 'the connection to close');
    expect(subscriber.events.find((e) => e.event === 'closed')!.code).toBe(1001);
    await write(a, REGISTER, { records: [childInput()] }, t.EDU);
    const resumed = feed(a, t.EDU, { after: subscriber.position() || from });
    const last = await lastKey();
    await resumed.until((p) => p.keys().includes(last), `entry ${last}`);
    expect([...subscriber.keys(), ...resumed.keys()]).toEqual((await logAfter(t.EDU, from)).map(key));
  });
});
