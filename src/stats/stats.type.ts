import { Field, Float, Int, ObjectType } from 'type-graphql';
import { StatDimension } from './stats.dimensions';
import { StatMeasure } from './stats.measures';

@ObjectType('StatValue', { description: '一个指标的值 One measure\'s value in a cell', simpleResolvers: true })
export class StatValueType {
  @Field(() => StatMeasure.values, { description: '指标 Measure' })
  measure!: StatMeasure;

  @Field(() => Float, { nullable: true, description: '值（人数；课时指标为课时数）；被抑制时为 null；分析员看到的值已随机舍入 The value (children; hours for the hours measure); null when suppressed; rounded for analysts (see `disclosure`)' })
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

  @Field(() => String, { nullable: true, description: '数据时点：null 为当前；否则为所问的日期或时间（按变更日志重建）When the figures stand: null for now, else the date or time asked (rebuilt from the change log)' })
  asOf!: string | null;
}

@ObjectType('StatSeriesCell', { description: '序列中的一格或一个合计：各月末的值 A cell or total of a series: its value at each month end', simpleResolvers: true })
export class StatSeriesCellType {
  @Field(() => [String], { nullable: 'items', description: '各维度的值，顺序同 groupBy；null 表示合计 Each dimension\'s value; null = total over that dimension' })
  key!: Array<string | null>;

  @Field(() => Boolean, { description: '是否为合计 Whether this is a total' })
  total!: boolean;

  @Field(() => [StatValueType], { description: '各月末的值，顺序同 asOf Each month end\'s value, in the order of asOf' })
  values!: StatValueType[];
}

@ObjectType('StatSeries', { description: '月末序列 A series of month ends', simpleResolvers: true })
export class StatSeriesType {
  @Field(() => StatMeasure.values, { description: '指标 Measure' })
  measure!: StatMeasure;

  @Field(() => [StatDimension.values], { description: '维度 Dimensions' })
  groupBy!: StatDimension[];

  @Field(() => [String], { description: '各点的日期（月末；当月未结束为今日）Each point\'s day: a month end, or today for the month not over' })
  asOf!: string[];

  @Field(() => [StatSeriesCellType], { description: '单元格 Cells' })
  cells!: StatSeriesCellType[];

  @Field(() => [StatSeriesCellType], { description: '合计 Totals' })
  totals!: StatSeriesCellType[];

  @Field(() => String, { description: '披露控制方法 Disclosure control: EXACT or SUPPRESSED_ROUNDED' })
  disclosure!: string;
}
