import { Arg, Int, type PubSub, Resolver, Root, type SubscribeResolverData, Subscription } from 'type-graphql';
import type { AppContext } from './change-log.context';
import { ChangeFeedFilter } from './change-feed.input';
import { ChangeLogEntryType } from './change-log.type';

interface ChangeFeedArgs {
  filter?: ChangeFeedFilter | null;
  afterSeq?: number | null;
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
      '变更订阅（WebSocket，graphql-ws 协议）：辖区内、按权限投影的新变更；给出 afterSeq 则先补发其后的全部条目，无遗漏无重复 ' +
      'Live change-log entries in your region, projected through your permissions, over WebSocket (graphql-ws); ' +
      'with afterSeq, every entry after that sequence number first, then live ones, with no gap and no duplicate',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, ChangeFeedArgs, AppContext>) =>
      // The reader is asked for at each delivery: past the token's expiry it refuses (see graphql-ws.ts).
      context.services.changeFeed.subscribe(() => context.reader(), args.filter, args.afterSeq),
  })
  changeFeed(
    @Root() entry: ChangeLogEntryType,
    @Arg('filter', () => ChangeFeedFilter, { nullable: true, description: '筛选 Filters' }) _filter?: ChangeFeedFilter | null,
    @Arg('afterSeq', () => Int, { nullable: true, description: '从此序号之后补发（断线重连时传最后收到的序号）Resume after this sequence number (the last one received)' }) _afterSeq?: number | null,
  ): ChangeLogEntryType {
    return entry;
  }
}
