/**
 * A NUL or an unpaired surrogate in any string argument, inline or in a variable, is refused as
 * BAD_USER_INPUT naming the argument's path, before anything runs or is written; each request is
 * sent twice, so the answer of the compiled executor (which takes an operation from its second
 * run) is checked against graphql-js's. Over the WebSocket, a subscription is refused the same way.
 */
import { childInput, REGISTER } from '../support/fixtures';
import { subscribeInAnotherProcess } from '../support/feed';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const child = childInput();
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

const logCount = async () => Number((await hub.sql<{ n: string }>('SELECT count(*) AS n FROM hub.change_log'))[0].n);

beforeAll(async () => {
  hub = await startTestHub({ today: '2026-12-01' });
  for (const [name, dept, region, roles] of [
    ['edu', 'EDU', '350102', 'clerk'], ['eduLiaison', 'EDU', '350102', 'liaison'], ['province', 'EDU', '350000', 'supervisor'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  expect((await hub.gql(REGISTER, { records: [child] }, t.edu)).body.errors).toBeUndefined();
  expect((await hub.gql('mutation { issueMonthlyNotices(period: "2026-11") { count } }', {}, t.province)).body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

/** Sends the request twice (graphql-js, then compiled code) and expects the same refusal naming `path`. */
async function refused(query: string, variables: Record<string, unknown>, token: string, path: string): Promise<void> {
  const before = await logCount();
  const answers = [];
  for (let run = 0; run < 2; run++) {
    const res = await hub.gql(query, variables, token);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    const [error] = res.body.errors!;
    answers.push({ message: error.message, extensions: { ...error.extensions, requestId: undefined } });
  }
  expect(answers[0]).toEqual(answers[1]);
  expect(answers[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path }] });
  expect(answers[0].message).toContain(path);
  expect(await logCount()).toBe(before);
}

describe('text that is no text', () => {
  const cases: Array<[string, string, (bad: string) => Record<string, unknown>, string, string]> = [
    ['schoolName', 'mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }',
      (bad) => ({ r: [{ childId: child.id, status: 'ENROLLED' }, { childId: child.id, schoolName: bad }] }), 'edu', 'records[1].schoolName'],
    ['reason', 'mutation($r: [EducationRecordInput!]!, $why: String) { upsertEducationRecords(records: $r, reason: $why) { replayed } }',
      (bad) => ({ r: [{ childId: child.id, status: 'ENROLLED' }], why: bad }), 'edu', 'reason'],
    ['idempotencyKey', 'mutation($r: [EducationRecordInput!]!, $k: String) { upsertEducationRecords(records: $r, idempotencyKey: $k) { replayed } }',
      (bad) => ({ r: [{ childId: child.id, status: 'ENROLLED' }], k: bad }), 'edu', 'idempotencyKey'],
    ['childByIdNumber', 'query($n: String!) { childByIdNumber(idNumber: $n) { id } }', (bad) => ({ n: bad }), 'edu', 'idNumber'],
    ['changeLog actorSub', 'query($s: String) { changeLog(filter: { actorSub: $s }) { edges { cursor } } }', (bad) => ({ s: bad }), 'edu', 'filter.actorSub'],
    ['sensitiveReads actorSub', 'query($f: SensitiveReadFilter) { sensitiveReads(filter: $f) { edges { cursor } } }', (bad) => ({ f: { actorSub: bad } }), 'province', 'filter.actorSub'],
    ['registration name', REGISTER, (bad) => ({ records: [childInput({ name: bad })] }), 'edu', 'records[0].name'],
  ];
  for (const [what, query, variables, who, path] of cases) {
    it(`refuses a NUL and a lone surrogate in ${what}`, async () => {
      await refused(query, variables(NUL), t[who], path);
      await refused(query, variables(LONE), t[who], path);
    });
  }

  it('refuses them in acknowledgeNotice remarks, and in a literal written into the document', async () => {
    const [notice] = await hub.sql<{ id: string }>(`SELECT id FROM hub.exchange_notice WHERE number = '2026-11/350102/EDU'`);
    const ack = 'mutation($id: ID!, $m: String) { acknowledgeNotice(id: $id, remarks: $m) { acknowledgedBy } }';
    await refused(ack, { id: notice.id, m: NUL }, t.eduLiaison, 'remarks');
    await refused(ack, { id: notice.id, m: LONE }, t.eduLiaison, 'remarks');
    await refused('{ childByIdNumber(idNumber: "35010\\u000020160520011") { id } }', {}, t.edu, 'idNumber');
    expect(await hub.sql('SELECT acknowledged_at FROM hub.exchange_notice WHERE id = $1', [notice.id])).toEqual([{ acknowledged_at: null }]);
  });

  it('keeps text with real characters beyond the BMP (a surrogate pair) as it is', async () => {
    const res = await hub.gql('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }',
      { r: [{ childId: child.id, status: 'ENROLLED', schoolName: '𠮷野小学' }] }, t.edu);
    expect(res.body.errors).toBeUndefined();
    expect(await hub.sql('SELECT school_name FROM edu.education_record WHERE child_id = $1', [child.id])).toEqual([{ school_name: '𠮷野小学' }]);
  });

  it('refuses them in a subscription\'s arguments over the WebSocket', async () => {
    for (const bad of [NUL, LONE]) {
      const feed = subscribeInAnotherProcess(hub.url, t.edu, { filter: { entity: bad } });
      try {
        await feed.until((p) => p.events.some((e) => e.event === 'error'), 'the refusal');
        const { errors } = feed.events.find((e) => e.event === 'error')!;
        expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ path: 'filter.entity' })] }) })]);
      } finally {
        await feed.kill();
      }
    }
  });
});
