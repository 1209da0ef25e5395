import { createHash } from 'node:crypto';
import { DEPARTMENTS } from '../auth/identity';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import { canonicalJson } from '../core/unit-of-work';
import { entryDigest, entryJson, NoticeAccumulator, recipientReader } from './notice.content';
import { DepartmentViews } from './notice.issue';
import { projectEntry } from '../changelog/change-log.projection';
import { registerModules } from '../app/modules';

// The entities the change log records are registered at start, as every entry point does.
registerModules();

const entry = (over: Partial<ChangeLogEntryType> = {}): ChangeLogEntryType => ({
  chain: '350103', seq: 42, at: new Date('2026-10-15T01:02:03.456Z'), actorSub: 'psb-1', actorDept: 'PSB', actorRegion: '350102', operation: 'CREATE',
  entity: 'Child', entityLabel: '儿童基本信息', entityId: 'e1', childId: 'c1', hukouRegion: '350102', residenceRegion: '350103', version: 1,
  changes: [{ field: 'name', label: '姓名', before: null, after: '"张*"' }, { field: 'gender', label: '性别', before: null, after: '"MALE"' }],
  mutation: 'registerChildren', reason: null, requestId: 'r-1', ...over,
});
const canonical = (e: ChangeLogEntryType) => canonicalJson({ ...e, at: e.at.toISOString() });

describe('a projected entry\'s hashable form', () => {
  it('is byte for byte canonicalJson, whatever the values', () => {
    const cases: ChangeLogEntryType[] = [
      entry(),
      entry({ reason: '家长申请 "转学"\n\\', version: null, changes: [] }),
      entry({ childId: null as never, seq: 9_007_199_254_740_991, requestId: '\u2028\u0000' }),
      entry({ reason: undefined as never, version: Number.NaN }),
      entry({ changes: [{ field: 'x', label: 'y', before: undefined as never, after: '{"a":1}' }, null as never] }),
      entry({ changes: [{ field: 'x', label: 'y', before: null, after: null, extra: true } as never] }),
      { ...entry(), surprise: { b: 1, a: [2, undefined] } } as never,
      entry({ version: { nested: true } as never }),
      entry({ version: Number.POSITIVE_INFINITY, seq: -0, actorDept: null as never, entityLabel: '"引号"\t', changes: [{ field: 'f', label: 'l', before: true as never, after: 1.5 as never }] }),
      entry({ changes: 'none' as never }),
      entry({ chain: 'global' }),
      entry({ chain: null as never }),
      entry({ chain: undefined as never }),
    ];
    for (const e of cases) expect(entryJson(e)).toBe(canonical(e));
    for (const e of cases) expect(entryDigest(e)).toEqual(createHash('sha256').update(canonical(e)).digest());
  });

  it('holds its chain, except in a notice over the global chain alone, hashed as it was issued (entries had no chain)', () => {
    const inCounty = entry({ chain: '350102' });
    expect(entryDigest(inCounty)).not.toEqual(entryDigest(entry({ chain: '350103' })));
    const { chain: _, ...withoutChain } = entry({ chain: 'global' });
    expect(entryDigest(entry({ chain: 'global' }), true)).toEqual(createHash('sha256').update(canonicalJson({ ...withoutChain, at: withoutChain.at.toISOString() })).digest());
  });
});

describe('projecting for the six departments', () => {
  const row = (over: Record<string, unknown>) => ({
    chain: '350102', seq: '7', at: new Date('2026-10-15T00:00:00Z'), actor_sub: 'x', actor_dept: 'EDU', actor_region: '350102', actor_roles: ['clerk'], operation: 'CREATE',
    entity: 'Child', entity_id: 'c1', child_id: 'c1', hukou_region: '350102', residence_region: '350102', version: 1, mutation: 'm', reason: null, request_id: 'r',
    idempotency_key: null, prev_hash: 'p', hash: 'h', changes: {}, ...over,
  });
  const rows = [
    row({ actor_dept: 'PSB', changes: { idNumber: { before: null, after: '350102201001011234' }, name: { before: null, after: '张三' } } }),
    row({ entity: 'HealthRecord', actor_dept: 'EDU', changes: { seriousIllness: { before: null, after: true }, diagnosisSummary: { before: null, after: '肾病' } } }),
    row({ entity: 'HealthRecord', operation: 'UPDATE', actor_dept: 'EDU', changes: { diagnosisSummary: { before: 'a', after: 'b' } } }),
    row({ entity: 'PovertyRecord', operation: 'UPDATE', actor_dept: 'TOWNSHIP', changes: { householdId: { before: 'a', after: 'b' }, registeredPoor: { before: false, after: true } } }),
    row({ entity: 'DisabilityRecord', operation: 'UPDATE', actor_dept: 'DPF', changes: { certificateNo: { before: null, after: '35010219990101124311' } } }),
    row({ entity: 'EducationRecord', operation: 'UPDATE', actor_dept: 'CIVIL', changes: { status: { before: 'DROPPED_OUT', after: 'ENROLLED' } } }),
    row({ entity: 'Unknown', changes: { a: { before: 1, after: 2 } } }),
    row({ entity: 'HealthRecord', actor_dept: 'HEALTH', changes: { diagnosisSummary: { before: null, after: '肾病' } } }),
    row({ entity: 'PovertyRecord', operation: 'DELETE', actor_dept: 'POVERTY', changes: { householdId: { before: 'a', after: null } } }),
    row({ entity: 'ExchangeNotice', operation: 'UPDATE', actor_dept: 'CIVIL', child_id: null, changes: { acknowledgedBy: { before: null, after: 'x' } } }),
  ];

  it('tells each department exactly what projecting for it alone tells it, and nothing of its own changes', () => {
    const views = new DepartmentViews();
    for (const r of rows) {
      const told = new Map<string, ChangeLogEntryType>();
      for (const view of views.project(r)) {
        for (const dept of view.depts) told.set(DEPARTMENTS[dept], view.entry);
        expect(view.digest).toEqual(entryDigest(view.entry));
        expect(entryJson(view.entry)).toBe(canonical(view.entry));
      }
      for (const dept of ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'] as const) {
        const alone = dept === r.actor_dept ? null : projectEntry(r, recipientReader({ dept, region: '350000' }));
        expect([dept, told.get(dept) ?? null]).toEqual([dept, alone]);
      }
    }
  });

  it('projects an education-status change once for the five departments told of it', () => {
    const views = new DepartmentViews().project(rows[5]);
    expect(views).toHaveLength(1);
    expect(views[0].depts.map((d) => DEPARTMENTS[d]).sort()).toEqual(['DPF', 'EDU', 'HEALTH', 'POVERTY', 'PSB']);
  });
});

describe('a notice\'s digest of its entries', () => {
  it('is SHA-256 over the entry digests in order, however many', () => {
    const acc = new NoticeAccumulator();
    const expected = createHash('sha256');
    for (let seq = 1; seq <= 600; seq++) {
      const e = entry({ seq });
      acc.add(e, entryDigest(e));
      expected.update(entryDigest(e));
    }
    expect(acc.entriesDigest()).toBe(expected.digest('hex'));
    expect(acc.summary()).toMatchObject({ entries: 600, newChildren: 600, byEntity: { Child: { CREATE: 600 } } });
  });
});
