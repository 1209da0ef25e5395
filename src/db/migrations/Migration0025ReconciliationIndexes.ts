import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the reconciliation rules (issue 14), so that a county's run reads its own children
 * rather than the province's (measured by the `reconciliation` benchmark, 2,000,000 children):
 * - `education_record_status_idx` becomes `(status, child_id)`: R03, R07 and R08 take the
 *   children of one status from the index alone (an index-only scan) and join them to the
 *   county's children, instead of fetching every such record of the province from the heap.
 *   It serves every query the `(status)` index served.
 * - `public_security_record_unusual_idx`: the few police records R02 (deceased, abroad, missing)
 *   and R10 (a record error not yet verified) look for, about 0.4 % of the children, where both
 *   scanned the whole table.
 * - `change_log_found_child_idx`: R01's children that another department found and registered
 *   (a child's CREATE entry by CIVIL, POVERTY, HEALTH or DPF), a handful among the log's entries,
 *   which R01 read by scanning the whole change log.
 */
export class Migration0025ReconciliationIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX edu.education_record_status_idx');
    this.addSql('CREATE INDEX education_record_status_idx ON edu.education_record (status, child_id)');
    this.addSql(`CREATE INDEX public_security_record_unusual_idx ON psb.public_security_record (child_id)
      WHERE whereabouts IN ('DECEASED', 'ABROAD', 'MISSING') OR (hukou_status = 'RECORD_ERROR' AND verified_on IS NULL)`);
    this.addSql(`CREATE INDEX change_log_found_child_idx ON hub.change_log (child_id)
      WHERE entity = 'Child' AND operation = 'CREATE' AND actor_dept NOT IN ('EDU', 'PSB')`);
  }
}
