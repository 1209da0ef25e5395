import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ALL_DEPARTMENTS, type Department, TOWNSHIP, TOWNSHIP_CODE } from '../auth/identity';
import { executeInTransaction } from '../changelog/change-log.append';
import type { Clock } from '../core/clock';
import { type Reader, readerFor } from '../core/context';
import { isRealDate } from '../core/dates';
import { BadUserInputError, ForbiddenError, NotFoundError, Problems } from '../core/errors';
import { type Actor, runWrite } from '../core/unit-of-work';
import { rebuildEntities } from '../as-of/as-of.service';
import type { Sql } from '../db/sql';
import type { LogRootService } from '../log-roots/log-root.service';
import { regions } from '../regions/region.registry';
import { SpotCheckEntity, SpotCheckItemEntity } from './spot-check.entity';
import { CHECKED_FIELDS, type SpotCheckField } from './spot-check.fields';
import { drawSample, frameHash, STRATA, type Stratum, stratumOf } from './spot-check.sample';

export type SpotCheckRow = Omit<SpotCheckEntity, 'frame' | 'createdAt' | 'updatedAt' | 'updatedBy'>;
export type SpotCheckItemRow = Omit<SpotCheckItemEntity, 'createdAt' | 'updatedAt' | 'updatedBy'>;

export interface Assignment {
  readonly itemId: string;
  readonly verifierSub: string;
  readonly verifierDept: string;
  readonly verifierRegion: string;
}

export interface FindingInput {
  readonly field: SpotCheckField;
  readonly found: string;
  readonly notes?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEED = /^[\x21-\x7e]{1,64}$/;
const MAX_SIZE = 1000;
const SPOT_COLUMNS = `id, region, seed, root_seq::text AS "rootSeq", root_hash AS "rootHash", strata, size, frame_size AS "frameSize", frame_hash AS "frameHash",
  drawn_on AS "drawnOn", drawn_by AS "drawnBy", version`;
const itemColumns = (t: string) => `${t}.id, ${t}.spot_check_id AS "spotCheckId", ${t}.case_id AS "caseId", ${t}.child_id AS "childId", ${t}.county, ${t}.township,
  ${t}.stratum, ${t}.reported, ${t}.status, ${t}.verifier_sub AS "verifierSub", ${t}.verifier_dept AS "verifierDept", ${t}.verifier_region AS "verifierRegion",
  ${t}.assigned_on AS "assignedOn", ${t}.verified_on AS "verifiedOn", ${t}.verified_by AS "verifiedBy", ${t}.findings, ${t}.version`;
const ITEM_COLUMNS = itemColumns('i');

/** The columns of the tables, for the records rebuilt from the change log (`jsonb_to_recordset`), so that the same SQL answers live and as of a time alike. */
const RECORDS = {
  SpotCheck: { table: 'hub.spot_check s', alias: 's', columns: `id uuid, region text, seed text, root_seq bigint, root_hash text, strata text[], size int, frame_size int,
    frame_hash text, drawn_on date, drawn_by text, version int, created_at timestamptz` },
  SpotCheckItem: { table: 'hub.spot_check_item i', alias: 'i', columns: `id uuid, spot_check_id uuid, case_id uuid, child_id uuid, county text, township text, stratum text,
    reported jsonb, status text, verifier_sub text, verifier_dept text, verifier_region text, assigned_on date, verified_on date, verified_by text, findings jsonb,
    version int, created_at timestamptz` },
} as const;
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** An as-of read of a time to come is refused before anything is read, for every reader alike. */
function refuseFuture(asOf: Date | null): void {
  if (asOf && asOf.getTime() > Date.now()) throw BadUserInputError.one('asOf', '不能是将来 (not in the future)');
}
const notFound = (what: string, id: string) => new NotFoundError(`id: 没有${what} ${id} (no such ${what === '抽查' ? 'spot check' : 'spot-check item'})`);

/**
 * The ledger as it stands, for every case of the counties `?`: the frame of a draw and, for each
 * case, the values a verifier will check. Evidence is present when the panel's complete
 * assessment exists for an illness or disability case (二(四)), else when a persuasion visit is on
 * record (二(三)).
 */
const FRAME = `SELECT d.id AS case_id, d.child_id, c.residence_region AS county, c.township, d.status AS case_status,
    e.status AS school_status, p.whereabouts,
    CASE WHEN d.reason IN ('ILLNESS', 'DISABILITY')
      THEN EXISTS (SELECT 1 FROM hub.assessment a WHERE a.child_id = d.child_id AND a.evidence_complete)
      ELSE EXISTS (SELECT 1 FROM edu.persuasion_visit v WHERE v.case_id = d.id) END AS evidence
  FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id
  LEFT JOIN edu.education_record e ON e.child_id = d.child_id
  LEFT JOIN psb.public_security_record p ON p.child_id = d.child_id
  WHERE c.residence_region = ANY(?::text[]) ORDER BY d.id`;

/** Whether a supervisor's region holds the spot check's: the one place who-sees-a-spot-check is decided. */
const mayRead = (reader: Reader, region: string) => reader.access.canRead('Child.spotChecks') && regions.contains(reader.identity.region, region);

/** 台账信息抽查、入户核查 (四(二)): drawing a sample, assigning it, recording what was found. */
export class SpotCheckService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql, private readonly clock: Clock, private readonly roots: LogRootService) {}

  today(): string {
    return this.clock.today();
  }

  /**
   * Draws a sample of the region's dropout cases (open and closed), stratified, from the seed and
   * a root of the change log signed for the draw. The frame is stored with it, so that the draw
   * can be redone by anyone from what it names (spot-check.sample.ts).
   */
  async draw(actor: Actor, region: string, size: number, strata: readonly string[], seed: string): Promise<string> {
    const problems = new Problems();
    if (!/^[0-9]{6}$/.test(region) || !regions.get(region)) problems.add('region', '应为省、市或县（市、区）代码 (must be a province, city or county code)');
    if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) problems.add('size', `应为 1 到 ${MAX_SIZE} (must be 1 to ${MAX_SIZE})`);
    strata.forEach((s, i) => { if (!(STRATA as readonly string[]).includes(s)) problems.add(`strata[${i}]`, `应为 ${STRATA.join(' 或 ')} (must be ${STRATA.join(' or ')})`); });
    if (new Set(strata).size !== strata.length) problems.add('strata', '不可重复 (each stratum at most once)');
    if (!SEED.test(seed)) problems.add('seed', '应为 1 到 64 个可见 ASCII 字符 (1 to 64 printable ASCII characters)');
    problems.throwIfAny();
    if (!actor.identity.roles.includes('supervisor') || !regions.contains(actor.identity.region, region)) {
      throw new ForbiddenError('抽查由本辖区督导抽取 (a supervisor of the region draws spot checks)');
    }
    // Signed before the frame is read, so that its hash was unknown when the seed was chosen.
    const { root } = await this.roots.signNow();
    const id = randomUUID();
    const today = this.clock.today();
    await runWrite(this.orm, actor, 'drawSpotCheck', null, { region, size, strata, seed }, async (em) => {
      const rows = await executeInTransaction<Record<string, any>>(em, FRAME, [regions.countyCodesWithin(region)]);
      const byCase = new Map(rows.map((r) => [r.case_id as string, r]));
      const frame = rows.map((r) => [r.case_id, stratumOf({ caseId: r.case_id, county: r.county, caseStatus: r.case_status }, strata as Stratum[])] as [string, string]);
      em.create(SpotCheckEntity, {
        id, region, seed, rootSeq: String(root.seq), rootHash: root.rootHash, strata: [...strata], size, frameSize: frame.length, frameHash: frameHash(frame), frame,
        drawnOn: today, drawnBy: actor.identity.sub, updatedBy: actor.identity.sub,
      } as unknown as SpotCheckEntity);
      for (const { caseId, stratum } of drawSample(frame, size, seed, root.rootHash)) {
        const r = byCase.get(caseId)!;
        em.create(SpotCheckItemEntity, {
          id: randomUUID(), spotCheckId: id, caseId, childId: r.child_id, county: r.county, township: r.township, stratum,
          reported: { SCHOOL_STATUS: r.school_status ?? null, WHEREABOUTS: r.whereabouts ?? null, CASE_STATUS: r.case_status, EVIDENCE_PRESENT: String(r.evidence) },
          status: 'DRAWN', verifierSub: null, verifierDept: null, verifierRegion: null, assignedOn: null, verifiedOn: null, verifiedBy: null, findings: null,
          updatedBy: actor.identity.sub,
        } as unknown as SpotCheckItemEntity);
      }
      return id;
    });
    return id;
  }

  /**
   * Gives items to verifiers, never one from the child's township (who would check their own
   * work). A verifier is named as its token will name it: subject, department and region (a
   * township's 9-digit code for a township officer). All or none.
   */
  async assign(actor: Actor, spotCheckId: string, assignments: readonly Assignment[]): Promise<SpotCheckItemRow[]> {
    const reader = readerFor(actor.identity);
    const check = await this.one(reader, spotCheckId);
    if (!actor.identity.roles.includes('supervisor')) throw new ForbiddenError('抽查由督导分派 (a supervisor assigns spot checks)');
    if (assignments.length === 0 || assignments.length > MAX_SIZE) throw BadUserInputError.one('assignments', `应为 1 到 ${MAX_SIZE} 项 (1 to ${MAX_SIZE} assignments)`);
    const items = new Map((await this.items(reader, [check.id]))[0].map((i) => [i.id, i]));
    const problems = new Problems();
    assignments.forEach((a, i) => {
      const at = `assignments[${i}]`;
      const item = items.get(a.itemId);
      if (!item) return problems.add(`${at}.itemId`, '不是本次抽查的项目 (not an item of this spot check)');
      if (item.status === 'VERIFIED') problems.add(`${at}.itemId`, '已核实，不能改派 (already verified)');
      if (!a.verifierSub.trim() || a.verifierSub.length > 100) problems.add(`${at}.verifierSub`, '必填，最多100字 (required, at most 100 characters)');
      if (!(ALL_DEPARTMENTS as readonly string[]).includes(a.verifierDept)) problems.add(`${at}.verifierDept`, `应为 ${ALL_DEPARTMENTS.join(', ')}`);
      const township = a.verifierDept === TOWNSHIP;
      const validRegion = township ? TOWNSHIP_CODE.test(a.verifierRegion) && regions.isCounty(a.verifierRegion.slice(0, 6)) : /^[0-9]{6}$/.test(a.verifierRegion) && !!regions.get(a.verifierRegion);
      if (!validRegion) return problems.add(`${at}.verifierRegion`, township ? '乡镇人员应为9位乡镇代码 (a township officer\'s 9-digit township code)' : '应为6位地区代码 (a 6-digit region code)');
      if (!regions.contains(actor.identity.region, a.verifierRegion.slice(0, 6))) problems.add(`${at}.verifierRegion`, '应在您的辖区内 (must be within your region)');
      if (item.township && a.verifierRegion === item.township) {
        problems.add(`${at}.verifierRegion`, `核查人不得来自被抽查儿童所在乡镇 ${item.township} (a verifier may not be from the sampled child's township)`);
      }
    });
    if (new Set(assignments.map((a) => a.itemId)).size !== assignments.length) problems.add('assignments', '同一项目只能分派一次 (each item once)');
    problems.throwIfAny();
    const today = this.clock.today();
    await runWrite(this.orm, actor, 'assignSpotCheckItems', null, { spotCheckId, assignments }, async (em) => {
      const entities = await em.find(SpotCheckItemEntity, { id: { $in: assignments.map((a) => a.itemId) } });
      const byId = new Map(entities.map((e) => [e.id, e]));
      for (const a of assignments) {
        const e = byId.get(a.itemId)!;
        if (e.status === 'VERIFIED') throw BadUserInputError.one('assignments', '已核实，不能改派 (already verified)');
        Object.assign(e, { status: 'ASSIGNED', verifierSub: a.verifierSub.trim(), verifierDept: a.verifierDept, verifierRegion: a.verifierRegion, assignedOn: today, updatedBy: actor.identity.sub });
      }
      return null;
    });
    return (await this.items(reader, [check.id]))[0].filter((i) => assignments.some((a) => a.itemId === i.id));
  }

  /**
   * 入户核查: the assigned verifier records what was found, field by field. Anyone else (the
   * drawer included) gets NOT_FOUND, as for no such item: an item's existence is not told.
   */
  async recordVerification(actor: Actor, itemId: string, verifiedOn: string, findings: readonly FindingInput[]): Promise<void> {
    const { identity } = actor;
    const [item] = UUID.test(itemId) ? await this.sql.query<SpotCheckItemRow>(`SELECT ${ITEM_COLUMNS} FROM hub.spot_check_item i WHERE i.id = $1`, [itemId]) : [];
    if (!item || item.verifierSub !== identity.sub || item.verifierDept !== identity.dept || item.verifierRegion !== identity.region) throw notFound('抽查项目', itemId);
    // The assignment refused it already; a token of the child's township is refused here too.
    if (item.township && identity.region === item.township) throw new ForbiddenError('核查人不得来自被抽查儿童所在乡镇 (a verifier may not be from the sampled child\'s township)');
    if (item.status === 'VERIFIED') throw BadUserInputError.one('itemId', '该项目已核实 (already verified)');
    const [drawn] = await this.sql.query<{ drawnOn: string }>('SELECT drawn_on AS "drawnOn" FROM hub.spot_check WHERE id = $1', [item.spotCheckId]);
    const problems = new Problems();
    if (!isRealDate(verifiedOn) || verifiedOn > this.clock.today() || verifiedOn < drawn.drawnOn) problems.add('verifiedOn', `应为 ${drawn.drawnOn} 至今天之间的日期 (a date from the draw to today)`);
    if (findings.length === 0) problems.add('findings', '至少核实一项 (at least one field)');
    findings.forEach((f, i) => {
      const field = CHECKED_FIELDS[f.field];
      if (!field) return problems.add(`findings[${i}].field`, `应为 ${Object.keys(CHECKED_FIELDS).join(', ')}`);
      if (!field.allowed.includes(f.found)) problems.add(`findings[${i}].found`, `应为 ${field.allowed.join(', ')} 之一 (must be one of them)`);
      if (f.notes && f.notes.length > 500) problems.add(`findings[${i}].notes`, '最多500字 (at most 500 characters)');
    });
    if (new Set(findings.map((f) => f.field)).size !== findings.length) problems.add('findings', '每项只能填写一次 (each field once)');
    problems.throwIfAny();
    await runWrite(this.orm, actor, 'recordVerification', null, { itemId, verifiedOn, findings }, async (em) => {
      const e = await em.findOneOrFail(SpotCheckItemEntity, { id: itemId });
      if (e.status === 'VERIFIED') throw BadUserInputError.one('itemId', '该项目已核实 (already verified)');
      e.status = 'VERIFIED';
      e.verifiedOn = verifiedOn;
      e.verifiedBy = identity.sub;
      e.findings = Object.fromEntries(findings.map((f) => [f.field, { found: f.found, notes: f.notes?.trim() || null }]));
      e.updatedBy = identity.sub;
      return null;
    });
  }

  /**
   * Where a read finds spot checks (`s`) or their items (`i`): the table, or with `asOf` the records
   * as they stood then, rebuilt from the change log (`rebuildEntities`: entries in the order they
   * happened; only records whose creation is in the log, which every draw's is) and bound as
   * parameter `n`.
   */
  private async source(entity: keyof typeof RECORDS, asOf: Date | null, n: number): Promise<{ from: string; values: unknown[] }> {
    const { table, alias, columns } = RECORDS[entity];
    if (!asOf) return { from: table, values: [] };
    // An item's child is its entries' child (not a logged field); a spot check is about none.
    const rebuilt = (await rebuildEntities(this.sql, entity, asOf)).map(({ id, createdAt, childId, version, values }) => ({
      ...Object.fromEntries(Object.entries(values).map(([field, value]) => [snake(field), value])), id, version, created_at: createdAt, child_id: childId,
    }));
    return { from: `jsonb_to_recordset($${n}::jsonb) AS ${alias} (${columns})`, values: [JSON.stringify(rebuilt)] };
  }

  /** A spot check the reader may see, now or as of a time; hidden, missing and not yet drawn answer alike. */
  async one(reader: Reader, id: string, asOf: Date | null = null): Promise<SpotCheckRow> {
    refuseFuture(asOf);
    // A reader of no spot check is answered as for a missing one without reading anything (nor the log).
    if (!UUID.test(id) || !reader.access.canRead('Child.spotChecks')) throw notFound('抽查', id);
    const { from, values } = await this.source('SpotCheck', asOf, 2);
    const [row] = await this.sql.query<SpotCheckRow>(`SELECT ${SPOT_COLUMNS} FROM ${from} WHERE s.id = $1`, [id, ...values]);
    if (!row || !mayRead(reader, row.region)) throw notFound('抽查', id);
    return row;
  }

  /** Spot checks of regions within the reader's, newest first, now or as of a time. */
  async list(reader: Reader, first: number, asOf: Date | null = null): Promise<SpotCheckRow[]> {
    refuseFuture(asOf);
    if (!reader.access.canRead('Child.spotChecks')) return [];
    const within = regions.all().filter((r) => regions.contains(reader.identity.region, r.code)).map((r) => r.code);
    const { from, values } = await this.source('SpotCheck', asOf, 3);
    return this.sql.query<SpotCheckRow>(`SELECT ${SPOT_COLUMNS} FROM ${from} WHERE s.region = ANY($1::text[]) ORDER BY s.created_at DESC, s.id LIMIT $2`, [within, first, ...values]);
  }

  /** The items of spot checks the caller has already found the reader may see (by `one`), now or as of the same time. */
  async items(_reader: Reader, spotCheckIds: readonly string[], asOf: Date | null = null): Promise<SpotCheckItemRow[][]> {
    const { from, values } = await this.source('SpotCheckItem', asOf, 2);
    const rows = await this.sql.query<SpotCheckItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${from} WHERE i.spot_check_id = ANY($1::uuid[]) ORDER BY i.stratum, i.id`, [spotCheckIds, ...values]);
    return spotCheckIds.map((id) => rows.filter((r) => r.spotCheckId === id));
  }

  /** Child.spotChecks: the items about each child in spot checks the reader may see. */
  async itemsOfChildren(reader: Reader, childIds: readonly string[]): Promise<SpotCheckItemRow[][]> {
    if (!reader.access.canRead('Child.spotChecks')) return childIds.map(() => []);
    const rows = await this.sql.query<SpotCheckItemRow & { region: string }>(
      `SELECT ${ITEM_COLUMNS}, s.region FROM hub.spot_check_item i JOIN hub.spot_check s ON s.id = i.spot_check_id
       WHERE i.child_id = ANY($1::uuid[]) ORDER BY i.created_at DESC, i.id`, [childIds]);
    return childIds.map((id) => rows.filter((r) => r.childId === id && mayRead(reader, r.region)));
  }

  /** The frame a spot check was drawn from, for a redraw. */
  async frame(reader: Reader, id: string): Promise<Array<[string, string]>> {
    await this.one(reader, id);
    const [row] = await this.sql.query<{ frame: Array<[string, string]> }>('SELECT frame FROM hub.spot_check WHERE id = $1', [id]);
    return row.frame;
  }

  /** The root the draw names, as the log's roots table holds it: a redraw checks the two agree. */
  rootHashAt(seq: number): Promise<string | null> {
    return this.roots.get(seq).then((root) => root?.rootHash ?? null);
  }

  /** A verifier's own items: the child to find and what to check, not what the ledger says (a blind back-check). */
  async assignmentsOf(actor: Actor): Promise<Array<SpotCheckItemRow & { childName: string | null }>> {
    const { identity } = actor;
    return this.sql.query(`SELECT ${ITEM_COLUMNS}, c.name AS "childName" FROM hub.spot_check_item i JOIN hub.child c ON c.id = i.child_id
      WHERE i.verifier_sub = $1 AND i.verifier_dept = $2 AND i.verifier_region = $3 AND i.status = 'ASSIGNED' ORDER BY i.assigned_on, i.id`,
    [identity.sub, identity.dept as Department, identity.region]);
  }
}
