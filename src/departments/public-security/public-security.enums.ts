import { defineEnum } from '../../core/enums';

export const HukouStatus = defineEnum('HukouStatus', '户籍状态 Household registration status', {
  REGISTERED: '已登记户籍 registered',
  NO_HUKOU: '无户口 no household registration',
  RECORD_ERROR: '户籍信息错误 registration record in error',
});
export type HukouStatus = keyof typeof HukouStatus.labels;

export const Whereabouts = defineEnum('Whereabouts', '下落 Whereabouts', {
  PRESENT: '在住 present',
  MISSING: '失踪失联 missing or out of contact',
  ABROAD: '出境 abroad',
  DECEASED: '死亡 deceased',
});
export type Whereabouts = keyof typeof Whereabouts.labels;
