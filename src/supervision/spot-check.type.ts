import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { SpotCheckField } from './spot-check.fields';

@ObjectType('SpotCheckValue', { description: '一项的值 The value of one checked field', simpleResolvers: true })
export class SpotCheckValueType {
  @Field(() => SpotCheckField.values, { description: '项目 Field' }) field!: string;
  @Field(() => String, { nullable: true, description: '值；无记录为空 Value; null when there is no record' }) value!: string | null;
  @Field(() => String, { nullable: true, description: '备注 Notes' }) notes!: string | null;
}

@ObjectType('SpotCheckItem', { description: '抽中的台账条目（辍学个案）及其核实 A sampled ledger entry and its verification', simpleResolvers: true })
export class SpotCheckItemType {
  @Field(() => ID, { description: '编号 Id' }) id!: string;
  @Field(() => ID, { description: '所属抽查 Spot check' }) spotCheckId!: string;
  @Field(() => ID, { description: '辍学个案 Dropout case' }) caseId!: string;
  @Field(() => ID, { description: '儿童编号 Child id' }) childId!: string;
  @Field(() => String, { description: '县（市、区）代码 County' }) county!: string;
  @Field(() => String, { nullable: true, description: '乡镇（街道）代码 Township' }) township!: string | null;
  @Field(() => String, { description: '层 Stratum' }) stratum!: string;
  @Field(() => [SpotCheckValueType], { description: '抽取时台账的值 What the ledger reported at the draw' }) reported!: SpotCheckValueType[];
  @Field(() => String, { description: '状态 DRAWN / ASSIGNED / VERIFIED' }) status!: string;
  @Field(() => String, { nullable: true, description: '核查人 Verifier (token subject)' }) verifierSub!: string | null;
  @Field(() => String, { nullable: true, description: '核查人部门 Verifier\'s department' }) verifierDept!: string | null;
  @Field(() => String, { nullable: true, description: '核查人地区 Verifier\'s region' }) verifierRegion!: string | null;
  @Field(() => LocalDate, { nullable: true, description: '分派日期 Assigned on' }) assignedOn!: string | null;
  @Field(() => LocalDate, { nullable: true, description: '核实日期 Verified on' }) verifiedOn!: string | null;
  @Field(() => String, { nullable: true, description: '核实人 Verified by' }) verifiedBy!: string | null;
  @Field(() => [SpotCheckValueType], { description: '核实所见 What the verifier found' }) findings!: SpotCheckValueType[];
  @Field(() => Int, { description: '版本号 Version' }) version!: number;
}

@ObjectType('SpotCheck', { description: '台账信息抽查（四(二)）A spot check of ledger entries', simpleResolvers: true })
export class SpotCheckType {
  @Field(() => ID, { description: '编号 Id' }) id!: string;
  @Field(() => String, { description: '地区代码 Region' }) region!: string;
  @Field(() => String, { description: '随机种子 Seed' }) seed!: string;
  @Field(() => String, { description: '抽取时签名的日志根序号 The signed root of the change log the draw used' }) rootSeq!: string;
  @Field(() => String, { description: '该根的哈希 Its hash' }) rootHash!: string;
  @Field(() => [String], { description: '分层 Strata (COUNTY, CASE_STATUS)' }) strata!: string[];
  @Field(() => Int, { description: '要求样本量 Requested size' }) size!: number;
  @Field(() => Int, { description: '抽样框大小 Cases in the frame' }) frameSize!: number;
  @Field(() => String, { description: '抽样框哈希 Hash of the frame' }) frameHash!: string;
  @Field(() => LocalDate, { description: '抽取日期 Drawn on' }) drawnOn!: string;
  @Field(() => String, { description: '抽取人 Drawn by' }) drawnBy!: string;
  @Field(() => [SpotCheckItemType], { description: '抽中的条目 The sample' }) items!: SpotCheckItemType[];
  @Field(() => Int, { description: '版本号 Version' }) version!: number;
}

@ObjectType('SpotCheckAccuracy', { description: '某县某项的准确率与核实系数 Accuracy and verification factor of a field in a county', simpleResolvers: true })
export class SpotCheckAccuracyType {
  @Field(() => String, { nullable: true, description: '县；空为全部 County; null for all' }) county!: string | null;
  @Field(() => SpotCheckField.values, { description: '项目 Field' }) field!: string;
  @Field(() => Int, { description: '已核实 Checked' }) checked!: number;
  @Field(() => Int, { description: '一致 Matched' }) matched!: number;
  @Field(() => Float, { nullable: true, description: '准确率 Accuracy' }) accuracy!: number | null;
  @Field(() => Float, { nullable: true, description: 'Wilson 95% 置信区间下限 Wilson 95% interval, low' }) low!: number | null;
  @Field(() => Float, { nullable: true, description: 'Wilson 95% 置信区间上限 Wilson 95% interval, high' }) high!: number | null;
  @Field(() => Int, { description: '台账报告为计数值的条目 Entries reported with the counted value' }) reportedCount!: number;
  @Field(() => Int, { description: '核实为计数值的条目 Entries found with it' }) verifiedCount!: number;
  @Field(() => Float, { nullable: true, description: '核实系数（核实数÷报告数）Verification factor (verified ÷ reported)' }) verificationFactor!: number | null;
}

@ObjectType('SpotCheckMismatch', { description: '核实与台账不一致（列出的问题）A field found other than the ledger said', simpleResolvers: true })
export class SpotCheckMismatchType {
  @Field(() => ID, { description: '抽查项目 Item' }) itemId!: string;
  @Field(() => ID, { description: '儿童编号 Child id' }) childId!: string;
  @Field(() => String, { description: '县 County' }) county!: string;
  @Field(() => SpotCheckField.values, { description: '项目 Field' }) field!: string;
  @Field(() => String, { nullable: true, description: '台账值 Reported' }) reported!: string | null;
  @Field(() => String, { description: '核实值 Found' }) found!: string;
  @Field(() => String, { description: '责任部门 Department that owns the field' }) ownerDept!: string;
}

@ObjectType('SpotCheckResults', { description: '抽查结果 Results of a spot check', simpleResolvers: true })
export class SpotCheckResultsType {
  @Field(() => ID, { description: '抽查 Spot check' }) spotCheckId!: string;
  @Field(() => Int, { description: '已核实条目 Items verified' }) verified!: number;
  @Field(() => Int, { description: '样本条目 Items drawn' }) drawn!: number;
  @Field(() => [SpotCheckAccuracyType], { description: '按县、项目 By county and field (county null: all)' }) accuracy!: SpotCheckAccuracyType[];
  @Field(() => [SpotCheckMismatchType], { description: '不一致清单 Mismatches' }) mismatches!: SpotCheckMismatchType[];
}

@ObjectType('SpotCheckRedraw', { description: '按种子与日志根重抽的结果 A redraw from the seed and the root', simpleResolvers: true })
export class SpotCheckRedrawType {
  @Field(() => Boolean, { description: '重抽样本与记录一致 The redrawn sample is the stored one' }) sameSample!: boolean;
  @Field(() => Boolean, { description: '日志根哈希与签名根一致 The root hash is the signed root\'s' }) rootMatches!: boolean;
  @Field(() => Boolean, { description: '抽样框哈希一致 The frame hashes as stored' }) frameMatches!: boolean;
  @Field(() => [ID], { description: '重抽的个案 Case ids redrawn' }) caseIds!: string[];
}

@ObjectType('SpotCheckAssignment', { description: '分派给我的核查（不含台账值：盲核）An item assigned to me: whom to find and what to check, not what the ledger says', simpleResolvers: true })
export class SpotCheckAssignmentType {
  @Field(() => ID, { description: '抽查项目 Item' }) itemId!: string;
  @Field(() => ID, { description: '儿童编号 Child id' }) childId!: string;
  @Field(() => String, { nullable: true, description: '儿童姓名（入户所需）Child\'s name, to find the household' }) childName!: string | null;
  @Field(() => String, { nullable: true, description: '乡镇（街道）Township' }) township!: string | null;
  @Field(() => [SpotCheckField.values], { description: '应核实的项目 Fields to check' }) fields!: string[];
  @Field(() => LocalDate, { nullable: true, description: '分派日期 Assigned on' }) assignedOn!: string | null;
}

@InputType('SpotCheckAssignmentInput', { description: '分派核查 Assign an item to a verifier' })
export class SpotCheckAssignmentInput {
  @Field(() => ID, { description: '抽查项目 Item' }) itemId!: string;
  @Field(() => String, { description: '核查人（令牌 sub）Verifier, as its token names it' }) verifierSub!: string;
  @Field(() => String, { description: '核查人部门 Verifier\'s department' }) verifierDept!: string;
  @Field(() => String, { description: '核查人地区（乡镇人员为9位代码）Verifier\'s region (a township\'s 9 digits)' }) verifierRegion!: string;
}

@InputType('SpotCheckFindingInput', { description: '一项核实所见 What was found for one field' })
export class SpotCheckFindingInput {
  @Field(() => SpotCheckField.values, { description: '项目 Field' }) field!: string;
  @Field(() => String, { description: '所见的值（枚举名；佐证为 true/false）Value found (enum name; true/false for evidence)' }) found!: string;
  @Field(() => String, { nullable: true, description: '备注 Notes' }) notes?: string | null;
}
