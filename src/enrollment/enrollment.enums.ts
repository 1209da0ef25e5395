import { defineEnum } from '../core/enums';

export const EnrollmentStatus = defineEnum('EnrollmentStatus', '入学通知书状态 Enrollment notice status', {
  ISSUED: '已发放 issued',
  ARRIVED: '已报到 arrived',
  NOT_ARRIVED: '未报到 did not arrive',
});
export type EnrollmentStatus = keyof typeof EnrollmentStatus.labels;

export const SchoolKind = defineEnum('SchoolKind', '学校类别 Kind of school', {
  PUBLIC: '公办 public',
  PRIVATE: '民办 private',
});
export type SchoolKind = keyof typeof SchoolKind.labels;

/**
 * The legal text every notice carries (三(一): 告知适龄儿童少年的父母或者其他法定监护人依法送子女
 * 入学的义务), quoted from the Compulsory Education Law of the People's Republic of China.
 */
export const GUARDIANS_DUTY = [
  '《中华人民共和国义务教育法》第五条：适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育。',
  '第十一条：凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育；条件不具备的地区的儿童，可以推迟到七周岁。适龄儿童、少年因身体状况需要延缓入学或者休学的，其父母或者其他法定监护人应当提出申请，由当地乡镇人民政府或者县级人民政府教育行政部门批准。',
  '第五十八条：适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学接受义务教育的，由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。',
] as const;
