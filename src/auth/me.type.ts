import { Field, ObjectType } from 'type-graphql';
import { RegionType } from '../regions/region.type';

@ObjectType('Me', { description: '当前用户（来自令牌）The current user, from the token', simpleResolvers: true })
export class MeType {
  @Field(() => String, { description: '用户标识 Subject of the token' })
  sub!: string;

  @Field(() => String, { description: '部门代码 Department code (EDU, PSB, CIVIL, POVERTY, HEALTH, DPF, TOWNSHIP)' })
  dept!: string;

  @Field(() => String, { description: '部门名称 Department name' })
  deptName!: string;

  @Field(() => RegionType, { description: '辖区（乡镇用户为其所在县）Region the user works in (a township user\'s county)' })
  region!: RegionType;

  @Field(() => String, { nullable: true, description: '乡镇（街道）代码，仅乡镇用户 Township code, for TOWNSHIP users only' })
  township!: string | null;

  @Field(() => [String], { description: '角色 Roles' })
  roles!: string[];

  @Field(() => [String], { description: '可读字段（Type.field:级别）What this user may read and write, as Type.field:level (W, R, M)' })
  permissions!: string[];
}
