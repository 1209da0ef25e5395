import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Department } from '../auth/identity';
import type { Sql } from '../db/sql';
import { readableActionKinds } from '../permissions/action-access';
import type { ActionKind } from '../permissions/matrix';
import { regions } from '../regions/region.registry';
import { ACTION_KIND_LABELS } from '../supervision/supervision-action.labels';
import { type NoticeActionCounts, recipientReader } from './notice.content';

/**
 * The supervision actions of a notice (督导事项 in the monthly notice, issue 19: "all are logged and
 * appear in the right department's monthly notice"). Who is told of what:
 * - a referral (救助转介) the department it was sent to, CIVIL or POVERTY, of the child's county:
 *   that department answers it;
 * - an admonition or a correction order to guardians (批评教育、责令限期改正) and an interview of a
 *   county (约谈) education of that county: it keeps the child in school, and is the one interviewed;
 * and each city's and the province's roll-up of the same department. A recipient is told only of
 * kinds ACTION_MATRIX lets its liaison read (an intersection: a route the matrix denies sends
 * nothing), in its region, as `supervisionActions` answers that liaison.
 *
 * What happened in the period: opened (OPENED), closed or, for a referral, answered (CLOSED), and
 * past its deadline while still open (OVERDUE, on its first overdue day: the day after the
 * deadline, if not closed by the deadline). Each is an event on one day, so consecutive notices
 * (each taking the days after the previous period issued, up to its month's end) neither miss nor
 * repeat one. Frozen at issue into hub.notice_action by one statement in the database, covered by
 * the notice's content hash, read back in keyset batches by the exports.
 */
export const ACTION_EVENTS = ['OPENED', 'CLOSED', 'OVERDUE'] as const;
export type ActionEvent = (typeof ACTION_EVENTS)[number];

export const ACTION_EVENT_LABELS: Readonly<Record<ActionEvent, string>> = { OPENED: '新立', CLOSED: '办结（答复）', OVERDUE: '逾期未办结' };
export { ACTION_KIND_LABELS };

/** The department an action of each kind is reported to: education, or the department a referral was sent to. */
export const ACTION_ROUTES: Readonly<Record<ActionKind, 'EDU' | 'REFERRED_TO'>> = {
  COUNTY_INTERVIEW: 'EDU', GUARDIAN_ADMONITION: 'EDU', CORRECTION_ORDER: 'EDU', ASSISTANCE_REFERRAL: 'REFERRED_TO',
};
const REFERRED_TO: readonly Department[] = ['CIVIL', 'POVERTY'];

/** The kinds of action a department's notice lists: routed to it, and readable by its liaison. */
export function noticeActionKinds(dept: Department): ActionKind[] {
  const readable = readableActionKinds(recipientReader({ dept, region: '350000' }).identity);
  return readable.filter((kind) => (ACTION_ROUTES[kind] === 'EDU' ? dept === 'EDU' : REFERRED_TO.includes(dept)));
}

export interface NoticeActionLine {
  event: ActionEvent;
  actionId: string;
  kind: ActionKind;
  childId: string | null;
  county: string;
  toDept: string | null;
  number: string | null;
  openedDept: string;
  openedOn: string;
  deadline: string;
  eventOn: string;
  note: string;
  outcome: string | null;
}

/** One line as hashed: every frozen column in a fixed order, as a JSON array (free text may hold any separator), dates as YYYY-MM-DD. */
const LINE = `jsonb_build_array(n.event, n.action_id::text, n.kind, n.child_id::text, n.county, n.to_dept, n.number, n.opened_dept,
  to_char(n.opened_on, 'YYYY-MM-DD'), to_char(n.deadline, 'YYYY-MM-DD'), to_char(n.event_on, 'YYYY-MM-DD'), n.note, n.outcome)::text`;
const ORDER = 'n.event, n.action_id';

/** The SHA-256 over the lines' own SHA-256s in order, and the counts, per notice: what the content hash covers. */
const DIGESTS = `SELECT n.notice_id::text AS id,
    count(*) FILTER (WHERE n.event = 'OPENED')::int AS opened, count(*) FILTER (WHERE n.event = 'CLOSED')::int AS closed,
    count(*) FILTER (WHERE n.event = 'OVERDUE')::int AS overdue,
    encode(sha256(string_agg(sha256(convert_to(${LINE}, 'UTF8')), ''::bytea ORDER BY ${ORDER})), 'hex') AS digest
  FROM hub.notice_action n WHERE n.notice_id = ANY(?::uuid[]) GROUP BY n.notice_id`;

const EMPTY = createHash('sha256').update(Buffer.alloc(0)).digest('hex');
const NONE: NoticeActionCounts = { opened: 0, closed: 0, overdue: 0 };

/**
 * Freezes the action lines of a month's notices, and returns each notice's counts and digest.
 * `since`: the last day of the previous period issued (events after it count), or null for the first;
 * `end`: the last day of the period.
 */
export async function freezeActions(
  em: EntityManager, notices: ReadonlyArray<{ id: string; dept: Department; region: string }>, end: string, since: string | null,
): Promise<Map<string, { counts: NoticeActionCounts; digest: string }>> {
  const kindsOf = new Map<string, ActionKind[]>();
  const recipients = notices.map((n) => {
    const kinds = kindsOf.get(n.dept) ?? noticeActionKinds(n.dept);
    kindsOf.set(n.dept, kinds);
    return { id: n.id, dept: n.dept, kinds, counties: regions.countyCodesWithin(n.region) };
  }).filter((r) => r.kinds.length > 0);
  const after = since ?? '0001-01-01';
  if (recipients.length) {
    await em.execute(
      `WITH ev AS (
         SELECT a.id, a.kind, a.child_id, a.county, a.to_dept, a.number, a.opened_dept, a.opened_on, a.deadline, a.note, a.outcome, e.event, e.event_on,
           CASE WHEN a.kind = 'ASSISTANCE_REFERRAL' THEN a.to_dept ELSE 'EDU' END AS told
         FROM hub.supervision_action a CROSS JOIN LATERAL (VALUES
           ('OPENED', a.opened_on, a.opened_on > ?::date AND a.opened_on <= ?::date),
           ('CLOSED', a.closed_on, a.closed_on > ?::date AND a.closed_on <= ?::date),
           -- Its first overdue day: the day after the deadline, when it was not closed by then.
           ('OVERDUE', a.deadline + 1, a.deadline + 1 > ?::date AND a.deadline + 1 <= ?::date AND (a.closed_on IS NULL OR a.closed_on > a.deadline))
         ) AS e (event, event_on, happened)
         WHERE e.happened
       ), recipient AS (
         SELECT r.id, r.dept, c.county, r.kinds FROM jsonb_to_recordset(?::jsonb) AS r (id uuid, dept text, counties text[], kinds text[]) CROSS JOIN LATERAL unnest(r.counties) AS c (county)
       )
       INSERT INTO hub.notice_action (notice_id, event, action_id, kind, child_id, county, to_dept, number, opened_dept, opened_on, deadline, event_on, note, outcome)
       SELECT r.id, ev.event, ev.id, ev.kind, ev.child_id, ev.county, ev.to_dept, ev.number, ev.opened_dept, ev.opened_on, ev.deadline, ev.event_on, ev.note, ev.outcome
       FROM ev JOIN recipient r ON r.county = ev.county AND r.dept = ev.told AND ev.kind = ANY(r.kinds)`,
      [after, end, after, end, after, end, JSON.stringify(recipients)],
    );
  }
  const rows: Array<NoticeActionCounts & { id: string; digest: string }> = notices.length
    ? await em.execute(DIGESTS, [`{${notices.map((n) => n.id).join(',')}}`]) : [];
  const byId = new Map(rows.map(({ id, digest, ...counts }) => [id, { counts, digest }]));
  return new Map(notices.map((n) => [n.id, byId.get(n.id) ?? { counts: { ...NONE }, digest: EMPTY }]));
}

/** A notice's frozen action lines, recounted and rehashed (verification). */
export async function actionDigest(sql: Sql, noticeId: string): Promise<{ counts: NoticeActionCounts; digest: string }> {
  const [row] = await sql.query<NoticeActionCounts & { id: string; digest: string }>(DIGESTS.replace('?::uuid[]', 'ARRAY[$1::uuid]'), [noticeId]);
  if (!row) return { counts: { ...NONE }, digest: EMPTY };
  const { id: _, digest, ...counts } = row;
  return { counts, digest };
}

/** A notice's action lines in order (event, then id), in keyset batches. */
export async function* streamActions(sql: Sql, noticeId: string, batch = 500): AsyncGenerator<NoticeActionLine[]> {
  let after: [string, string] = ['', '00000000-0000-0000-0000-000000000000'];
  for (;;) {
    const rows = await sql.query<NoticeActionLine>(
      `SELECT n.event, n.action_id::text AS "actionId", n.kind, n.child_id::text AS "childId", n.county, n.to_dept AS "toDept", n.number, n.opened_dept AS "openedDept",
         to_char(n.opened_on, 'YYYY-MM-DD') AS "openedOn", to_char(n.deadline, 'YYYY-MM-DD') AS deadline, to_char(n.event_on, 'YYYY-MM-DD') AS "eventOn", n.note, n.outcome
       FROM hub.notice_action n WHERE n.notice_id = $1 AND (n.event, n.action_id) > ($2, $3::uuid) ORDER BY ${ORDER} LIMIT ${batch}`,
      [noticeId, after[0], after[1]]);
    if (rows.length) yield rows;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = [last.event, last.actionId];
  }
}
