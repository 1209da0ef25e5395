import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Department } from '../auth/identity';
import type { Sql } from '../db/sql';
import { regions } from '../regions/region.registry';
import { RULE_BY_CODE } from '../reconciliation/reconciliation.rules';
import { visibleRules } from '../reconciliation/reconciliation.visibility';
import { type NoticeDiscrepancyCounts, recipientReader } from './notice.content';

/**
 * The discrepancies of a notice (核实比对 in the monthly notice, issue 14 point 5): for every
 * discrepancy the recipient may see (the rules whose compared fields its department may all read,
 * in its region: as `discrepancies` answers its liaison), what happened to it in the period —
 * found (NEW), resolved (RESOLVED), explained and confirmed (EXPLAINED) — and those past their
 * deadline still open when the month closed (OVERDUE). Frozen at issue into hub.notice_discrepancy
 * by one statement in the database (no row passes through the issuing process), covered by the
 * notice's content hash, and read back in keyset batches by the exports.
 */
export const DISCREPANCY_EVENTS = ['NEW', 'RESOLVED', 'EXPLAINED', 'OVERDUE'] as const;
export type DiscrepancyEvent = (typeof DISCREPANCY_EVENTS)[number];

export const EVENT_LABELS: Readonly<Record<DiscrepancyEvent, string>> = { NEW: '新发现', RESOLVED: '已解决', EXPLAINED: '说明已确认', OVERDUE: '逾期未整改' };


export interface NoticeDiscrepancyLine {
  event: DiscrepancyEvent;
  discrepancyId: string;
  rule: string;
  childId: string;
  county: string;
  ownerDept: string;
  openedOn: string;
  deadline: string;
  eventOn: string | null;
}

/** The last day of a month `YYYY-MM`. */
export function monthEnd(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** One line as hashed: every frozen column, in a fixed order (dates as YYYY-MM-DD whatever the server's DateStyle). */
const LINE = `concat_ws('|', n.event, n.discrepancy_id::text, n.rule, n.child_id::text, n.county, n.owner_dept,
  to_char(n.opened_on, 'YYYY-MM-DD'), to_char(n.deadline, 'YYYY-MM-DD'), coalesce(to_char(n.event_on, 'YYYY-MM-DD'), ''))`;
const ORDER = 'n.event, n.discrepancy_id';

/** The SHA-256 over the lines' own SHA-256s in order, and the counts, per notice: what the content hash covers. */
const DIGESTS = `SELECT n.notice_id::text AS id,
    count(*) FILTER (WHERE n.event = 'NEW')::int AS new, count(*) FILTER (WHERE n.event = 'RESOLVED')::int AS resolved,
    count(*) FILTER (WHERE n.event = 'EXPLAINED')::int AS explained, count(*) FILTER (WHERE n.event = 'OVERDUE')::int AS overdue,
    encode(sha256(string_agg(sha256(convert_to(${LINE}, 'UTF8')), ''::bytea ORDER BY ${ORDER})), 'hex') AS digest
  FROM hub.notice_discrepancy n WHERE n.notice_id = ANY(?::uuid[]) GROUP BY n.notice_id`;

/** The digest of no lines. */
const EMPTY = createHash('sha256').update(Buffer.alloc(0)).digest('hex');
const NONE: NoticeDiscrepancyCounts = { new: 0, resolved: 0, explained: 0, overdue: 0 };

/**
 * Freezes the discrepancy lines of a month's notices, and returns each notice's counts and digest.
 * `since`: the last day of the previous period issued (events after it count), or null for the first.
 */
export async function freezeDiscrepancies(
  em: EntityManager, notices: ReadonlyArray<{ id: string; dept: Department; region: string }>, period: string, since: string | null,
): Promise<Map<string, { counts: NoticeDiscrepancyCounts; digest: string }>> {
  const rulesOf = new Map<string, string[]>();
  const recipients = notices.map((n) => {
    const rules = rulesOf.get(n.dept) ?? visibleRules(recipientReader({ dept: n.dept, region: n.region }).access);
    rulesOf.set(n.dept, rules);
    return { id: n.id, rules, counties: regions.countyCodesWithin(n.region) };
  }).filter((r) => r.rules.length > 0);
  const end = monthEnd(period);
  const after = since ?? '0001-01-01';
  await em.execute(
    `WITH ev AS (
       SELECT d.id, d.rule, d.child_id, d.county, d.owner_dept, d.opened_on, d.deadline, e.event, e.event_on
       FROM hub.discrepancy d CROSS JOIN LATERAL (VALUES
         ('NEW', d.opened_on, d.opened_on > ?::date AND d.opened_on <= ?::date),
         ('RESOLVED', d.resolved_on, d.resolved_on > ?::date AND d.resolved_on <= ?::date),
         ('EXPLAINED', d.explained_on, d.explained_on > ?::date AND d.explained_on <= ?::date),
         -- Past its deadline and neither resolved nor explained when the month closed.
         ('OVERDUE', d.deadline, d.deadline <= ?::date AND d.opened_on <= ?::date
           AND (d.resolved_on IS NULL OR d.resolved_on > ?::date) AND (d.explained_on IS NULL OR d.explained_on > ?::date))
       ) AS e (event, event_on, happened)
       WHERE e.happened
     ), recipient AS (
       SELECT r.id, c.county, r.rules FROM jsonb_to_recordset(?::jsonb) AS r (id uuid, counties text[], rules text[]) CROSS JOIN LATERAL unnest(r.counties) AS c (county)
     )
     INSERT INTO hub.notice_discrepancy (notice_id, event, discrepancy_id, rule, child_id, county, owner_dept, opened_on, deadline, event_on)
     SELECT r.id, ev.event, ev.id, ev.rule, ev.child_id, ev.county, ev.owner_dept, ev.opened_on, ev.deadline, ev.event_on
     FROM ev JOIN recipient r ON r.county = ev.county AND ev.rule = ANY(r.rules)`,
    [after, end, after, end, after, end, end, end, end, end, JSON.stringify(recipients)],
  );
  const rows: Array<NoticeDiscrepancyCounts & { id: string; digest: string }> = notices.length
    ? await em.execute(DIGESTS, [`{${notices.map((n) => n.id).join(',')}}`]) : [];
  const byId = new Map(rows.map(({ id, digest, ...counts }) => [id, { counts, digest }]));
  return new Map(notices.map((n) => [n.id, byId.get(n.id) ?? { counts: { ...NONE }, digest: EMPTY }]));
}

/** A notice's frozen lines, recounted and rehashed (verification). */
export async function discrepancyDigest(sql: Sql, noticeId: string): Promise<{ counts: NoticeDiscrepancyCounts; digest: string }> {
  const [row] = await sql.query<NoticeDiscrepancyCounts & { id: string; digest: string }>(DIGESTS.replace('?::uuid[]', 'ARRAY[$1::uuid]'), [noticeId]);
  if (!row) return { counts: { ...NONE }, digest: EMPTY };
  const { id: _, digest, ...counts } = row;
  return { counts, digest };
}

/** A notice's lines in order (event, then id), in keyset batches: a notice of any size never sits in memory. */
export async function* streamDiscrepancies(sql: Sql, noticeId: string, batch = 500): AsyncGenerator<NoticeDiscrepancyLine[]> {
  let after: [string, string] = ['', '00000000-0000-0000-0000-000000000000'];
  for (;;) {
    const rows = await sql.query<NoticeDiscrepancyLine>(
      `SELECT n.event, n.discrepancy_id::text AS "discrepancyId", n.rule, n.child_id::text AS "childId", n.county, n.owner_dept AS "ownerDept",
         to_char(n.opened_on, 'YYYY-MM-DD') AS "openedOn", to_char(n.deadline, 'YYYY-MM-DD') AS deadline, to_char(n.event_on, 'YYYY-MM-DD') AS "eventOn"
       FROM hub.notice_discrepancy n WHERE n.notice_id = $1 AND (n.event, n.discrepancy_id) > ($2, $3::uuid) ORDER BY ${ORDER} LIMIT ${batch}`,
      [noticeId, after[0], after[1]]);
    if (rows.length) yield rows;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = [last.event, last.discrepancyId];
  }
}

/** A rule's code and Chinese title, as the exports show it. */
export const ruleLabel = (code: string) => `${code} ${RULE_BY_CODE.get(code)?.title ?? ''}`.trim();
