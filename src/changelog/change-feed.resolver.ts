import { Arg, Int, type PubSub, Resolver, Root, type SubscribeResolverData, Subscription } from 'type-graphql';
import type { AppContext } from './change-log.context';
import { ChangeFeedFilter } from './change-feed.input';
import { ChangeLogEntryType } from './change-log.type';
import { BadUserInputError } from '../core/errors';
import { legacyPosition, type LogPosition, positionOfText } from './log-position';

interface ChangeFeedArgs {
  filter?: ChangeFeedFilter | null;
  after?: string | null;
  afterSeq?: number | null;
}

/** Where a subscriber resumes: `after` (a changeLog cursor or a position's text), or the deprecated `afterSeq` (in the global chain). */
function resumeFrom(args: ChangeFeedArgs): LogPosition | null {
  const given = (v: unknown) => v !== null && v !== undefined;
  if (given(args.after) && given(args.afterSeq)) throw BadUserInputError.one('after', '不能与 afterSeq 同时给出 (give after or afterSeq, not both)');
  if (given(args.after)) return positionOfText(args.after!, 'after');
  if (!given(args.afterSeq)) return null;
  if (!Number.isInteger(args.afterSeq) || args.afterSeq! < 0) throw BadUserInputError.one('afterSeq', '应为非负整数 (must be a non-negative integer)');
  return legacyPosition(args.afterSeq!);
}

/**
 * type-graphql insists on a PubSub once a schema has a subscription, even when every subscription
 * brings its own `subscribe`. The hub publishes nothing in process (the feed crosses instances
 * through the database), so this one refuses to be used.
 */
export const NO_PUBSUB: PubSub = {
  publish() {
    throw new Error('the hub has no in-process pub/sub: subscriptions read the change log');
  },
  subscribe() {
    throw new Error('the hub has no in-process pub/sub: subscriptions read the change log');
  },
};

@Resolver()
export class ChangeFeedResolver {
  @Subscription(() => ChangeLogEntryType, {
    description:
      '变更订阅（WebSocket，graphql-ws 协议）：辖区内、按权限投影的新变更；给出 after（各链位置）则先补发其后的全部条目，再接实时条目，无遗漏无重复。' +
      '每条链内按序号送达；断线重连时，以收到的条目中每条链的最大序号组成位置（如 global:1200,350102:37）传给 after ' +
      'Live change-log entries in your region, projected through your permissions, over WebSocket (graphql-ws). ' +
      'With after (a position), every entry after it first, then live ones, with no gap and no duplicate. Entries arrive in seq order within ' +
      'each chain (chains are independent: there is no order across them). To resume, build the position from the entries received: for each ' +
      'chain, the highest seq received, written chain:seq joined by commas (e.g. global:1200,350102:37), or pass a changeLog endCursor to follow ' +
      'on from a page of changeLog',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, ChangeFeedArgs, AppContext>) =>
      // The reader is asked for at each delivery: past the token's expiry it refuses (see graphql-ws.ts).
      context.services.changeFeed.subscribe(() => context.reader(), args.filter, resumeFrom(args)),
  })
  changeFeed(
    @Root() entry: ChangeLogEntryType,
    @Arg('filter', () => ChangeFeedFilter, { nullable: true, description: '筛选 Filters' }) _filter?: ChangeFeedFilter | null,
    @Arg('after', () => String, {
      nullable: true,
      description: '从此位置之后补发：changeLog 的游标，或“链:序号,…”（未列出的链从头开始）Resume after this position: a changeLog cursor, or chain:seq pairs joined by commas (a chain not named starts from its beginning)',
    })
    _after?: string | null,
    @Arg('afterSeq', () => Int, {
      nullable: true,
      deprecationReason: '按县分链后序号按链编号，请用 after (sequence numbers count per chain now: use after)',
      description: '旧链（global）中的序号，等同 after: "global:N" A seq in the frozen global chain, the same as after: "global:N"',
    })
    _afterSeq?: number | null,
  ): ChangeLogEntryType {
    return entry;
  }
}
