import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { RegionType } from '../regions/region.type';
import { Gender } from './child.enums';
import type { ChildSnapshot } from './child.snapshot';

/**
 * The federated record of one child as a reader may see it. Built by the child loader from the
 * reader's permitted columns only, with masks already applied; the department sections are
 * added by each department's resolver.
 */
@ObjectType('Child', { description: '适龄儿童联合档案 The federated record of one school-age child', simpleResolvers: true })
export class ChildView {
  @Field(() => ID, { description: '儿童编号（UUID）Child id (UUID)' })
  id!: string;

  @Field(() => String, { nullable: true, description: '公民身份号码，按权限可能打码或不可见 ID-card number; masked or withheld by permission' })
  idNumber!: string | null;

  @Field(() => String, { description: '姓名，按权限可能打码 Name; masked for some roles' })
  name!: string;

  @Field(() => Gender.values, { description: '性别 Gender' })
  gender!: string;

  @Field(() => LocalDate, { description: '出生日期 Date of birth' })
  birthDate!: string;

  @Field(() => RegionType, { description: '户籍所在县（市、区）County of household registration' })
  hukouRegion!: RegionType;

  @Field(() => RegionType, { description: '居住地县（市、区）County of residence' })
  residenceRegion!: RegionType;

  @Field(() => String, { nullable: true, description: '居住地乡镇（街道）代码 Township of residence (9-digit code)' })
  township!: string | null;

  @Field(() => Int, { description: '基本信息版本号（乐观锁）Version of the basic record (optimistic locking)' })
  version!: number;

  @Field(() => GraphQLISODateTime, { description: '登记时间 When the child was registered' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: '基本信息最后修改时间 When the basic record last changed' })
  updatedAt!: Date;

  /** Only on an as-of read: the rest of the record as it stood then (not a GraphQL field). */
  snapshot?: ChildSnapshot;

  /**
   * Only on a page of children: the parts its statement fetched for this child, by field (not a
   * GraphQL field). Each is there only when the reader may read it and the operation asked for it
   * (child.page-embeds.ts), as its loader would have given it.
   */
  embedded?: Readonly<Record<string, unknown>>;
}
