/**
 * A change-feed subscription lives no longer than its token: HTTP refuses a token from its `exp`
 * plus the clock allowance on, and at that moment the WebSocket is closed (4401, "token expired"),
 * whether or not entries are flowing. A subscriber in its own process, as a department runs one.
 */
import { CLOCK_TOLERANCE_SECONDS } from '../../src/auth/tokens';
import { childInput, REGISTER } from '../support/fixtures';
import { type FeedProcess, subscribeInAnotherProcess } from '../support/feed';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let clerk: string;
const child = childInput();
const processes: FeedProcess[] = [];
const EDU = 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }';

/** When the hub starts refusing a token: its exp plus the clock allowance, in epoch ms. */
const refusedFrom = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp + CLOCK_TOLERANCE_SECONDS) * 1000;

beforeAll(async () => {
  hub = await startTestHub();
  clerk = await hub.token({ dept: 'EDU', region: '350102' });
  expect((await hub.gql(REGISTER, { records: [child] }, clerk)).body.errors).toBeUndefined();
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await hub?.stop();
});

it('closes the subscription when its token expires, with 4401 and the reason, after delivering until then', async () => {
  // Past its exp but inside the clock allowance: accepted for about eight seconds more.
  const short = await hub.token({ dept: 'EDU', region: '350102', ttlSeconds: -(CLOCK_TOLERANCE_SECONDS - 8) });
  const until = refusedFrom(short);
  // Resume from every chain's head: only entries written from now on.
  const heads = await hub.sql<{ chain: string; seq: string }>('SELECT chain, seq FROM hub.chain_head ORDER BY chain');
  const feed = subscribeInAnotherProcess(hub.url, short, { after: heads.map((h) => `${h.chain}:${h.seq}`).join(',') });
  processes.push(feed);
  await feed.connected();
  expect((await hub.gql(EDU, { r: [{ childId: child.id, status: 'ENROLLED', grade: 4 }] }, clerk)).body.errors).toBeUndefined();
  await feed.until((p) => p.entries().length === 1, 'the entry written while the token was valid');
  expect(Date.now()).toBeLessThan(until);

  await feed.until((p) => p.events.some((e) => e.event === 'closed'), 'the connection to close at expiry', 30_000);
  const closedAt = Date.now();
  const closed = feed.events.find((e) => e.event === 'closed')!;
  expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason: '令牌已过期 Token expired' });
  expect(closedAt).toBeGreaterThanOrEqual(until);
  // HTTP refuses the token by now too.
  expect((await hub.gql('{ me { sub } }', {}, short)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  // Nothing written afterwards reaches the closed subscriber.
  expect((await hub.gql(EDU, { r: [{ childId: child.id, grade: 5, expectedVersion: 1 }] }, clerk)).body.errors).toBeUndefined();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(feed.entries()).toHaveLength(1);
});
