import { Migration } from '@mikro-orm/migrations';

/**
 * Reconciliation rule R11 (issue 16: children without ID numbers): every child of school age
 * without an ID number is the police's to settle, until they give the number or record the child
 * as without hukou (三(一): 发现适龄儿童属无户口的…将相关信息通报当地公安机关). Such children are a
 * few in a thousand; this partial index finds a county's (or the province's) without reading the
 * others. It carries what the rule reads of the child, so the rule reads the child from it alone.
 */
export class Migration0031ChildrenWithoutNumbers extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX child_without_number_idx ON hub.child (residence_region, id) INCLUDE (birth_date, township) WHERE id_number IS NULL');
  }
}
