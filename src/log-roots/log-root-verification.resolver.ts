import { Ctx, FieldResolver, Resolver } from 'type-graphql';
import { ChainVerificationType } from '../changelog/change-log.type';
import { ForbiddenError } from '../core/errors';
import type { AppContext } from './log-root.context';
import { LogRootVerificationType } from './log-root.type';

/** `verifyChangeLog { roots { … } }`: the roots are checked beside the chains, when asked for. */
@Resolver(() => ChainVerificationType)
export class LogRootVerificationResolver {
  @FieldResolver(() => LogRootVerificationType, { description: '签名根的校验：签名、链接、根哈希与各链叶 The signed roots: signatures, links, hashes and chain leaves against the log' })
  async roots(@Ctx() ctx: AppContext): Promise<LogRootVerificationType> {
    if (!ctx.user().roles.includes('supervisor')) throw new ForbiddenError('只有督导可以校验变更日志 (only supervisors verify the change log)');
    return ctx.services.logRoots.verify();
  }
}
