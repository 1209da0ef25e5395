import { createHash, hash } from 'node:crypto';
import { DEPARTMENTS, type Department } from '../auth/identity';
import { SensitiveReadCollector } from '../audit/sensitive-read.collector';
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

/**
 * A projected entry's hashable form: the SHA-256 of its canonical JSON, its time in ISO form. Its
 * chain is part of it (an entry is (chain, seq) now), except in a notice issued over the global
 * chain alone (`legacy`), whose content hash was computed over entries that had no chain.
 */
export function entryDigest(entry: ChangeLogEntryType, legacy = false): Buffer {
  if (legacy) {
    const { chain: _, ...withoutChain } = entry;
    return hash('sha256', canonicalJson({ ...withoutChain, at: entry.at.toISOString() }), 'buffer');
  }
  return hash('sha256', entryJson(entry), 'buffer');
}

const ENTRY_KEYS = new Set([
  'chain', 'seq', 'at', 'actorSub', 'actorDept', 'actorRegion', 'operation', 'entity', 'entityLabel', 'entityId', 'childId', 'hukouRegion', 'residenceRegion',
  'version', 'changes', 'mutation', 'reason', 'requestId',
]);
const CHANGE_KEYS = new Set(['field', 'label', 'before', 'after']);
const plain = (value: unknown) => value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** Exactly the keys of `keys`, each holding a string, a finite number, a boolean or null; an entry's `at` a Date and its `changes` regular changes. */
function regular(value: unknown, keys: ReadonlySet<string>): boolean {
  if (value === null || typeof value !== 'object') return false;
  let count = 0;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (!keys.has(key) || !Object.prototype.hasOwnProperty.call(value, key)) return false;
    count++;
    if (keys === ENTRY_KEYS && key === 'at') {
      if (!(v instanceof Date)) return false;
    } else if (keys === ENTRY_KEYS && key === 'changes') {
      if (!Array.isArray(v)) return false;
      for (const change of v) if (!regular(change, CHANGE_KEYS)) return false;
    } else if (!plain(v)) return false;
  }
  return count === keys.size;
}

const json = JSON.stringify;
/** JSON of the values entries repeat (departments, regions, entity and field names and labels), kept. */
const repeated = new Map<unknown, string>();
function known(value: unknown): string {
  let text = repeated.get(value);
  if (text === undefined) {
    text = json(value);
    if (repeated.size < 10_000) repeated.set(value, text);
  }
  return text;
}

/**
 * Exactly `canonicalJson({ ...entry, at: entry.at.toISOString() })`, written out for the one shape a
 * projected entry has (keys in sorted order, each value through JSON.stringify as canonicalJson
 * does), because a month holds a million entries and canonicalJson sorts every object's keys anew.
 * Anything of another shape, or holding an undefined value, goes through canonicalJson itself;
 * notice.content.spec.ts holds the two to the same bytes.
 */
export function entryJson(entry: ChangeLogEntryType): string {
  if (!regular(entry, ENTRY_KEYS)) return canonicalJson({ ...entry, at: entry.at.toISOString() });
  let changes = '';
  for (const c of entry.changes) {
    changes += `${changes ? ',' : ''}{"after":${json(c.after)},"before":${json(c.before)},"field":${known(c.field)},"label":${known(c.label)}}`;
  }
  return `{"actorDept":${known(entry.actorDept)},"actorRegion":${known(entry.actorRegion)},"actorSub":${json(entry.actorSub)},"at":"${entry.at.toISOString()}",`
    + `"chain":${known(entry.chain)},"changes":[${changes}],"childId":${json(entry.childId)},"entity":${known(entry.entity)},"entityId":${json(entry.entityId)},`
    + `"entityLabel":${known(entry.entityLabel)},"hukouRegion":${known(entry.hukouRegion)},"mutation":${known(entry.mutation)},`
    + `"operation":${known(entry.operation)},"reason":${json(entry.reason)},"requestId":${json(entry.requestId)},`
    + `"residenceRegion":${known(entry.residenceRegion)},"seq":${json(entry.seq)},"version":${json(entry.version)}}`;
}

const RETURN_STATUSES = new Set(['"ENROLLED"', '"MAINSTREAM_INCLUSION"', '"SPECIAL_SCHOOL"']);
/** Final states: a deferral or suspension is not a closure, the case comes back. */
const CLOSED_CASE = new Set(['"RETURNED"', '"PLACED"', '"CLOSED_NOT_DROPOUT"']);

/** The discrepancy counts a notice's summary carries (notice.discrepancies.ts); absent from notices issued before discrepancies were. */
export interface NoticeDiscrepancyCounts {
  new: number;
  resolved: number;
  explained: number;
  overdue: number;
}

/** The supervision-action counts a notice's summary carries (notice.actions.ts); absent from notices issued before actions were. */
export interface NoticeActionCounts {
  opened: number;
  closed: number;
  overdue: number;
}

export interface NoticeSummary {
  entries: number;
  byEntity: Record<string, Record<string, number>>;
  newChildren: number;
  newDropoutCases: Record<string, number>;
  returnsToSchool: number;
  /** Dropout cases closed, by their reason (looked up while issuing). */
  closuresByReason: Record<string, number>;
  /** Children on special-group rosters whose school status changed; null when the recipient may not know the rosters. */
  specialGroupStatusChanges: number | null;
  /** The discrepancies of the period the recipient may see (notice.discrepancies.ts); absent from notices issued before they were. */
  discrepancies?: NoticeDiscrepancyCounts;
  /** The supervision actions of the period routed to the recipient (notice.actions.ts); absent from notices issued before they were. */
  actions?: NoticeActionCounts;
}

/** What one entry, as a recipient is told it, adds to the summary: read once per view, added to every notice that lists it. */
export interface EntryFacts {
  readonly entity: string;
  readonly operation: string;
  readonly newChild: boolean;
  /** The reason of the dropout case it opens, or null. */
  readonly caseOpened: string | null;
  /** The dropout case it closes (its reason is the case's), or null. */
  readonly caseClosed: string | null;
  readonly returnToSchool: boolean;
}

export function entryFacts(entry: ChangeLogEntryType): EntryFacts {
  const change = (field: string) => entry.changes.find((c) => c.field === field);
  const status = change('status');
  let caseOpened: string | null = null;
  if (entry.entity === 'DropoutCase' && entry.operation === 'CREATE') {
    const reason = change('reason')?.after;
    caseOpened = reason ? String(JSON.parse(reason)) : 'UNKNOWN';
  }
  return {
    entity: entry.entity,
    operation: entry.operation,
    newChild: entry.entity === 'Child' && entry.operation === 'CREATE',
    caseOpened,
    caseClosed: entry.entity === 'DropoutCase' && entry.operation === 'UPDATE' && !!status?.after && CLOSED_CASE.has(status.after) ? entry.entityId : null,
    returnToSchool: entry.entity === 'EducationRecord' && entry.operation === 'UPDATE' && status?.before === '"DROPPED_OUT"' && !!status.after && RETURN_STATUSES.has(status.after),
  };
}

/** What a kind of entry adds to a summary: its facts, a closed case by its reason. */
interface EntryKind extends Omit<EntryFacts, 'caseClosed'> {
  readonly closureReason: string | null;
}

/** Kinds of entries, numbered: a notice counts its entries by kind and sums them into its summary once, at the end. */
export class EntryKinds {
  private readonly ids = new Map<string, number>();
  private readonly kinds: EntryKind[] = [];

  /** The number of the kind `facts` belong to; a closure is counted under its case's reason (UNKNOWN when none is known). */
  of(facts: EntryFacts, closureReason: string | null): number {
    const closure = facts.caseClosed === null ? null : (closureReason ?? 'UNKNOWN');
    const text = (value: string | null) => (value === null ? '-' : `=${value}`);
    const key = `${facts.entity}\n${facts.operation}\n${facts.newChild}\n${facts.returnToSchool}\n${text(facts.caseOpened)}\n${text(closure)}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      const { caseClosed: _, ...kind } = facts;
      id = this.kinds.push({ ...kind, closureReason: closure }) - 1;
      this.ids.set(key, id);
    }
    return id;
  }

  get(id: number): EntryKind {
    return this.kinds[id];
  }
}

/** Entry digests hashed together in blocks: one hash update per 256 entries rather than per entry. */
const DIGESTS_PER_BLOCK = 256;
const DIGEST_BYTES = 32;

/** What a notice is made of, gathered in one pass over its entries. */
export class NoticeAccumulator {
  entries = 0;
  /** Filled in after the pass (see NoticeIssue). */
  specialGroupStatusChanges: number | null = null;
  private readonly counts: number[] = [];
  private readonly digest = createHash('sha256');
  private readonly block = Buffer.allocUnsafe(DIGESTS_PER_BLOCK * DIGEST_BYTES);
  private filled = 0;

  /**
   * `after`: the last entry of the chain being read that the recipient's previous notice covered;
   * only later entries are added (set anew for each chain, see NoticeIssue).
   * `kinds`: shared by the notices of one issue, so that an entry's kind is found once for all of them.
   */
  constructor(public after = 0, private readonly kinds = new EntryKinds()) {}

  add(entry: ChangeLogEntryType, digest: Buffer): void {
    this.addKind(this.kinds.of(entryFacts(entry), null), digest);
  }

  /** Adds an entry of a kind numbered by this accumulator's `kinds`, with its digest. */
  addKind(kind: number, digest: Buffer): void {
    this.block.set(digest, this.filled);
    this.filled += DIGEST_BYTES;
    if (this.filled === this.block.length) this.flush();
    this.entries++;
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  summary(): NoticeSummary {
    const s: NoticeSummary = {
      entries: this.entries, byEntity: {}, newChildren: 0, newDropoutCases: {}, returnsToSchool: 0, closuresByReason: {}, specialGroupStatusChanges: this.specialGroupStatusChanges,
    };
    this.counts.forEach((n, id) => {
      const kind = this.kinds.get(id);
      const byOp = (s.byEntity[kind.entity] ??= {});
      byOp[kind.operation] = (byOp[kind.operation] ?? 0) + n;
      if (kind.newChild) s.newChildren += n;
      if (kind.caseOpened !== null) s.newDropoutCases[kind.caseOpened] = (s.newDropoutCases[kind.caseOpened] ?? 0) + n;
      if (kind.closureReason !== null) s.closuresByReason[kind.closureReason] = (s.closuresByReason[kind.closureReason] ?? 0) + n;
      if (kind.returnToSchool) s.returnsToSchool += n;
    });
    return s;
  }

  private flush(): void {
    this.digest.update(this.block.subarray(0, this.filled));
    this.filled = 0;
  }

  /** The hash of everything the recipient was told, in order: SHA-256 over the entries' digests one after another. */
  entriesDigest(): string {
    this.flush();
    return this.digest.digest('hex');
  }
}

/**
 * The hash a notice is frozen by; `discrepanciesDigest` covers its discrepancy lines and
 * `actionsDigest` its supervision-action lines (notices issued before either have none, and hash as they did).
 */
export function contentHash(header: Record<string, unknown>, summary: NoticeSummary, entriesDigest: string, discrepanciesDigest?: string, actionsDigest?: string): string {
  return createHash('sha256').update(canonicalJson({
    header, summary, entriesDigest, ...(discrepanciesDigest === undefined ? {} : { discrepanciesDigest }), ...(actionsDigest === undefined ? {} : { actionsDigest }),
  })).digest('hex');
}
