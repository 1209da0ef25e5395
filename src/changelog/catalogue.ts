import { ChildEntity } from '../children/child.entity';
import { SECTIONS } from '../departments/sections';
import type { Reader } from '../core/context';
import { DropoutCaseEntity } from '../ledger/dropout-case.entity';
import { ExchangeNoticeEntity } from '../notices/notice.entity';
import { PersuasionVisitEntity } from '../ledger/persuasion-visit.entity';
import { AssessmentEntity } from '../ledger/assessment.entity';
import { WeeklyReportEntity } from '../ledger/weekly-report.entity';
import { HomeTeachingEntity, HomeTeachingVisitEntity } from '../ledger/home-teaching.entity';
import { EnrollmentNoticeEntity } from '../enrollment/enrollment-notice.entity';

/** How the change log names and labels one kind of entity, and which matrix field makes it visible. */
export interface LoggedEntity {
  /** GraphQL type name, the key of its fields in the permission matrix. */
  readonly type: string;
  readonly label: string;
  /** A reader who may not read this `Child.…` field is not told the entity changed at all. */
  readonly visibleWith: string;
  /** Logged fields and their Chinese labels; bookkeeping fields (version, timestamps) are not. */
  readonly fields: Readonly<Record<string, string>>;
  /** The child the entity is about, or null for records about no child (a notice's acknowledgement). */
  readonly childIdOf: (entity: Record<string, unknown>) => string | null;
  /** For records about no child: the region the entry belongs to. */
  readonly regionOf?: (entity: Record<string, unknown>) => string;
  /** Fields outside the matrix, shown to whoever may see the entry (a notice's acknowledgement). */
  readonly fieldsShownWithEntry?: boolean;
  /** A further, per-entry condition on who may be told of it. */
  readonly visibleTo?: (reader: Reader, entry: { actorDept: string }) => boolean;
}

const byEntityName = new Map<string, LoggedEntity>();

byEntityName.set(ChildEntity.name, {
  type: 'Child',
  label: '儿童基本信息',
  visibleWith: 'Child.id',
  fields: { idNumber: '身份证号', name: '姓名', gender: '性别', birthDate: '出生日期', hukouRegion: '户籍地', residenceRegion: '居住地', township: '乡镇（街道）' },
  childIdOf: (e) => e.id as string,
});
for (const section of SECTIONS) {
  byEntityName.set(section.entity.name, {
    type: section.typeName,
    label: `${section.label}记录`,
    visibleWith: `Child.${section.key}`,
    fields: Object.fromEntries(section.fields.map((f) => [f.name, f.label])),
    childIdOf: (e) => e.childId as string,
  });
}
byEntityName.set(DropoutCaseEntity.name, {
  type: 'DropoutCase',
  label: '辍学个案',
  visibleWith: 'Child.dropoutCases',
  fields: {
    reason: '辍学原因', status: '个案状态', openedOn: '立案日期', closedOn: '结案日期', notes: '备注', responsiblePerson: '责任人',
    responsibleUnit: '责任单位', deadline: '完成时限', placement: '安置方式', policeConfirmedOn: '公安核实日期', policeConfirmedBy: '公安核实人',
  },
  childIdOf: (e) => e.childId as string,
});

byEntityName.set(PersuasionVisitEntity.name, {
  type: 'PersuasionVisit',
  label: '劝返记录',
  visibleWith: 'Child.persuasionVisits',
  fields: { caseId: '个案编号', visitedOn: '劝返日期', visitor: '劝返人', method: '方式', outcome: '结果', notes: '备注' },
  childIdOf: (e) => e.childId as string,
});
byEntityName.set(AssessmentEntity.name, {
  type: 'Assessment',
  label: '专家组评估',
  visibleWith: 'Child.assessments',
  fields: { caseId: '个案编号', assessedOn: '评估日期', members: '专家组成员', decision: '安置意见', reviewOn: '复评日期', evidence: '佐证材料', evidenceComplete: '材料完整' },
  childIdOf: (e) => e.childId as string,
});
byEntityName.set(HomeTeachingEntity.name, {
  type: 'HomeTeaching',
  label: '送教上门安排',
  visibleWith: 'Child.homeTeaching',
  fields: { caseId: '个案编号', schoolName: '承担学校', teacher: '送教教师', startedOn: '开始日期', endedOn: '结束日期', notes: '备注' },
  childIdOf: (e) => e.childId as string,
});
byEntityName.set(HomeTeachingVisitEntity.name, {
  type: 'HomeTeachingVisit',
  label: '送教上门记录',
  visibleWith: 'Child.homeTeaching',
  fields: { homeTeachingId: '送教安排编号', visitedOn: '送教日期', teacher: '送教教师', hours: '课时', content: '教学内容', notes: '备注' },
  childIdOf: (e) => e.childId as string,
});
byEntityName.set(EnrollmentNoticeEntity.name, {
  type: 'EnrollmentNotice',
  label: '入学通知书',
  visibleWith: 'Child.enrollmentNotices',
  fields: {
    schoolYear: '学年', stage: '入学学段', number: '通知书编号', schoolName: '就读学校', schoolKind: '学校类别', priority: '公办优先',
    reportOn: '报到日期', issuedOn: '发放日期', arrivedOn: '实际报到日期', status: '状态', caseId: '未报到立案编号',
  },
  childIdOf: (e) => e.childId as string,
});
byEntityName.set(WeeklyReportEntity.name, {
  type: 'WeeklyReport',
  label: '县级周报',
  visibleWith: 'Child.dropoutCases',
  fields: { isoWeek: 'ISO周', counts: '周报数字', remarks: '备注', submittedBy: '报送人' },
  childIdOf: () => null,
  regionOf: (e) => e.region as string,
  fieldsShownWithEntry: true,
});
byEntityName.set(ExchangeNoticeEntity.name, {
  type: 'ExchangeNotice',
  label: '月度信息交换通报',
  visibleWith: 'Child.id',
  fields: { number: '通报编号', acknowledgedAt: '签收时间', acknowledgedBy: '签收人', remarks: '签收备注' },
  childIdOf: () => null,
  regionOf: (e) => e.region as string,
  fieldsShownWithEntry: true,
  // An acknowledgement is the recipient department's business, and its supervisors'.
  visibleTo: (reader, entry) => reader.identity.dept === entry.actorDept || reader.identity.roles.includes('supervisor'),
});

export function loggedEntity(entityName: string): LoggedEntity | undefined {
  return byEntityName.get(entityName);
}

export function loggedEntityByType(type: string): LoggedEntity | undefined {
  return [...byEntityName.values()].find((e) => e.type === type);
}

export function allLoggedEntities(): LoggedEntity[] {
  return [...byEntityName.values()];
}
