import type { SectionDefinition } from '../section';
import { PublicSecurityRecordEntity } from './public-security.entity';

export const publicSecuritySection: SectionDefinition<PublicSecurityRecordEntity> = {
  key: 'publicSecurity',
  typeName: 'PublicSecurityRecord',
  label: '公安',
  dept: 'PSB',
  table: 'psb.public_security_record',
  entity: PublicSecurityRecordEntity,
  mutation: 'upsertPublicSecurityRecords',
  fields: [
    { name: 'hukouStatus', column: 'hukou_status', label: '户籍状态', required: true },
    { name: 'whereabouts', column: 'whereabouts', label: '下落', required: true },
    // 二(三): the police verify children reported missing, abroad, with a wrong hukou or deceased.
    { name: 'verifiedOn', column: 'verified_on', label: '核实日期' },
  ],
};
