// type-graphql's decorators need the metadata polyfill first: the entry points load it, and so does
// this module, which the log's and the notices' types import, for the tools and tests that load them alone.
import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import { BadUserInputError } from './errors';

@ObjectType({ description: '分页信息 Relay page information', simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean, { description: '是否还有下一页 Whether more items follow' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: '是否有上一页 Whether items precede this page' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: '本页第一项的游标 Cursor of the first item' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: '本页最后一项的游标 Cursor of the last item' })
  endCursor!: string | null;
}

/** Largest page a client may ask for; more is an error, never a silent clamp. */
export const MAX_PAGE_SIZE = 100;

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw BadUserInputError.one('first', `每页条数应为 1 到 ${MAX_PAGE_SIZE} (first must be from 1 to ${MAX_PAGE_SIZE})`);
  }
}

/** Cursors are opaque to clients: base64url of a kind and a key. */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, pattern: RegExp, argument = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  const key = decoded.startsWith(prefix) ? decoded.slice(prefix.length) : '';
  if (!pattern.test(key)) throw BadUserInputError.one(argument, '游标无效 (cursor is not one this list issued)');
  return key;
}
