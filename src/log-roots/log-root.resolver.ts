import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { checkPageSize, decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../core/connection';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { AppContext } from './log-root.context';
import type { ProofDocument, SignedRootDocument } from './log-root.proof';
import { ChangeLogProofType, LogChainLeafType, LogRootConnection, LogRootType } from './log-root.type';

const rootType = (root: SignedRootDocument): LogRootType =>
  ({ seq: root.seq, at: new Date(root.at), rootHash: root.rootHash, prevRootHash: root.prevRootHash, chainCount: root.chains, keyId: root.keyId, jws: root.jws });

const proofType = (proof: ProofDocument): ChangeLogProofType => ({
  ...proof,
  entry: proof.entry ? JSON.stringify(proof.entry) : null,
  chainPath: [...proof.chainPath],
  rootPath: [...proof.rootPath],
  root: rootType(proof.root),
  document: JSON.stringify(proof),
});

const positive = (value: number, field: string) => {
  if (!Number.isSafeInteger(value) || value < 1) throw BadUserInputError.one(field, '应为正整数 (must be a positive integer)');
};

@Resolver(() => LogRootType)
export class LogRootResolver {
  @Query(() => LogRootType, { nullable: true, description: '签名根（不给序号则为最新）A signed root of the change log; the latest without seq' })
  async logRoot(@Ctx() ctx: AppContext, @Arg('seq', () => Int, { nullable: true, description: '根序号 Root seq' }) seq?: number | null): Promise<LogRootType | null> {
    ctx.user();
    if (seq !== undefined && seq !== null) positive(seq, 'seq');
    const root = seq ? await ctx.services.logRoots.get(seq) : await ctx.services.logRoots.latest();
    return root ? rootType(root) : null;
  }

  @Query(() => LogRootConnection, { description: '签名根列表（从早到晚）Signed roots, oldest first' })
  async logRoots(
    @Ctx() ctx: AppContext,
    @Arg('first', () => Int, { defaultValue: 50, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size` }) first = 50,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor' }) after?: string | null,
  ): Promise<LogRootConnection> {
    ctx.user();
    checkPageSize(first);
    const afterSeq = after ? Number(decodeCursor('root', after, /^\d{1,15}$/)) : 0;
    const roots = await ctx.services.logRoots.list(afterSeq, first + 1);
    const edges = roots.slice(0, first).map((root) => ({ node: rootType(root), cursor: encodeCursor('root', String(root.seq)) }));
    return { edges, pageInfo: { hasNextPage: roots.length > first, hasPreviousPage: afterSeq > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => [LogChainLeafType], { description: '您辖区内各链的叶（各县写入量）Leaves of the chains in your region (each county\'s write volume); none for aggregate-only roles' })
  async chains(@Root() root: LogRootType, @Ctx() ctx: AppContext): Promise<LogChainLeafType[]> {
    const reader = ctx.reader();
    const leaves = await ctx.loader('logRootLeaves', () => ctx.services.logRootReads.visibleLeaves(reader)).load(root.seq);
    return leaves.map(({ chain, size, headHash, treeHash }) => ({ chain, size, headHash, treeHash }));
  }

  @Query(() => ChangeLogProofType, { description: '条目在签名根（默认最新）中的包含证明；仅限您可查看的条目 Inclusion proof of a change-log entry you may read, in a signed root (the latest by default)' })
  async changeLogProof(
    @Ctx() ctx: AppContext,
    @Arg('chain', () => String, { description: '链（区划代码）Chain: a region code, or global' }) chain: string,
    @Arg('seq', () => Int, { description: '条目序号 The entry\'s seq' }) seq: number,
    @Arg('rootSeq', () => Int, { nullable: true, description: '签名根序号（默认最新）Root seq; the latest by default' }) rootSeq?: number | null,
  ): Promise<ChangeLogProofType> {
    return proofType(await ctx.services.logRootReads.proof(ctx.reader(), chain, seq, rootSeq));
  }

  @Mutation(() => LogRootType, { description: '立即签署变更日志根（督导）；无新条目时返回最新根 Sign a root of the change log now (supervisors); the latest root if nothing changed since' })
  async signLogRoot(@Ctx() ctx: AppContext): Promise<LogRootType> {
    if (!ctx.user().roles.includes('supervisor')) throw new ForbiddenError('只有督导可以签署变更日志根 (only supervisors sign roots)');
    return rootType((await ctx.services.logRoots.signNow()).root);
  }
}
