import { createHash } from 'node:crypto';
import { DEPARTMENTS, type Department } from '../auth/identity';
import { SensitiveReadCollector } from '../audit/sensitive-read.collector';
import { projectEntry } from '../changelog/change-log.projection';
import type { ChangeLogEntryType } from '../changelog/change-log.type';
import { canonicalJson } from '../core/unit-of-work';
import type { Reader } from '../core/context';
import { accessFor, regionScope } from '../permissions/access';
import { regions } from '../regions/region.registry';

/** Who a notice is addressed to: a department in a county, or its city or provincial roll-up. */
export interface Recipient {
  readonly dept: Department;
  readonly region: string;
}

export const recipientKey = (r: Recipient) => `${r.dept}/${r.region}`;

/** Every recipient of a month: each department in each of the 84 counties, 9 cities and the province. */
export function allRecipients(): Recipient[] {
  return DEPARTMENTS.flatMap((dept) => regions.all().map((r) => ({ dept, region: r.code })));
}

/** The recipient's view: its department's liaison, over its region (二(二): what it could not query, it is not told). */
export function recipientReader(recipient: Recipient, audit = new SensitiveReadCollector()): Reader {
  const counties = regionScope({ region: recipient.region });
  return {
    identity: { sub: `notice:${recipientKey(recipient)}`, dept: recipient.dept, region: recipient.region, roles: ['liaison'] },
    access: accessFor({ dept: recipient.dept, roles: ['liaison'] }),
    counties: counties.length === regions.counties().length ? null : counties,
    township: null,
    audit,
  };
}

/** The regions an entry concerns: its child's hukou and residence counties and every region above them. */
export function regionsOfEntry(hukou: string, residence: string): string[] {
  const out = new Set<string>();
  for (const county of [hukou, residence]) {
    for (let code: string | null | undefined = county; code; code = regions.get(code)?.parentCode) out.add(code);
  }
  return [...out];
}

/** A projected entry's hashable form. */
export function entryDigest(entry: ChangeLogEntryType): Buffer {
  return createHash('sha256').update(canonicalJson({ ...entry, at: entry.at.toISOString() })).digest();
}

const RETURN_STATUSES = new Set(['"ENROLLED"', '"MAINSTREAM_INCLUSION"', '"SPECIAL_SCHOOL"']);
/** Final states: a deferral or suspension is not a closure, the case comes back. */
const CLOSED_CASE = new Set(['"RETURNED"', '"PLACED"', '"CLOSED_NOT_DROPOUT"']);

export interface NoticeSummary {
  entries: number;
  byEntity: Record<string, Record<string, number>>;
  newChildren: number;
  newDropoutCases: Record<string, number>;
  returnsToSchool: number;
  /** Dropout cases closed, by their reason (filled in after the pass). */
  closuresByReason: Record<string, number>;
  /** Children on special-group rosters whose school status changed; null when the recipient may not know the rosters. */
  specialGroupStatusChanges: number | null;
}

/**
 * Children whose school status changed in the month, kept once for all notices (not once per
 * recipient: a month of a million changes would otherwise hold tens of millions of entries):
 * where they live and which departments made the changes, one bit each.
 */
export class StatusChanges {
  private readonly children = new Map<string, { hukou: string; residence: string; depts: number }>();

  note(row: Record<string, any>): void {
    if (row.entity !== 'EducationRecord' || row.operation !== 'UPDATE' || !row.changes?.status) return;
    const known = this.children.get(row.child_id);
    const bit = 1 << DEPARTMENTS.indexOf(row.actor_dept);
    if (known) known.depts |= bit;
    else this.children.set(row.child_id, { hukou: row.hukou_region, residence: row.residence_region, depts: bit });
  }

  ids(): string[] {
    return [...this.children.keys()];
  }

  /** For each `dept/region`, how many of `children` changed status by another department's hand. */
  countsFor(children: Iterable<string>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of children) {
      const child = this.children.get(id);
      if (!child) continue;
      for (const [i, dept] of DEPARTMENTS.entries()) {
        if ((child.depts & ~(1 << i)) === 0) continue;
        for (const region of regionsOfEntry(child.hukou, child.residence)) {
          const key = `${dept}/${region}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
    }
    return counts;
  }
}

/** What a notice is made of, gathered in one pass over its entries. */
export class NoticeAccumulator {
  readonly summary: NoticeSummary = { entries: 0, byEntity: {}, newChildren: 0, newDropoutCases: {}, returnsToSchool: 0, closuresByReason: {}, specialGroupStatusChanges: null };
  readonly closedCases: string[] = [];
  private readonly digest = createHash('sha256');

  add(entry: ChangeLogEntryType, digest: Buffer): void {
    this.digest.update(digest);
    const s = this.summary;
    s.entries++;
    const byOp = (s.byEntity[entry.entity] ??= {});
    byOp[entry.operation] = (byOp[entry.operation] ?? 0) + 1;
    const change = (field: string) => entry.changes.find((c) => c.field === field);
    if (entry.entity === 'Child' && entry.operation === 'CREATE') s.newChildren++;
    if (entry.entity === 'DropoutCase') {
      if (entry.operation === 'CREATE') {
        const reason = change('reason')?.after ? JSON.parse(change('reason')!.after!) : 'UNKNOWN';
        s.newDropoutCases[reason] = (s.newDropoutCases[reason] ?? 0) + 1;
      }
      const status = change('status');
      if (entry.operation === 'UPDATE' && status?.after && CLOSED_CASE.has(status.after)) this.closedCases.push(entry.entityId);
    }
    if (entry.entity === 'EducationRecord') {
      const status = change('status');
      if (status && entry.operation === 'UPDATE' && status.before === '"DROPPED_OUT"' && status.after && RETURN_STATUSES.has(status.after)) s.returnsToSchool++;
    }
  }

  /** The hash of everything the recipient was told, in order. */
  entriesDigest(): string {
    return this.digest.digest('hex');
  }
}

export function contentHash(header: Record<string, unknown>, summary: NoticeSummary, entriesDigest: string): string {
  return createHash('sha256').update(canonicalJson({ header, summary, entriesDigest })).digest('hex');
}

/** Projects a stored row once per department (the projection depends on the department only). */
const provincialReaders = new Map<Department, Reader>();

export function projectForDepartments(row: Record<string, unknown>): Map<Department, { entry: ChangeLogEntryType; digest: Buffer } | null> {
  const out = new Map<Department, { entry: ChangeLogEntryType; digest: Buffer } | null>();
  for (const dept of DEPARTMENTS) {
    if (dept === row.actor_dept) continue;
    let reader = provincialReaders.get(dept);
    if (!reader) provincialReaders.set(dept, (reader = recipientReader({ dept, region: '350000' })));
    const entry = projectEntry(row, reader);
    out.set(dept, entry ? { entry, digest: entryDigest(entry) } : null);
  }
  return out;
}
