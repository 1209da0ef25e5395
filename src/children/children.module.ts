import { ChildEntity } from './child.entity';
import type { DomainModule } from '../changelog/catalogue';

/** The child's own record, as the database maps it and the change log records it (registered in src/app/modules.ts). */
export const childrenModule: DomainModule = {
  entities: [ChildEntity],
  logged: [
    [ChildEntity, {
      type: 'Child',
      label: '儿童基本信息',
      visibleWith: 'Child.id',
      fields: { idNumber: '身份证号', name: '姓名', gender: '性别', birthDate: '出生日期', hukouRegion: '户籍地', residenceRegion: '居住地', township: '乡镇（街道）' },
      childIdOf: (e) => e.id as string,
      childRegionsOf: (e) => (e.hukouRegion && e.residenceRegion ? { hukou: e.hukouRegion as string, residence: e.residenceRegion as string } : null),
    }],
  ],
};
