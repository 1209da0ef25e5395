import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext as AppContext } from '../core/context';
import { regions } from '../regions/region.registry';
import { matrixFields } from '../permissions/access';
import { DEPARTMENT_NAMES, TOWNSHIP } from './identity';
import { MeType } from './me.type';

@Resolver(() => MeType)
export class MeResolver {
  @Query(() => MeType, { description: '当前用户及其权限 Who I am and what I may see' })
  me(@Ctx() ctx: AppContext): MeType {
    const { identity, access } = ctx.reader();
    return {
      sub: identity.sub,
      dept: identity.dept,
      deptName: DEPARTMENT_NAMES[identity.dept],
      region: regions.get(identity.dept === TOWNSHIP ? identity.region.slice(0, 6) : identity.region)!,
      township: identity.dept === TOWNSHIP ? identity.region : null,
      roles: [...identity.roles],
      permissions: matrixFields()
        .map((field) => `${field}:${access.level(field)}`)
        .filter((entry) => !entry.endsWith(':-')),
    };
  }
}
