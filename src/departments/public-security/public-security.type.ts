import { Field, ObjectType } from 'type-graphql';
import { LocalDate } from '../../core/scalars';
import { SectionType } from '../section.type';
import { HukouStatus, Whereabouts } from './public-security.enums';

@ObjectType('PublicSecurityRecord', { implements: SectionType, description: '公安部门记录：户籍与下落 Public-security section: household registration and whereabouts', simpleResolvers: true })
export class PublicSecurityRecordType extends SectionType {
  @Field(() => HukouStatus.values, { nullable: true, description: '户籍状态 Household registration status' })
  hukouStatus!: string | null;

  @Field(() => Whereabouts.values, { nullable: true, description: '下落 Whereabouts' })
  whereabouts!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '公安核实日期 Date the police verified the record' })
  verifiedOn!: string | null;
}
