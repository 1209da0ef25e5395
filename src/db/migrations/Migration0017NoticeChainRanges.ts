import { Migration } from '@mikro-orm/migrations';

/**
 * Monthly notices over one chain per county (issue 17, point 3): a notice covers, for every chain,
 * the entries after the recipient's previous notice up to a cut of the chains' heads.
 *
 * - `chain_ranges`: the notice's range on every chain, `{"<chain>": [from, to], …}` (from
 *   excluded, to included), with every chain of the cut listed, empty ranges too, so that the
 *   next notice of the recipient starts each chain where this one ended without looking further
 *   back. A jsonb rather than a child table: a notice's ranges are written once with it and
 *   read whole with it, never searched by chain, and a month's 564 notices over about 95 chains
 *   would be 54,000 child rows a month for no query that needs them.
 * - `root_seq`: the signed root the notice anchors on (null until roots are wired in).
 * - Notices issued before stay as they were: `chain_ranges` null, read as `{global: [from_seq,
 *   to_seq]}`, which is what they covered (the frozen chain `global` is the log they were issued
 *   over). A new notice keeps `from_seq`/`to_seq` as its range on `global`.
 */
export class Migration0017NoticeChainRanges extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE hub.exchange_notice
      ADD COLUMN chain_ranges jsonb CHECK (chain_ranges IS NULL OR jsonb_typeof(chain_ranges) = 'object'),
      ADD COLUMN root_seq bigint CHECK (root_seq > 0)`);
    // The previous notice of a recipient is its latest period's.
    this.addSql('DROP INDEX hub.exchange_notice_recipient_idx');
    this.addSql('CREATE INDEX exchange_notice_recipient_idx ON hub.exchange_notice (dept, region, period)');
  }
}
