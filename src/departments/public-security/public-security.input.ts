import { Field, InputType } from 'type-graphql';
import { LocalDate } from '../../core/scalars';
import { OMITTED_FIELDS, SectionInputType } from '../section.input';
import { HukouStatus, Whereabouts } from './public-security.enums';

@InputType({ description: `一条公安记录 One public-security record. ${OMITTED_FIELDS}` })
export class PublicSecurityRecordInput extends SectionInputType {
  @Field(() => HukouStatus.values, { nullable: true, description: '户籍状态（新建时必填）Hukou status (required on create)' })
  hukouStatus?: string;

  @Field(() => Whereabouts.values, { nullable: true, description: '下落（新建时必填）Whereabouts (required on create)' })
  whereabouts?: string;

  @Field(() => LocalDate, { nullable: true, description: '核实日期 Date verified' })
  verifiedOn?: string | null;
}
