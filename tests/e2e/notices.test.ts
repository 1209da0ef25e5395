import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

const ISSUE = 'mutation($p: String!) { issueMonthlyNotices(period: $p) { period count issuedNow } }';
const LIST = `query($f: ExchangeNoticeFilter, $first: Int) { exchangeNotices(filter: $f, first: $first) { nodes { id number dept region { code } fromSeq toSeq entryCount: summary { entries } acknowledgedAt overdue } pageInfo { hasNextPage } } }`;
const NOTICE = `query($id: ID!) { exchangeNotice(id: $id) {
  id number period dept fromSeq toSeq chainRanges { chain fromSeq toSeq } rootSeq contentHash chainHeadHash acknowledgedBy remarks
  summary { entries newChildren returnsToSchool specialGroupStatusChanges byEntityAndOperation { key label count } }
  verification { contentHashOk chainHeadOk }
  entries(first: 100) { nodes { chain seq entity operation actorDept childId changes { field label before after } } pageInfo { hasNextPage } }
} }`;

const gulouA = childInput({ name: '方晓东' });
const gulouB = childInput({ name: '邱美玲', gender: 'FEMALE' });
const taijiang = childInput({ hukouRegion: '350103', name: '江河' });

async function notice(token: string, number: string) {
  const list = await hub.gql(LIST, { f: {}, first: 100 }, token);
  expect(list.body.errors).toBeUndefined();
  const found = (list.body.data as any).exchangeNotices.nodes.find((n: any) => n.number === number);
  if (!found) return null;
  const res = await hub.gql(NOTICE, { id: found.id }, token);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as any).exchangeNotice;
}
const write = async (token: string, mutation: string, type: string, records: unknown[]) => {
  const res = await hub.gql(`mutation($r: [${type}!]!) { ${mutation}(records: $r) { replayed } }`, { r: records }, token);
  expect(res.body.errors).toBeUndefined();
};

beforeAll(async () => {
  // December: October and November have ended, so both may be issued.
  hub = await startTestHub({ today: '2026-12-01' });
  for (const [name, dept, region, roles] of [
    ['edu', 'EDU', '350102', 'clerk'], ['psb', 'PSB', '350100', 'clerk'], ['civil', 'CIVIL', '350102', 'clerk'], ['health', 'HEALTH', '350102', 'clerk'],
    ['eduLiaison', 'EDU', '350102', 'liaison'], ['civilLiaison', 'CIVIL', '350102', 'liaison'], ['psbLiaison', 'PSB', '350102', 'liaison'],
    ['eduLiaisonTaijiang', 'EDU', '350103', 'liaison'], ['province', 'EDU', '350000', 'supervisor'], ['fuzhou', 'EDU', '350100', 'supervisor'],
  ] as const) t[name] = await hub.token({ dept, region, roles: [roles], sub: name });
  expect((await hub.gql(REGISTER, { records: [gulouA, gulouB, taijiang] }, t.psb)).body.errors).toBeUndefined();
  await write(t.edu, 'upsertEducationRecords', 'EducationRecordInput', [{ childId: gulouA.id, status: 'DROPPED_OUT' }, { childId: gulouB.id, status: 'ENROLLED' }]);
  await write(t.civil, 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', [{ childId: gulouA.id, leftBehind: true }]);
  await write(t.health, 'upsertHealthRecords', 'HealthRecordInput', [{ childId: gulouB.id, seriousIllness: true, diagnosisSummary: '肾病综合征' }]);
  await write(t.edu, 'upsertEducationRecords', 'EducationRecordInput', [{ childId: gulouA.id, status: 'ENROLLED', expectedVersion: 1 }]);
});
afterAll(() => hub?.stop());

describe('issuing a month', () => {
  it('is for provincial supervisors only', async () => {
    expect(codes(await hub.gql(ISSUE, { p: '2026-10' }, t.fuzhou))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(ISSUE, { p: '2026-10' }, t.edu))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(ISSUE, { p: '2026-13' }, t.province))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a month that has not ended (China Standard Time), writing nothing, so a typo cannot shut out the real months', async () => {
    for (const p of ['2099-12', '2026-12', '2027-01']) {
      const refused = await hub.gql(ISSUE, { p }, t.province);
      expect(refused.body.data).toBeNull();
      expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'period' }] });
      expect(refused.body.errors?.[0].message).toMatch(/尚未结束.*has not ended yet: today is 2026-12-01/);
    }
    expect(await hub.sql('SELECT number FROM hub.exchange_notice')).toEqual([]);
  });

  it('issues one notice per department and region, and again returns the same ones', async () => {
    const first = await hub.gql(ISSUE, { p: '2026-10' }, t.province);
    expect((first.body.data as any).issueMonthlyNotices).toEqual({ period: '2026-10', count: 6 * 94, issuedNow: true });
    const hashes = await hub.sql('SELECT number, content_hash FROM hub.exchange_notice ORDER BY number');
    const again = await hub.gql(ISSUE, { p: '2026-10' }, t.province);
    expect((again.body.data as any).issueMonthlyNotices).toEqual({ period: '2026-10', count: 6 * 94, issuedNow: false });
    expect(await hub.sql('SELECT number, content_hash FROM hub.exchange_notice ORDER BY number')).toEqual(hashes);
  });

  it('tells education what the other departments changed, and nothing of its own', async () => {
    const n = await notice(t.eduLiaison, '2026-10/350102/EDU');
    expect(n.entries.nodes.map((e: any) => e.actorDept)).not.toContain('EDU');
    expect(n.entries.nodes.map((e: any) => `${e.actorDept} ${e.entity} ${e.operation}`).sort()).toEqual(
      ['PSB Child CREATE', 'PSB Child CREATE', 'CIVIL CivilAffairsRecord CREATE', 'HEALTH HealthRecord CREATE'].sort(),
    );
    expect(JSON.stringify(n)).not.toContain('肾病综合征');
    expect(n.summary).toMatchObject({ entries: 4, newChildren: 2 });
    expect(n.verification).toEqual({ contentHashOk: true, chainHeadOk: true });
  });

  it('tells civil affairs of school-status changes and returns, through its own permissions', async () => {
    const n = await notice(t.civilLiaison, '2026-10/350102/CIVIL');
    expect(n.entries.nodes.some((e: any) => e.entity === 'HealthRecord')).toBe(false);
    const registered = n.entries.nodes.find((e: any) => e.entity === 'Child' && e.childId === gulouA.id);
    expect(registered.changes.find((c: any) => c.field === 'idNumber').after).toMatch(/^"\d{6}\*{12}"$/);
    expect(n.summary.returnsToSchool).toBe(1);
    expect(n.summary.specialGroupStatusChanges).toBe(1);
    expect(n.summary.byEntityAndOperation).toContainEqual({ key: 'EducationRecord/UPDATE', label: '教育记录 修改 updated', count: 1 });
  });

  it('counts over exactly what the notice lists, and every visible entry lands in exactly one notice of a recipient', async () => {
    const psb = await notice(t.psbLiaison, '2026-10/350102/PSB');
    expect(psb.summary.entries).toBe(psb.entries.nodes.length);
    expect(psb.summary.specialGroupStatusChanges).toBeNull();
    // Ordered by chain then seq (every child here lives in Gulou, whose chain holds their entries).
    const log = await hub.sql<{ chain: string; seq: string; actor_dept: string; entity: string }>(
      `SELECT chain, seq, actor_dept, entity FROM hub.change_log WHERE child_id IS NOT NULL AND (hukou_region = '350102' OR residence_region = '350102') ORDER BY chain, seq`);
    const visibleToPsb = log.filter((e) => e.actor_dept !== 'PSB' && ['Child', 'EducationRecord', 'PublicSecurityRecord', 'DropoutCase'].includes(e.entity)).map((e) => `${e.chain}:${e.seq}`);
    expect(psb.entries.nodes.map((e: any) => `${e.chain}:${e.seq}`)).toEqual(visibleToPsb);
  });

  it('sends a county with no changes a notice that says so', async () => {
    const n = await notice(t.province, '2026-10/350203/EDU');
    expect(n.summary.entries).toBe(0);
    expect(n.entries.nodes).toEqual([]);
    expect(n.verification).toEqual({ contentHashOk: true, chainHeadOk: true });
  });

  it('detects a notice altered after issue', async () => {
    const [row] = await hub.sql<{ summary: unknown }>(`SELECT summary FROM hub.exchange_notice WHERE number = '2026-10/350102/EDU'`);
    await hub.sql(`UPDATE hub.exchange_notice SET summary = jsonb_set(summary, '{newChildren}', '7') WHERE number = '2026-10/350102/EDU'`);
    try {
      expect((await notice(t.eduLiaison, '2026-10/350102/EDU')).verification.contentHashOk).toBe(false);
    } finally {
      await hub.sql(`UPDATE hub.exchange_notice SET summary = $1 WHERE number = '2026-10/350102/EDU'`, [JSON.stringify(row.summary)]);
    }
  });

  it('puts a change made after issuing into the next period, and refuses to issue an earlier one', async () => {
    const before = await notice(t.eduLiaison, '2026-10/350102/EDU');
    await write(t.civil, 'upsertCivilAffairsRecords', 'CivilAffairsRecordInput', [{ childId: gulouB.id, orphan: true }]);
    expect((await hub.gql(ISSUE, { p: '2026-11' }, t.province)).body.errors).toBeUndefined();
    const next = await notice(t.eduLiaison, '2026-11/350102/EDU');
    // Every chain starts where the previous notice ended it.
    const ends = Object.fromEntries(before.chainRanges.map((r: any) => [r.chain, r.toSeq]));
    expect(next.chainRanges.map((r: any) => [r.chain, r.fromSeq])).toEqual(before.chainRanges.map((r: any) => [r.chain, ends[r.chain]]));
    expect(next.fromSeq).toBe(before.toSeq);
    expect(next.entries.nodes.map((e: any) => e.entity)).toEqual(['CivilAffairsRecord']);
    expect(codes(await hub.gql(ISSUE, { p: '2026-09' }, t.province))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('reading and acknowledging', () => {
  it('shows a liaison only its own department\'s notices in its region; a supervisor all in its region', async () => {
    const mine = (await hub.gql(LIST, { f: { period: '2026-10' }, first: 100 }, t.eduLiaison)).body.data as any;
    expect(mine.exchangeNotices.nodes.map((n: any) => n.number)).toEqual(['2026-10/350102/EDU']);
    const fuzhou = (await hub.gql(LIST, { f: { period: '2026-10' }, first: 100 }, t.fuzhou)).body.data as any;
    expect(fuzhou.exchangeNotices.nodes.every((n: any) => n.region.code.startsWith('3501'))).toBe(true);
    // Fuzhou itself and its 13 counties, for each of the six departments.
    expect(fuzhou.exchangeNotices.nodes).toHaveLength(6 * 14);
    expect(codes(await hub.gql(LIST, {}, t.edu))).toEqual(['FORBIDDEN']);
    const other = (await hub.gql(LIST, { f: { period: '2026-10' } }, t.psbLiaison)).body.data as any;
    const id = other.exchangeNotices.nodes[0].id;
    expect(codes(await hub.gql(NOTICE, { id }, t.eduLiaison))).toEqual(['NOT_FOUND']);
  });

  it('is acknowledged once, by a liaison of its department and region, as a change-log entry', async () => {
    const n = await notice(t.eduLiaison, '2026-10/350102/EDU');
    const ACK = 'mutation($id: ID!, $r: String) { acknowledgeNotice(id: $id, remarks: $r) { acknowledgedBy remarks acknowledgedAt } }';
    expect(codes(await hub.gql(ACK, { id: n.id }, t.edu))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.gql(ACK, { id: n.id }, t.psbLiaison))).toEqual(['NOT_FOUND']);
    const ok = await hub.gql(ACK, { id: n.id, r: '已核对，无异议' }, t.eduLiaison);
    expect((ok.body.data as any).acknowledgeNotice).toMatchObject({ acknowledgedBy: 'eduLiaison', remarks: '已核对，无异议' });
    expect(codes(await hub.gql(ACK, { id: n.id }, t.eduLiaison))).toEqual(['CONFLICT']);
    const log = await hub.gql('{ changeLog(filter: { entity: "ExchangeNotice" }) { edges { node { actorSub operation changes { field after } } } } }', {}, t.eduLiaison);
    expect((log.body.data as any).changeLog.edges.map((e: any) => e.node.actorSub)).toEqual(['eduLiaison']);
    const psbLog = await hub.gql('{ changeLog(filter: { entity: "ExchangeNotice" }) { edges { node { actorSub } } } }', {}, t.psbLiaison);
    expect((psbLog.body.data as any).changeLog.edges).toEqual([]);
    const verify = await hub.gql('{ verifyChangeLog { ok } }', {}, t.province);
    expect((verify.body.data as any).verifyChangeLog.ok).toBe(true);
  });

  it('shows supervisors the notices still unacknowledged after ten days', async () => {
    await hub.sql(`UPDATE hub.exchange_notice SET issued_at = now() - interval '11 days' WHERE period = '2026-10'`);
    const overdue = (await hub.gql(LIST, { f: { period: '2026-10', overdue: true, region: '350102' }, first: 10 }, t.fuzhou)).body.data as any;
    expect(overdue.exchangeNotices.nodes.map((n: any) => n.dept).sort()).toEqual(['CIVIL', 'DPF', 'HEALTH', 'POVERTY', 'PSB']);
    expect(overdue.exchangeNotices.nodes.every((n: any) => n.overdue)).toBe(true);
  });
});
