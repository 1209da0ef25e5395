import { CHECKED_FIELDS, type SpotCheckField } from './spot-check.fields';
import { wilson } from './spot-check.sample';

interface VerifiedItem {
  readonly id: string;
  readonly childId: string;
  readonly county: string;
  readonly status: string;
  readonly reported: Record<string, string | null>;
  readonly findings: Record<string, { found: string; notes: string | null }> | null;
}

export interface AccuracyRow {
  /** Null: every county of the spot check together. */
  readonly county: string | null;
  readonly field: SpotCheckField;
  readonly checked: number;
  readonly matched: number;
  readonly accuracy: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly reportedCount: number;
  readonly verifiedCount: number;
  /** WHO's verification factor: recounted ÷ reported, of the counted value (CHECKED_FIELDS); null when none was reported. */
  readonly verificationFactor: number | null;
}

export interface Mismatch {
  readonly itemId: string;
  readonly childId: string;
  readonly county: string;
  readonly field: SpotCheckField;
  readonly reported: string | null;
  readonly found: string;
  readonly ownerDept: string;
}

/**
 * Accuracy per county and field, and for all counties per field: of the fields verified, the share
 * where the ledger's value at the draw is what the verifier found, with its Wilson interval
 * (spot-check.sample.ts says why Wilson). Unweighted within each row: each row is one county's
 * stratum (or the draw's whole sample, which proportional allocation keeps near self-weighting).
 */
export function accuracy(items: readonly VerifiedItem[]): AccuracyRow[] {
  const verified = items.filter((i) => i.status === 'VERIFIED' && i.findings);
  const counties = [...new Set(verified.map((i) => i.county))].sort();
  const rows: AccuracyRow[] = [];
  for (const field of Object.keys(CHECKED_FIELDS) as SpotCheckField[]) {
    for (const county of [...counties, null]) {
      const checked = verified.filter((i) => (county === null || i.county === county) && i.findings![field]);
      const matched = checked.filter((i) => i.findings![field].found === i.reported[field]).length;
      const counted = CHECKED_FIELDS[field].counted;
      const reportedCount = checked.filter((i) => counted.includes(i.reported[field] ?? '')).length;
      const verifiedCount = checked.filter((i) => counted.includes(i.findings![field].found)).length;
      const ci = wilson(matched, checked.length);
      rows.push({
        county, field, checked: checked.length, matched, accuracy: checked.length ? matched / checked.length : null, low: ci?.low ?? null, high: ci?.high ?? null,
        reportedCount, verifiedCount, verificationFactor: reportedCount ? verifiedCount / reportedCount : null,
      });
    }
  }
  return rows.filter((r) => r.checked > 0);
}

/** Every field found other than the ledger said: a finding listed for the department that owns the field. */
export function mismatches(items: readonly VerifiedItem[]): Mismatch[] {
  const out: Mismatch[] = [];
  for (const i of items) {
    if (i.status !== 'VERIFIED' || !i.findings) continue;
    for (const [field, { found }] of Object.entries(i.findings) as Array<[SpotCheckField, { found: string }]>) {
      if (found !== i.reported[field]) out.push({ itemId: i.id, childId: i.childId, county: i.county, field, reported: i.reported[field] ?? null, found, ownerDept: CHECKED_FIELDS[field].owner });
    }
  }
  return out;
}
