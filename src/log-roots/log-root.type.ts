import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';

@ObjectType('LogChainLeaf', { description: '签名根中一条链的叶：条目数、链头与链上默克尔树根 One chain\'s leaf in a signed root: its size, head and Merkle tree hash', simpleResolvers: true })
export class LogChainLeafType {
  @Field(() => String, { description: '链（区划代码，或 global）Chain: a region code, or global' })
  chain!: string;

  @Field(() => Int, { description: '条目数（即链头序号）Entries in the chain, the head\'s seq' })
  size!: number;

  @Field(() => String, { description: '链头哈希 Hash of the head entry' })
  headHash!: string;

  @Field(() => String, { description: '链上各条目哈希的默克尔树根（RFC 6962）Merkle tree hash over the chain\'s entries (RFC 6962)' })
  treeHash!: string;
}

@ObjectType('LogRoot', { description: '变更日志的签名根：各链叶的默克尔树根，ES256 签名，链接上一个根 A signed root of the change log: the Merkle tree hash over every chain\'s leaf, signed ES256, linked to the previous root' })
export class LogRootType {
  @Field(() => Int, { description: '根序号（连续）Root sequence number, gap-free' })
  seq!: number;

  @Field(() => GraphQLISODateTime, { description: '签名时间 When it was signed' })
  at!: Date;

  @Field(() => String, { description: '根哈希 Root hash' })
  rootHash!: string;

  @Field(() => String, { nullable: true, description: '上一个根的哈希（第一个根为空）The previous root\'s hash; null for the first' })
  prevRootHash!: string | null;

  @Field(() => Int, { description: '链叶数 Number of chain leaves in the tree' })
  chainCount!: number;

  @Field(() => String, { description: '签名公钥编号（见 /.well-known/baoxue-log-keys.json）Key id of the signing key, published at /.well-known/baoxue-log-keys.json' })
  keyId!: string;

  @Field(() => String, { description: '签名（JWS 紧凑格式，ES256）The signature: a compact JWS, ES256, whose payload is the root' })
  jws!: string;
}

@ObjectType('LogRootEdge', { description: '签名根列表的一项 One root in a list', simpleResolvers: true })
export class LogRootEdge {
  @Field(() => String, { description: '游标 Cursor' })
  cursor!: string;

  @Field(() => LogRootType, { description: '签名根 The root' })
  node!: LogRootType;
}

@ObjectType('LogRootConnection', { description: '签名根（按序号，游标分页）Signed roots, oldest first', simpleResolvers: true })
export class LogRootConnection {
  @Field(() => [LogRootEdge], { description: '本页各项 Items' })
  edges!: LogRootEdge[];

  @Field(() => PageInfo, { description: '分页信息 Page information' })
  pageInfo!: PageInfo;
}

@ObjectType('ChangeLogProof', { description: '条目在签名根中的包含证明（可离线用 npm run verify-proof 校验）Inclusion proof of an entry in a signed root, checkable offline with npm run verify-proof', simpleResolvers: true })
export class ChangeLogProofType {
  @Field(() => String, { description: '链 Chain' })
  chain!: string;

  @Field(() => Int, { description: '条目序号 The entry\'s seq' })
  seq!: number;

  @Field(() => String, { description: '条目哈希 The entry\'s hash' })
  entryHash!: string;

  @Field(() => String, { nullable: true, description: '条目全文（JSON，按哈希所覆盖的形式）；您有字段不可见或被打码时为空 The entry as hashed, as JSON; null when some field of it is masked or hidden from you' })
  entry!: string | null;

  @Field(() => LogChainLeafType, { description: '条目所在链的叶 The leaf of the entry\'s chain' })
  chainLeaf!: LogChainLeafType;

  @Field(() => [String], { description: '链内审计路径 Audit path in the chain\'s tree' })
  chainPath!: string[];

  @Field(() => Int, { description: '链叶在根树中的位置 Index of the chain\'s leaf in the root\'s tree' })
  leafIndex!: number;

  @Field(() => [String], { description: '根树审计路径 Audit path in the root\'s tree' })
  rootPath!: string[];

  @Field(() => LogRootType, { description: '签名根 The signed root' })
  root!: LogRootType;

  @Field(() => String, { description: '整份证明（JSON，保存为文件后用 npm run verify-proof 校验）The whole proof as JSON: save it and check it with npm run verify-proof' })
  document!: string;
}

@ObjectType('LogRootVerification', { description: '签名根的校验结果 Result of checking the signed roots', simpleResolvers: true })
export class LogRootVerificationType {
  @Field(() => Boolean, { description: '所有根成立：签名、链接、根哈希、各链叶与日志一致 Every root holds: signature, link, hash, and each chain leaf matches the log' })
  ok!: boolean;

  @Field(() => Int, { description: '已校验的根数 Roots checked' })
  roots!: number;

  @Field(() => Int, { nullable: true, description: '第一个不成立的根 First root that does not hold' })
  firstBadRoot!: number | null;

  @Field(() => String, { nullable: true, description: '问题说明 What is wrong' })
  problem!: string | null;
}
