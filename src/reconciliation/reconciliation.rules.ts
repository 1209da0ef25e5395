import type { Department, Role } from '../auth/identity';

/**
 * The reconciliation rules (核实比对, 四查三比对) of issue 14, as data. Each rule's `sql` finds, in
 * one set-based statement, every child it fires on among the children of the counties `$1`
 * (text[]), with `$2` the first day of the school year (date) and `$3` today (date). It returns
 * `child_id`, `county` (where the discrepancy is worked), `township` (or null) and `facts`: the
 * values that made it fire, keyed by the matrix's `Type.field`, so that each is shown only to a
 * reader who may read that field, and a reader who may not read every one of them is not told
 * the discrepancy exists.
 *
 * Every statement starts from `hub.child` by county (child_residence_region_idx or
 * child_hukou_region_idx, (region, id) with the columns the rules read: an index-only scan) and
 * reaches each section by its child: education through education_record_child_cover_idx (status
 * and grade by index alone) or, for one status, education_record_status_idx (status, child_id);
 * the few unusual police records through public_security_record_unusual_idx; the cases through
 * dropout_case_child_idx / dropout_case_open_idx and assessments through assessment_child_idx
 * (migration 0025 for the new ones). How each is planned at 2,000,000 children, for the province
 * and for a county, is in the README's benchmark section (`npm run bench -- --only
 * reconciliation`). A province's run reads every table once, by hash joins; a county's, its own
 * children.
 */
export interface ReconciliationRule {
  readonly code: string;
  readonly title: string;
  readonly titleEn: string;
  /** The sentence of the provincial notice (seed/000_…) the rule serves. */
  readonly clause: string;
  /** Departments whose records it compares. */
  readonly compares: readonly Department[];
  /** Who must act on it. */
  readonly owner: { readonly dept: Department; readonly role: Role };
  readonly severity: 'HIGH' | 'MEDIUM' | 'LOW';
  readonly deadlineDays: number;
  /**
   * Every matrix field the rule compares: a reader sees the rule's discrepancies only if it may
   * read all of them (and the facts carry no other key).
   */
  readonly fields: readonly string[];
  /** Townships see this rule's items of their township: their door-to-door work (入户核查). */
  readonly township: boolean;
  readonly sql: string;
}

/** School statuses in which EDU says the child is receiving compulsory education. */
const IN_SCHOOL = `('ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL', 'HOME_TEACHING', 'STUDYING_ELSEWHERE')`;
/** Dropout cases that still need work (OPEN_DROPOUT_STATUSES; dropout_case_open_idx is partial on them). */
const OPEN_CASE = `('OPEN', 'PERSUADING')`;
/** Of compulsory-school age: 6 to 15 on 1 September of the school year. */
const OF_AGE = `c.birth_date > ($2::date - interval '16 years') AND c.birth_date <= ($2::date - interval '6 years')`;
const AGE = `extract(year from age($2::date, c.birth_date))::int`;
const BY_RESIDENCE = `c.residence_region = ANY($1::text[])`;
const RESIDENCE_PLACE = `c.residence_region AS county, c.township`;

export const RULES: readonly ReconciliationRule[] = [
  {
    // Two rosters reach education: the police's (a PRESENT record), and the children another
    // department found and registered (二(二): 新增学龄儿童…及时通报当地教育部门), known by the
    // department that wrote the child's CREATE entry (change_log_child_idx), unless the police say
    // the child is deceased, abroad or missing. The police record is read per child found
    // (a LATERAL probe of its primary key, OFFSET 0 keeping the planner from flattening it): left
    // to choose, the planner hashed all 2,000,000 police records for a county's 500 children
    // without an education record (1.8 s instead of 0.4 s in the benchmark). The children found by
    // another department come from change_log_found_child_idx (migration 0025).
    code: 'R01', title: '一个不漏：公安在册或他部门新登记的适龄儿童无教育记录', titleEn: 'Of school age on the police roster, or found and registered by another department, with no education record',
    clause: '二(三) 一个不漏', compares: ['PSB', 'EDU'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'HIGH', deadlineDays: 30, township: true,
    fields: ['Child.birthDate', 'PublicSecurityRecord.hukouStatus', 'EducationRecord.status'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('Child.birthDate', c.birth_date, 'PublicSecurityRecord.hukouStatus', p.hukou_status, 'EducationRecord.status', NULL) AS facts
      FROM hub.child c LEFT JOIN LATERAL (SELECT p.child_id, p.hukou_status, p.whereabouts FROM psb.public_security_record p WHERE p.child_id = c.id OFFSET 0) p ON true
      WHERE ${BY_RESIDENCE} AND ${OF_AGE}
        AND (p.whereabouts = 'PRESENT' OR p.child_id IS NULL AND EXISTS (SELECT 1 FROM hub.change_log l
          WHERE l.child_id = c.id AND l.entity = 'Child' AND l.operation = 'CREATE' AND l.actor_dept NOT IN ('EDU', 'PSB')))
        AND NOT EXISTS (SELECT 1 FROM edu.education_record e WHERE e.child_id = c.id)`,
  },
  {
    code: 'R02', title: '教育在校而公安显示死亡、出境或失踪', titleEn: 'In school for EDU, deceased, abroad or missing for PSB',
    clause: '二(三) 一个不错', compares: ['EDU', 'PSB'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'HIGH', deadlineDays: 15, township: false,
    fields: ['EducationRecord.status', 'PublicSecurityRecord.whereabouts'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('EducationRecord.status', e.status, 'PublicSecurityRecord.whereabouts', p.whereabouts) AS facts
      FROM hub.child c JOIN edu.education_record e ON e.child_id = c.id JOIN psb.public_security_record p ON p.child_id = c.id
      WHERE ${BY_RESIDENCE} AND e.status IN ${IN_SCHOOL} AND p.whereabouts IN ('DECEASED', 'ABROAD', 'MISSING')`,
  },
  {
    code: 'R03', title: '教育显示辍学但无在办辍学个案', titleEn: 'Dropped out for EDU, with no open dropout case',
    clause: '二(一) 动态台账', compares: ['EDU'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'HIGH', deadlineDays: 15, township: true,
    fields: ['EducationRecord.status', 'DropoutCase.status'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('EducationRecord.status', e.status, 'DropoutCase.status', NULL) AS facts
      FROM hub.child c JOIN edu.education_record e ON e.child_id = c.id
      WHERE ${BY_RESIDENCE} AND e.status = 'DROPPED_OUT'
        AND NOT EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status IN ${OPEN_CASE})`,
  },
  {
    // The facts name the rosters of every department compared, so that only a reader who may read
    // all of them (education, supervisors) learns that a child is on one of them.
    code: 'R04', title: '特殊群体儿童无教育记录或未在校且无在办个案', titleEn: 'Special-group child not in school (or unknown to EDU) with no open case',
    clause: '二(二) 特殊群体核查', compares: ['CIVIL', 'POVERTY', 'DPF', 'EDU'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'HIGH', deadlineDays: 30, township: true,
    fields: ['CivilAffairsRecord.leftBehind', 'CivilAffairsRecord.deFactoUnsupported', 'CivilAffairsRecord.migrant', 'CivilAffairsRecord.parentImprisoned',
      'CivilAffairsRecord.orphan', 'CivilAffairsRecord.subsistenceAllowance', 'PovertyRecord.registeredPoor', 'PovertyRecord.monitoredHousehold',
      'DisabilityRecord.disabilityType', 'EducationRecord.status', 'DropoutCase.status'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('CivilAffairsRecord.leftBehind', ca.left_behind, 'CivilAffairsRecord.deFactoUnsupported', ca.de_facto_unsupported,
          'CivilAffairsRecord.migrant', ca.migrant, 'CivilAffairsRecord.parentImprisoned', ca.parent_imprisoned, 'CivilAffairsRecord.orphan', ca.orphan,
          'CivilAffairsRecord.subsistenceAllowance', ca.subsistence_allowance, 'PovertyRecord.registeredPoor', pv.registered_poor,
          'PovertyRecord.monitoredHousehold', pv.monitored_household, 'DisabilityRecord.disabilityType', dp.disability_type,
          'EducationRecord.status', e.status, 'DropoutCase.status', NULL) AS facts
      FROM hub.child c
        LEFT JOIN civil.civil_affairs_record ca ON ca.child_id = c.id
        LEFT JOIN poverty.poverty_record pv ON pv.child_id = c.id
        LEFT JOIN dpf.disability_record dp ON dp.child_id = c.id
        LEFT JOIN edu.education_record e ON e.child_id = c.id
      WHERE ${BY_RESIDENCE}
        AND (ca.left_behind OR ca.de_facto_unsupported OR ca.migrant OR ca.parent_imprisoned OR ca.orphan OR ca.subsistence_allowance
          OR pv.registered_poor OR pv.monitored_household OR dp.child_id IS NOT NULL)
        AND (e.child_id IS NULL OR e.status = 'DROPPED_OUT')
        AND NOT EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status IN ${OPEN_CASE})`,
  },
  {
    code: 'R05', title: '残疾儿童未在普通班就读且无专家组评估或安置', titleEn: 'Disabled child out of an ordinary class with no panel assessment or placement',
    clause: '二(四) 残疾儿童评估安置', compares: ['DPF', 'EDU'], owner: { dept: 'EDU', role: 'expert' }, severity: 'MEDIUM', deadlineDays: 60, township: false,
    fields: ['DisabilityRecord.disabilityType', 'EducationRecord.status', 'Assessment.decision', 'DropoutCase.placement'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('DisabilityRecord.disabilityType', dp.disability_type, 'EducationRecord.status', e.status, 'Assessment.decision', NULL, 'DropoutCase.placement', NULL) AS facts
      FROM hub.child c JOIN dpf.disability_record dp ON dp.child_id = c.id LEFT JOIN edu.education_record e ON e.child_id = c.id
      WHERE ${BY_RESIDENCE} AND (e.child_id IS NULL OR e.status NOT IN ('ENROLLED', 'STUDYING_ELSEWHERE'))
        AND NOT EXISTS (SELECT 1 FROM hub.assessment a WHERE a.child_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.placement IS NOT NULL)`,
  },
  {
    // Two faults of one kind: an ill or disabled child kept out of class 30 days without the panel's
    // complete assessment, or taken off the ledger ("not a dropout") without the panel's opinion.
    code: 'R06', title: '因病因残个案超30天无完整评估，或无专家组意见即销号', titleEn: 'Illness or disability case open 30+ days without a complete assessment, or closed without the panel\'s opinion',
    clause: '二(四) 专家组鉴定', compares: ['EDU', 'HEALTH', 'DPF'], owner: { dept: 'EDU', role: 'expert' }, severity: 'HIGH', deadlineDays: 30, township: false,
    fields: ['DropoutCase.reason', 'DropoutCase.status', 'DropoutCase.openedOn', 'Assessment.evidenceComplete'],
    sql: `SELECT DISTINCT ON (c.id) c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('DropoutCase.reason', d.reason, 'DropoutCase.status', d.status, 'DropoutCase.openedOn', d.opened_on, 'Assessment.evidenceComplete', false) AS facts
      FROM hub.child c JOIN edu.dropout_case d ON d.child_id = c.id
      WHERE ${BY_RESIDENCE} AND d.reason IN ('ILLNESS', 'DISABILITY')
        AND ((d.status IN ${OPEN_CASE} AND d.opened_on < $3::date - 30
              AND NOT EXISTS (SELECT 1 FROM hub.assessment a WHERE a.child_id = c.id AND a.evidence_complete))
          OR (d.status = 'CLOSED_NOT_DROPOUT'
              AND NOT EXISTS (SELECT 1 FROM hub.assessment a WHERE a.child_id = c.id AND a.evidence @> '[{"type": "PANEL_OPINION"}]')))
      ORDER BY c.id, d.opened_on DESC`,
  },
  {
    code: 'R07', title: '反复辍学：已返校结案的儿童再次辍学', titleEn: 'Dropped out again after a case closed as returned',
    clause: '二(一) 防止反复辍学', compares: ['EDU'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'MEDIUM', deadlineDays: 30, township: false,
    fields: ['DropoutCase.status', 'EducationRecord.status'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('DropoutCase.status', 'RETURNED', 'EducationRecord.status', e.status) AS facts
      FROM hub.child c JOIN edu.education_record e ON e.child_id = c.id
      WHERE ${BY_RESIDENCE} AND e.status = 'DROPPED_OUT'
        AND EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status = 'RETURNED')`,
  },
  {
    // The hub keeps one education record per child: another county's school confirms a child of ours
    // by writing it (an EDU write from another county, in the change log; change_log_child_idx).
    // A confirmation from outside the province, which reaches the hub through the province, is not
    // told apart yet.
    code: 'R08', title: '户籍在本县、在外就学而无就读地教育记录确认', titleEn: 'Hukou here, studying elsewhere, unconfirmed by the other county',
    clause: '二(二) 在外就学核实', compares: ['EDU', 'PSB'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'LOW', deadlineDays: 60, township: false,
    fields: ['Child.hukouRegion', 'EducationRecord.status', 'EducationRecord.schoolName'],
    sql: `SELECT c.id AS child_id, c.hukou_region AS county, CASE WHEN c.residence_region = c.hukou_region THEN c.township END AS township,
        jsonb_build_object('Child.hukouRegion', c.hukou_region, 'EducationRecord.status', e.status, 'EducationRecord.schoolName', e.school_name) AS facts
      FROM hub.child c JOIN edu.education_record e ON e.child_id = c.id
      WHERE c.hukou_region = ANY($1::text[]) AND e.status = 'STUDYING_ELSEWHERE'
        AND NOT EXISTS (SELECT 1 FROM hub.change_log l WHERE l.child_id = c.id AND l.entity = 'EducationRecord' AND l.actor_dept = 'EDU'
          AND l.actor_region <> c.hukou_region AND l.actor_region !~ '00$')`,
  },
  {
    // A child of age A on 1 September belongs in grade A − 5; three years behind or two ahead is
    // possible (late start, repeats, skips), more is a record error (e.g. 14 years old in grade 1).
    code: 'R09', title: '年龄与年级不符', titleEn: 'Age and grade that cannot both be true',
    clause: '二(三) 一个不错', compares: ['EDU'], owner: { dept: 'EDU', role: 'clerk' }, severity: 'LOW', deadlineDays: 30, township: false,
    fields: ['Child.birthDate', 'EducationRecord.grade'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('Child.birthDate', c.birth_date, 'EducationRecord.grade', e.grade) AS facts
      FROM hub.child c JOIN edu.education_record e ON e.child_id = c.id
      WHERE ${BY_RESIDENCE} AND e.grade IS NOT NULL AND e.status IN ${IN_SCHOOL}
        AND (e.grade < ${AGE} - 8 OR e.grade > ${AGE} - 3)`,
  },
  {
    code: 'R10', title: '户籍信息错误未经公安核实，却有教育记录或个案', titleEn: 'Hukou record error unverified by the police, with an education record or case',
    clause: '二(三) 公安核实', compares: ['PSB', 'EDU'], owner: { dept: 'PSB', role: 'clerk' }, severity: 'MEDIUM', deadlineDays: 30, township: false,
    fields: ['PublicSecurityRecord.hukouStatus', 'PublicSecurityRecord.verifiedOn', 'EducationRecord.status'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('PublicSecurityRecord.hukouStatus', p.hukou_status, 'PublicSecurityRecord.verifiedOn', p.verified_on, 'EducationRecord.status', e.status) AS facts
      FROM hub.child c JOIN psb.public_security_record p ON p.child_id = c.id LEFT JOIN edu.education_record e ON e.child_id = c.id
      WHERE ${BY_RESIDENCE} AND p.hukou_status = 'RECORD_ERROR' AND p.verified_on IS NULL
        AND (e.child_id IS NOT NULL OR EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id))`,
  },
  {
    // 三(一): education tells the police of a child it finds without hukou (发现适龄儿童属无户口的…
    // 将相关信息通报当地公安机关), and other departments register children found without a number.
    // The hub keeps the fact where it belongs, in the police's record, not the registrant's word:
    // every child of school age without an ID number is the police's to settle, by giving the
    // number (`updateIdNumbers`) or recording the child as without hukou in their section. The
    // children come from child_without_number_idx (migration 0031), a few in a thousand.
    code: 'R11', title: '无身份证号儿童：公安尚未补录身份证号或核实为无户口', titleEn: 'No ID number, and the police have neither given it nor recorded the child as without hukou',
    clause: '三(一) 无户口通报公安', compares: ['EDU', 'PSB'], owner: { dept: 'PSB', role: 'clerk' }, severity: 'MEDIUM', deadlineDays: 30, township: false,
    fields: ['Child.idNumber', 'PublicSecurityRecord.hukouStatus'],
    sql: `SELECT c.id AS child_id, ${RESIDENCE_PLACE},
        jsonb_build_object('Child.idNumber', NULL, 'PublicSecurityRecord.hukouStatus', p.hukou_status) AS facts
      FROM hub.child c LEFT JOIN psb.public_security_record p ON p.child_id = c.id
      WHERE ${BY_RESIDENCE} AND c.id_number IS NULL AND ${OF_AGE}
        AND p.hukou_status IS DISTINCT FROM 'NO_HUKOU'`,
  },
];

export const RULE_BY_CODE: ReadonlyMap<string, ReconciliationRule> = new Map(RULES.map((r) => [r.code, r]));

/** The change-log entity types each rule's facts come from: the write that fixed a discrepancy is the last of these about its child. */
export const FIXING_ENTITIES = ['Child', 'EducationRecord', 'PublicSecurityRecord', 'CivilAffairsRecord', 'PovertyRecord', 'DisabilityRecord', 'DropoutCase', 'Assessment'];
