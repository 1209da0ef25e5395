/**
 * The leak suite: generated from the permission matrix, not from a hand-written list of levels.
 * One child carries a distinctive value in every field of every section and ledger record; every
 * department × role (a township's at the child's township) then asks for every matrix field on
 * every path a query can take (directly, aliased, in named, inline and interface fragments, inside
 * the `children` list, by ID-number lookup, as the second operation of a document, as of a past
 * time), filters on every filter, and reads the change log. A field at R/W must
 * return its value, at M only the masked value, at `-` nothing: null, a FORBIDDEN error naming it,
 * and its raw value nowhere in the response body. A role without row access (the analyst) gets
 * every root field that leads to a child refused, and `statistics` with no count of the seed.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { getNamedType, getNullableType, type GraphQLField, GraphQLObjectType, isListType, isObjectType } from 'graphql';
import { ALL_DEPARTMENTS, type Department, type Role, ROLES, TOWNSHIP } from '../../src/auth/identity';
import { makeIdNumber } from '../../src/children/id-number';
import { SPECIAL_GROUP_FLAGS } from '../../src/departments/civil-affairs/civil-affairs.enums';
import { SECTIONS } from '../../src/departments/sections';
import { type Access, accessFor, MATRIX } from '../../src/permissions/access';
import { ACTION_MATRIX, type ActionKind, type Level, ROLE_RULES } from '../../src/permissions/matrix';
import { regions } from '../../src/regions/region.registry';
import { ROW_ROOT_FIELDS } from '../../src/permissions/shield';
import { RULE_BY_CODE, RULES } from '../../src/reconciliation/reconciliation.rules';
import { seesEveryRule, seesRule } from '../../src/reconciliation/reconciliation.visibility';
import { buildHubSchema } from '../../src/schema';
import { DIMENSIONS } from '../../src/stats/stats.dimensions';
import { CHECKED_FIELDS } from '../../src/supervision/spot-check.fields';
import { MEASURES } from '../../src/stats/stats.measures';
import { startTestHub, type TestHub } from '../support/hub';
import { xlsxText } from '../support/notices';

let hub: TestHub;

// ---------------------------------------------------------------------------------------------
// The seed: distinctive raw values, with an earlier value for the fields that are updated, so the
// change log carries both a `before` and an `after` of each.

const BIRTH_DATE = '2015-07-19';
const ID_NUMBER = makeIdNumber('350102', BIRTH_DATE, 738); // an even sequence: a girl
/** The township both children are registered in, and the one they are then moved to (where the township readers sit). */
const TOWNSHIPS = { before: '350102013', after: '350102017' };
const SEED = {
  child: { id: '5eed0000-0000-4000-8000-00000000c001', idNumber: ID_NUMBER, name: '欧阳泄漏标记', gender: 'FEMALE', birthDate: BIRTH_DATE, hukouRegion: '350102', residenceRegion: '350102', township: TOWNSHIPS.before },
  filler: { id: '5eed0000-0000-4000-8000-00000000c002', idNumber: makeIdNumber('350102', '2016-02-11', 541), name: '陈填充', gender: 'MALE', birthDate: '2016-02-11', hukouRegion: '350102', residenceRegion: '350102', township: TOWNSHIPS.before },
};
/** Each department's section, written first with `before` and then with `after` (when given). */
const WRITES: Array<{ dept: Department; mutation: string; input: string; before: Record<string, unknown>; after?: Record<string, unknown> }> = [
  { dept: 'EDU', mutation: 'upsertEducationRecords', input: 'EducationRecordInput',
    before: { status: 'DROPPED_OUT', stage: 'PRIMARY', grade: 5, schoolName: '校名旧标记-SCH-OLD' }, after: { schoolName: '校名标记-SCH-LEAK' } },
  { dept: 'PSB', mutation: 'upsertPublicSecurityRecords', input: 'PublicSecurityRecordInput',
    before: { hukouStatus: 'RECORD_ERROR', whereabouts: 'MISSING', verifiedOn: '2024-04-23' } },
  { dept: 'CIVIL', mutation: 'upsertCivilAffairsRecords', input: 'CivilAffairsRecordInput',
    before: { leftBehind: true, deFactoUnsupported: true, migrant: true, parentImprisoned: true, orphan: true, subsistenceAllowance: true } },
  { dept: 'POVERTY', mutation: 'upsertPovertyRecords', input: 'PovertyRecordInput',
    before: { registeredPoor: true, monitoredHousehold: true, householdId: 'HH-LEAK-000' }, after: { householdId: 'HH-LEAK-001' } },
  { dept: 'HEALTH', mutation: 'upsertHealthRecords', input: 'HealthRecordInput',
    before: { seriousIllness: true, diagnosisSummary: '诊断旧标记-OLD', screenedOn: '2023-03-17' }, after: { diagnosisSummary: '诊断标记-XYZ' } },
  // The second-generation disability certificate number is the ID number plus type and level digits.
  { dept: 'DPF', mutation: 'upsertDisabilityRecords', input: 'DisabilityRecordInput',
    before: { disabilityType: 'MULTIPLE', disabilityLevel: 2, certificateNo: `${ID_NUMBER}73` }, after: { certificateNo: `${ID_NUMBER}72` } },
];
/**
 * The dropout ledger, written through its own mutations (so that the change log carries it too);
 * the two fields only later workflow steps set (closing date, placement) are then set by SQL.
 */
const LEDGER = {
  case: { reason: 'MISSING', openedOn: '2024-09-03', responsiblePerson: '责任人标记-RESP', responsibleUnit: '责任单位标记-UNIT', deadline: '2024-12-31', notes: '辍学备注标记-DROP-NOTE' },
  police: { confirmedOn: '2024-10-08' },
  visit: { visitedOn: '2024-10-15', visitor: '劝返人标记-VISITOR', method: 'HOME_VISIT', outcome: 'NOT_REACHED', notes: '劝返备注标记-VISIT' },
  // Complete evidence for home teaching (opinion, certificate, guardian's application): the arrangement below rests on it.
  assessment: { assessedOn: '2024-10-20', members: ['专家甲-MEMBER-A', '专家乙-MEMBER-B'], decision: 'HOME_TEACHING', reviewOn: '2025-04-20', evidence: [
    { type: 'PANEL_OPINION', reference: 'EVID-REF-标记-001', date: '2024-10-19' },
    { type: 'DISABILITY_CERTIFICATE', reference: 'EVID-REF-标记-002', date: '2024-10-12' },
    { type: 'GUARDIAN_APPLICATION', reference: 'EVID-REF-标记-003', date: '2024-10-14' },
  ] },
  // 送教上门: assigned, visited once, then changed and ended, so that the log has a before of each changed field.
  homeTeaching: { schoolName: '送教学校旧标记-HT-SCH-OLD', teacher: '送教教师旧标记-HT-T-OLD', startedOn: '2024-11-04', notes: '送教备注旧标记-HT-NOTE-OLD' },
  homeTeachingVisit: { visitedOn: '2024-11-12', teacher: '送教访问教师标记-HTV-T', hours: 2.5, content: '送教内容标记-HTV-CONTENT', notes: '送教记录备注标记-HTV-NOTE' },
  homeTeachingUpdate: { schoolName: '送教学校标记-HT-SCH', teacher: '送教教师标记-HT-T', notes: '送教备注标记-HT-NOTE', endedOn: '2025-06-27' },
  topUp: { closedOn: '2024-11-20', placement: 'HOME_TEACHING' },
};
/**
 * The enrollment notice (三(一)): issued for junior secondary 2027 from the police roster (the
 * child is its only entrant, and a priority one: her family is registered poor), marked not
 * arrived after the report date (so that it names the child's open case), then her late arrival.
 * Those two happen on an instance whose clock stands after the report date.
 */
const ENROLLMENT = {
  issue: { schoolYear: 2027, region: '350102', stage: 'JUNIOR_SECONDARY', reportOn: '2027-08-30', schools: [{ name: '入学学校标记-ENROL-SCH', kind: 'PUBLIC', places: 1 }] },
  laterToday: '2027-09-06',
  responsiblePerson: '未报到责任人标记-NA-RESP',
  arrivedOn: '2027-09-03',
};

/**
 * Reconciliation (核实比对): the child's one discrepancy, of R04 (special group out of school: it
 * compares civil affairs', poverty's, the DPF's and education's records, so that most departments
 * may not be told of it), found, started, explained, confirmed and then resolved by a run, so that
 * every field of it holds a value; and an open R10 item (a hukou record error unverified by the
 * police) found by a real run on the other child, which the runs count and the notices list.
 */
const DISCREPANCY = {
  id: '5eed0000-0000-4000-8000-00000000d004',
  rule: 'R04',
  explanation: '情况说明标记-DISC-EXPL',
  evidence: '佐证标记-DISC-EVID',
  openedOn: '2026-10-15',
  deadline: '2026-11-27',
};
/** Whether a reader may be told of the child's discrepancy (its rule's compared fields all readable). */
const seesSeededRule = (access: Access) => seesRule(access, RULE_BY_CODE.get(DISCREPANCY.rule)!);

/**
 * Supervision (issue 19): a spot check of the county whose sample is her case (the only one on its
 * ledger), verified at the household by a township officer from another township, with notes; and
 * supervisors' actions: the three kinds that concern a child, about her (the order and the
 * referral closed with an outcome, so that every field of an action holds a value in one of them),
 * and an interview of her county. Each action's note, outcome and number are its own markers.
 */
const SPOT = {
  seed: 'leak-spot-2026',
  verifier: { sub: 'leak-spot-verifier', dept: 'TOWNSHIP', region: TOWNSHIPS.before },
  notes: { SCHOOL_STATUS: '入户核查标记-SPOT-SCHOOL', WHEREABOUTS: '入户核查标记-SPOT-WHERE', CASE_STATUS: '入户核查标记-SPOT-CASE', EVIDENCE_PRESENT: '入户核查标记-SPOT-EVID' } as Record<string, string>,
};
const ACTIONS: Array<{ kind: ActionKind; by: 'township' | 'edu' | 'city'; note: string; toDept?: string; close?: { by: 'edu' | 'poverty'; outcome: string } }> = [
  { kind: 'GUARDIAN_ADMONITION', by: 'township', note: '批评教育标记-ADMON-NOTE' },
  { kind: 'CORRECTION_ORDER', by: 'edu', note: '责令改正标记-ORDER-NOTE', close: { by: 'edu', outcome: '改正结果标记-ORDER-OUT' } },
  { kind: 'ASSISTANCE_REFERRAL', by: 'edu', toDept: 'POVERTY', note: '救助转介标记-REFER-NOTE', close: { by: 'poverty', outcome: '救助结果标记-REFER-OUT' } },
  { kind: 'COUNTY_INTERVIEW', by: 'city', note: '约谈标记-INTERVIEW-NOTE' },
];
/** The seeded actions as the API shows them to a reader of their kind, by id (the order `Child.supervisionActions` gives them on one day). */
const SEEDED_ACTIONS: Array<{ kind: ActionKind; id: string; shown: Record<string, unknown> }> = [];
const childActions = () => SEEDED_ACTIONS.filter((a) => a.shown.childId === SEED.child.id);
/** Kind → the cell of each department in ACTION_MATRIX, read by the test itself (not through src/permissions/action-access.ts). */
const ACTION_CELLS = Object.fromEntries(Object.entries(ACTION_MATRIX).map(([kind, row]) => [kind, Object.fromEntries(ALL_DEPARTMENTS.map((d, i) => [d, row.trim().split(/\s+/)[i]]))])) as Record<ActionKind, Record<Department, string>>;

// ---------------------------------------------------------------------------------------------
// The cases, derived from the schema and the matrix.

const schema = buildHubSchema();
const CHILD = schema.getType('Child') as GraphQLObjectType;

interface FieldCase {
  /** Matrix key, `Type.field`. */
  readonly key: string;
  readonly name: string;
  /**
   * The path of `Child` fields this one sits under (a section, a ledger list, or a list inside one:
   * `homeTeaching.visits`), or null for `Child`'s own.
   */
  readonly parent: string | null;
  /** Sub-selection for object-typed fields. */
  readonly sub: string;
}

/** A field (of `Child`, or of a record under it) that leads to a type the matrix governs: a section, or a list of ledger records. */
interface Nested {
  readonly type: GraphQLObjectType;
  /** The matrix field that leads here (`Child.homeTeaching`, `HomeTeaching.visits`): hidden, it hides everything below. */
  readonly via: string;
  readonly list: boolean;
  readonly fields: string[];
  /** Fields the type has from an interface (`SectionRecord`), for the interface-fragment path. */
  readonly interfaceFields: Map<string, string>;
}

/**
 * How an object-typed field is asked for: a region by its code; a plain value object (all leaves,
 * e.g. an evidence item) with all its fields, compared with the stored value; anything else (a
 * section, a list of records, the change log) by its type name, its fields being cases of their own.
 */
const sub = (field: GraphQLField<unknown, unknown>): string => {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return '';
  const fields = Object.values(named.getFields());
  if ('code' in named.getFields()) return '{ code }';
  if (fields.some((f) => MATRIX.has(`${named.name}.${f.name}`)) || fields.some((f) => isObjectType(getNamedType(f.type)))) return '{ __typename }';
  return `{ ${fields.map((f) => f.name).join(' ')} }`;
};

/** `Child` path (`poverty`, `homeTeaching.visits`) → the governed type found there. */
const NESTED = new Map<string, Nested>();
const CASES: FieldCase[] = [];
/** Every governed field of `type`, and, below each that leads to a governed type not yet walked, that type's. */
function walk(type: GraphQLObjectType, parent: string | null): void {
  for (const field of Object.values(type.getFields())) {
    if (!MATRIX.has(`${type.name}.${field.name}`)) continue;
    CASES.push({ key: `${type.name}.${field.name}`, name: field.name, parent, sub: sub(field) });
    const named = getNamedType(field.type);
    // Each governed type is walked once: a notice's `child` is the Child being walked, asked for by its type name.
    if (!isObjectType(named) || named === CHILD || [...NESTED.values()].some((n) => n.type === named)) continue;
    const governed = Object.values(named.getFields()).filter((f) => MATRIX.has(`${named.name}.${f.name}`));
    if (governed.length === 0) continue;
    const interfaceFields = new Map<string, string>();
    for (const iface of named.getInterfaces()) for (const name of Object.keys(iface.getFields())) interfaceFields.set(name, iface.name);
    const path = parent === null ? field.name : `${parent}.${field.name}`;
    NESTED.set(path, { type: named, via: `${type.name}.${field.name}`, list: isListType(getNullableType(field.type)), fields: governed.map((f) => f.name), interfaceFields });
    walk(named, path);
  }
}
walk(CHILD, null);

/** The paths from the top `Child` field down to `path`: `homeTeaching.visits` → `homeTeaching`, `homeTeaching.visits`. */
const prefixes = (path: string) => path.split('.').map((_, i, steps) => steps.slice(0, i + 1).join('.'));
const pathOf = (c: FieldCase) => (c.parent === null ? c.name : `${c.parent}.${c.name}`);
/** The `Child` field a case sits under (or is). */
const topOf = (c: FieldCase) => pathOf(c).split('.')[0];

const caseOf = (key: string) => CASES.find((c) => c.key === key)!;

type Technique = 'direct' | 'alias' | 'namedFragment' | 'inlineFragment' | 'interfaceFragment' | 'list' | 'lookup' | 'secondOperation' | 'asOf';
const TECHNIQUES: Technique[] = ['direct', 'alias', 'namedFragment', 'inlineFragment', 'interfaceFragment', 'list', 'lookup', 'secondOperation', 'asOf'];
/** The time the as-of path reads at: after the seed, so the rebuilt record holds every logged value. */
let seededAt = '';

const alias = (t: Technique, name: string) => (t === 'alias' ? `x_${name}: ` : '');
const key = (t: Technique, name: string) => (t === 'alias' ? `x_${name}` : name);

/** The selection of the given `Child` fields (with everything under them), shaped by the technique. */
function childSelection(t: Technique, top: readonly FieldCase[]): { selection: string; fragments: string } {
  const fragments: string[] = [];
  const select = (c: FieldCase): string => {
    const path = pathOf(c);
    const nested = NESTED.get(path);
    if (!nested) return `${alias(t, c.name)}${c.name} ${c.sub}`;
    const own = (f: string) => select(CASES.find((x) => x.parent === path && x.name === f)!);
    let inner: string;
    if (t === 'namedFragment') {
      fragments.push(`fragment ${nested.type.name}Fields on ${nested.type.name} { ${nested.fields.map(own).join(' ')} }`);
      inner = `...${nested.type.name}Fields`;
    } else if (t === 'inlineFragment') {
      inner = `... on ${nested.type.name} { ${nested.fields.map(own).join(' ')} }`;
    } else if (t === 'interfaceFragment') {
      const byHolder = new Map<string, string[]>();
      for (const f of nested.fields) {
        const holder = nested.interfaceFields.get(f) ?? nested.type.name;
        byHolder.set(holder, [...(byHolder.get(holder) ?? []), f]);
      }
      inner = [...byHolder].map(([holder, fs]) => `... on ${holder} { ${fs.map(own).join(' ')} }`).join(' ');
    } else {
      inner = nested.fields.map(own).join(' ');
    }
    return `${alias(t, c.name)}${c.name} { __typename ${inner} }`;
  };
  const parts = top.map(select);
  if (t === 'namedFragment') {
    fragments.push(`fragment ChildFields on Child { ${parts.join(' ')} }`);
    return { selection: '...ChildFields', fragments: fragments.join('\n') };
  }
  if (t === 'inlineFragment') return { selection: `... on Child { ${parts.join(' ')} }`, fragments: '' };
  return { selection: parts.join(' '), fragments: '' };
}

interface Doc {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName?: string;
  /** Where the child is in the answer; `*` is the seed child's index in a list. */
  readonly root: string[];
  readonly cases: FieldCase[];
}

/**
 * The documents of one technique. Each asks for every case at once, except the aliased one:
 * the hub allows 30 aliases per document, so that one is split into as few documents as fit.
 */
const MAX_ALIASES = 30;
function documents(t: Technique): Doc[] {
  const top = CASES.filter((c) => c.parent === null);
  const groups: FieldCase[][] = [];
  if (t !== 'alias') groups.push(top);
  else {
    // Pack `Child`'s fields (a section with all of its own) into documents of at most 30 aliases.
    const size = (c: FieldCase) => CASES.filter((x) => topOf(x) === c.name).length;
    for (const c of top) {
      const open = groups.find((g) => 1 + g.reduce((n, x) => n + size(x), 0) + size(c) <= MAX_ALIASES);
      if (open) open.push(c);
      else groups.push([c]);
    }
  }
  return groups.map((group) => {
    const { selection, fragments } = childSelection(t, group);
    const cases = CASES.filter((c) => group.some((g) => g.name === topOf(c)));
    const id = { id: SEED.child.id };
    switch (t) {
      case 'alias':
        return { query: `query Leak($id: ID!) { viaAlias: child(id: $id) { ${selection} } }`, variables: id, root: ['viaAlias'], cases };
      case 'list':
        // Three: room for a third child that should not be there, within the cost limit (every record list of ten children is over it).
        return { query: `query Leak { children(first: 3) { edges { node { id ${selection} } } } }`, variables: {}, root: ['children', 'edges', '*', 'node'], cases };
      case 'lookup':
        return { query: `query Leak($n: String!) { childByIdNumber(idNumber: $n) { ${selection} } }`, variables: { n: SEED.child.idNumber }, root: ['childByIdNumber'], cases };
      case 'asOf':
        return { query: `query Leak($id: ID!, $at: DateTimeISO!) { child(id: $id, asOf: $at) { ${selection} } }`, variables: { ...id, at: seededAt }, root: ['child'], cases };
      case 'secondOperation':
        return { query: `query First { me { sub } }\nquery Second($id: ID!) { child(id: $id) { ${selection} } }`, variables: id, operationName: 'Second', root: ['child'], cases };
      default:
        return { query: `query Leak($id: ID!) { child(id: $id) { ${selection} } }\n${fragments}`, variables: id, root: ['child'], cases };
    }
  });
}

// ---------------------------------------------------------------------------------------------
// What each field must look like: the raw value, its masked form, and the markers to look for.

const maskNumber = (v: string) => v.slice(0, 6) + '*'.repeat(v.length - 10) + v.slice(-4);
/** An ID number keeps only its address code: the birth date that a "last four" mask would hide is readable. */
const maskIdNumber = (v: string) => v.slice(0, 6) + '*'.repeat(v.length - 6);
const maskName = (v: string) => [...v][0] + '*'.repeat([...v].length - 1);
/** The masks the contract promises; an M field without one is withheld (null). */
const MASK_OF: Readonly<Record<string, ((v: string) => string) | undefined>> = {
  'Child.idNumber': maskIdNumber,
  'DisabilityRecord.certificateNo': maskNumber,
  'Child.name': maskName,
};

/** `Type.field` → the value the API must give a reader at R/W. */
const RAW = new Map<string, unknown>();
/** `Type.field` → distinctive strings (current and earlier values) that must never reach a reader below R. */
const MARKERS = new Map<string, string[]>();
const EARLIER = new Map<string, unknown>();

const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const plain = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** A stored row of a type as the API serialises it; a numeric column comes from the driver as a string, a `Float` goes out as a number. */
function rowValues(type: string, row: Record<string, unknown>): Record<string, unknown> {
  const fields = (schema.getType(type) as GraphQLObjectType).getFields();
  const numeric = (field: string) => ['Float', 'Int'].includes(fields[field] ? getNamedType(fields[field].type).name : '');
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), typeof v === 'string' && numeric(camel(k)) ? Number(v) : plain(v)]));
}

/** The value an R/W reader must see for a case, as the API serialises it. */
function expectedValue(c: FieldCase): unknown {
  const raw = RAW.get(c.key);
  if (c.sub === '{ code }') return { code: raw };
  if (c.sub === '{ __typename }') return undefined; // checked by `objectMatches`
  return raw;
}

function objectMatches(c: FieldCase, value: unknown): boolean {
  const field = c.parent === null ? CHILD.getFields()[c.name] : NESTED.get(c.parent)!.type.getFields()[c.name];
  const typename = getNamedType(field.type).name;
  if (isListType(getNullableType(field.type))) {
    return Array.isArray(value) && value.length > 0 && value.every((v) => v?.__typename === typename);
  }
  return (value as { __typename?: string } | null)?.__typename === typename;
}

function collectMarkers(): void {
  const candidates = new Map<string, string[]>();
  const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
  for (const [k, value] of [...RAW, ...EARLIER]) {
    // An action's markers are its kind's (below): which a reader may see depends on the kind, not the field.
    if (k.startsWith('SupervisionAction.')) continue;
    for (const v of strings(value)) {
      // Enum names, timestamps, uuids and region codes are not distinctive: they recur legitimately.
      // (A discrepancy's facts hold JSON text: `"DROPPED_OUT"` is an enum name all the same.)
      // Nor is a matrix field's name (a fact is named by its field).
      if (v.length < 6 || /^"?[A-Z_]+"?$/.test(v) || MATRIX.has(v) || /T\d\d:\d\d/.test(v) || /^[0-9a-f]{8}-/.test(v)) continue;
      candidates.set(k, [...(candidates.get(k) ?? []), v]);
    }
  }
  const all = [...candidates.values()].flat();
  for (const [k, values] of candidates) {
    const unique = values.filter((v) => all.filter((w) => w === v).length === 1);
    if (unique.length) MARKERS.set(k, unique);
  }
  // `SupervisionAction.note@CORRECTION_ORDER`: the order's note, hidden from whoever may not read orders.
  for (const action of SEEDED_ACTIONS) {
    for (const field of ['note', 'outcome', 'number']) {
      const v = action.shown[field];
      if (typeof v === 'string') MARKERS.set(`SupervisionAction.${field}@${action.kind}`, [...(MARKERS.get(`SupervisionAction.${field}@${action.kind}`) ?? []), v]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Readers, and the tally.

interface Reader {
  readonly dept: Department;
  readonly role: Role;
  readonly region: string;
  readonly token: string;
  readonly access: Access;
}
const readers: Reader[] = [];
const refused: Array<{ dept: Department; role: Role; token: string }> = [];
const tally = { cases: 0, leaks: [] as string[], mismatches: [] as string[] };

interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions: { code: string } }> };
  text: string;
}

async function post(token: string, query: string, variables: Record<string, unknown>, operationName?: string): Promise<Answer> {
  const response = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

/** Many requests, a few at a time, answered in the order asked. */
async function inParallel<T, R>(items: readonly T[], ask: (item: T) => Promise<R>, width = 8): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await ask(items[i]);
    }
  }));
  return results;
}

const who = (r: { dept: string; role: string }) => `${r.dept}/${r.role}`;
const isPrefix = (prefix: ReadonlyArray<string | number>, path: ReadonlyArray<string | number>) =>
  prefix.length <= path.length && prefix.every((p, i) => p === path[i]);

function dig(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let cursor = data;
  for (const step of path) {
    if (cursor === null || cursor === undefined) return cursor;
    cursor = (cursor as Record<string | number, unknown>)[step];
  }
  return cursor;
}

/**
 * Every marker of a field the reader may not read unmasked must be absent from every answer it
 * gets; a marker of a supervision action (`SupervisionAction.note@KIND`) is asked for with its kind.
 */
function hiddenMarkersIn(text: string, level: (key: string, kind?: ActionKind) => Level): string[] {
  const found: string[] = [];
  for (const [k, markers] of MARKERS) {
    const [field, kind] = k.split('@') as [string, ActionKind | undefined];
    const l = level(field, kind);
    if (l === 'R' || l === 'W') continue;
    for (const m of markers) if (text.includes(m)) found.push(`${k} raw value "${m}"`);
  }
  return found;
}

/** The matrix fields a reader must be able to read to reach records at a `Child` path. */
const gatesOf = (path: string) => prefixes(path).map((p) => NESTED.get(p)!.via);

/**
 * The level a reader effectively has on a case: hidden when the section or record holding it is,
 * and, for an action's field, when given the action's kind, hidden with the kind.
 */
function effective(reader: Reader, c: FieldCase, kind?: ActionKind): Level {
  const { access } = reader;
  if (c.parent && gatesOf(c.parent).some((gate) => access.level(gate) === '-')) return '-';
  if (hiddenByRule(access, c)) return '-';
  if (kind && !seesKind(reader, kind)) return '-';
  return access.level(c.key);
}

/**
 * Whether a reader may be told of an action of a kind, from ACTION_MATRIX as the README states it:
 * a reader of rows whose department's cell for the kind is not `-`, or a supervisor (every kind in
 * its region). To the others an action is not there at all: no element, no error, no count.
 */
function seesKind(reader: { dept: Department; role: Role; access: Access }, kind: ActionKind): boolean {
  return reader.access.readsRows && reader.access.canRead('Child.supervisionActions') && (reader.role === 'supervisor' || ACTION_CELLS[kind][reader.dept] !== '-');
}
/** The seeded actions about her a reader may see, in the API's order (one day's actions, by id). */
const visibleChildActions = (reader: Reader) => childActions().filter((a) => seesKind(reader, a.kind));

/**
 * A discrepancy is told only to readers who may read every field its rule compares: to the others
 * `Child.discrepancies` answers an empty list, without an error (an error would say there is one).
 */
function hiddenByRule(access: Access, c: FieldCase): boolean {
  return topOf(c) === 'discrepancies' && access.canRead('Child.discrepancies') && !seesSeededRule(access);
}

function judge(reader: Reader, t: Technique, c: FieldCase, answer: Answer, root: Array<string | number>, rootHidden: boolean): void {
  tally.cases++;
  const where = (path: ReadonlyArray<string | number>) => `${who(reader)} [${t}] ${c.key} at ${path.join('.')}`;
  // Down to the record holding the case: the first of each list on the way (the seed has one of each).
  const parentPath = c.parent === null ? root : [...root, ...prefixes(c.parent).flatMap((p) => [key(t, p.split('.').at(-1)!), ...(NESTED.get(p)!.list ? [0] : [])])];
  const path = [...parentPath, key(t, c.name)];
  const value = dig(answer.body.data, path);
  const level: Level = rootHidden ? '-' : effective(reader, c);
  const errors = (answer.body.errors ?? []).filter((e) => e.path && isPrefix(e.path, path));
  const raw = RAW.get(c.key);
  for (const marker of MARKERS.get(c.key) ?? []) {
    if (level !== 'R' && level !== 'W' && answer.text.includes(marker)) tally.leaks.push(`${where(path)}: raw value "${marker}" in the response body (level ${level})`);
  }
  if (topOf(c) === 'supervisionActions') {
    // Kind by kind: an action of a kind the reader may not read leaves nothing of it in the answer.
    for (const kind of ACTION_KINDS_SEEDED()) {
      for (const marker of MARKERS.get(`${c.key}@${kind}`) ?? []) {
        if ((rootHidden || effective(reader, c, kind) === '-') && answer.text.includes(marker)) tally.leaks.push(`${where(path)}: "${marker}" of a ${kind} the reader may not see`);
      }
    }
    if (!rootHidden && level === 'R') return judgeActions(reader, t, c, answer, root, where);
  }
  if (level === 'R' || level === 'W') {
    if (errors.length) tally.mismatches.push(`${where(path)}: level ${level} but error ${errors[0].extensions.code} ${errors[0].message}`);
    // The rebuilt past holds only what the log holds; whether it is right is the as-of tests' concern, not a leak.
    if (t === 'asOf') return;
    const ok = c.sub === '{ __typename }' ? objectMatches(c, value) : isDeepStrictEqual(value, expectedValue(c));
    if (!ok) tally.mismatches.push(`${where(path)}: level ${level} expected ${JSON.stringify(expectedValue(c) ?? '(object)')} got ${JSON.stringify(value)}`);
  } else if (level === 'M') {
    const mask = MASK_OF[c.key];
    const wanted = mask && typeof raw === 'string' ? mask(raw) : null;
    if (value === raw && raw !== null) tally.leaks.push(`${where(path)}: level M but the unmasked value was returned`);
    else if (value !== wanted) tally.mismatches.push(`${where(path)}: level M expected ${JSON.stringify(wanted)} got ${JSON.stringify(value)}`);
    if (errors.length) tally.mismatches.push(`${where(path)}: level M but error ${errors[0].extensions.code}`);
  } else if (!rootHidden && hiddenByRule(reader.access, c)) {
    // Not there at all: an empty list, no element, no error.
    if (c.key === 'Child.discrepancies' ? !isDeepStrictEqual(value, []) : value !== undefined) {
      tally.leaks.push(`${where(path)}: a discrepancy of a rule the reader may not see answered ${JSON.stringify(value).slice(0, 80)}`);
    }
    if (errors.length) tally.mismatches.push(`${where(path)}: a discrepancy the reader may not see gave an error ${errors[0].extensions.code}, which says it exists`);
  } else {
    if (value !== null && value !== undefined) tally.leaks.push(`${where(path)}: hidden field returned ${JSON.stringify(value).slice(0, 80)}`);
    // The error names the field itself, or the section (or root field) that hides it.
    const named = errors.find((e) => e.extensions.code === 'FORBIDDEN' && (e.path!.length === path.length || (c.parent !== null && isPrefix(e.path!, parentPath)) || rootHidden));
    if (!named) tally.mismatches.push(`${where(path)}: hidden field without a FORBIDDEN error on its path (got ${JSON.stringify((answer.body.errors ?? []).map((e) => [e.extensions.code, e.path?.join('.')]))})`);
  }
}

const ACTION_KINDS_SEEDED = () => [...new Set(SEEDED_ACTIONS.map((a) => a.kind))];

/**
 * `Child.supervisionActions` and its fields, at R: the list holds exactly the actions about her of
 * the kinds the reader may see (none: an empty list, without an error, which would say there is
 * one), each field of each as stored.
 */
function judgeActions(reader: Reader, t: Technique, c: FieldCase, answer: Answer, root: Array<string | number>, where: (path: ReadonlyArray<string | number>) => string): void {
  const listPath = [...root, key(t, 'supervisionActions')];
  const list = dig(answer.body.data, listPath);
  const visible = visibleChildActions(reader);
  const errors = (answer.body.errors ?? []).filter((e) => e.path && isPrefix(listPath, e.path));
  if (errors.length) tally.mismatches.push(`${where(listPath)}: error ${errors[0].extensions.code} ${errors[0].message}`);
  if (t === 'asOf') return;
  if (!Array.isArray(list)) return void tally.mismatches.push(`${where(listPath)}: expected a list, got ${JSON.stringify(list)?.slice(0, 80)}`);
  if (list.length > visible.length) tally.leaks.push(`${where(listPath)}: ${list.length} actions for ${visible.length} of kinds the reader may see`);
  if (c.key === 'Child.supervisionActions') {
    if (list.length !== visible.length || !list.every((v) => v?.__typename === 'SupervisionAction')) tally.mismatches.push(`${where(listPath)}: expected ${visible.length} actions, got ${JSON.stringify(list).slice(0, 120)}`);
    return;
  }
  const got = list.map((v) => (v as Record<string, unknown>)[key(t, c.name)]);
  const expected = visible.map((a) => a.shown[c.name]);
  if (!isDeepStrictEqual(got, expected)) tally.mismatches.push(`${where([...listPath, key(t, c.name)])}: expected ${JSON.stringify(expected)} got ${JSON.stringify(got)}`);
}

function report(label: string, leaksBefore: number, mismatchesBefore: number): void {
  const leaks = tally.leaks.slice(leaksBefore);
  const mismatches = tally.mismatches.slice(mismatchesBefore);
  expect({ label, leaks: leaks.slice(0, 40), leakCount: leaks.length }).toEqual({ label, leaks: [], leakCount: 0 });
  expect({ label, mismatches: mismatches.slice(0, 40), count: mismatches.length }).toEqual({ label, mismatches: [], count: 0 });
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  hub = await startTestHub();
  const clerk = (dept: Department) => hub.token({ dept, region: '350102', sub: `leak-${dept.toLowerCase()}-clerk` });
  const registrar = await hub.token({ dept: 'EDU', region: '350102', sub: 'leak-registrar' });
  const registered = await hub.gql('mutation($r: [RegisterChildInput!]!) { registerChildren(records: $r) { replayed } }', { r: [SEED.child, SEED.filler] }, registrar);
  expect(registered.body.errors).toBeUndefined();
  const mutate = async (mutation: string, variables: Record<string, unknown>, token: string, on: TestHub = hub) => {
    const res = await on.gql(mutation, variables, token);
    expect(res.body.errors).toBeUndefined();
    return res.body.data as Record<string, any>;
  };
  const eduClerk = await clerk('EDU');
  await mutate('mutation($r: [AssignTownshipInput!]!) { assignTownships(records: $r) { replayed } }', { r: [SEED.child, SEED.filler].map((c) => ({ childId: c.id, township: TOWNSHIPS.after })) }, eduClerk);
  const writeSection = async (write: (typeof WRITES)[number]) => {
    const token = await clerk(write.dept);
    for (const record of [write.before, write.after].filter(Boolean)) {
      await mutate(`mutation($r: [${write.input}!]!) { ${write.mutation}(records: $r) { replayed } }`, { r: [{ childId: SEED.child.id, ...record }] }, token);
    }
  };
  for (const write of WRITES) await writeSection(write);
  await mutate('mutation($r: [OpenDropoutCaseInput!]!) { openDropoutCases(records: $r) { replayed } }', { r: [{ childId: SEED.child.id, ...LEDGER.case }] }, eduClerk);
  const [{ id: caseId }] = await hub.sql<{ id: string }>('SELECT id FROM edu.dropout_case WHERE child_id = $1', [SEED.child.id]);
  const police = await hub.token({ dept: 'PSB', region: '350102', sub: 'leak-psb-police' });
  await mutate('mutation($c: ID!, $on: LocalDate!) { confirmDropoutCaseByPolice(caseId: $c, confirmedOn: $on) { replayed } }', { c: caseId, on: LEDGER.police.confirmedOn }, police);
  await mutate('mutation($v: [PersuasionVisitInput!]!) { recordPersuasionVisits(visits: $v) { replayed } }', { v: [{ caseId, ...LEDGER.visit }] }, eduClerk);
  const expert = await hub.token({ dept: 'EDU', region: '350102', roles: ['expert'], sub: 'leak-edu-expert' });
  await mutate('mutation($a: AssessmentInput!) { recordAssessment(assessment: $a) { replayed } }', { a: { childId: SEED.child.id, caseId, ...LEDGER.assessment } }, expert);
  await mutate('mutation($i: AssignHomeTeachingInput!) { assignHomeTeaching(input: $i) { replayed } }', { i: { childId: SEED.child.id, caseId, ...LEDGER.homeTeaching } }, eduClerk);
  const [{ id: planId }] = await hub.sql<{ id: string }>('SELECT id FROM edu.home_teaching WHERE child_id = $1', [SEED.child.id]);
  await mutate('mutation($v: [HomeTeachingVisitInput!]!) { recordHomeTeachingVisits(visits: $v) { replayed } }', { v: [{ homeTeachingId: planId, ...LEDGER.homeTeachingVisit }] }, eduClerk);
  const [{ version: planVersion }] = await hub.sql<{ version: number }>('SELECT version FROM edu.home_teaching WHERE id = $1', [planId]);
  await mutate('mutation($i: UpdateHomeTeachingInput!) { updateHomeTeaching(input: $i) { replayed } }', { i: { id: planId, expectedVersion: planVersion, ...LEDGER.homeTeachingUpdate } }, eduClerk);

  const issued = await mutate('mutation($i: IssueEnrollmentNoticesInput!) { issueEnrollmentNotices(input: $i) { issued priorityInPublic } }', { i: ENROLLMENT.issue }, eduClerk);
  expect(issued).toEqual({ issueEnrollmentNotices: { issued: 1, priorityInPublic: 1 } });
  const [{ id: noticeId }] = await hub.sql<{ id: string }>('SELECT id FROM edu.enrollment_notice WHERE child_id = $1', [SEED.child.id]);
  const later = await startTestHub({ sameDatabaseAs: hub, today: ENROLLMENT.laterToday });
  try {
    const marked = await mutate('mutation($y: Int!, $r: String!, $p: String!) { markNonArrivals(schoolYear: $y, region: $r, responsiblePerson: $p) { marked casesOpened } }',
      { y: ENROLLMENT.issue.schoolYear, r: ENROLLMENT.issue.region, p: ENROLLMENT.responsiblePerson }, eduClerk, later);
    expect(marked).toEqual({ markNonArrivals: { marked: 1, casesOpened: 0 } }); // her case is still open: the notice names it
    await mutate('mutation($a: [EnrollmentArrivalInput!]!) { recordEnrollmentArrivals(arrivals: $a) { replayed } }', { a: [{ noticeId, arrivedOn: ENROLLMENT.arrivedOn }] }, eduClerk, later);
  } finally {
    await later.stop();
  }
  // Her discrepancy, as a run would have found it (a fixture: her ledger has an open case, so R04 no
  // longer fires), then worked on through the API: each transition a change-log entry.
  const r04 = RULE_BY_CODE.get(DISCREPANCY.rule)!;
  const facts = Object.fromEntries(r04.fields.map((f) => [f, f.startsWith('CivilAffairsRecord.') || f.startsWith('PovertyRecord.') ? true
    : f === 'DisabilityRecord.disabilityType' ? 'MULTIPLE' : f === 'EducationRecord.status' ? 'DROPPED_OUT' : null]));
  await hub.sql(`INSERT INTO hub.discrepancy (id, rule, child_id, county, township, facts, fields, owner_dept, status, opened_on, deadline, opened_by_run, updated_by)
    VALUES ($1, $2, $3, '350102', $4, $5, $6, 'EDU', 'OPEN', $7, $8, gen_random_uuid(), 'fixture')`,
  [DISCREPANCY.id, DISCREPANCY.rule, SEED.child.id, TOWNSHIPS.after, JSON.stringify(facts), Object.keys(facts).sort(), DISCREPANCY.openedOn, DISCREPANCY.deadline]);
  const eduSupervisor = await hub.token({ dept: 'EDU', region: '350102', roles: ['supervisor'], sub: 'leak-edu-supervisor' });
  await mutate('mutation($id: ID!) { startDiscrepancy(id: $id, expectedVersion: 1) { version } }', { id: DISCREPANCY.id }, eduClerk);
  await mutate('mutation($id: ID!, $r: String!, $e: String) { explainDiscrepancy(id: $id, reason: $r, evidence: $e, expectedVersion: 2) { version } }',
    { id: DISCREPANCY.id, r: DISCREPANCY.explanation, e: DISCREPANCY.evidence }, eduClerk);
  await mutate('mutation($id: ID!) { confirmExplanation(id: $id, expectedVersion: 3) { status } }', { id: DISCREPANCY.id }, eduSupervisor);
  // The other child: at school for education, a hukou record error the police have not verified (R10).
  await mutate('mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }',
    { r: [{ childId: SEED.filler.id, hukouStatus: 'RECORD_ERROR', whereabouts: 'PRESENT' }] }, await clerk('PSB'));
  await mutate('mutation($r: [EducationRecordInput!]!) { upsertEducationRecords(records: $r) { replayed } }', { r: [{ childId: SEED.filler.id, status: 'ENROLLED' }] }, eduClerk);

  // Arriving enrolled her (the education record follows the notice); education records that she dropped out again.
  await writeSection(WRITES.find((w) => w.dept === 'EDU')!);
  await hub.sql('UPDATE edu.dropout_case SET closed_on = $2, placement = $3 WHERE id = $1', [caseId, LEDGER.topUp.closedOn, LEDGER.topUp.placement]);
  // The month's run: her explained discrepancy no longer fires and is resolved, naming education's last write; the other child's R10 is found.
  const run = await mutate('mutation { runReconciliation(period: "2026-10", region: "350102") { opened resolved } }', {}, eduSupervisor);
  expect(run.runReconciliation).toEqual({ opened: 1, resolved: 1 });

  // Supervision: her case is the county's only one, so a sample of one is hers; a verifier from another township finds it out.
  const drawn = await mutate('mutation($s: String!) { drawSpotCheck(region: "350102", size: 1, strata: ["CASE_STATUS"], seed: $s) { id drawnOn items { id caseId } } }', { s: SPOT.seed }, eduSupervisor);
  const check = drawn.drawSpotCheck as { id: string; drawnOn: string; items: Array<{ id: string; caseId: string }> };
  expect(check.items).toEqual([{ id: expect.any(String), caseId }]);
  await mutate('mutation($id: ID!, $a: [SpotCheckAssignmentInput!]!) { assignSpotCheckItems(spotCheckId: $id, assignments: $a) { id } }',
    { id: check.id, a: [{ itemId: check.items[0].id, verifierSub: SPOT.verifier.sub, verifierDept: SPOT.verifier.dept, verifierRegion: SPOT.verifier.region }] }, eduSupervisor);
  const verifier = await hub.token({ dept: 'TOWNSHIP', region: SPOT.verifier.region, roles: ['clerk'], sub: SPOT.verifier.sub });
  const found = { SCHOOL_STATUS: 'DROPPED_OUT', WHEREABOUTS: 'PRESENT', CASE_STATUS: 'OPEN', EVIDENCE_PRESENT: 'false' } as Record<string, string>;
  await mutate('mutation($id: ID!, $on: LocalDate!, $f: [SpotCheckFindingInput!]!) { recordVerification(itemId: $id, verifiedOn: $on, findings: $f) }',
    { id: check.items[0].id, on: check.drawnOn, f: Object.entries(found).map(([field, value]) => ({ field, found: value, notes: SPOT.notes[field] })) }, verifier);
  // Her actions, and the interview of her county by the city's supervisor (a month to their deadline: none overdue).
  const deadline = new Date(Date.parse(`${check.drawnOn}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  const actors = {
    township: await hub.token({ dept: 'TOWNSHIP', region: TOWNSHIPS.after, roles: ['clerk'], sub: 'leak-township-clerk' }),
    edu: eduClerk,
    city: await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'], sub: 'leak-city-supervisor' }),
    // Not the clerk who wrote her poverty record: its name is that record's marker.
    poverty: await hub.token({ dept: 'POVERTY', region: '350102', sub: 'leak-poverty-answerer' }),
  };
  for (const action of ACTIONS) {
    const input = { kind: action.kind, deadline, note: action.note, ...(action.kind === 'COUNTY_INTERVIEW' ? { county: '350102' } : { childId: SEED.child.id }), ...(action.toDept ? { toDept: action.toDept } : {}) };
    const { recordAction } = await mutate('mutation($i: SupervisionActionInput!) { recordAction(input: $i) { id version } }', { i: input }, actors[action.by]);
    if (action.close) await mutate('mutation($id: ID!, $o: String!, $v: Int!) { closeAction(id: $id, outcome: $o, expectedVersion: $v) { status } }', { id: recordAction.id, o: action.close.outcome, v: recordAction.version }, actors[action.close.by]);
  }
  seededAt = new Date().toISOString();

  // The raw values, as stored: what an R reader must get back, and what no one below R may see.
  const tables: Array<[string, string, string]> = [
    ['Child', 'hub.child', 'id'],
    ...SECTIONS.map((s) => [s.typeName, s.table, 'child_id'] as [string, string, string]),
    ['DropoutCase', 'edu.dropout_case', 'child_id'],
    ['PersuasionVisit', 'edu.persuasion_visit', 'child_id'],
    ['Assessment', 'hub.assessment', 'child_id'],
    ['HomeTeaching', 'edu.home_teaching', 'child_id'],
    ['HomeTeachingVisit', 'edu.home_teaching_visit', 'child_id'],
    ['EnrollmentNotice', 'edu.enrollment_notice', 'child_id'],
  ];
  for (const [type, table, column] of tables) {
    const rows = await hub.sql(`SELECT * FROM ${table} WHERE ${column} = $1`, [SEED.child.id]);
    expect(rows).toHaveLength(1);
    for (const [field, value] of Object.entries(rowValues(type, rows[0]))) if (MATRIX.has(`${type}.${field}`)) RAW.set(`${type}.${field}`, value);
  }
  // Her discrepancy as the API shows it to a reader who may see it.
  const [d] = await hub.sql<Record<string, any>>('SELECT * FROM hub.discrepancy WHERE id = $1', [DISCREPANCY.id]);
  expect(d).toMatchObject({ status: 'RESOLVED', explanation: DISCREPANCY.explanation, fixed_by_chain: '350102' });
  const shown: Record<string, unknown> = {
    id: d.id, rule: d.rule, childId: d.child_id, county: d.county, township: d.township, ownerDept: d.owner_dept, status: d.status, openedOn: d.opened_on,
    deadline: d.deadline, overdue: false, resolvedOn: d.resolved_on, fixedBy: { chain: d.fixed_by_chain, seq: String(d.fixed_by_seq) }, explanation: d.explanation,
    evidence: d.evidence, explainedBy: d.explained_by, confirmedBy: d.confirmed_by, version: d.version,
    facts: Object.entries(d.facts as Record<string, unknown>).map(([field, value]) => ({ field, value: value === null ? null : JSON.stringify(value) })),
  };
  for (const [field, value] of Object.entries(shown)) if (MATRIX.has(`Discrepancy.${field}`)) RAW.set(`Discrepancy.${field}`, value);
  // The sampled item as a supervisor is shown it: what the ledger reported and what was found, field by field in the fields' order.
  const [item] = await hub.sql<Record<string, any>>('SELECT * FROM hub.spot_check_item WHERE child_id = $1', [SEED.child.id]);
  const checked = Object.keys(CHECKED_FIELDS);
  const itemShown = {
    ...rowValues('SpotCheckItem', item),
    reported: checked.filter((f) => f in item.reported).map((field) => ({ field, value: item.reported[field], notes: null })),
    findings: checked.filter((f) => f in item.findings).map((field) => ({ field, value: item.findings[field].found, notes: item.findings[field].notes })),
  };
  for (const [field, value] of Object.entries(itemShown)) if (MATRIX.has(`SpotCheckItem.${field}`)) RAW.set(`SpotCheckItem.${field}`, value);
  // The actions, in the API's order; each field of an action is, for the suite, the list of its values over her actions.
  const actionRows = await hub.sql<Record<string, any>>('SELECT * FROM hub.supervision_action ORDER BY id');
  expect(actionRows.map((a) => a.kind).sort()).toEqual(ACTIONS.map((a) => a.kind).sort());
  for (const row of actionRows) {
    const values = { ...rowValues('SupervisionAction', row), overdue: false };
    SEEDED_ACTIONS.push({ kind: row.kind, id: row.id, shown: Object.fromEntries(Object.entries(values).filter(([field]) => MATRIX.has(`SupervisionAction.${field}`))) });
  }
  for (const c of CASES.filter((x) => x.key.startsWith('SupervisionAction.'))) RAW.set(c.key, childActions().map((a) => a.shown[c.name]));
  for (const write of WRITES) {
    const typeName = SECTIONS.find((s) => s.dept === write.dept)!.typeName;
    for (const field of Object.keys(write.after ?? {})) EARLIER.set(`${typeName}.${field}`, write.before[field]);
  }
  EARLIER.set('Child.township', TOWNSHIPS.before);
  for (const field of ['schoolName', 'teacher', 'notes'] as const) EARLIER.set(`HomeTeaching.${field}`, LEDGER.homeTeaching[field]);
  collectMarkers();

  for (const dept of ALL_DEPARTMENTS) {
    // A township user sits at a township: the child's.
    const region = dept === TOWNSHIP ? (RAW.get('Child.township') as string) : '350102';
    for (const role of ROLES) {
      const token = await hub.token({ dept, region, roles: [role], sub: `leak-reader-${dept.toLowerCase()}-${role}` });
      const allowed = !ROLE_RULES[role].departments || ROLE_RULES[role].departments!.includes(dept);
      if (allowed) readers.push({ dept, role, region, token, access: accessFor({ dept, roles: [role] }) });
      else refused.push({ dept, role, token });
    }
  }
});
afterAll(() => hub?.stop());

describe('the leak suite, generated from the matrix', () => {
  it('covers every matrix field, and seeds a distinctive value for the sensitive ones', () => {
    expect(new Set(CASES.map((c) => c.key))).toEqual(new Set(MATRIX.keys()));
    for (const sensitive of ['Child.idNumber', 'Child.name', 'HealthRecord.diagnosisSummary', 'PovertyRecord.householdId', 'DisabilityRecord.certificateNo', 'DropoutCase.notes', 'Assessment.members', 'Assessment.evidence',
      'HomeTeaching.schoolName', 'HomeTeaching.teacher', 'HomeTeaching.notes', 'HomeTeachingVisit.teacher', 'HomeTeachingVisit.content', 'HomeTeachingVisit.notes']) {
      expect(MARKERS.get(sensitive)?.length).toBeGreaterThan(0);
    }
    expect(MARKERS.get('HealthRecord.diagnosisSummary')).toEqual(['诊断标记-XYZ', '诊断旧标记-OLD']);
    expect(MARKERS.get('SpotCheckItem.findings')?.sort()).toEqual(Object.values(SPOT.notes).sort());
    // Every field of an action holds a value in one of her actions; every kind has its markers.
    for (const c of CASES.filter((x) => x.key.startsWith('SupervisionAction.'))) expect([c.key, childActions().some((a) => a.shown[c.name] !== null && a.shown[c.name] !== undefined)]).toEqual([c.key, true]);
    for (const { kind } of ACTIONS) expect([...MARKERS.keys()].filter((k) => k.endsWith(`@${kind}`)).length).toBeGreaterThan(0);
    // Every field that holds a value of its own is seeded, so that no case passes on an empty record.
    const unseeded = CASES.filter((c) => c.sub !== '{ __typename }' && c.sub !== '{ code }' && (RAW.get(c.key) === null || RAW.get(c.key) === undefined));
    expect(unseeded.map((c) => c.key)).toEqual([]);
    expect(readers.length + refused.length).toBe(ALL_DEPARTMENTS.length * ROLES.length);
    expect(readers.filter((r) => r.dept === TOWNSHIP).length).toBeGreaterThan(0);
  });

  it('refuses the tokens of roles that do not exist in a department, with no data', async () => {
    for (const r of refused) {
      for (const { query, variables } of [{ query: '{ me { sub } }', variables: {} }, ...documents('direct')]) {
        const answer = await post(r.token, query, variables);
        tally.cases++;
        const codes = (answer.body.errors ?? []).map((e) => e.extensions.code);
        if (answer.body.data) tally.leaks.push(`${who(r)}: a refused token got data ${answer.text.slice(0, 80)}`);
        if (codes.length === 0 || codes.some((c) => c !== 'UNAUTHENTICATED')) tally.mismatches.push(`${who(r)}: expected UNAUTHENTICATED, got ${codes}`);
        for (const markers of MARKERS.values()) for (const m of markers) if (answer.text.includes(m)) tally.leaks.push(`${who(r)}: refused token saw "${m}"`);
      }
    }
    expect(refused.map(who).sort()).toEqual(ALL_DEPARTMENTS.flatMap((d) => ROLES.filter((role) => ROLE_RULES[role].departments && !ROLE_RULES[role].departments!.includes(d)).map((role) => `${d}/${role}`)).sort());
    report('refused tokens', 0, 0);
  });

  it.each(TECHNIQUES)('gives every department and role exactly its level of every field, %s', async (t) => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    // Every document twice: the hub compiles an operation on its second run, for each reader's
    // access on that reader's first compiled run (compileForAccess), so the first round is answered
    // by graphql-js for one reader and by code compiled for its access for the others, and the
    // second round by compiled code for every reader.
    for (const doc of documents(t).flatMap((d) => [d, d])) {
      const answers = await inParallel(readers, (reader) => post(reader.token, doc.query, doc.variables, doc.operationName));
      for (const [i, reader] of readers.entries()) {
        const answer = answers[i];
        const unexpected = (answer.body.errors ?? []).filter((e) => e.extensions.code !== 'FORBIDDEN');
        // A reader without row access (an analyst) is refused every root field that leads to a child.
        const rowless = !reader.access.readsRows;
        const rootHidden = rowless || (t === 'lookup' && !['R', 'W'].includes(reader.access.level('Child.idNumber')));
        const rootField = doc.root[0];
        if (rowless) {
          if ((answer.body.data?.[rootField] ?? null) !== null || !(answer.body.errors ?? []).some((e) => e.extensions.code === 'FORBIDDEN' && e.path?.[0] === rootField)) {
            tally.mismatches.push(`${who(reader)} [${t}]: a reader without row access expected a FORBIDDEN ${rootField}, got ${answer.text.slice(0, 200)}`);
          }
          if (answer.text.includes(SEED.child.id)) tally.leaks.push(`${who(reader)} [${t}]: the child's id reached a reader without row access`);
        } else if (rootHidden) {
          // Looking a child up by a number one may not read unmasked is itself refused.
          if (answer.body.data?.childByIdNumber !== null || !(answer.body.errors ?? []).some((e) => e.extensions.code === 'FORBIDDEN' && e.path?.[0] === 'childByIdNumber')) {
            tally.mismatches.push(`${who(reader)} [lookup]: expected a FORBIDDEN lookup, got ${answer.text.slice(0, 200)}`);
          }
        } else if (unexpected.length) {
          tally.mismatches.push(`${who(reader)} [${t}]: unexpected errors ${JSON.stringify(unexpected).slice(0, 300)}`);
        }
        if (t === 'secondOperation' && answer.body.data && 'me' in answer.body.data) tally.mismatches.push(`${who(reader)} [${t}]: the first operation ran`);
        let root: Array<string | number> = doc.root;
        if (t === 'list' && !rowless) {
          const edges = (answer.body.data?.children?.edges ?? []) as Array<{ node: { id: string } }>;
          const index = edges.findIndex((e) => e.node.id === SEED.child.id);
          if (edges.length !== 2 || index < 0) tally.mismatches.push(`${who(reader)} [list]: expected the seed child among 2, got ${edges.length}`);
          root = doc.root.map((step) => (step === '*' ? index : step));
        }
        if (t === 'list' && rowless) root = doc.root.map((step) => (step === '*' ? 0 : step));
        for (const c of doc.cases) judge(reader, t, c, answer, root, rootHidden);
        // A hidden value must not ride along with another field either (one value derived from another).
        const judged = new Set(doc.cases.map((c) => c.key));
        for (const found of hiddenMarkersIn(answer.text, (k, kind) => (judged.has(k) && !kind ? 'R' : rootHidden ? '-' : effective(reader, caseOf(k), kind)))) {
          tally.leaks.push(`${who(reader)} [${t}] body: ${found}`);
        }
      }
    }
    report(t, leaks, mismatches);
  });

  /**
   * Each filter of ChildFilter and the matrix field it reads (children.query.ts); whether the
   * seed child matches it. A reader below R on that field is refused, whatever the value.
   */
  const PROBES: Array<{ filter: Record<string, unknown>; reads: string; matches: boolean }> = [
    { filter: { region: '350102' }, reads: 'Child.hukouRegion', matches: true },
    { filter: { schoolStatus: ['DROPPED_OUT'] }, reads: 'EducationRecord.status', matches: true },
    { filter: { schoolStatus: ['ENROLLED'] }, reads: 'EducationRecord.status', matches: false },
    { filter: { stage: 'PRIMARY' }, reads: 'EducationRecord.stage', matches: true },
    { filter: { stage: 'JUNIOR_SECONDARY' }, reads: 'EducationRecord.stage', matches: false },
    { filter: { hasOpenDropoutCase: true }, reads: 'DropoutCase.status', matches: true },
    { filter: { hasOpenDropoutCase: false }, reads: 'DropoutCase.status', matches: false },
    ...Object.entries(SPECIAL_GROUP_FLAGS).map(([group, flag]) => ({ filter: { specialGroups: [group] }, reads: `CivilAffairsRecord.${flag.field}`, matches: true })),
    { filter: { registeredPoor: true }, reads: 'PovertyRecord.registeredPoor', matches: true },
    { filter: { registeredPoor: false }, reads: 'PovertyRecord.registeredPoor', matches: false },
    { filter: { hasDisability: true }, reads: 'DisabilityRecord.disabilityType', matches: true },
    { filter: { hasDisability: false }, reads: 'DisabilityRecord.disabilityType', matches: false },
    { filter: { hasSeriousIllness: true }, reads: 'HealthRecord.seriousIllness', matches: true },
    { filter: { hasSeriousIllness: false }, reads: 'HealthRecord.seriousIllness', matches: false },
  ];

  it('refuses every filter on a field the reader may not read unmasked, and answers the others truly', async () => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    // Without row access nothing is readable: `children` is refused, its totalCount with it, whatever the filter.
    const readable = (reader: Reader, probe: (typeof PROBES)[number]) => reader.access.readsRows && ['R', 'W'].includes(reader.access.level(probe.reads));
    // A region filter is also a question of region scope: it is probed where it lies inside the
    // reader's region (not for a township user, whose township no region filter names; see
    // region-scope.test.ts and township.test.ts).
    const probesOf = (reader: Reader) => PROBES.filter((p) => typeof p.filter.region !== 'string' || regions.contains(reader.region, p.filter.region));
    // A refused probe is sent alone (its error blanks the whole answer); the others ten to a
    // document, each under its own alias, which is itself one more path a filter could take.
    const requests = readers.flatMap((reader) => {
      const allowed = probesOf(reader).filter((p) => readable(reader, p));
      const chunks = Array.from({ length: Math.ceil(allowed.length / 10) }, (_, i) => allowed.slice(i * 10, i * 10 + 10));
      return [...chunks, ...probesOf(reader).filter((p) => !readable(reader, p)).map((p) => [p])].map((probes) => ({ reader, probes }));
    });
    const answers = await inParallel(requests, ({ reader, probes }) => {
      const variables = Object.fromEntries(probes.map((p, i) => [`f${i}`, p.filter]));
      const query = `query Probe(${probes.map((_, i) => `$f${i}: ChildFilter`).join(', ')}) { ${probes
        .map((_, i) => `p${i}: children(filter: $f${i}, first: 100) { totalCount edges { node { id } } }`)
        .join(' ')} }`;
      return post(reader.token, query, variables);
    });
    for (const [n, { reader, probes }] of requests.entries()) {
      const answer = answers[n];
      for (const [i, probe] of probes.entries()) {
        tally.cases++;
        const where = `${who(reader)} [filter ${JSON.stringify(probe.filter)}] ${probe.reads}`;
        const level = reader.access.level(probe.reads);
        const codes = (answer.body.errors ?? []).map((e) => e.extensions.code);
        const connection = answer.body.data?.[`p${i}`];
        if (readable(reader, probe)) {
          const ids = ((connection?.edges ?? []) as Array<{ node: { id: string } }>).map((e) => e.node.id);
          if (codes.length) tally.mismatches.push(`${where}: level ${level} but ${codes}`);
          if (ids.includes(SEED.child.id) !== probe.matches) tally.mismatches.push(`${where}: seed child ${probe.matches ? 'missing' : 'wrongly included'}`);
          if (connection?.totalCount !== ids.length) tally.mismatches.push(`${where}: totalCount ${connection?.totalCount} for ${ids.length} children`);
        } else {
          if (answer.body.data) tally.leaks.push(`${where}: level ${level} but the filter answered ${answer.text.slice(0, 120)}`);
          if (answer.text.includes(SEED.child.id)) tally.leaks.push(`${where}: the filtered child's id is in the body`);
          if (codes.join() !== 'FORBIDDEN') tally.mismatches.push(`${where}: level ${level}, expected FORBIDDEN, got ${codes}`);
        }
      }
    }
    report('filters', leaks, mismatches);
  });

  it('keeps hidden sections and fields, and unmasked M values, out of the change log and Child.changes', async () => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    const entry = 'seq entity operation actorSub changes { field before after }';
    const paths = [
      { name: 'changeLog', query: `query($id: ID!) { changeLog(filter: { childId: $id }, first: 100) { edges { node { ${entry} } } } }`, entries: (d: any) => d?.changeLog?.edges?.map((e: any) => e.node) },
      { name: 'child.changes', query: `query($id: ID!) { child(id: $id) { changes(last: 100) { ${entry} } } }`, entries: (d: any) => d?.child?.changes },
    ];
    // What was written through the API: the registration's fields, each section's, the ledger's.
    // An entity's changes are hidden with the fields that lead to it (`Child.homeTeaching`, then `HomeTeaching.visits`).
    const gates = (entity: string) => (entity === 'Child' ? ['Child.id'] : gatesOf([...NESTED].find(([, n]) => n.type.name === entity)![0]));
    const entity = (type: string, fields: string[]) => fields.map((field) => ({ entity: type, field, gates: gates(type) }));
    const BOOKKEEPING = ['id', 'version', 'updatedAt', 'updatedBy'];
    const written: Array<{ entity: string; field: string; gates: string[] }> = [
      ...entity('Child', Object.keys(SEED.child).filter((f) => f !== 'id')),
      ...WRITES.flatMap((w) => entity(SECTIONS.find((s) => s.dept === w.dept)!.typeName, Object.keys({ ...w.before, ...w.after }))),
      ...entity('DropoutCase', [...Object.keys(LEDGER.case), 'policeConfirmedOn']),
      ...entity('PersuasionVisit', Object.keys(LEDGER.visit)),
      ...entity('Assessment', Object.keys(LEDGER.assessment)),
      ...entity('HomeTeaching', ['caseId', ...Object.keys({ ...LEDGER.homeTeaching, ...LEDGER.homeTeachingUpdate })]),
      ...entity('HomeTeachingVisit', Object.keys(LEDGER.homeTeachingVisit)),
      // Issuing, marking and the arrival write every value of the notice.
      ...entity('EnrollmentNotice', CASES.filter((c) => c.key.startsWith('EnrollmentNotice.') && c.sub === '' && !BOOKKEEPING.includes(c.name)).map((c) => c.name)),
    ];
    const asked = readers.flatMap((reader) => paths.map((path) => ({ reader, path })));
    const answers = await inParallel(asked, ({ reader, path }) => post(reader.token, path.query, { id: SEED.child.id }));
    for (const [i, { reader, path }] of asked.entries()) {
      const answer = answers[i];
      const entries = (path.entries(answer.body.data) ?? []) as Array<{ seq: number; entity: string; changes: Array<{ field: string; before: string | null; after: string | null }> }>;
      // A reader who may not read a child's history (`Child.changes`) is told of none of it, by either path.
      const history = reader.access.canRead('Child.changes');
      if (history && (answer.body.errors?.length || entries.length === 0)) tally.mismatches.push(`${who(reader)} [${path.name}]: ${answer.text.slice(0, 200)}`);
      if (!history) {
        tally.cases++;
        if (entries.length) tally.leaks.push(`${who(reader)} [${path.name}]: ${entries.length} entries, though Child.changes is hidden from the reader`);
        const errors = (answer.body.errors ?? []).map((e) => `${e.extensions.code} ${e.path?.join('.')}`);
        // Without row access both roots are refused; otherwise the log is silently empty and `changes` refused.
        const expected = !reader.access.readsRows ? [`FORBIDDEN ${path.name === 'child.changes' ? 'child' : 'changeLog'}`] : path.name === 'child.changes' ? ['FORBIDDEN child.changes'] : [];
        const refusedRoot = !reader.access.readsRows && answer.body.data === null;
        if (!isDeepStrictEqual(errors, expected) || (path.name === 'child.changes' && !refusedRoot && answer.body.data?.child?.changes !== null)) {
          tally.mismatches.push(`${who(reader)} [${path.name}]: Child.changes hidden, expected errors ${JSON.stringify(expected)}, got ${answer.text.slice(0, 200)}`);
        }
      }
      const bySeq = [...entries].sort((a, b) => a.seq - b.seq);
      for (const w of written) {
        tally.cases++;
        const k = `${w.entity}.${w.field}`;
        const where = `${who(reader)} [${path.name}] ${k} at ${path.name}.changes`;
        const entityHidden = !history || w.gates.some((gate) => reader.access.level(gate) === '-');
        const level: Level = entityHidden ? '-' : reader.access.level(k);
        const changes = bySeq.filter((e) => e.entity === w.entity).flatMap((e) => e.changes.filter((c) => c.field === w.field));
        for (const marker of MARKERS.get(k) ?? []) {
          if (level !== 'R' && level !== 'W' && answer.text.includes(marker)) tally.leaks.push(`${where}: raw value "${marker}" in the response body (level ${level})`);
        }
        if (entityHidden && bySeq.some((e) => e.entity === w.entity)) tally.leaks.push(`${where}: entries of ${w.entity}, a section or record hidden from the reader`);
        const raw = RAW.get(k);
        const earlier = EARLIER.get(k);
        if (level === '-') {
          if (changes.length) tally.leaks.push(`${where}: a change of a hidden field is shown (${JSON.stringify(changes[0]).slice(0, 100)})`);
        } else {
          const shown = (v: unknown) => (level === 'M' ? (MASK_OF[k]?.(String(v)) ?? null) : v);
          const same = (json: string | null | undefined, v: unknown) => json !== null && json !== undefined && isDeepStrictEqual(JSON.parse(json), shown(v));
          const last = changes.at(-1);
          if (!same(last?.after, raw)) tally.mismatches.push(`${where}: level ${level} expected after ${JSON.stringify(shown(raw))} got ${JSON.stringify(last)}`);
          if (earlier !== undefined && !changes.some((c) => same(c.before, earlier))) tally.mismatches.push(`${where}: level ${level} expected a before of ${JSON.stringify(shown(earlier))}`);
        }
      }
      const judged = new Set(written.map((w) => `${w.entity}.${w.field}`));
      for (const found of hiddenMarkersIn(answer.text, (k, kind) => (judged.has(k) && !kind ? 'R' : !history ? '-' : effective(reader, caseOf(k), kind)))) {
        tally.leaks.push(`${who(reader)} [${path.name}] body: ${found}`);
      }
    }
    report('change log', leaks, mismatches);
  });

  /**
   * A reader without row access (an analyst) asks every root field that answers with children or
   * with counts a filter narrows (shield.ts ROW_ROOT_FIELDS): each is refused with nothing of the
   * child, not even a count; and `statistics` shows it no count of the two seeded children (every
   * non-zero cell is under the threshold), for every measure and dimension it may count.
   */
  it('gives a reader without row access nothing per child: no row, no count, no error text, suppressed statistics', async () => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    const ROOTS: Record<string, string> = {
      'Query.children': '{ children { totalCount } }',
      'Query.child': `{ child(id: "${SEED.child.id}") { id } }`,
      'Query.childByIdNumber': `{ childByIdNumber(idNumber: "${SEED.child.idNumber}") { id } }`,
      'Query.changeLog': '{ changeLog { edges { node { seq childId } } } }',
      'Query.enrollmentNotices': `{ enrollmentNotices(filter: { schoolYear: ${ENROLLMENT.issue.schoolYear}, region: "350102" }) { totalCount } }`,
      'Query.weeklyFigures': '{ weeklyFigures(isoWeek: "2026-W42") { visits pastDeadline } }',
      'Query.countyProgress': '{ countyProgress(isoWeek: "2026-W42") { openCases } }',
      'Query.countyProgressHistory': '{ countyProgressHistory(from: "2026-W40", to: "2026-W41") { weeks { openCases overdue returns cityRank provinceRank } } }',
      'Query.caseload': '{ caseload(groupBy: RESPONSIBLE_PERSON) { responsiblePerson openCases } }',
      'Query.exchangeNotices': '{ exchangeNotices { totalCount } }',
      'Query.exchangeNotice': `{ exchangeNotice(id: "${SEED.child.id}") { id } }`,
      'Query.changeLogProof': '{ changeLogProof(chain: "350102", seq: 1) { entryHash entry document } }',
      'Query.discrepancies': '{ discrepancies { totalCount edges { node { id childId } } } }',
      'Query.duplicateCandidates': '{ duplicateCandidates { totalCount edges { node { id } } } }',
      'Query.spotCheck': `{ spotCheck(id: "${SEED.child.id}") { id } }`,
      'Query.spotChecks': '{ spotChecks { id } }',
      'Query.spotCheckResults': `{ spotCheckResults(id: "${SEED.child.id}") { drawn } }`,
      'Query.redrawSpotCheck': `{ redrawSpotCheck(id: "${SEED.child.id}") { sameSample } }`,
      'Query.spotCheckAssignments': '{ spotCheckAssignments { childId } }',
      'Query.supervisionActions': '{ supervisionActions { totalCount } }',
    };
    // The subscription is refused by the same rule; tests/e2e/change-feed.test.ts subscribes.
    expect([...ROW_ROOT_FIELDS].filter((f) => f.startsWith('Query.')).sort()).toEqual(Object.keys(ROOTS).sort());
    const rowless = readers.filter((r) => !r.access.readsRows);
    expect(rowless.map(who).sort()).toEqual(ALL_DEPARTMENTS.filter((d) => !ROLE_RULES.analyst.departments || ROLE_RULES.analyst.departments.includes(d)).map((d) => `${d}/analyst`).sort());
    for (const reader of rowless) {
      for (const [root, query] of Object.entries(ROOTS)) {
        tally.cases++;
        const answer = await post(reader.token, query, {});
        const codes = (answer.body.errors ?? []).map((e) => e.extensions.code);
        if (Object.values(answer.body.data ?? {}).some((v) => v !== null) || codes.join() !== 'FORBIDDEN') tally.mismatches.push(`${who(reader)} ${root}: expected FORBIDDEN and no data, got ${answer.text.slice(0, 200)}`);
        if (answer.text.includes(SEED.child.id.slice(0, 13)) && root !== 'Query.child' && root !== 'Query.exchangeNotice') tally.leaks.push(`${who(reader)} ${root}: the child's id in the answer`);
        if (/\b[12]\b/.test(JSON.stringify(answer.body.data ?? null))) tally.leaks.push(`${who(reader)} ${root}: a count in the answer`);
        for (const found of hiddenMarkersIn(answer.text, () => '-')) tally.leaks.push(`${who(reader)} ${root}: ${found}`);
      }
      // The printable enrollment notice, outside GraphQL: refused too, with nothing of her.
      const [{ id: printId }] = await hub.sql<{ id: string }>('SELECT id FROM edu.enrollment_notice WHERE child_id = $1', [SEED.child.id]);
      const print = await fetch(`${hub.url}/enrollment-notices/${printId}/print`, { headers: { authorization: `Bearer ${reader.token}` } });
      const printed = await print.text();
      tally.cases++;
      if (print.status !== 403) tally.mismatches.push(`${who(reader)} print: expected 403, got ${print.status}`);
      for (const found of hiddenMarkersIn(printed, () => '-')) tally.leaks.push(`${who(reader)} print: ${found}`);
      // Every measure it may count (a sum is for exact readers only), by every dimension it may count:
      // the state measures now and as of now (rebuilt from the change log), the period measures over
      // the seed's year, an event dimension (MONTH…) with period measures alone.
      const countable = Object.entries(MEASURES).filter(([, m]) => !m.sum && m.reads.every((f) => reader.access.canCount(f)));
      const stateMeasures = countable.filter(([, m]) => !m.period).map(([name]) => name);
      const periodMeasures = countable.filter(([, m]) => m.period).map(([name]) => name);
      const dimensions = Object.entries(DIMENSIONS).filter(([, d]) => d.reads.every((f) => reader.access.canCount(f))).map(([name]) => name);
      const period = { from: '2025-10-16', to: '2026-10-15' };
      for (const groupBy of [[], ...dimensions.map((d) => [d])]) {
        const event = groupBy.some((d) => DIMENSIONS[d as keyof typeof DIMENSIONS].event);
        const asks: Array<{ m: string[]; f?: object; asOf?: string }> = [{ m: periodMeasures, f: { period } }];
        if (!event) asks.push({ m: stateMeasures }, { m: stateMeasures.filter((m) => MEASURES[m as keyof typeof MEASURES].asOf !== false), asOf: new Date().toISOString() });
        for (const ask of asks.filter((a) => a.m.length > 0)) {
          tally.cases++;
          const answer = await post(reader.token, 'query($m: [StatMeasure!]!, $g: [StatDimension!], $f: StatisticsFilter, $asOf: String) { statistics(measures: $m, groupBy: $g, filter: $f, asOf: $asOf) { cells { key values { value suppressed } } totals { key values { value suppressed } } } }', { ...ask, g: groupBy });
          const table = answer.body.data?.statistics as { cells: Array<{ values: Array<{ value: number | null }> }>; totals: Array<{ values: Array<{ value: number | null }> }> } | undefined;
          if (!table || answer.body.errors) tally.mismatches.push(`${who(reader)} statistics by ${groupBy}: ${answer.text.slice(0, 200)}`);
          const shown = [...(table?.cells ?? []), ...(table?.totals ?? [])].flatMap((c) => c.values.map((v) => v.value)).filter((v) => v !== null && v !== 0);
          if (shown.length) tally.leaks.push(`${who(reader)} statistics by ${groupBy}: counts of the two children shown (${shown.join(', ')})`);
          for (const found of hiddenMarkersIn(answer.text, () => '-')) tally.leaks.push(`${who(reader)} statistics: ${found}`);
        }
      }
    }
    report('without row access', leaks, mismatches);
  });

  /**
   * Discrepancies by every other path (issue 14 point 4): the `discrepancies` list and its count
   * under every filter, one by id (a hidden one answers exactly like none), the runs (who may run,
   * what a run's counts show) and their change-log entries, and the month's notices and exports:
   * each reader learns of a discrepancy only if it may read every field its rule compares.
   */
  it('tells of discrepancies, runs and their counts and exports only to readers of every field a rule compares', async () => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    const [r10] = await hub.sql<{ id: string }>(`SELECT id FROM hub.discrepancy WHERE rule = 'R10' AND child_id = $1`, [SEED.filler.id]);
    const items = [{ id: DISCREPANCY.id, rule: DISCREPANCY.rule }, { id: r10.id, rule: 'R10' }];
    const secrets = [DISCREPANCY.explanation, DISCREPANCY.evidence];
    const rowReaders = readers.filter((r) => r.access.readsRows);
    const filters = [{}, { rule: 'R04' }, { rule: 'R10' }, { childId: SEED.child.id }, { childId: SEED.filler.id }, { status: 'RESOLVED' }, { status: 'OPEN' }, { open: true }, { open: false }, { ownerDept: 'EDU' }, { ownerDept: 'PSB' }, { overdue: false }];
    const LIST = 'query($f: DiscrepancyFilter) { discrepancies(filter: $f, first: 50) { totalCount edges { node { id rule { code } explanation evidence } } } }';
    const asked = rowReaders.flatMap((reader) => filters.map((filter) => ({ reader, filter })));
    const answers = await inParallel(asked, ({ reader, filter }) => post(reader.token, LIST, { f: filter }));
    for (const [i, { reader, filter }] of asked.entries()) {
      tally.cases++;
      const answer = answers[i];
      const where = `${who(reader)} [discrepancies ${JSON.stringify(filter)}]`;
      const matches = (item: (typeof items)[number]) => (filter as Record<string, unknown>).rule === undefined || (filter as Record<string, unknown>).rule === item.rule;
      const ofChild = (item: (typeof items)[number]) => !('childId' in filter) || (filter.childId === SEED.child.id) === (item.id === DISCREPANCY.id);
      const byStatus = (item: (typeof items)[number]) => {
        const status = item.id === DISCREPANCY.id ? 'RESOLVED' : 'OPEN';
        const f = filter as Record<string, unknown>;
        return (f.status === undefined || f.status === status) && (f.open === undefined || f.open === (status === 'OPEN'))
          && (f.ownerDept === undefined || f.ownerDept === (item.rule === 'R10' ? 'PSB' : 'EDU'));
      };
      // A township reader is told of its township's door-to-door rules only (R04 is one; R10 is not).
      const sees = (item: (typeof items)[number]) => seesRule(reader.access, RULE_BY_CODE.get(item.rule)!) && (reader.dept !== TOWNSHIP || RULE_BY_CODE.get(item.rule)!.township);
      const expected = items.filter((item) => sees(item) && matches(item) && ofChild(item) && byStatus(item)).map((item) => item.id).sort();
      const connection = answer.body.data?.discrepancies;
      const got = ((connection?.edges ?? []) as Array<{ node: { id: string } }>).map((e) => e.node.id).sort();
      if (answer.body.errors) tally.mismatches.push(`${where}: ${answer.text.slice(0, 200)}`);
      if (got.some((id) => !expected.includes(id))) tally.leaks.push(`${where}: told of ${got.filter((id) => !expected.includes(id))}`);
      if (!isDeepStrictEqual(got, expected)) tally.mismatches.push(`${where}: expected ${expected}, got ${got}`);
      if (connection && connection.totalCount !== expected.length) tally.leaks.push(`${where}: totalCount ${connection.totalCount} for ${expected.length} it may see`);
      for (const item of items) if (!sees(item) && answer.text.includes(item.id)) tally.leaks.push(`${where}: the id of a hidden ${item.rule} discrepancy`);
      if (!sees(items[0])) for (const m of secrets) if (answer.text.includes(m)) tally.leaks.push(`${where}: "${m}" of a hidden discrepancy`);
    }

    // By id: a hidden discrepancy answers exactly as one that does not exist (code and text).
    const missing = '5eed0000-0000-4000-8000-0000000dead0';
    for (const reader of rowReaders) {
      for (const item of items) {
        if (seesRule(reader.access, RULE_BY_CODE.get(item.rule)!) && reader.dept !== TOWNSHIP) continue;
        tally.cases++;
        const ask = (id: string) => post(reader.token, 'mutation($id: ID!) { recheckDiscrepancy(id: $id) { id status } }', { id });
        const [hidden, none] = [await ask(item.id), await ask(missing)];
        const shape = (a: Answer, id: string) => JSON.stringify({ data: a.body.data, errors: (a.body.errors ?? []).map((e) => [e.extensions.code, e.message.replace(id, 'ID')]) });
        if (shape(hidden, item.id) !== shape(none, missing)) tally.leaks.push(`${who(reader)} [by id] a hidden ${item.rule} discrepancy answers ${shape(hidden, item.id)} where none answers ${shape(none, missing)}`);
      }
    }

    // Runs: only a supervisor or the education liaison runs one, and what it counts is theirs to see; the runs' log entries go to readers of every rule only.
    for (const reader of readers) {
      tally.cases++;
      const answer = await post(reader.token, 'mutation { runReconciliation(period: "2026-10", region: "350102") { counts { rule county count } opened resolved contentHash } }', {});
      const mayRun = reader.access.readsRows && (reader.role === 'supervisor' || (reader.dept === 'EDU' && reader.role === 'liaison')) && reader.dept !== TOWNSHIP;
      const run = answer.body.data?.runReconciliation;
      if (!mayRun) {
        if (run || (answer.body.errors ?? []).map((e) => e.extensions.code).join() !== 'FORBIDDEN') tally.mismatches.push(`${who(reader)} [run]: expected FORBIDDEN, got ${answer.text.slice(0, 200)}`);
        if (/R10|"count"/.test(answer.text)) tally.leaks.push(`${who(reader)} [run]: a count reached a reader who may not run`);
        continue;
      }
      const counts = (run?.counts ?? []) as Array<{ rule: string }>;
      if (counts.some((c) => !seesRule(reader.access, RULE_BY_CODE.get(c.rule)!))) tally.leaks.push(`${who(reader)} [run]: counts of a rule it may not see`);
      if ((run?.contentHash !== null) !== seesEveryRule(reader.access)) tally.leaks.push(`${who(reader)} [run]: content hash ${run?.contentHash} to a reader ${seesEveryRule(reader.access) ? '' : 'not '}of every rule`);
      if (!isDeepStrictEqual(counts, RULES.some((r) => r.code === 'R10') && seesRule(reader.access, RULE_BY_CODE.get('R10')!) ? [{ rule: 'R10', county: '350102', count: 1 }] : [])) {
        tally.mismatches.push(`${who(reader)} [run]: counts ${JSON.stringify(counts)}`);
      }
    }
    const logged = await inParallel(rowReaders, (reader) => post(reader.token, '{ changeLog(first: 500) { edges { node { entity entityId } } } }', {}));
    for (const [i, reader] of rowReaders.entries()) {
      tally.cases++;
      const entities = ((logged[i].body.data?.changeLog?.edges ?? []) as Array<{ node: { entity: string; entityId: string } }>).map((e) => e.node);
      const told = entities.filter((e) => e.entity === 'Discrepancy' || e.entity === 'ReconciliationRun');
      if (told.length && !seesEveryRule(reader.access)) tally.leaks.push(`${who(reader)} [changeLog]: ${told.length} reconciliation entries to a reader not of every rule`);
      if (!seesEveryRule(reader.access)) for (const m of secrets) if (logged[i].text.includes(m)) tally.leaks.push(`${who(reader)} [changeLog]: "${m}"`);
    }

    // The month's notices, issued after it ends, and their exports: each department's lists only what it may see.
    const november = await startTestHub({ sameDatabaseAs: hub, today: '2026-11-02' });
    try {
      const province = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'], sub: 'leak-province' });
      const issued = await november.gql('mutation { issueMonthlyNotices(period: "2026-10") { count } }', {}, province);
      expect(issued.body.errors).toBeUndefined();
      const notices = await hub.sql<{ id: string; dept: string; summary: { discrepancies: Record<string, number> } }>(`SELECT id, dept, summary FROM hub.exchange_notice WHERE period = '2026-10' AND region = '350102'`);
      for (const reader of rowReaders.filter((r) => r.role === 'liaison' || r.role === 'supervisor')) {
        for (const notice of notices) {
          // A liaison reads its own department's notices; a supervisor every notice of its region, as the recipient was told it.
          if (reader.role === 'liaison' && notice.dept !== reader.dept) continue;
          if (reader.dept === TOWNSHIP) continue;
          const recipient = accessFor({ dept: notice.dept as Department, roles: ['liaison'] });
          const sees = (item: (typeof items)[number]) => seesRule(recipient, RULE_BY_CODE.get(item.rule)!);
          const d = notice.summary.discrepancies;
          tally.cases++;
          const expectedNew = items.filter(sees).length;
          if (d.new !== expectedNew || d.resolved !== (sees(items[0]) ? 1 : 0)) tally.mismatches.push(`${who(reader)} [notice ${notice.dept}]: counts ${JSON.stringify(d)}`);
          for (const format of ['export.csv', 'print']) {
            tally.cases++;
            const response = await fetch(`${november.url}/notices/${notice.id}/${format}`, { headers: { authorization: `Bearer ${reader.token}` } });
            const text = await response.text();
            if (response.status !== 200) { tally.mismatches.push(`${who(reader)} [notice ${notice.dept} ${format}]: ${response.status}`); continue; }
            for (const item of items) {
              if (!sees(item) && text.includes(item.id)) tally.leaks.push(`${who(reader)} [notice ${notice.dept} ${format}]: the id of a ${item.rule} discrepancy ${notice.dept} may not see`);
              if (sees(item) && !text.includes(item.id)) tally.mismatches.push(`${who(reader)} [notice ${notice.dept} ${format}]: the ${item.rule} discrepancy is missing`);
            }
            for (const m of secrets) if (text.includes(m)) tally.leaks.push(`${who(reader)} [notice ${notice.dept} ${format}]: "${m}"`);
          }
        }
      }
    } finally {
      await november.stop();
    }
    report('discrepancies, runs, notices', leaks, mismatches);
  });

  /**
   * Supervision by every other path (issue 19 point 4): spot checks (list, one by id, results,
   * redraw) to the supervisors of their region only, a hidden one answering exactly like none; a
   * verifier's assignments to the verifier only; `supervisionActions` under every filter and its
   * count and as of a time, one by id (a hidden action answers exactly like a missing id), their change-log entries,
   * the correction order's print, and the monthly notices' 督导事项 (counts and the xlsx, csv and print
   * exports): each reader is told of an action only of a kind ACTION_MATRIX lets its department read
   * (supervisors: every kind); a notice lists only what its recipient department may read.
   */
  it('tells of spot checks, actions, their counts, log entries and the printed order only to whom each is shown', async () => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    const rowReaders = readers.filter((r) => r.access.readsRows);
    const missing = '5eed0000-0000-4000-8000-0000000dead1';
    const shape = (a: Answer, id: string) => JSON.stringify({ data: a.body.data, errors: (a.body.errors ?? []).map((e) => [e.extensions.code, e.message.replaceAll(id, 'ID')]) });
    const spotMarkers = MARKERS.get('SpotCheckItem.findings')!;
    const [{ id: checkId }] = await hub.sql<{ id: string }>('SELECT id FROM hub.spot_check');
    const itemId = RAW.get('SpotCheckItem.id') as string;

    // Spot checks: a supervisor of the region sees the check, its item (her case) and its results; anyone else nothing, as if there were none.
    // Now and as of now (rebuilt from the change log): the same to the same readers.
    const seenAt = new Date().toISOString();
    const BY_ID: Record<string, string> = {
      spotCheck: 'query($id: ID!) { spotCheck(id: $id) { id region items { id childId findings { field value notes } } } }',
      spotCheckResults: 'query($id: ID!) { spotCheckResults(id: $id) { drawn verified mismatches { itemId childId field reported found } } }',
      redrawSpotCheck: 'query($id: ID!) { redrawSpotCheck(id: $id) { sameSample caseIds } }',
      'spotCheck asOf': `query($id: ID!) { spotCheck(id: $id, asOf: "${seenAt}") { id region items { id childId findings { field value notes } } } }`,
      'spotCheckResults asOf': `query($id: ID!) { spotCheckResults(id: $id, asOf: "${seenAt}") { drawn verified mismatches { itemId childId field reported found } } }`,
    };
    for (const reader of rowReaders) {
      const supervises = reader.access.canRead('Child.spotChecks');
      expect([who(reader), supervises]).toEqual([who(reader), reader.role === 'supervisor']);
      tally.cases++;
      const list = await post(reader.token, '{ spotChecks { id region items { id childId } } }', {});
      const ids = ((list.body.data?.spotChecks ?? []) as Array<{ id: string }>).map((c) => c.id);
      if (list.body.errors) tally.mismatches.push(`${who(reader)} [spotChecks]: ${list.text.slice(0, 200)}`);
      if (!isDeepStrictEqual(ids, supervises ? [checkId] : [])) (supervises ? tally.mismatches : tally.leaks).push(`${who(reader)} [spotChecks]: ${JSON.stringify(ids)}`);
      tally.cases++;
      const pastList = await post(reader.token, `{ spotChecks(first: 5, asOf: "${seenAt}") { id region items { id childId findings { field value notes } } } }`, {});
      const pastIds = ((pastList.body.data?.spotChecks ?? []) as Array<{ id: string }>).map((c) => c.id);
      if (pastList.body.errors) tally.mismatches.push(`${who(reader)} [spotChecks asOf]: ${pastList.text.slice(0, 200)}`);
      if (!isDeepStrictEqual(pastIds, supervises ? [checkId] : [])) (supervises ? tally.mismatches : tally.leaks).push(`${who(reader)} [spotChecks asOf]: ${JSON.stringify(pastIds)}`);
      if (!supervises && (pastList.text.includes(SEED.child.id) || pastList.text.includes(itemId))) tally.leaks.push(`${who(reader)} [spotChecks asOf]: her id or her item's`);
      for (const [root, query] of Object.entries(BY_ID)) {
        tally.cases++;
        const [seen, none] = [await post(reader.token, query, { id: checkId }), await post(reader.token, query, { id: missing })];
        const where = `${who(reader)} [${root}]`;
        if (supervises) {
          if (seen.body.errors || !seen.text.includes(supervises && root === 'redrawSpotCheck' ? RAW.get('SpotCheckItem.caseId') as string : SEED.child.id)) tally.mismatches.push(`${where}: ${seen.text.slice(0, 200)}`);
          continue;
        }
        if (shape(seen, checkId) !== shape(none, missing)) tally.leaks.push(`${where}: a hidden spot check answers ${shape(seen, checkId)} where none answers ${shape(none, missing)}`);
        if (seen.text.includes(SEED.child.id) || seen.text.includes(itemId)) tally.leaks.push(`${where}: her id or her item's`);
      }
      tally.cases++;
      const assigned = await post(reader.token, '{ spotCheckAssignments { itemId childId childName } }', {});
      if (!isDeepStrictEqual(assigned.body.data?.spotCheckAssignments, [])) tally.leaks.push(`${who(reader)} [spotCheckAssignments]: ${assigned.text.slice(0, 200)}`);
      for (const answer of [list, pastList, assigned]) if (!supervises) for (const m of spotMarkers) if (answer.text.includes(m)) tally.leaks.push(`${who(reader)} [spot checks]: "${m}"`);
    }
    // A reader without row access (an analyst) is refused every as-of read of supervision records, as the live ones, with nothing in the refusal.
    const AS_OF_ROOTS: Record<string, string> = {
      spotCheck: `{ spotCheck(id: "${checkId}", asOf: "${seenAt}") { id items { childId } } }`,
      spotChecks: `{ spotChecks(asOf: "${seenAt}") { id items { childId } } }`,
      spotCheckResults: `{ spotCheckResults(id: "${checkId}", asOf: "${seenAt}") { drawn verified mismatches { childId } } }`,
      supervisionActions: `{ supervisionActions(asOf: "${seenAt}") { totalCount edges { node { id note } } } }`,
    };
    for (const reader of readers.filter((r) => !r.access.readsRows)) {
      for (const [root, query] of Object.entries(AS_OF_ROOTS)) {
        tally.cases++;
        const answer = await post(reader.token, query, {});
        const codes = (answer.body.errors ?? []).map((e) => e.extensions.code);
        if (Object.values(answer.body.data ?? {}).some((v) => v !== null) || codes.join() !== 'FORBIDDEN') tally.mismatches.push(`${who(reader)} [${root} asOf]: expected FORBIDDEN and no data, got ${answer.text.slice(0, 200)}`);
        // Her id, her item's, and the check's (which only the by-id queries name themselves).
        const named = root === 'spotCheck' || root === 'spotCheckResults';
        if ([SEED.child.id, itemId, ...(named ? [] : [checkId])].some((id) => answer.text.includes(id))) tally.leaks.push(`${who(reader)} [${root} asOf]: an id in the answer`);
        for (const found of hiddenMarkersIn(answer.text, () => '-')) tally.leaks.push(`${who(reader)} [${root} asOf]: ${found}`);
      }
    }

    // Actions: every filter, its count, no id and no marker of a kind the reader may not read.
    const actions = SEEDED_ACTIONS;
    const filters: Array<Record<string, unknown>> = [{}, ...ACTIONS.map((a) => ({ kind: a.kind })), { status: 'OPEN' }, { status: 'CLOSED' }, { overdue: true }, { overdue: false },
      { childId: SEED.child.id }, { childId: SEED.filler.id }, { region: '350102' }, { kind: 'ASSISTANCE_REFERRAL', status: 'CLOSED' }];
    const matches = (a: (typeof actions)[number], f: Record<string, unknown>) => (f.kind === undefined || f.kind === a.kind) && (f.status === undefined || f.status === a.shown.status)
      && (f.overdue === undefined || f.overdue === false) && (f.childId === undefined || f.childId === a.shown.childId);
    const LIST = 'query($f: SupervisionActionFilter) { supervisionActions(filter: $f, first: 50) { totalCount edges { node { id kind note outcome number } } } }';
    const asked = rowReaders.flatMap((reader) => filters.map((filter) => ({ reader, filter })));
    const answers = await inParallel(asked, ({ reader, filter }) => post(reader.token, LIST, { f: filter }));
    for (const [i, { reader, filter }] of asked.entries()) {
      tally.cases++;
      const answer = answers[i];
      const where = `${who(reader)} [supervisionActions ${JSON.stringify(filter)}]`;
      const expected = actions.filter((a) => seesKind(reader, a.kind) && matches(a, filter)).map((a) => a.id).sort();
      const connection = answer.body.data?.supervisionActions;
      const got = ((connection?.edges ?? []) as Array<{ node: { id: string } }>).map((e) => e.node.id).sort();
      if (answer.body.errors) tally.mismatches.push(`${where}: ${answer.text.slice(0, 200)}`);
      if (got.some((id) => !expected.includes(id))) tally.leaks.push(`${where}: told of ${got.filter((id) => !expected.includes(id))}`);
      if (!isDeepStrictEqual(got, expected)) tally.mismatches.push(`${where}: expected ${expected}, got ${got}`);
      if (connection && connection.totalCount !== expected.length) tally.leaks.push(`${where}: totalCount ${connection.totalCount} for ${expected.length} it may see`);
      for (const a of actions) if (!seesKind(reader, a.kind) && answer.text.includes(a.id)) tally.leaks.push(`${where}: the id of a hidden ${a.kind}`);
      for (const found of hiddenMarkersIn(answer.text, (_k, kind) => (kind && !seesKind(reader, kind) ? '-' : 'R'))) tally.leaks.push(`${where}: ${found}`);
    }

    // As of now, rebuilt from the change log: the same actions, the same count, no marker of a hidden kind.
    const now = new Date().toISOString();
    const past = await inParallel(rowReaders, (reader) => post(reader.token, 'query($at: DateTimeISO) { supervisionActions(first: 50, asOf: $at) { totalCount edges { node { id kind note outcome number } } } }', { at: now }));
    for (const [i, reader] of rowReaders.entries()) {
      tally.cases++;
      const where = `${who(reader)} [supervisionActions asOf]`;
      const expected = actions.filter((a) => seesKind(reader, a.kind)).map((a) => a.id).sort();
      const connection = past[i].body.data?.supervisionActions;
      const got = ((connection?.edges ?? []) as Array<{ node: { id: string } }>).map((e) => e.node.id).sort();
      if (past[i].body.errors) tally.mismatches.push(`${where}: ${past[i].text.slice(0, 200)}`);
      if (got.some((id) => !expected.includes(id))) tally.leaks.push(`${where}: told of ${got.filter((id) => !expected.includes(id))}`);
      if (!isDeepStrictEqual(got, expected)) tally.mismatches.push(`${where}: expected ${expected}, got ${got}`);
      if (connection && connection.totalCount !== expected.length) tally.leaks.push(`${where}: totalCount ${connection.totalCount} for ${expected.length} it may see`);
      for (const found of hiddenMarkersIn(past[i].text, (_k, kind) => (kind && !seesKind(reader, kind) ? '-' : 'R'))) tally.leaks.push(`${where}: ${found}`);
    }

    // By id: a hidden action answers exactly as one that does not exist (code and text), to closing it and to printing it.
    const order = actions.find((a) => a.kind === 'CORRECTION_ORDER')!;
    const print = async (reader: Reader, id: string) => {
      const response = await fetch(`${hub.url}/supervision-actions/${id}/print`, { headers: { authorization: `Bearer ${reader.token}` } });
      const text = await response.text();
      const body = response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> } : null;
      return { status: response.status, text, shape: JSON.stringify([response.status, body?.errors.map((e) => [e.extensions.code, e.message.replaceAll(id, 'ID')])]) };
    };
    for (const reader of rowReaders) {
      for (const action of actions) {
        if (seesKind(reader, action.kind)) continue;
        tally.cases++;
        const close = (id: string) => post(reader.token, 'mutation($id: ID!, $v: Int!) { closeAction(id: $id, outcome: "x", expectedVersion: $v) { id status } }', { id, v: Number(action.shown.version) });
        const [hidden, none] = [await close(action.id), await close(missing)];
        if (shape(hidden, action.id) !== shape(none, missing)) tally.leaks.push(`${who(reader)} [closeAction] a hidden ${action.kind} answers ${shape(hidden, action.id)} where none answers ${shape(none, missing)}`);
      }
      tally.cases++;
      const [printed, none] = [await print(reader, order.id), await print(reader, missing)];
      const where = `${who(reader)} [print]`;
      if (seesKind(reader, 'CORRECTION_ORDER')) {
        if (printed.status !== 200 || !printed.text.includes(order.shown.number as string)) tally.mismatches.push(`${where}: ${printed.status} ${printed.text.slice(0, 200)}`);
        // The page shows her name and birth date only to whom may read them.
        for (const found of hiddenMarkersIn(printed.text, (k, kind) => effective(reader, caseOf(k), kind))) tally.leaks.push(`${where}: ${found}`);
        const [y, m, d] = BIRTH_DATE.split('-').map(Number);
        if (!['R', 'W'].includes(reader.access.level('Child.birthDate')) && printed.text.includes(`${y}年${m}月${d}日`)) tally.leaks.push(`${where}: her birth date`);
      } else {
        if (printed.shape !== none.shape) tally.leaks.push(`${where}: a hidden order answers ${printed.shape} where none answers ${none.shape}`);
        for (const found of hiddenMarkersIn(printed.text, () => '-')) tally.leaks.push(`${where}: ${found}`);
      }
    }

    // The change log: an action's entries to readers of every kind (a closing entry does not say its kind), a spot check's to supervisors.
    const LOGGED = ['SupervisionAction', 'SpotCheck', 'SpotCheckItem'];
    const logAsked = rowReaders.flatMap((reader) => LOGGED.map((entity) => ({ reader, entity })));
    const logged = await inParallel(logAsked, ({ reader, entity }) => post(reader.token, 'query($e: String) { changeLog(filter: { entity: $e }, first: 100) { edges { node { entity entityId changes { field before after } } } } }', { e: entity }));
    for (const [i, { reader, entity }] of logAsked.entries()) {
      tally.cases++;
      const where = `${who(reader)} [changeLog ${entity}]`;
      const told = ((logged[i].body.data?.changeLog?.edges ?? []) as Array<{ node: { entity: string } }>).length > 0;
      const everyKind = ACTIONS.every((a) => seesKind(reader, a.kind));
      const shouldTell = entity === 'SupervisionAction' ? everyKind : reader.access.canRead('Child.spotChecks');
      // Asking for a type of entry one may not read (a spot check's, to a reader of no spot check) is refused, as for any such type;
      // an action's entries are left out for a reader of some kinds only (the filter names no kind).
      const refusedType = entity !== 'SupervisionAction' && !shouldTell;
      const codes = (logged[i].body.errors ?? []).map((e) => e.extensions.code).join();
      if (codes !== (refusedType ? 'FORBIDDEN' : '')) tally.mismatches.push(`${where}: ${logged[i].text.slice(0, 200)}`);
      if (told !== shouldTell) (told ? tally.leaks : tally.mismatches).push(`${where}: entries ${told ? '' : 'not '}told`);
      for (const found of hiddenMarkersIn(logged[i].text, (k, kind) => (k.startsWith('SupervisionAction.') && !everyKind ? '-' : effective(reader, caseOf(k), kind)))) tally.leaks.push(`${where}: ${found}`);
    }

    // The supervision exports (the action list, a spot check's results): refused to all but supervisors, with nothing in the
    // refusal; a supervisor's file holds exactly the actions the API answers it, and the spot check only if it may read it.
    for (const reader of readers) {
      const where = `${who(reader)} [supervision exports]`;
      const supervises = reader.access.readsRows && reader.role === 'supervisor';
      const listed = supervises ? ((answers[asked.findIndex((a) => a.reader === reader && Object.keys(a.filter).length === 0)].body.data?.supervisionActions?.edges ?? []) as Array<{ node: { id: string } }>).map((e) => e.node.id) : [];
      const mayCheck = supervises && !(await post(reader.token, 'query($id: ID!) { spotCheck(id: $id) { id } }', { id: checkId })).body.errors;
      for (const path of ['/supervision-actions/export.csv', '/supervision-actions/export.xlsx', `/spot-checks/${checkId}/results.csv`, `/spot-checks/${checkId}/results.xlsx`]) {
        tally.cases++;
        const response = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${reader.token}` } });
        const body = Buffer.from(await response.arrayBuffer());
        const text = path.endsWith('.xlsx') && response.status === 200 ? await xlsxText(body) : body.toString('utf8');
        const ofActions = path.startsWith('/supervision-actions');
        const expected = !supervises ? 403 : ofActions || mayCheck ? 200 : 404;
        if (response.status !== expected) (response.status === 200 ? tally.leaks : tally.mismatches).push(`${where} ${path}: ${response.status} for ${expected}`);
        for (const action of actions) {
          const shown = ofActions && listed.includes(action.id);
          if (!shown && text.includes(action.id)) tally.leaks.push(`${where} ${path}: the id of a ${action.kind} it is not shown`);
          if (shown && !text.includes(action.id)) tally.mismatches.push(`${where} ${path}: the ${action.kind} is missing`);
        }
        if (!ofActions && response.status !== 200 && (text.includes(itemId) || text.includes(SEED.child.id))) tally.leaks.push(`${where} ${path}: her item or her id`);
        for (const found of hiddenMarkersIn(text, (_k, kind) => (kind && (!ofActions || !supervises || !seesKind(reader, kind)) ? '-' : 'R'))) tally.leaks.push(`${where} ${path}: ${found}`);
        for (const m of spotMarkers) if (text.includes(m)) tally.leaks.push(`${where} ${path}: "${m}"`);
      }
    }
    // A token of a role its department does not have: refused, as by the API.
    for (const r of refused) {
      for (const path of ['/supervision-actions/export.csv', `/spot-checks/${checkId}/results.csv`]) {
        tally.cases++;
        const response = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${r.token}` } });
        const text = await response.text();
        if (response.status !== 401) (response.status === 200 ? tally.leaks : tally.mismatches).push(`${who(r)} ${path}: ${response.status} for a refused token`);
        for (const action of actions) if (text.includes(action.id)) tally.leaks.push(`${who(r)} ${path}: a refused token saw an action's id`);
      }
    }

    // The October notices (issued above, when every action was opened and two closed) and their exports: each department's
    // notice lists the actions routed to it (a referral the department it was sent to, the other kinds education) of kinds its
    // liaison may read; a department's notice shows no id and no marker of an action of a kind it may not read, anywhere in the file.
    const routedTo = (action: (typeof actions)[number], dept: string) => (action.kind === 'ASSISTANCE_REFERRAL' ? action.shown.toDept === dept : dept === 'EDU');
    const notices = await hub.sql<{ id: string; dept: Department; summary: { actions?: Record<string, number> } }>(`SELECT id, dept, summary FROM hub.exchange_notice WHERE period = '2026-10' AND region = '350102'`);
    if (notices.length === 0) tally.mismatches.push('[notices]: the October notices were not issued');
    for (const reader of rowReaders.filter((r) => (r.role === 'liaison' || r.role === 'supervisor') && r.dept !== TOWNSHIP)) {
      for (const notice of notices) {
        if (reader.role === 'liaison' && notice.dept !== reader.dept) continue;
        const recipient = { dept: notice.dept, role: 'liaison' as Role, access: accessFor({ dept: notice.dept, roles: ['liaison'] }) };
        const listed = actions.filter((x) => routedTo(x, notice.dept) && seesKind(recipient, x.kind));
        const where = `${who(reader)} [notice ${notice.dept}]`;
        tally.cases++;
        const counted = notice.summary.actions;
        const expected = { opened: listed.length, closed: listed.filter((x) => x.shown.status === 'CLOSED').length, overdue: 0 };
        if (!isDeepStrictEqual(counted, expected)) {
          const more = !!counted && (counted.opened > expected.opened || counted.closed > expected.closed);
          (more ? tally.leaks : tally.mismatches).push(`${where}: action counts ${JSON.stringify(counted)} for ${JSON.stringify(expected)}`);
        }
        for (const format of ['export.csv', 'export.xlsx', 'print']) {
          tally.cases++;
          const response = await fetch(`${hub.url}/notices/${notice.id}/${format}`, { headers: { authorization: `Bearer ${reader.token}` } });
          if (response.status !== 200) { tally.mismatches.push(`${where} ${format}: ${response.status}`); continue; }
          const text = format === 'export.xlsx' ? await xlsxText(Buffer.from(await response.arrayBuffer())) : await response.text();
          for (const action of actions) {
            if (!seesKind(recipient, action.kind) && text.includes(action.id)) tally.leaks.push(`${where} ${format}: the id of a ${action.kind}, which ${notice.dept} may not read`);
            if (listed.includes(action) && !text.includes(action.id)) tally.mismatches.push(`${where} ${format}: the ${action.kind} is missing`);
          }
          for (const found of hiddenMarkersIn(text, (_k, kind) => (kind && !seesKind(recipient, kind) ? '-' : 'R'))) tally.leaks.push(`${where} ${format}: ${found}`);
          if (format !== 'export.csv') continue;
          // The 督导事项 section lists exactly the actions routed to the department (its change-log entries may name others it may read).
          const section = text.split('\r\n督导事项\r\n')[1]?.split('\r\n\r\n')[0] ?? '';
          const inSection = actions.filter((x) => section.includes(x.id));
          const extra = inSection.filter((x) => !listed.includes(x));
          if (extra.length) (extra.some((x) => !seesKind(recipient, x.kind)) ? tally.leaks : tally.mismatches).push(`${where} csv: lists ${extra.map((x) => x.kind)} not routed to it`);
        }
      }
    }
    report('supervision', leaks, mismatches);
  });

  /**
   * Duplicates (issue 16): pairs (`duplicateCandidates` under every filter, and its count), what a
   * registration is told (`possibleDuplicates`), a pair's decision and a merge in the change log,
   * and the ids and numbers a merge leaves as aliases (`child(id)`, `childByIdNumber`). A pair is
   * told only to a reader of rows who reads every field it shows unmasked (names, birth dates,
   * regions, township, full ID numbers: "one digit apart" tells of digits a mask hides) and sees
   * both children (a merged pair, SAME, both children as they were when it was decided: the
   * merged one is gone, and a county that sees only the survivor is not told of it); an alias answers for whoever may read the child it names, and to anyone else
   * exactly as an id or number never given. The rule is written here from the matrix, not
   * imported from src/duplicates. Children: a pair in Gulou (open), one across Gulou and Taijiang
   * (decided DIFFERENT by the city), a merge in Gulou and one of a Taijiang record into a Gulou one
   * (by the city), and a child only in Taijiang that Gulou registrants then register a look-alike of.
   */
  it('tells of duplicate pairs, decisions, merges and merged aliases only to readers of both children and every field a pair shows', async () => {
    const [leaks, mismatches] = [tally.leaks.length, tally.mismatches.length];
    const SHOWN = ['Child.name', 'Child.gender', 'Child.birthDate', 'Child.hukouRegion', 'Child.residenceRegion', 'Child.township', 'Child.idNumber'];
    const seesPairs = (access: Access) => access.readsRows && SHOWN.every((f) => ['R', 'W'].includes(access.level(f)));
    type Kid = { id: string; idNumber: string | null; name: string; hukouRegion: string; residenceRegion: string };
    const birthDate = '2014-04-04';
    const kid = (name: string, county: string, seq: number | null): Kid & Record<string, unknown> => ({
      id: randomUUID(), idNumber: seq === null ? null : makeIdNumber(county, birthDate, seq), ...(seq === null ? { hukouStatus: 'NO_HUKOU' } : {}),
      name, gender: 'MALE', birthDate, hukouRegion: county, residenceRegion: county,
    });
    const kids = {
      L1: kid('重复标记甲', '350102', 311), L2: kid('重复标记甲', '350102', null),
      C1: kid('跨区标记乙', '350102', 321), C2: kid('跨区标记乙', '350103', null),
      M1: kid('合并标记丙', '350102', 335), M2: kid('合并标记丙', '350102', 353),
      X1: kid('跨区合并标记丁', '350103', 345), X2: kid('跨区合并标记丁', '350102', 345),
      T: kid('台江独有标记戊', '350103', 361),
    };
    const register = async (records: object[], token: string) => {
      const answer = await post(token, 'mutation($r: [RegisterChildInput!]!) { registerChildren(records: $r) { possibleDuplicates { pairId candidate { id } } } }', { r: records });
      expect(answer.body.errors).toBeUndefined();
      return answer.body.data!.registerChildren.possibleDuplicates as Array<{ pairId: string; candidate: { id: string } }>;
    };
    const gulou = { edu: await hub.token({ dept: 'EDU', region: '350102', sub: 'leak-dup-edu' }), psb: await hub.token({ dept: 'PSB', region: '350102', sub: 'leak-dup-psb' }) };
    const taijiang = await hub.token({ dept: 'EDU', region: '350103', sub: 'leak-dup-taijiang' });
    const city = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'], sub: 'leak-dup-city' });
    await register([kids.L1, kids.C1, kids.M1, kids.X2], gulou.edu);
    await register([kids.L2, kids.M2], gulou.psb);
    await register([kids.C2, kids.X1, kids.T], taijiang);
    const pairOf = async (a: Kid, b: Kid) => (await hub.sql<{ id: string }>('SELECT id FROM hub.duplicate_pair WHERE child_a = least($1::uuid, $2::uuid) AND child_b = greatest($1::uuid, $2::uuid)', [a.id, b.id]))[0].id;
    const pairs = { L: await pairOf(kids.L1, kids.L2), C: await pairOf(kids.C1, kids.C2), M: await pairOf(kids.M1, kids.M2), X: await pairOf(kids.X1, kids.X2) };
    const REASON = { C: '跨区核查理由标记-CROSS-REASON', M: '合并核查理由标记-MERGE-REASON', X: '跨区合并理由标记-XMERGE-REASON' };
    const resolve = async (pairId: string, decision: string, reason: string, token: string, survivorId?: string) => {
      const answer = await post(token, 'mutation($p: ID!, $d: DuplicateDecision!, $r: String!, $s: ID) { resolveDuplicate(pairId: $p, decision: $d, reason: $r, survivorId: $s) { status } }', { p: pairId, d: decision, r: reason, s: survivorId });
      expect(answer.body.errors).toBeUndefined();
    };
    // The open pair's children share a poverty household: only readers of household ids are told (sameHousehold).
    for (const k of [kids.L1, kids.L2]) await hub.sql(`INSERT INTO poverty.poverty_record (child_id, registered_poor, household_id, updated_by) VALUES ($1, true, 'HH-LEAK-1', 'fixture')`, [k.id]);
    await resolve(pairs.C, 'DIFFERENT', REASON.C, city);
    await resolve(pairs.M, 'SAME', REASON.M, gulou.edu, kids.M2.id);
    await resolve(pairs.X, 'SAME', REASON.X, city, kids.X2.id);

    // Who sees what, from the region codes alone: a county reader its county, the city its counties, a township reader none (these children have no township).
    const extra = [['EDU', 'clerk', '350103', taijiang], ['EDU', 'supervisor', '350100', city], ['PSB', 'clerk', '350103', await hub.token({ dept: 'PSB', region: '350103', sub: 'leak-dup-psb-tj' })],
      ['CIVIL', 'clerk', '350103', await hub.token({ dept: 'CIVIL', region: '350103', sub: 'leak-dup-civil-tj' })]] as const;
    const asking: Array<{ dept: Department; role: Role; region: string; token: string; access: Access }> = [
      ...readers, ...extra.map(([dept, role, region, token]) => ({ dept, role, region, token, access: accessFor({ dept, roles: [role] }) }))];
    const sees = (region: string, k: { hukouRegion: string; residenceRegion: string }) => region.length === 6
      && [k.hukouRegion, k.residenceRegion].some((c) => (region.endsWith('00') ? c.startsWith(region.slice(0, region.endsWith('0000') ? 2 : 4)) : c === region));
    const current = await hub.sql<{ id: string; hukou_region: string; residence_region: string }>('SELECT id, hukou_region, residence_region FROM hub.child');
    const childById = new Map(current.map((c) => [c.id, { hukouRegion: c.hukou_region, residenceRegion: c.residence_region }]));
    const readsChild = (r: { region: string; access: Access }, id: string) => r.access.readsRows && childById.has(id) && sees(r.region, childById.get(id)!);
    const everyKid = Object.values(kids);
    const shape = (a: Answer, id: string) => JSON.stringify({ data: a.body.data, errors: (a.body.errors ?? []).map((e) => [e.extensions.code, e.message.replaceAll(id, 'ID')]) });

    // The list, under every filter, and its count.
    const rows = await hub.sql<{ id: string; child_a: string; child_b: string; band: string; status: string }>('SELECT id, child_a, child_b, band, status FROM hub.duplicate_pair');
    const filters: Array<Record<string, unknown>> = [{}, { status: 'OPEN' }, { status: 'DIFFERENT' }, { status: 'SAME' }, { band: 'LIKELY' }, { band: 'POSSIBLE' },
      ...['L1', 'C1', 'C2', 'M2', 'X2', 'T'].map((k) => ({ childId: kids[k as keyof typeof kids].id })), { status: 'DIFFERENT', childId: kids.C1.id }];
    const LIST = 'query($f: DuplicatePairFilter) { duplicateCandidates(filter: $f, first: 50) { totalCount edges { node { id score features sameHousehold childA { id name idNumber } childB { id name idNumber } } } } }';
    const asked = asking.flatMap((reader) => filters.map((filter) => ({ reader, filter })));
    const answers = await inParallel(asked, ({ reader, filter }) => post(reader.token, LIST, { f: filter }));
    for (const [i, { reader, filter }] of asked.entries()) {
      tally.cases++;
      const answer = answers[i];
      const where = `${who(reader)}@${reader.region} [duplicateCandidates ${JSON.stringify(filter)}]`;
      // A merged pair (SAME) is shown as it was decided: its merged child, gone, as it was registered.
      const saw = (id: string) => readsChild(reader, id) || (!childById.has(id) && reader.access.readsRows && everyKid.some((k) => k.id === id && sees(reader.region, k)));
      const shown = (p: (typeof rows)[number]) => (p.status === 'SAME' ? saw(p.child_a) && saw(p.child_b) : readsChild(reader, p.child_a) && readsChild(reader, p.child_b));
      const matches = (p: (typeof rows)[number]) => p.status === (filter.status ?? 'OPEN') && (filter.band === undefined || p.band === filter.band)
        && (filter.childId === undefined || [p.child_a, p.child_b].includes(filter.childId as string));
      const got = ((answer.body.data?.duplicateCandidates?.edges ?? []) as Array<{ node: { id: string } }>).map((e) => e.node.id).sort();
      if (!seesPairs(reader.access)) {
        if (answer.body.data?.duplicateCandidates || (answer.body.errors ?? []).map((e) => e.extensions.code).join() !== 'FORBIDDEN') tally.mismatches.push(`${where}: expected FORBIDDEN, got ${answer.text.slice(0, 200)}`);
        for (const p of rows) if (answer.text.includes(p.id)) tally.leaks.push(`${where}: pair ${p.id} to a reader of no pair`);
        continue;
      }
      const expected = rows.filter((p) => shown(p) && matches(p)).map((p) => p.id).sort();
      if (answer.body.errors) tally.mismatches.push(`${where}: ${answer.text.slice(0, 200)}`);
      if (got.some((id) => !expected.includes(id))) tally.leaks.push(`${where}: told of ${got.filter((id) => !expected.includes(id))}`);
      if (!isDeepStrictEqual(got, expected)) tally.mismatches.push(`${where}: expected ${expected}, got ${got}`);
      // Whether two children share a household is told only to readers of household ids.
      const readsHouseholds = reader.access.level('PovertyRecord.householdId') !== '-';
      for (const { node } of (answer.body.data?.duplicateCandidates?.edges ?? []) as Array<{ node: { id: string; sameHousehold: boolean | null } }>) {
        if (!readsHouseholds && node.sameHousehold !== null) tally.leaks.push(`${where}: sameHousehold ${node.sameHousehold} of pair ${node.id} to a reader of no household id`);
        if (readsHouseholds && node.id === pairs.L && node.sameHousehold !== true) tally.mismatches.push(`${where}: sameHousehold ${node.sameHousehold} for the pair sharing a household`);
      }
      if (answer.body.data?.duplicateCandidates && answer.body.data.duplicateCandidates.totalCount !== expected.length) tally.leaks.push(`${where}: totalCount ${answer.body.data.duplicateCandidates.totalCount} for ${expected.length} it may see`);
      for (const p of rows) if (!shown(p) && answer.text.includes(p.id)) tally.leaks.push(`${where}: the id of a hidden pair`);
      for (const k of everyKid) if (!readsChild(reader, k.id) && answer.text.includes(k.id)) tally.leaks.push(`${where}: the id of ${k.name}@${k.hukouRegion}, out of its sight`);
    }
    // The open pair in Gulou is listed to Gulou's readers of pairs, and the merge in Gulou too: the rule is not vacuous.
    if (!asking.some((r) => r.region === '350102' && seesPairs(r.access))) tally.mismatches.push('no Gulou reader of pairs: the list was never shown');

    // Registration: each Gulou registrant registers a look-alike of L1 and one of T (Taijiang only): told of L1's kind, never of T.
    const registrants = readers.filter((r) => r.access.canWrite('Child.name') && r.access.readsRows && r.region === '350102');
    if (registrants.length === 0) tally.mismatches.push('no registrant among the readers');
    for (const reader of registrants) {
      tally.cases++;
      const where = `${who(reader)} [possibleDuplicates]`;
      const keeper = ['EDU', 'PSB'].includes(reader.dept);
      const like = (k: Kid) => ({ id: randomUUID(), idNumber: null, ...(keeper ? { hukouStatus: 'NO_HUKOU' } : {}), name: k.name, gender: 'MALE', birthDate, hukouRegion: '350102', residenceRegion: '350102' });
      const answer = await post(reader.token, 'mutation($r: [RegisterChildInput!]!) { registerChildren(records: $r) { possibleDuplicates { index pairId candidate { id name } } } }', { r: [like(kids.L1), like(kids.T)] });
      if (answer.body.errors) { tally.mismatches.push(`${where}: ${answer.text.slice(0, 200)}`); continue; }
      const found = answer.body.data!.registerChildren.possibleDuplicates as Array<{ index: number; pairId: string; candidate: { id: string } | null }>;
      if (answer.text.includes(kids.T.id)) tally.leaks.push(`${where}: the Taijiang child's id`);
      // Every pair reported has both children in Gulou (earlier registrants' look-alikes of T are; T is not).
      const reported = await hub.sql<{ hukou_region: string; residence_region: string }>(
        'SELECT c.hukou_region, c.residence_region FROM hub.duplicate_pair p JOIN hub.child c ON c.id IN (p.child_a, p.child_b) WHERE p.id = ANY($1::uuid[])', [found.map((f) => f.pairId)]);
      if (reported.some((c) => !sees(reader.region, { hukouRegion: c.hukou_region, residenceRegion: c.residence_region }))) tally.leaks.push(`${where}: a pair with a child out of region reported`);
      if (!seesPairs(reader.access) && found.length) tally.leaks.push(`${where}: ${found.length} candidates to a reader of no pair`);
      if (seesPairs(reader.access) && !found.some((f) => f.index === 0 && f.candidate?.id === kids.L1.id)) tally.mismatches.push(`${where}: L1 not reported: ${answer.text.slice(0, 200)}`);
    }

    // Aliases: the merged ids and numbers answer with the survivor to its readers, to anyone else as an id or number never given.
    const neverId = '5eed0000-0000-4000-8000-0000000dead2';
    const neverNumber = makeIdNumber('350102', birthDate, 999);
    for (const reader of asking) {
      for (const [merged, survivor] of [[kids.M1, kids.M2], [kids.X1, kids.X2]] as const) {
        tally.cases++;
        const byId = (id: string) => post(reader.token, 'query($id: ID!) { child(id: $id) { id name } }', { id });
        const [aliased, never] = [await byId(merged.id), await byId(neverId)];
        const where = `${who(reader)}@${reader.region} [child(${merged.name} merged)]`;
        if (readsChild(reader, survivor.id)) {
          if (aliased.body.data?.child?.id !== survivor.id) tally.mismatches.push(`${where}: expected the survivor, got ${aliased.text.slice(0, 200)}`);
        } else if (shape(aliased, merged.id) !== shape(never, neverId)) tally.leaks.push(`${where}: answers ${shape(aliased, merged.id)} where a never-given id answers ${shape(never, neverId)}`);
        tally.cases++;
        const byNumber = (n: string) => post(reader.token, 'query($n: String!) { childByIdNumber(idNumber: $n) { id name } }', { n });
        const [old, none] = [await byNumber(merged.idNumber!), await byNumber(neverNumber)];
        const mayLookUp = ['R', 'W'].includes(reader.access.level('Child.idNumber'));
        if (mayLookUp && readsChild(reader, survivor.id)) {
          if (old.body.data?.childByIdNumber?.id !== survivor.id) tally.mismatches.push(`${where} by number: expected the survivor, got ${old.text.slice(0, 200)}`);
        } else if (shape(old, merged.idNumber!) !== shape(none, neverNumber)) tally.leaks.push(`${where} by number: answers ${shape(old, merged.idNumber!)} where a never-given number answers ${shape(none, neverNumber)}`);
      }
    }

    // The change log: a decision only to readers of pairs who see both children; the survivor's name and number not to a reader of the merged record alone.
    const logAsked = asking.filter((r) => r.access.readsRows).flatMap((reader) => [{ entity: 'DuplicatePair' }, { entity: 'ChildMerge' }, { childId: kids.C1.id }, { childId: kids.X1.id }, {}].map((filter) => ({ reader, filter })));
    const logged = await inParallel(logAsked, ({ reader, filter }) => post(reader.token, 'query($f: ChangeLogFilter) { changeLog(filter: $f, first: 100) { edges { node { entity entityId childId reason changes { field before after } } } } }', { f: filter }));
    const decided = [{ pair: pairs.C, a: kids.C1, b: kids.C2, reason: REASON.C }, { pair: pairs.M, a: kids.M1, b: kids.M2, reason: REASON.M }, { pair: pairs.X, a: kids.X1, b: kids.X2, reason: REASON.X }];
    const sawBoth = (reader: { region: string }, a: Kid, b: Kid) => sees(reader.region, a) && sees(reader.region, b);
    for (const [i, { reader, filter }] of logAsked.entries()) {
      tally.cases++;
      const where = `${who(reader)}@${reader.region} [changeLog ${JSON.stringify(filter)}]`;
      const answer = logged[i];
      const entries = ((answer.body.data?.changeLog?.edges ?? []) as Array<{ node: { entity: string; entityId: string } }>).map((e) => e.node);
      if (answer.body.errors) tally.mismatches.push(`${where}: ${answer.text.slice(0, 200)}`);
      for (const d of decided) {
        const both = seesPairs(reader.access) && sawBoth(reader, d.a, d.b);
        if (!both && entries.some((e) => e.entity === 'DuplicatePair' && e.entityId === d.pair)) tally.leaks.push(`${where}: the decision on ${d.a.name} to a reader not of both`);
        // A DIFFERENT decision's reason is in its entry alone (a merge's is also on the merged child's deletion, told to that child's readers).
        if (!both && d.pair === pairs.C && answer.text.includes(d.reason)) tally.leaks.push(`${where}: the reason of ${d.a.name}'s decision`);
      }
      // The same-county decision reaches Gulou's readers of pairs.
      if (filter.entity === 'DuplicatePair' && seesPairs(reader.access) && reader.region === '350102' && !entries.some((e) => e.entityId === pairs.M)) tally.mismatches.push(`${where}: the Gulou merge's decision is missing`);
      // A reader of the Taijiang record merged into Gulou's is told it was merged (the MERGE entry names the survivor's id), nothing of the survivor itself.
      for (const k of [kids.X2, kids.C2]) {
        if (sees(reader.region, k)) continue;
        if (k.idNumber && answer.text.includes(k.idNumber)) tally.leaks.push(`${where}: ${k.name}'s number`);
        if (k === kids.C2 && answer.text.includes(k.id)) tally.leaks.push(`${where}: the id of ${k.name}`);
      }
      if (readers.includes(reader as Reader)) for (const found of hiddenMarkersIn(answer.text, (k, kind) => effective(reader as Reader, caseOf(k), kind))) tally.leaks.push(`${where}: ${found}`);
    }

    // A survivor's history (Child.changes, live) holds the entries of the records merged into it, as
    // its past does: told to the survivor's readers (who read the merged records' sections now),
    // never an entry of any other child, and nothing to anyone else (the merged id answers as a
    // never-given one, above).
    const HISTORY = 'query($id: ID!) { child(id: $id) { id changes(last: 100) { entity entityId childId } } }';
    for (const reader of asking) {
      for (const [merged, survivor] of [[kids.M1, kids.M2], [kids.X1, kids.X2]] as const) {
        tally.cases++;
        const where = `${who(reader)}@${reader.region} [child(${survivor.name} survivor).changes]`;
        const answer = await post(reader.token, HISTORY, { id: survivor.id });
        const history = (answer.body.data?.child?.changes ?? []) as Array<{ entity: string; entityId: string; childId: string | null }>;
        if (!readsChild(reader, survivor.id)) {
          if (answer.body.data?.child || answer.text.includes(merged.id)) tally.leaks.push(`${where}: ${answer.text.slice(0, 200)} to a reader of neither`);
          continue;
        }
        const others = history.filter((e) => e.childId !== survivor.id && e.childId !== merged.id);
        if (others.length) tally.leaks.push(`${where}: entries of another child (${others.map((e) => `${e.entity} ${e.childId}`).join(', ').slice(0, 200)})`);
        if (reader.access.canRead('Child.changes') && !history.some((e) => e.entity === 'Child' && e.entityId === merged.id)) {
          tally.mismatches.push(`${where}: the merged record's registration is missing: ${answer.text.slice(0, 200)}`);
        }
      }
    }
    report('duplicates', leaks, mismatches);
  });

  it('found no leak', () => {
    process.stdout.write(`\nleak suite: ${tally.cases} leak cases run (${readers.length} identities, ${refused.length} refused; ${CASES.length} fields × ${TECHNIQUES.length} paths, filters, change log); leaks found: ${tally.leaks.length}\n`);
    expect(tally.leaks).toEqual([]);
    expect(tally.cases).toBeGreaterThan(10_000);
  });
});
