import { Field, ObjectType } from 'type-graphql';
import { defineEnum } from '../core/enums';
import type { RegionInfo } from './region.registry';

export const RegionLevelEnum = defineEnum('RegionLevel', '行政区划级别 Administrative level', {
  province: '省 province',
  city: '市 city (prefecture)',
  county: '县（市、区）county, county-level city or district',
});

@ObjectType('Region', { description: '行政区划（GB/T 2260）Administrative division (GB/T 2260)', simpleResolvers: true })
export class RegionType implements Pick<RegionInfo, 'code' | 'name' | 'level' | 'parentCode'> {
  @Field(() => String, { description: '6位区划代码 6-digit division code' })
  code!: string;

  @Field(() => String, { description: '名称 Name' })
  name!: string;

  @Field(() => RegionLevelEnum.values, { description: '级别 Level' })
  level!: RegionInfo['level'];

  @Field(() => String, { nullable: true, description: '上级区划代码 Code of the enclosing division' })
  parentCode!: string | null;
}
