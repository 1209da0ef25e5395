import { Field, InputType, Int } from 'type-graphql';
import { Gender } from '../children/child.enums';
import { SpecialGroup } from '../departments/civil-affairs/civil-affairs.enums';
import { Stage } from '../departments/education/education.enums';
import { DropoutReason } from '../ledger/dropout-case.enums';

/** Filters only on the dimensions, each reading what its dimension reads (stats.dimensions.ts). */
@InputType({ description: '统计筛选条件（仅限统计维度）Filters on the statistics\' dimensions only' })
export class StatisticsFilter {
  @Field(() => String, { nullable: true, description: '居住地在此区划内（市、县或乡镇代码，须在您的辖区内）Residence inside this region (city, county or township code, inside your own)' })
  region?: string | null;

  @Field(() => [Stage.values], { nullable: true, description: '学段之一 One of these stages' })
  stage?: Stage[] | null;

  @Field(() => [Int], { nullable: true, description: '年级之一（1–9）One of these grades (1–9)' })
  grade?: number[] | null;

  @Field(() => [Gender.values], { nullable: true, description: '性别之一 One of these genders' })
  gender?: Gender[] | null;

  @Field(() => [DropoutReason.values], { nullable: true, description: '未结个案原因之一 Open case with one of these reasons' })
  dropoutReason?: DropoutReason[] | null;

  @Field(() => [SpecialGroup.values], { nullable: true, description: '属于任一特殊群体 In any of these special groups' })
  specialGroup?: SpecialGroup[] | null;
}
