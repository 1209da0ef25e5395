import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { WritePayload, writePayload } from '../children/write.payload';
import type { AppContext } from './section.context';
import type { SectionDefinition, SectionInput } from './section';

type Class = new (...args: never[]) => object;

/**
 * The resolver of one department section: `Child.<section>` and `upsert<Section>Records`.
 * Made from the section's definition, so the six departments cannot drift apart.
 */
export function sectionResolver(def: SectionDefinition, OutputType: Class, InputType: Class): Class {
  // type-graphql finds a field resolver by its method name, so each section's methods are named
  // after the section's own field and mutation.
  const field: string = def.key;
  const mutation: string = def.mutation;

  @Resolver(() => ChildView)
  class SectionResolver {
    @FieldResolver(() => OutputType, {
      name: def.key,
      nullable: true,
      description: `${def.label}部门的记录；无记录或无权查看时为空 The ${def.dept} section; null when absent or not visible to you`,
    })
    [field](@Root() child: ChildView, @Ctx() ctx: AppContext) {
      // An as-of read carries the section as it stood, already projected.
      if (child.snapshot) return child.snapshot.sections[def.key] ?? null;
      // A page of children fetched the section with them, when the reader may read it.
      if (child.embedded && field in child.embedded) return child.embedded[field];
      return ctx.services.sections.load(ctx, def, child.id);
    }

    @Mutation(() => WritePayload, {
      name: def.mutation,
      description: `新增或更新${def.label}记录，整批成功或整批失败 Create or update ${def.dept} records, all or none (clerks of ${def.dept} only)`,
    })
    async [mutation](
      @Arg('records', () => [InputType], { description: '记录（每批最多1000条）Records, at most 1000' }) records: Array<SectionInput & Record<string, unknown>>,
      @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' }) idempotencyKey: string | null,
      @Arg('reason', () => String, { nullable: true, description: '变更原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
      @Ctx() ctx: AppContext,
    ): Promise<WritePayload> {
      const outcome = await ctx.services.sections.upsert({ identity: ctx.user(), requestId: ctx.requestId, reason }, def, records, idempotencyKey);
      return writePayload(ctx, outcome);
    }
  }
  Object.defineProperty(SectionResolver, 'name', { value: `${def.typeName}Resolver` });
  return SectionResolver;
}
