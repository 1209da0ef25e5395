import { defineEnum } from '../../core/enums';

export const SchoolStatus = defineEnum('SchoolStatus', '就学状态 School status (DESIGN.md §1, EDU)', {
  ENROLLED: '在校 enrolled',
  DROPPED_OUT: '辍学 dropped out',
  SUSPENDED: '休学 suspended',
  DEFERRED: '缓学 deferred',
  HOME_TEACHING: '送教上门 home-delivered teaching',
  MAINSTREAM_INCLUSION: '随班就读 mainstream inclusion',
  SPECIAL_SCHOOL: '特教学校 special school',
  STUDYING_ELSEWHERE: '外地就读 studying elsewhere',
});
export type SchoolStatus = keyof typeof SchoolStatus.labels;

export const Stage = defineEnum('Stage', '学段 Stage of compulsory education', {
  PRIMARY: '小学 primary (grades 1–6)',
  JUNIOR_SECONDARY: '初中 junior secondary (grades 7–9)',
});
export type Stage = keyof typeof Stage.labels;
