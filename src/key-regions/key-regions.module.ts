import type { DomainModule } from '../changelog/catalogue';
import { KeyRegionEntity } from './key-region.entity';

/** Key regions as the database maps them and the change log records them (registered in src/app/modules.ts). */
export const keyRegionsModule: DomainModule = {
  entities: [KeyRegionEntity],
  logged: [
    [KeyRegionEntity, {
      type: 'KeyRegion',
      label: '重点监测地区',
      // Configuration, not about a child: whoever reads rows in the county sees it changed.
      visibleWith: 'Child.id',
      fields: { key: '是否重点监测地区', updatedBy: '设置人' },
      childIdOf: () => null,
      regionOf: (e) => e.county as string,
      fieldsShownWithEntry: true,
    }],
  ],
};
