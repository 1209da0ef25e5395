import type { GraphQLResolveInfo } from 'graphql';
import { selectsPath } from '../core/selection';
import { PAGE_CHILD_ID } from './children.query';
import { sectionSubquery } from '../departments/section.loader';
import { SECTIONS } from '../departments/sections';
import { dropoutCasesSubquery, requestCaseLoader } from '../ledger/dropout-case.loader';
import type { AppContext } from '../services';

/**
 * A part of each child that a page of children fetches in its own statement (a subquery per
 * child), instead of one statement more per part: the subquery is made by the part's loader
 * module from the same permitted columns and masks as its loader, and what it fetches fills the
 * request's loader, so the field resolvers run as for any other child and find it there.
 */
export interface PageEmbed {
  /** The column's name in the page's statement. */
  readonly column: string;
  /** The subquery, for the child whose id is the page statement's `PAGE_CHILD_ID`. */
  readonly subquery: string;
  /** Gives the request's loader what the statement fetched for one child. */
  readonly prime: (childId: string, json: unknown) => void;
}

/** The parts the page's operation will resolve for its children and the reader may read. */
export function pageEmbeds(ctx: AppContext, info: GraphQLResolveInfo): PageEmbed[] {
  const reader = ctx.reader();
  const asked = (field: string) => reader.access.canRead(`Child.${field}`) && selectsPath(info, ['edges', 'node', field]);
  const embeds: PageEmbed[] = [];
  for (const def of SECTIONS) {
    if (!asked(def.key)) continue;
    const part = sectionSubquery(reader, def, PAGE_CHILD_ID);
    embeds.push({
      column: `embed:${def.key}`,
      subquery: part.sql,
      prime: (childId, json) => void ctx.services.sections.loader(ctx, def).prime(childId, part.read(json)),
    });
  }
  if (asked('dropoutCases')) {
    const part = dropoutCasesSubquery(reader, PAGE_CHILD_ID);
    embeds.push({
      column: 'embed:dropoutCases',
      subquery: part.sql,
      prime: (childId, json) => void requestCaseLoader(ctx).prime(childId, part.read(json)),
    });
  }
  return embeds;
}
