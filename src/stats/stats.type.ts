import { Field, Int, ObjectType } from 'type-graphql';
import { StatDimension } from './stats.dimensions';
import { StatMeasure } from './stats.measures';

@ObjectType('StatValue', { description: '一个指标的值 One measure\'s value in a cell', simpleResolvers: true })
export class StatValueType {
  @Field(() => StatMeasure.values, { description: '指标 Measure' })
  measure!: StatMeasure;

  @Field(() => Int, { nullable: true, description: '值；被抑制时为 null；分析员看到的值已随机舍入 The value; null when suppressed; rounded for analysts (see `disclosure`)' })
  value!: number | null;

  @Field(() => Boolean, { description: '是否被抑制（小单元格或其补充抑制）Suppressed (a small cell, or a complementary one)' })
  suppressed!: boolean;
}

@ObjectType('StatCell', { description: '表中的一格或一个合计 A cell of the table, or a total (margin)', simpleResolvers: true })
export class StatCellType {
  @Field(() => [String], { nullable: 'items', description: '各维度的值，顺序同 groupBy；null 表示该维度的合计 Each dimension\'s value, in groupBy\'s order; null = total over that dimension' })
  key!: Array<string | null>;

  @Field(() => Boolean, { description: '是否为合计（key 中有 null）Whether this is a total (a null in key)' })
  total!: boolean;

  @Field(() => [StatValueType], { description: '各指标的值，顺序同 measures Each measure, in measures\' order' })
  values!: StatValueType[];
}

@ObjectType('Statistics', { description: '统计表：单元格与合计 A statistics table: cells and their totals', simpleResolvers: true })
export class StatisticsType {
  @Field(() => [StatMeasure.values], { description: '指标 Measures' })
  measures!: StatMeasure[];

  @Field(() => [StatDimension.values], { description: '维度 Dimensions' })
  groupBy!: StatDimension[];

  @Field(() => [StatCellType], { description: '单元格（无儿童的组合不列出，即为0）Cells (a combination without children is not listed: it is 0)' })
  cells!: StatCellType[];

  @Field(() => [StatCellType], { description: '合计：各行、各列与总计 Totals: of each row, each column, and the grand total' })
  totals!: StatCellType[];

  @Field(() => String, { description: '披露控制方法：EXACT（督导等，精确值）或 SUPPRESSED_ROUNDED（分析员）Disclosure control: EXACT, or SUPPRESSED_ROUNDED for analysts' })
  disclosure!: string;

  @Field(() => Int, { nullable: true, description: '抑制阈值：1 到 阈值-1 的单元格被抑制 Cells from 1 to threshold-1 are suppressed' })
  threshold!: number | null;

  @Field(() => Int, { nullable: true, description: '随机舍入的基数 Base of the random rounding' })
  roundingBase!: number | null;
}
