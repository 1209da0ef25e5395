import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the reconciliation rules (issue 14), so that a county's run reads its own children
 * from indexes rather than the province's records (the `reconciliation` benchmark, 2,000,000
 * children: a county of 25,000 went from about 2.4 s of statements to 0.7 s, under the same load).
 * - `child_residence_region_idx` and `child_hukou_region_idx` keep their keys, `(region, id)`, and
 *   carry the columns the rules read (township, birth date; residence): a county's 25,000 children
 *   lie on some 18,000 heap pages, which every rule read again; now an index-only scan.
 * - `education_record_status_idx` becomes `(status, child_id)`: R03, R07 and R08 take the children
 *   of one status from the index alone. It serves every query the `(status)` index served.
 * - `education_record_child_cover_idx`, `(child_id)` with status and grade: R01, R02, R04, R05 and
 *   R09 look up a child's education by index alone; left to a heap fetch per child, the planner
 *   read all 2,000,000 records for one county's R04 and R09.
 * - `public_security_record_unusual_idx`: the few police records R02 (deceased, abroad, missing)
 *   and R10 (a record error not yet verified) look for, about 0.4 % of the children, with the
 *   columns they read, where both scanned the whole table.
 * - `change_log_found_child_idx`: R01's children that another department found and registered
 *   (a child's CREATE entry by CIVIL, POVERTY, HEALTH or DPF), a handful among the log's entries,
 *   for which R01 scanned the whole change log.
 */
export class Migration0025ReconciliationIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX hub.child_residence_region_idx');
    this.addSql('CREATE INDEX child_residence_region_idx ON hub.child (residence_region, id) INCLUDE (township, birth_date)');
    this.addSql('DROP INDEX hub.child_hukou_region_idx');
    this.addSql('CREATE INDEX child_hukou_region_idx ON hub.child (hukou_region, id) INCLUDE (residence_region, township)');
    this.addSql('DROP INDEX edu.education_record_status_idx');
    this.addSql('CREATE INDEX education_record_status_idx ON edu.education_record (status, child_id)');
    this.addSql('CREATE INDEX education_record_child_cover_idx ON edu.education_record (child_id) INCLUDE (status, grade)');
    this.addSql(`CREATE INDEX public_security_record_unusual_idx ON psb.public_security_record (child_id) INCLUDE (whereabouts, hukou_status, verified_on)
      WHERE whereabouts IN ('DECEASED', 'ABROAD', 'MISSING') OR (hukou_status = 'RECORD_ERROR' AND verified_on IS NULL)`);
    this.addSql(`CREATE INDEX change_log_found_child_idx ON hub.change_log (child_id)
      WHERE entity = 'Child' AND operation = 'CREATE' AND actor_dept NOT IN ('EDU', 'PSB')`);
  }
}
