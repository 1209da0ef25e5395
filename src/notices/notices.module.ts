import { ExchangeNoticeEntity } from './notice.entity';
import type { DomainModule } from '../changelog/catalogue';

/** Monthly exchange notices (their acknowledgements are logged), as the database maps them and the change log records them (registered in src/app/modules.ts). */
export const noticesModule: DomainModule = {
  entities: [ExchangeNoticeEntity],
  logged: [
    [ExchangeNoticeEntity, {
      type: 'ExchangeNotice',
      label: '月度信息交换通报',
      visibleWith: 'Child.id',
      fields: { number: '通报编号', acknowledgedAt: '签收时间', acknowledgedBy: '签收人', remarks: '签收备注' },
      childIdOf: () => null,
      regionOf: (e) => e.region as string,
      fieldsShownWithEntry: true,
      // An acknowledgement is the recipient department's business, and its supervisors'.
      visibleTo: (reader, entry) => reader.identity.dept === entry.actorDept || reader.identity.roles.includes('supervisor'),
    }],
  ],
};
