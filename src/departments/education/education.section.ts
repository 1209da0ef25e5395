import type { SectionDefinition } from '../section';
import { maxLength } from '../section';
import { EducationRecordEntity } from './education.entity';

/** Grades 1–6 are primary school, 7–9 junior secondary (the compulsory nine years). */
const STAGE_GRADES: Readonly<Record<string, [number, number]>> = { PRIMARY: [1, 6], JUNIOR_SECONDARY: [7, 9] };

export const educationSection: SectionDefinition<EducationRecordEntity> = {
  key: 'education',
  typeName: 'EducationRecord',
  label: '教育',
  dept: 'EDU',
  table: 'edu.education_record',
  entity: EducationRecordEntity,
  mutation: 'upsertEducationRecords',
  fields: [
    { name: 'status', column: 'status', label: '就学状态', required: true },
    { name: 'stage', column: 'stage', label: '学段' },
    { name: 'grade', column: 'grade', label: '年级', check: (g: number) => (Number.isInteger(g) && g >= 1 && g <= 9 ? null : '年级应为1到9 (grade must be 1 to 9)') },
    { name: 'schoolName', column: 'school_name', label: '学校', check: maxLength(100) },
  ],
  crossCheck(record, path, problems) {
    const stage = record.stage as string | null | undefined;
    const grade = record.grade as number | null | undefined;
    if (stage && grade) {
      const [low, high] = STAGE_GRADES[stage];
      if (grade < low || grade > high) problems.add(`${path}.grade`, `${stage === 'PRIMARY' ? '小学' : '初中'}年级应为 ${low}–${high} (grade ${grade} does not belong to ${stage})`);
    }
  },
};
