import type { EntityManager } from '@mikro-orm/postgresql';
import { projectEntry } from '../changelog/change-log.projection';
import { regions } from '../regions/region.registry';
import { allRecipients, entryDigest, entryFacts, EntryKinds, NoticeAccumulator, type Recipient, recipientKey, recipientReader } from './notice.content';
import { NoticeIssue } from './notice.issue';
import { type ChainRanges, compareChains, nextRanges } from './notice.ranges';
import { registerModules } from '../app/modules';

// The entities the change log records are registered at start, as every entry point does.
registerModules();

/**
 * A small, varied month: every kind of entry, children living across county and city lines, writers of every department;
 * the first `global` entries on the frozen global chain, the rest on their child's residence county's chain.
 */
function month(count: number, global: number): Array<Record<string, unknown>> {
  const heads = new Map<string, number>();
  const counties = ['350102', '350103', '350203', '350583', '350781'];
  const depts = ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF', 'TOWNSHIP'];
  const kinds: Array<[string, string, Record<string, { before: unknown; after: unknown }>]> = [
    ['Child', 'CREATE', { idNumber: { before: null, after: '350102201001011234' }, name: { before: null, after: '张三' }, gender: { before: null, after: 'MALE' } }],
    ['EducationRecord', 'UPDATE', { status: { before: 'DROPPED_OUT', after: 'ENROLLED' } }],
    ['EducationRecord', 'UPDATE', { status: { before: 'ENROLLED', after: 'SUSPENDED' }, grade: { before: 3, after: 4 } }],
    ['HealthRecord', 'CREATE', { seriousIllness: { before: null, after: true }, diagnosisSummary: { before: null, after: '肾病' } }],
    ['HealthRecord', 'UPDATE', { diagnosisSummary: { before: 'a', after: 'b' } }],
    ['HealthRecord', 'CREATE', { diagnosisSummary: { before: null, after: '哮喘' } }],
    ['DisabilityRecord', 'UPDATE', { certificateNo: { before: null, after: '35010219990101124311' } }],
    ['PovertyRecord', 'UPDATE', { householdId: { before: 'a', after: 'b' } }],
    ['CivilAffairsRecord', 'UPDATE', { leftBehind: { before: false, after: true } }],
    ['DropoutCase', 'CREATE', { reason: { before: null, after: 'ILLNESS' }, status: { before: null, after: 'OPEN' } }],
    ['DropoutCase', 'UPDATE', { status: { before: 'PERSUADING', after: 'RETURNED' } }],
    ['Assessment', 'CREATE', { decision: { before: null, after: 'DEFER' } }],
    ['Child', 'DELETE', {}],
  ];
  const caseIds = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'not-a-uuid'];
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const seq = n;
    const [entity, operation, changes] = kinds[(seq * 7) % kinds.length];
    const hukou = counties[seq % counties.length];
    const residence = seq % 4 === 0 ? counties[(seq + 2) % counties.length] : hukou;
    const chain = n <= global ? 'global' : residence;
    heads.set(chain, (heads.get(chain) ?? 0) + 1);
    return {
      chain, seq: String(heads.get(chain)), at: new Date(Date.UTC(2026, 9, 1) + seq * 1000), actor_sub: `u${seq % 3}`, actor_dept: depts[(seq * 3) % depts.length], actor_region: hukou,
      operation, entity, entity_id: entity === 'DropoutCase' ? caseIds[seq % caseIds.length] : `e${seq}`, child_id: seq % 17 === 0 ? null : `c${seq % 40}`,
      hukou_region: hukou, residence_region: residence, version: 2, changes, mutation: 'm', reason: seq % 5 ? null : '核实',
      request_id: `r${seq}`,
    };
  });
}

/** The log as the issuing statements see it (keyset batches, case reasons, roster groups). */
function fakeEm(rows: Array<Record<string, unknown>>): EntityManager {
  return {
    async execute(sql: string, params: unknown[]) {
      if (sql.includes('FROM hub.change_log WHERE chain = ? AND seq > ?')) {
        const [chain, after, toSeq, limit] = params as [string, number, number, number];
        return rows.filter((r) => r.chain === chain && Number(r.seq) > after && Number(r.seq) <= toSeq && r.child_id !== null).slice(0, limit);
      }
      if (sql.includes('edu.dropout_case')) return [{ id: '00000000-0000-4000-8000-000000000001', reason: 'ILLNESS' }];
      if (sql.includes('civil.civil_affairs_record')) return [{ hukou: '350102', residence: '350203', depts: ['EDU'], n: 2 }, { hukou: '350583', residence: '350583', depts: ['CIVIL', 'PSB'], n: 1 }];
      throw new Error(`unexpected statement ${sql}`);
    },
  } as unknown as EntityManager;
}

/** What `verify` recomputes for one notice: the recipient's own projection of each entry in its range and region. */
function reference(rows: Array<Record<string, unknown>>, r: Recipient, ranges: ChainRanges, kinds: EntryKinds): NoticeAccumulator {
  const reader = recipientReader(r);
  const acc = new NoticeAccumulator(0, kinds);
  const inOrder = [...rows].sort((a, b) => compareChains(a.chain as string, b.chain as string) || Number(a.seq) - Number(b.seq));
  for (const row of inOrder) {
    const [from, to] = ranges[row.chain as string] ?? [0, 0];
    if (Number(row.seq) <= from || Number(row.seq) > to || row.child_id === null || row.actor_dept === r.dept) continue;
    if (reader.counties && !reader.counties.includes(row.hukou_region as string) && !reader.counties.includes(row.residence_region as string)) continue;
    const entry = projectEntry(row, reader);
    if (!entry) continue;
    const facts = entryFacts(entry);
    const reason = facts.caseClosed === '00000000-0000-4000-8000-000000000001' ? 'ILLNESS' : null;
    acc.addKind(kinds.of(facts, reason), entryDigest(entry));
  }
  return acc;
}

describe('issuing a month in one pass', () => {
  // 200 entries from before per-county chains, 200 after them, and 30 more written while the month was issued (after the cut).
  const rows = month(430, 200);
  const cut = new Map<string, number>();
  for (const row of rows.slice(0, 400)) cut.set(row.chain as string, Number(row.seq));
  const recipients = allRecipients();
  // Some recipients were told up to global entry 120 last month (before the switch), the others were never told anything.
  const rangesOf = (r: Recipient) => nextRanges(r.region.startsWith('3502') ? { global: [0, 120] } : undefined, cut);

  it.each([1, 7, 10_000])('tells every recipient what its own projection of its range tells it, in batches of %i', async (batchSize) => {
    const pass = new NoticeIssue(recipients, rangesOf, batchSize);
    await pass.run(fakeEm(rows));
    const kinds = new EntryKinds();
    let told = 0;
    for (const r of recipients) {
      const issued = pass.accumulators.get(recipientKey(r))!;
      const expected = reference(rows, r, rangesOf(r), kinds);
      const { specialGroupStatusChanges: _, ...summary } = issued.summary();
      const { specialGroupStatusChanges: __, ...expectedSummary } = expected.summary();
      expect([recipientKey(r), summary]).toEqual([recipientKey(r), expectedSummary]);
      expect([recipientKey(r), issued.entriesDigest()]).toEqual([recipientKey(r), expected.entriesDigest()]);
      told += issued.entries;
    }
    expect(told).toBeGreaterThan(1000);
  });

  it('counts roster children whose status another department changed, for departments that may know the rosters', async () => {
    const pass = new NoticeIssue(recipients, (r) => nextRanges(undefined, cut));
    await pass.run(fakeEm(rows));
    const count = (dept: string, region: string) => pass.accumulators.get(`${dept}/${region}`)!.specialGroupStatusChanges;
    // Education changed the first group's status: education is not told of its own changes.
    expect([count('EDU', '350102'), count('CIVIL', '350102'), count('CIVIL', '350203'), count('CIVIL', '350200'), count('CIVIL', '350000')]).toEqual([0, 2, 2, 2, 3]);
    expect([count('EDU', '350583'), count('PSB', '350583')]).toEqual([1, null]);
    expect(regions.get('350583')?.parentCode).toBe('350500');
  });
});
