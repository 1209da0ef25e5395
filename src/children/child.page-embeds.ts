import type { GraphQLResolveInfo } from 'graphql';
import { selectsPath } from '../core/selection';
import { PAGE_CHILD_ID } from './children.query';
import { sectionSubquery } from '../departments/section.loader';
import { SECTIONS } from '../departments/sections';
import { dropoutCasesSubquery } from '../ledger/dropout-case.loader';
import type { RequestContext as AppContext } from '../core/context';

/**
 * A part of each child that a page of children fetches in its own statement (a subquery per
 * child), instead of one statement more per part: the subquery is made by the part's loader
 * module from the same permitted columns and masks as its loader, and what it fetches is left on
 * the child (`ChildView.embedded`), where the part's field resolver takes it, without a loader's
 * promise, instead of loading it.
 */
export interface PageEmbed {
  /** The Child field the part answers. */
  readonly field: string;
  /** The column's name in the page's statement. */
  readonly column: string;
  /** The subquery, for the child whose id is the page statement's `PAGE_CHILD_ID`. */
  readonly subquery: string;
  /** What the statement fetched for one child, as the part's loader gives it. */
  readonly read: (json: unknown) => unknown;
}

/** The parts the page's operation will resolve for its children and the reader may read. */
export function pageEmbeds(ctx: AppContext, info: GraphQLResolveInfo): PageEmbed[] {
  const reader = ctx.reader();
  const asked = (field: string) => reader.access.canRead(`Child.${field}`) && selectsPath(info, ['edges', 'node', field]);
  const embeds: PageEmbed[] = [];
  for (const def of SECTIONS) {
    if (!asked(def.key)) continue;
    const part = sectionSubquery(reader, def, PAGE_CHILD_ID);
    embeds.push({ field: def.key, column: `embed:${def.key}`, subquery: part.sql, read: part.read });
  }
  if (asked('dropoutCases')) {
    const part = dropoutCasesSubquery(reader, PAGE_CHILD_ID);
    embeds.push({ field: 'dropoutCases', column: 'embed:dropoutCases', subquery: part.sql, read: part.read });
  }
  return embeds;
}
