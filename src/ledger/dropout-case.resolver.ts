import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import type { AppContext } from './ledger.context';
import { requestCaseLoader } from './dropout-case.loader';
import { DropoutCaseType } from './dropout-case.type';

@Resolver(() => ChildView)
export class DropoutCaseResolver {
  @FieldResolver(() => [DropoutCaseType], { nullable: true, description: '辍学个案（最新在前）；无权查看时为空 Dropout cases, newest first; null when not visible to you' })
  dropoutCases(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<DropoutCaseType[]> | DropoutCaseType[] | null {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.dropoutCases')) return null;
    if (child.snapshot) return Promise.resolve(child.snapshot.dropoutCases ?? []);
    // A page of children fetched the cases with them.
    if (child.embedded && 'dropoutCases' in child.embedded) return child.embedded.dropoutCases as DropoutCaseType[];
    return requestCaseLoader(ctx).load(child.id);
  }
}
