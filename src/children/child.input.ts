import { Field, ID, InputType, Int } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { SchoolStatus, Stage } from '../departments/education/education.enums';
import { SpecialGroup } from '../departments/civil-affairs/civil-affairs.enums';
import { HukouStatus } from '../departments/public-security/public-security.enums';
import { Gender } from './child.enums';

@InputType({ description: '登记一名适龄儿童 A school-age child to register' })
export class RegisterChildInput {
  @Field(() => ID, { nullable: true, description: '可选：调用方生成的UUID Optional client-generated UUID' })
  id?: string;

  @Field(() => String, { nullable: true, description: '公民身份号码。教育、公安登记时必填，无户口儿童（hukouStatus: NO_HUKOU）除外；其他部门发现的儿童可空 ID-card number: required from EDU and PSB except for a child without hukou (hukouStatus: NO_HUKOU); other departments may leave it out' })
  idNumber?: string | null;

  @Field(() => HukouStatus.values, { nullable: true, description: '户籍状态：无身份证号的无户口儿童填 NO_HUKOU（此时不得填身份证号）Hukou status: NO_HUKOU for a child without hukou registered without a number (then no idNumber)' })
  hukouStatus?: HukouStatus | null;

  @Field(() => String, { description: '姓名 Name' })
  name!: string;

  @Field(() => Gender.values, { description: '性别 Gender' })
  gender!: Gender;

  @Field(() => LocalDate, { description: '出生日期 Date of birth' })
  birthDate!: string;

  @Field(() => String, { description: '户籍所在县级区划代码 County code of household registration' })
  hukouRegion!: string;

  @Field(() => String, { description: '居住地县级区划代码 County code of residence' })
  residenceRegion!: string;

  @Field(() => String, { nullable: true, description: '居住地乡镇（街道）代码：9位，前6位为居住地县级代码 Township of residence: 9 digits, starting with the residence county' })
  township?: string | null;
}

@InputType({ description: '登记儿童所在乡镇（街道）Set the township a child lives in' })
export class AssignTownshipInput {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => String, { nullable: true, description: '乡镇（街道）代码，null 清除 Township code; null clears it' })
  township!: string | null;
}

@InputType({ description: '儿童列表筛选条件；按无权查看的字段筛选会被拒绝 Filters; filtering on a field you may not read is refused' })
export class ChildFilter {
  @Field(() => String, { nullable: true, description: '户籍或居住地在此区划内 Hukou or residence inside this region' })
  region?: string;

  @Field(() => [SchoolStatus.values], { nullable: true, description: '就学状态之一 One of these school statuses' })
  schoolStatus?: SchoolStatus[];

  @Field(() => Stage.values, { nullable: true, description: '学段 Stage' })
  stage?: Stage;

  @Field(() => Boolean, { nullable: true, description: '有未结辍学个案 Has an open dropout case' })
  hasOpenDropoutCase?: boolean;

  @Field(() => [SpecialGroup.values], { nullable: true, description: '民政记录为"是"的任一特殊群体；未知不算 In any of these special groups, as recorded yes (an unknown flag does not count)' })
  specialGroups?: SpecialGroup[];

  @Field(() => Boolean, { nullable: true, description: 'true：记录为是；false：其余所有儿童（记录为否、未知或无记录）Poverty-registered: true = recorded yes; false = every other child (recorded no, unknown, or no record)' })
  registeredPoor?: boolean;

  @Field(() => Boolean, { nullable: true, description: '持有残疾记录 Has a disability record' })
  hasDisability?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'true：记录为患重病；false：其余所有儿童（记录为否、未知或无记录）Serious illness: true = recorded yes; false = every other child (recorded no, unknown, or no record)' })
  hasSeriousIllness?: boolean;
}

@InputType({ description: '登记或更正儿童的公民身份号码（公安）Give a child its ID number, or correct it (PSB)' })
export class ChildIdNumberInput {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => String, { description: '公民身份号码；其中的出生日期与性别随之更正 The ID number; the birth date and gender in it are taken over' })
  idNumber!: string;

  @Field(() => Int, { nullable: true, description: '读取时的版本 The version you read' })
  expectedVersion?: number | null;
}
