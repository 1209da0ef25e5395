import type { EntityManager } from '@mikro-orm/postgresql';
import { DEPARTMENTS, type ExchangeDepartment } from '../auth/identity';
import { loggedEntityByType } from '../changelog/catalogue';
import { projectEntry } from '../changelog/change-log.projection';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import type { Reader } from '../core/context';
import { entryDigest, entryFacts, EntryKinds, NoticeAccumulator, type Recipient, recipientKey, recipientReader, regionsOfEntry } from './notice.content';
import { type ChainRanges, chainsOf } from './notice.ranges';

/** Log entries read per statement. */
const BATCH = 10_000;

/** What projecting reads of a stored entry (its hash and chain fields are not needed to tell it). */
const COLUMNS = `chain, seq, at, actor_sub, actor_dept, actor_region, operation, entity, entity_id, child_id, hukou_region, residence_region,
  version, changes, mutation, reason, request_id`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Children on a special-group roster (left-behind, de-facto unsupported, migrant, a parent
 * in prison, orphan, subsistence allowance) whose school status changed in the range, grouped by
 * where they lived at their first change and which departments made the changes: a few hundred
 * groups however many children, counted by PostgreSQL next to the rosters.
 */
const ROSTER_STATUS_CHANGES = `
  SELECT hukou, residence, depts, count(*)::int AS n FROM (
    SELECT (array_agg(l.hukou_region ORDER BY l.at, l.seq))[1] AS hukou, (array_agg(l.residence_region ORDER BY l.at, l.seq))[1] AS residence,
      array_agg(DISTINCT l.actor_dept ORDER BY l.actor_dept) AS depts
    FROM jsonb_each(?::jsonb) AS r (chain, range)
    JOIN hub.change_log l ON l.chain = r.chain AND l.seq > (r.range ->> 0)::bigint AND l.seq <= (r.range ->> 1)::bigint
    WHERE l.child_id IS NOT NULL AND l.entity = 'EducationRecord' AND l.operation = 'UPDATE'
      AND l.changes -> 'status' NOT IN ('null', 'false', '0', '""')
      AND EXISTS (SELECT 1 FROM civil.civil_affairs_record c WHERE c.child_id = l.child_id
        AND (c.left_behind OR c.de_facto_unsupported OR c.migrant OR c.parent_imprisoned OR c.orphan OR c.subsistence_allowance))
    GROUP BY l.child_id
  ) changed GROUP BY hukou, residence, depts`;

/** An entry as a group of departments is told it: they see it alike, so it is projected and hashed once for all of them. */
export interface EntryView {
  /** Indexes into DEPARTMENTS. */
  readonly depts: readonly number[];
  readonly entry: ChangeLogEntryType;
  readonly digest: Buffer;
}

const PROVINCE = '350000';
/** A field's level as the projection tells it: written or read, the value is shown as it is. */
const shownAs = (level: string) => (level === 'W' ? 'R' : level);
/** The departments that may not learn of an entity's changes at all. */
const NOT_TOLD = 'not told';

/**
 * Projects entries for the six departments, once per distinct view. The projection depends on
 * the department only (a notice's region decides which entries it lists, not how), and two
 * departments that have the same level for the entity and for each changed field see the same
 * entry: education-status changes, most of a month, are projected once instead of five times.
 */
export class DepartmentViews {
  private readonly readers = new Map<ExchangeDepartment, Reader>();
  /** Departments grouped by what they see, by entity and changed fields. */
  private readonly groups = new Map<string, number[][]>();

  constructor() {
    // Issuing sends nothing to anyone: the reads are audited when a notice's entries are read (see `stream`).
    for (const dept of DEPARTMENTS) this.readers.set(dept, recipientReader({ dept, region: PROVINCE }));
  }

  /** The views of a stored row, leaving out its own department; none for a department that may not learn of it. */
  project(row: Record<string, any>): EntryView[] {
    const views: EntryView[] = [];
    const own = DEPARTMENTS.indexOf(row.actor_dept);
    for (const group of this.groupsFor(row.entity, Object.keys(row.changes ?? {}))) {
      const depts = group.includes(own) ? group.filter((dept) => dept !== own) : group;
      if (depts.length === 0) continue;
      const entry = projectEntry(row, this.readers.get(DEPARTMENTS[depts[0]])!);
      if (entry) views.push({ depts, entry, digest: entryDigest(entry) });
    }
    return views;
  }

  /** Forgets the sensitive reads projecting recorded (nothing was shown to anyone yet). */
  forgetReads(): void {
    for (const reader of this.readers.values()) reader.audit.clear();
  }

  private groupsFor(entity: string, fields: readonly string[]): number[][] {
    const key = `${entity}\n${fields.join('\n')}`;
    let groups = this.groups.get(key);
    if (groups) return groups;
    const logged = loggedEntityByType(entity);
    const bySignature = new Map<string, number[]>();
    for (const [index, dept] of DEPARTMENTS.entries()) {
      const access = this.readers.get(dept)!.access;
      // Whatever decides projectEntry's answer for this department: whether it sees the entity, and each field's level (W reads as R).
      const signature = !logged || !access.canRead(logged.visibleWith) ? NOT_TOLD
        : logged.visibleTo ? `dept:${dept}`
        : `fields:${fields.map((f) => (logged.fieldsShownWithEntry ? 'R' : shownAs(access.level(`${entity}.${f}`)))).join('')}`;
      const group = bySignature.get(signature);
      if (group) group.push(index);
      else bySignature.set(signature, [index]);
    }
    groups = [...bySignature.entries()].filter(([signature]) => signature !== NOT_TOLD).map(([, depts]) => depts);
    if (this.groups.size > 10_000) this.groups.clear();
    this.groups.set(key, groups);
    return groups;
  }
}

/**
 * One pass over the log for every notice of a month, in keyset batches: each entry is projected
 * once per distinct department view, routed to the notices of the regions its child concerns,
 * and added to their running summaries and digests. Nothing but one batch and the 564 running
 * summaries is held, whatever the size of the month.
 */
export class NoticeIssue {
  readonly accumulators = new Map<string, NoticeAccumulator>();
  private readonly kinds = new EntryKinds();
  private readonly views = new DepartmentViews();
  /** By the child's hukou and residence county: for each department (in DEPARTMENTS' order), the notices listing the entry. */
  private readonly routes = new Map<string, NoticeAccumulator[][]>();

  constructor(
    private readonly recipients: readonly Recipient[],
    /** Each recipient's ranges: its previous notice's ends up to the cut (see nextRanges). */
    private readonly rangesOf: (recipient: Recipient) => ChainRanges,
    private readonly batchSize = BATCH,
  ) {
    for (const r of recipients) this.accumulators.set(recipientKey(r), new NoticeAccumulator(0, this.kinds));
  }

  /**
   * Reads every chain's entries after the earliest recipient's previous notice up to the cut, chain
   * by chain in notice order (see compareChains), and the roster counts over the same ranges.
   */
  async run(em: EntityManager): Promise<void> {
    const widest = this.widestRanges();
    const chains = chainsOf(widest).filter((chain) => widest[chain][0] < widest[chain][1]);
    type Batch = { readonly chain: number; readonly rows: Promise<Array<Record<string, any>>> };
    const read = (chain: number, after: number): Batch => ({
      chain,
      rows: em.execute(`SELECT ${COLUMNS} FROM hub.change_log WHERE chain = ? AND seq > ? AND seq <= ? AND child_id IS NOT NULL ORDER BY seq LIMIT ?`,
        [chains[chain], after, widest[chains[chain]][1], this.batchSize]),
    });
    /** The batch after `rows` of `chain`: the rest of that chain, else the next chain's first. */
    const following = (chain: number, rows: ReadonlyArray<Record<string, any>>): Batch | null => {
      const to = widest[chains[chain]][1];
      const last = rows.length ? Number(rows[rows.length - 1].seq) : to;
      if (rows.length === this.batchSize && last < to) return read(chain, last);
      return chain + 1 < chains.length ? read(chain + 1, widest[chains[chain + 1]][0]) : null;
    };
    let next: Batch | null = chains.length ? read(0, widest[chains[0]][0]) : null;
    let current = -1;
    while (next) {
      const { chain, rows: pending } = next;
      const rows = await pending;
      // The next batch, of this chain or the next, is read while this one is projected.
      next = following(chain, rows);
      next?.rows.catch(() => undefined);
      if (chain !== current) {
        current = chain;
        // A recipient is told of this chain's entries after its own previous notice's end.
        for (const r of this.recipients) this.accumulators.get(recipientKey(r))!.after = this.rangesOf(r)[chains[chain]]?.[0] ?? Number.MAX_SAFE_INTEGER;
      }
      await this.take(em, rows);
    }
    await this.countRosterStatusChanges(em, widest);
  }

  /** Per chain, from the earliest recipient's start to the cut. */
  private widestRanges(): ChainRanges {
    const widest: Record<string, [number, number]> = {};
    for (const r of this.recipients) {
      for (const [chain, [from, to]] of Object.entries(this.rangesOf(r))) {
        const range = (widest[chain] ??= [from, to]);
        range[0] = Math.min(range[0], from);
        range[1] = Math.max(range[1], to);
      }
    }
    return widest;
  }

  private async take(em: EntityManager, rows: ReadonlyArray<Record<string, any>>): Promise<void> {
    const reasons = await this.closureReasons(em, rows);
    for (const row of rows) {
      const seq = Number(row.seq);
      const route = this.route(row.hukou_region, row.residence_region);
      for (const view of this.views.project(row)) {
        const facts = entryFacts(view.entry);
        const kind = this.kinds.of(facts, facts.caseClosed === null ? null : (reasons.get(facts.caseClosed) ?? null));
        for (const dept of view.depts) {
          for (const acc of route[dept]) if (seq > acc.after) acc.addKind(kind, view.digest);
        }
      }
    }
    this.views.forgetReads();
  }

  /** The notices an entry about a child of these counties goes to, by department. */
  private route(hukou: string, residence: string): NoticeAccumulator[][] {
    const key = `${hukou}/${residence}`;
    let route = this.routes.get(key);
    if (!route) {
      const concerned = regionsOfEntry(hukou, residence);
      route = DEPARTMENTS.map((dept) => concerned.map((region) => this.accumulators.get(recipientKey({ dept, region }))).filter((a) => a !== undefined));
      this.routes.set(key, route);
    }
    return route;
  }

  /** The reasons of the dropout cases a batch may close (a closure is counted under its case's reason), looked up before the batch is projected. */
  private async closureReasons(em: EntityManager, rows: ReadonlyArray<Record<string, any>>): Promise<Map<string, string>> {
    const ids = new Set<string>();
    for (const row of rows) if (row.entity === 'DropoutCase' && row.operation === 'UPDATE' && UUID.test(row.entity_id)) ids.add(row.entity_id);
    if (ids.size === 0) return new Map();
    // An array literal: the ORM's bindings would spread a JavaScript array into a list. At most one batch of ids.
    const found: Array<{ id: string; reason: string }> = await em.execute('SELECT id::text AS id, reason FROM edu.dropout_case WHERE id = ANY(?::uuid[])', [`{${[...ids].join(',')}}`]);
    return new Map(found.map((r) => [r.id, r.reason]));
  }

  /** A department is told how many roster children changed status by another department's hand, if it may know the rosters. */
  private async countRosterStatusChanges(em: EntityManager, ranges: ChainRanges): Promise<void> {
    const reaching = Object.fromEntries(Object.entries(ranges).filter(([, [from, to]]) => from < to));
    const groups: Array<{ hukou: string; residence: string; depts: string[]; n: number }> = Object.keys(reaching).length
      ? await em.execute(ROSTER_STATUS_CHANGES, [JSON.stringify(reaching)]) : [];
    const counts = new Map<string, number>();
    for (const group of groups) {
      for (const dept of DEPARTMENTS) {
        if (!group.depts.some((d) => d !== dept)) continue;
        for (const region of regionsOfEntry(group.hukou, group.residence)) {
          const key = recipientKey({ dept, region });
          counts.set(key, (counts.get(key) ?? 0) + group.n);
        }
      }
    }
    for (const r of this.recipients) {
      const mayKnowRosters = recipientReader(r).access.canRead('CivilAffairsRecord.leftBehind');
      this.accumulators.get(recipientKey(r))!.specialGroupStatusChanges = mayKnowRosters ? (counts.get(recipientKey(r)) ?? 0) : null;
    }
  }
}
