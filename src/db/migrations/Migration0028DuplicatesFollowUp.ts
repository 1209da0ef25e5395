import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 16's follow-up.
 *
 * 1. The duplicate check at registration reads its blocking keys from indexes alone (issue 16's
 * target: the check adds at most 30 % to a batch of 1,000 registrations). Its statement, per new
 * record, read the ~30 children born the same day of the same gender from the heap to keep one or
 * two (29 heap pages a record), and every child of the same name sound from `child_match_key`'s
 * heap to keep the birth year's few: about 60,000 buffer reads a batch (README "Duplicates").
 * - `child_birth_date_idx` carries every column the check reads of a child, so the birth-date
 *   block is an index-only scan, filtered on the index's own tuples;
 * - `child_match_key_sound_idx` carries the child's id, so the sound block's range (sound, birth
 *   year) is index-only too; only the few children it keeps are read from `hub.child`.
 * Same keys as before (Migration0019), so every other reader of them is served as it was.
 *
 * 2. A SAME pair's merged child as it was merged (`merged_hukou_region`, `merged_residence_region`),
 *    so that `duplicateCandidates` lists decided merges to the readers who saw both children (the
 *    merged row is deleted). Pairs merged before this take them from the merged child's logged
 *    DELETE, which carries the child's counties.
 */
export class Migration0028DuplicatesFollowUp extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX hub.child_birth_date_idx');
    this.addSql('CREATE INDEX child_birth_date_idx ON hub.child (birth_date, gender) INCLUDE (id, id_number, name, hukou_region, residence_region, township)');
    this.addSql('DROP INDEX hub.child_match_key_sound_idx');
    this.addSql('CREATE INDEX child_match_key_sound_idx ON hub.child_match_key (sound, birth_month) INCLUDE (child_id)');
    this.addSql('ALTER TABLE hub.duplicate_pair ADD COLUMN merged_hukou_region varchar(6), ADD COLUMN merged_residence_region varchar(6)');
    this.addSql(`UPDATE hub.duplicate_pair p SET merged_hukou_region = l.hukou_region, merged_residence_region = l.residence_region
      FROM hub.change_log l
      WHERE p.status = 'SAME' AND l.entity = 'Child' AND l.operation = 'DELETE'
        AND l.entity_id = (CASE WHEN p.survivor_id = p.child_a THEN p.child_b ELSE p.child_a END)::text`);
  }
}
