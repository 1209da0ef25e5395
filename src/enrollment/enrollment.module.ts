import { EnrollmentNoticeEntity } from './enrollment-notice.entity';
import type { DomainModule } from '../changelog/catalogue';

/** Enrollment notices, as the database maps them and the change log records them (registered in src/app/modules.ts). */
export const enrollmentModule: DomainModule = {
  entities: [EnrollmentNoticeEntity],
  logged: [
    [EnrollmentNoticeEntity, {
      type: 'EnrollmentNotice',
      label: '入学通知书',
      visibleWith: 'Child.enrollmentNotices',
      fields: {
        schoolYear: '学年', stage: '入学学段', number: '通知书编号', schoolName: '就读学校', schoolKind: '学校类别', priority: '公办优先',
        reportOn: '报到日期', issuedOn: '发放日期', arrivedOn: '实际报到日期', status: '状态', caseId: '未报到立案编号',
      },
      childIdOf: (e) => e.childId as string,
    }],
  ],
};
