import { defineEnum } from '../core/enums';

export const VisitMethod = defineEnum('VisitMethod', '劝返方式 How the family was reached', {
  HOME_VISIT: '入户 home visit',
  PHONE: '电话 phone',
  AT_SCHOOL: '到校约谈 at school',
});

export const VisitOutcome = defineEnum('VisitOutcome', '劝返结果 Outcome of a visit', {
  AGREED_TO_RETURN: '同意返校 agreed to return',
  REFUSED: '拒绝 refused',
  NOT_REACHED: '未联系上 not reached',
  OTHER: '其他 other',
});
