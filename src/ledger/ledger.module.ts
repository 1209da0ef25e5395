import { AssessmentEntity } from './assessment.entity';
import { DropoutCaseEntity } from './dropout-case.entity';
import { HomeTeachingEntity, HomeTeachingVisitEntity } from './home-teaching.entity';
import { PersuasionVisitEntity } from './persuasion-visit.entity';
import { WeeklyReportEntity } from './weekly-report.entity';
import type { DomainModule } from '../changelog/catalogue';

/** The dropout ledger's records, as the database maps them and the change log records them (registered in src/app/modules.ts). */
export const ledgerModule: DomainModule = {
  entities: [DropoutCaseEntity, PersuasionVisitEntity, AssessmentEntity, WeeklyReportEntity, HomeTeachingEntity, HomeTeachingVisitEntity],
  logged: [
    [DropoutCaseEntity, {
      type: 'DropoutCase',
      label: '辍学个案',
      visibleWith: 'Child.dropoutCases',
      fields: {
        reason: '辍学原因', status: '个案状态', openedOn: '立案日期', closedOn: '结案日期', notes: '备注', responsiblePerson: '责任人',
        responsibleUnit: '责任单位', deadline: '完成时限', placement: '安置方式', policeConfirmedOn: '公安核实日期', policeConfirmedBy: '公安核实人',
      },
      childIdOf: (e) => e.childId as string,
    }],
    [PersuasionVisitEntity, {
      type: 'PersuasionVisit',
      label: '劝返记录',
      visibleWith: 'Child.persuasionVisits',
      fields: { caseId: '个案编号', visitedOn: '劝返日期', visitor: '劝返人', method: '方式', outcome: '结果', notes: '备注' },
      childIdOf: (e) => e.childId as string,
    }],
    [AssessmentEntity, {
      type: 'Assessment',
      label: '专家组评估',
      visibleWith: 'Child.assessments',
      fields: { caseId: '个案编号', assessedOn: '评估日期', members: '专家组成员', decision: '安置意见', reviewOn: '复评日期', evidence: '佐证材料', evidenceComplete: '材料完整' },
      childIdOf: (e) => e.childId as string,
    }],
    [HomeTeachingEntity, {
      type: 'HomeTeaching',
      label: '送教上门安排',
      visibleWith: 'Child.homeTeaching',
      fields: { caseId: '个案编号', schoolName: '承担学校', teacher: '送教教师', startedOn: '开始日期', endedOn: '结束日期', notes: '备注' },
      childIdOf: (e) => e.childId as string,
    }],
    [HomeTeachingVisitEntity, {
      type: 'HomeTeachingVisit',
      label: '送教上门记录',
      visibleWith: 'Child.homeTeaching',
      fields: { homeTeachingId: '送教安排编号', visitedOn: '送教日期', teacher: '送教教师', hours: '课时', content: '教学内容', notes: '备注' },
      childIdOf: (e) => e.childId as string,
    }],
    [WeeklyReportEntity, {
      type: 'WeeklyReport',
      label: '县级周报',
      visibleWith: 'Child.dropoutCases',
      fields: { isoWeek: 'ISO周', counts: '周报数字', remarks: '备注', submittedBy: '报送人' },
      childIdOf: () => null,
      regionOf: (e) => e.region as string,
      fieldsShownWithEntry: true,
    }],
  ],
};
