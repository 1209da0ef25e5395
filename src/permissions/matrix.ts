import type { Department, Role } from '../auth/identity';

/**
 * THE permission matrix: the only place where the hub decides who sees and writes what.
 * Everything else (query projection, masks, filters, write checks, the README table) is derived
 * from these two tables. DESIGN.md section 6 is its source; the notice's 二(三)(四) says who must
 * verify what, and so who needs to see it.
 *
 * Levels: W read and write (with the `clerk` role) · R read · M read masked · - nothing.
 * Columns, in order: EDU PSB CIVIL POVERTY HEALTH DPF TOWNSHIP (ALL_DEPARTMENTS).
 * `Type.{a,b}` is shorthand for the rows `Type.a` and `Type.b`.
 */
export const FIELD_MATRIX = {
  //                                                                               EDU PSB CIVIL POV HEALTH DPF TOWNSHIP
  'Child.{id,version,createdAt,updatedAt}':                                       'R   R   R     R   R      R   R',
  'Child.changes':                                                                'R   R   R     R   R      R   -',
  // 二(二): every department reports the school-age children it finds to education (将本部门工作台账上
  // 新增学龄儿童…及时通报当地教育部门), so each department's clerks may register a child (registerChildren).
  'Child.{name,gender,birthDate,hukouRegion,residenceRegion}':                    'W   W   W     W   W      W   R',
  // 乡镇（街道）: set by the departments that register where a child lives; townships read it.
  'Child.township':                                                               'W   W   R     R   R      R   R',
  // DPF reads the number unmasked: its certificate numbers (第二代残疾人证号) are the ID number plus
  // two digits, so a mask on the ID would hide nothing from the department that issues them.
  'Child.idNumber':                                                               'R   W   M     M   M      R   M',

  'Child.education':                                                              'W   R   R     R   R      R   R',
  'EducationRecord.{status,stage,grade,schoolName,version,updatedAt,updatedBy}':  'W   R   R     R   R      R   R',

  'Child.publicSecurity':                                                         'R   W   R     -   -      -   -',
  'PublicSecurityRecord.{hukouStatus,whereabouts,verifiedOn,version,updatedAt,updatedBy}': 'R   W   R     -   -      -   -',

  'Child.civilAffairs':                                                           'R   -   W     R   -      -   -',
  'CivilAffairsRecord.{leftBehind,deFactoUnsupported,migrant,parentImprisoned,orphan,subsistenceAllowance,version,updatedAt,updatedBy}':
                                                                                  'R   -   W     R   -      -   -',

  'Child.poverty':                                                                'R   -   R     W   -      -   -',
  'PovertyRecord.{registeredPoor,monitoredHousehold,version,updatedAt,updatedBy}': 'R   -   R     W   -      -   -',
  'PovertyRecord.householdId':                                                    '-   -   -     W   -      -   -',

  'Child.health':                                                                 'R   -   -     -   W      R   -',
  'HealthRecord.{seriousIllness,screenedOn,version,updatedAt,updatedBy}':         'R   -   -     -   W      R   -',
  'HealthRecord.diagnosisSummary':                                                '-   -   -     -   W      -   -',

  'Child.disability':                                                             'R   -   R     -   R      W   -',
  'DisabilityRecord.{disabilityType,disabilityLevel,version,updatedAt,updatedBy}': 'R   -   R     -   R      W   -',
  'DisabilityRecord.certificateNo':                                               'M   -   -     -   -      W   -',

  'Child.dropoutCases':                                                           'W   R   R     R   R      R   R',
  'DropoutCase.{id,reason,status,openedOn,closedOn,notes,responsiblePerson,responsibleUnit,deadline,placement,version,updatedAt,updatedBy}':
                                                                                  'W   R   R     R   R      R   R',
  // 二(三): the police verify cases reported missing, abroad, with a wrong hukou or deceased.
  'DropoutCase.{policeConfirmedOn,policeConfirmedBy}':                            'R   W   R     R   R      R   R',
  // 二(三): townships and education persuade dropouts back (劝返).
  'Child.persuasionVisits':                                                       'W   R   R     R   R      R   W',
  'PersuasionVisit.{id,caseId,visitedOn,visitor,method,outcome,notes,version,updatedAt,updatedBy}':
                                                                                  'W   R   R     R   R      R   W',
  // 二(三)(四): the expert panel (education, health, DPF); written by its experts (role expert).
  'Child.assessments':                                                            'R   -   -     -   R      R   -',
  'Assessment.{id,caseId,assessedOn,members,decision,reviewOn,evidence,evidenceComplete,version,updatedAt,updatedBy}':
                                                                                  'R   -   -     -   R      R   -',
  // 送教上门: the school and teacher education assigns after the panel's decision, and their visits.
  'Child.homeTeaching':                                                           'W   -   R     -   R      R   -',
  'HomeTeaching.{id,caseId,schoolName,teacher,startedOn,endedOn,notes,visits,version,updatedAt,updatedBy}':
                                                                                  'W   -   R     -   R      R   -',
  'HomeTeachingVisit.{id,visitedOn,teacher,hours,content,notes,version,updatedAt,updatedBy}':
                                                                                  'W   -   R     -   R      R   -',
  // 三(一): enrollment notices from the police's roster; townships help make sure children report.
  'Child.enrollmentNotices':                                                      'W   R   R     R   R      R   R',
  'EnrollmentNotice.{id,schoolYear,stage,number,schoolName,schoolKind,reportOn,issuedOn,arrivedOn,status,caseId,child,version,updatedAt,updatedBy}':
                                                                                  'W   R   R     R   R      R   R',
  // Priority for a public school says the family is registered poor: only who reads poverty records sees it.
  'EnrollmentNotice.priority':                                                    'W   -   R     R   -      -   -',
  // 核实比对 (issue 14): every department may be told of a discrepancy, but only of a rule whose
  // compared fields it may all read (src/reconciliation/reconciliation.visibility.ts decides per rule).
  'Child.discrepancies':                                                          'R   R   R     R   R      R   R',
  'Discrepancy.{id,rule,childId,county,township,facts,ownerDept,status,openedOn,deadline,overdue,resolvedOn,fixedBy,explanation,evidence,explainedBy,confirmedBy,history,version}':
                                                                                  'R   R   R     R   R      R   R',
  // 四(二) 台账信息抽查、入户核查 (issue 19): spot checks are supervisors' work. No department's column
  // reads them (a supervisor's role reads every row); the verifier an item is assigned to is shown
  // that item, blind to what the ledger reported, by `spotCheckAssignments` (src/supervision). A
  // spot check itself (region, seed, root, frame hash) says nothing of a child: the `spotCheck`
  // queries answer it to the supervisors of its region only (src/supervision/spot-check.service.ts).
  'Child.spotChecks':                                                             '-   -   -     -   -      -   -',
  'SpotCheckItem.{id,spotCheckId,caseId,childId,county,township,stratum,reported,status,verifierSub,verifierDept,verifierRegion,assignedOn,verifiedOn,verifiedBy,findings,version}':
                                                                                  '-   -   -     -   -      -   -',
  // 约谈、批评教育、责令限期改正、救助转介 (issue 19): every department may be told of an action, but
  // only of a kind ACTION_MATRIX below lets it read (src/supervision decides per kind, as
  // reconciliation does per rule).
  'Child.supervisionActions':                                                     'R   R   R     R   R      R   R',
  'SupervisionAction.{id,kind,county,childId,township,toDept,number,deadline,note,status,overdue,openedOn,openedBy,openedDept,closedOn,closedBy,outcome,version}':
                                                                                  'R   R   R     R   R      R   R',
} as const;

/**
 * Supervision actions (issue 19), kind by kind; columns as FIELD_MATRIX.
 * S its supervisors record and close it · W its clerks record and close it · A its clerks answer it
 * (close it with an outcome) · R read · - nothing. Supervisors of every department read every kind
 * in their region. The notice: 四(二) the provincial education supervision office interviews
 * (约谈) counties that fall behind; 三(二) townships and education admonish guardians and order them
 * to send the child to school within a time limit (批评教育，责令限期改正), and bring civil affairs
 * in where a family cannot afford school (协调民政等相关部门落实扶贫、救助政策).
 */
export const ACTION_MATRIX = {
  //                     EDU PSB CIVIL POV HEALTH DPF TOWNSHIP
  COUNTY_INTERVIEW:    'S   R   R     R   R      R   -',
  GUARDIAN_ADMONITION: 'W   -   R     -   -      -   W',
  CORRECTION_ORDER:    'W   -   R     -   -      -   W',
  // Says that a family cannot afford school: told to the departments that help it, not to the police or health.
  ASSISTANCE_REFERRAL: 'W   -   A     A   -      -   W',
} as const;
export type ActionKind = keyof typeof ACTION_MATRIX;
export type ActionLevel = 'S' | 'W' | 'A' | 'R' | '-';

export type Level = 'W' | 'R' | 'M' | '-';

/**
 * How each role turns its department's column into what the person may do.
 * - `base`: start from the department's column, or from reading everything.
 * - `cap`: the highest level any field may have (W only for roles that write).
 * - `narrow`: fields lowered to at most the given level; `widen`: raised to at least it.
 * - `departments`: the role means something only in these departments.
 */
export interface RoleRule {
  readonly label: string;
  readonly base: 'department' | 'everything';
  readonly cap: Level;
  readonly narrow?: Readonly<Record<string, Level>>;
  readonly widen?: Readonly<Record<string, Level>>;
  readonly departments?: readonly Department[];
  /**
   * `false`: the role reads no per-child row or field at all (every level above becomes `-`); its
   * column still says which fields it may count, through the statistics API with disclosure
   * control (src/stats). A count of 1 singles out a child, so such a role gets aggregates only.
   */
  readonly rows?: false;
}

export const ROLE_RULES: Readonly<Record<Role, RoleRule>> = {
  clerk: { label: '录入员 clerk: writes its department\'s section', base: 'department', cap: 'W' },
  liaison: { label: '联络员 liaison: reads, acknowledges its department\'s notices', base: 'department', cap: 'R' },
  analyst: {
    label: '分析员 analyst: aggregates only (statistics, small cells suppressed), never a row about one child',
    base: 'department',
    cap: 'R',
    // What it may count: its department's column, without the identifying or free-text fields.
    narrow: {
      'Child.name': '-',
      'Child.idNumber': '-',
      'DisabilityRecord.certificateNo': '-',
      'HealthRecord.diagnosisSummary': '-',
      'PovertyRecord.householdId': '-',
    },
    rows: false,
  },
  expert: {
    label: '专家组 expert (EDU, HEALTH, DPF): also reads diagnoses, writes the panel\'s assessments',
    base: 'department',
    cap: 'R',
    widen: {
      'Child.health': 'R',
      'HealthRecord.diagnosisSummary': 'R',
      'Child.assessments': 'R',
      ...Object.fromEntries(['caseId', 'assessedOn', 'members', 'decision', 'reviewOn', 'evidence', 'evidenceComplete'].map((f) => [`Assessment.${f}`, 'W' as const])),
      ...Object.fromEntries(['id', 'version', 'updatedAt', 'updatedBy'].map((f) => [`Assessment.${f}`, 'R' as const])),
    },
    departments: ['EDU', 'HEALTH', 'DPF'],
  },
  supervisor: {
    label: '督导 supervisor: reads everything in its region except diagnoses, writes nothing',
    base: 'everything',
    cap: 'R',
    narrow: { 'HealthRecord.diagnosisSummary': '-' },
    departments: ['EDU', 'PSB', 'CIVIL', 'POVERTY', 'HEALTH', 'DPF'],
  },
};
