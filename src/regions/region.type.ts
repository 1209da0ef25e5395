import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { RegionInfo, RegionLevel } from './region.registry';

const LABELS: Readonly<Record<RegionLevel, string>> = {
  province: '省 province',
  city: '市 city (prefecture)',
  county: '县（市、区）county, county-level city or district',
};

/**
 * Upper case like every other enum; the first, lower-case names stay accepted (deprecated) for
 * clients that already send them. The registry keeps the lower-case level; `Region.level` answers
 * the upper-case name (RegionResolver) and the `regions(level)` argument is read through `regionLevelOf`.
 */
const VALUES = Object.freeze({
  PROVINCE: 'PROVINCE', CITY: 'CITY', COUNTY: 'COUNTY',
  province: 'province', city: 'city', county: 'county',
} as const);

export type RegionLevelName = keyof typeof VALUES;

/** The registry's level of an enum value, whichever of its two names the client sent. */
export function regionLevelOf(name: RegionLevelName): RegionLevel {
  return name.toLowerCase() as RegionLevel;
}

registerEnumType(VALUES, {
  name: 'RegionLevel',
  description: '行政区划级别 Administrative level',
  valuesConfig: {
    PROVINCE: { description: LABELS.province },
    CITY: { description: LABELS.city },
    COUNTY: { description: LABELS.county },
    province: { description: LABELS.province, deprecationReason: '请用 PROVINCE Use PROVINCE' },
    city: { description: LABELS.city, deprecationReason: '请用 CITY Use CITY' },
    county: { description: LABELS.county, deprecationReason: '请用 COUNTY Use COUNTY' },
  },
});

export const RegionLevelEnum = { values: VALUES, labels: LABELS } as const;

@ObjectType('Region', { description: '行政区划（GB/T 2260）Administrative division (GB/T 2260)', simpleResolvers: true })
export class RegionType implements Pick<RegionInfo, 'code' | 'name' | 'level' | 'parentCode'> {
  @Field(() => String, { description: '6位区划代码 6-digit division code' })
  code!: string;

  @Field(() => String, { description: '名称 Name' })
  name!: string;

  /** The registry's lower-case level; RegionResolver.level answers its upper-case name. */
  @Field(() => RegionLevelEnum.values, { description: '级别 Level' })
  level!: RegionInfo['level'];

  @Field(() => String, { nullable: true, description: '上级区划代码 Code of the enclosing division' })
  parentCode!: string | null;
}
