import { defineEnum } from '../../core/enums';

export const DisabilityType = defineEnum('DisabilityType', '残疾类别 Disability type (GB/T 26341)', {
  VISUAL: '视力残疾 visual',
  HEARING: '听力残疾 hearing',
  SPEECH: '言语残疾 speech',
  PHYSICAL: '肢体残疾 physical',
  INTELLECTUAL: '智力残疾 intellectual',
  MENTAL: '精神残疾 mental',
  MULTIPLE: '多重残疾 multiple',
});
export type DisabilityType = keyof typeof DisabilityType.labels;
