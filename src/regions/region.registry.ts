import fujianRegions from '../../seeds/fujian-regions.json';

export type RegionLevel = 'province' | 'city' | 'county';

export interface RegionInfo {
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
  readonly parentCode: string | null;
}

/**
 * Fujian's administrative divisions (GB/T 2260), the reference data for every region code the
 * hub accepts. Children live in counties; users may sit at county, city or province level.
 */
class RegionRegistry {
  private readonly byCode = new Map<string, RegionInfo>();
  private readonly countiesUnder = new Map<string, readonly string[]>();

  constructor(rows: ReadonlyArray<{ code: string; name: string; level: string; parent: string | null }>) {
    for (const row of rows) {
      if (row.level !== 'province' && row.level !== 'city' && row.level !== 'county') {
        throw new Error(`region ${row.code} has unknown level ${row.level}`);
      }
      this.byCode.set(row.code, Object.freeze({ code: row.code, name: row.name, level: row.level, parentCode: row.parent }));
    }
    for (const region of this.byCode.values()) {
      this.countiesUnder.set(region.code, Object.freeze(this.all().filter((r) => r.level === 'county' && this.contains(region.code, r.code)).map((r) => r.code)));
    }
  }

  get(code: string): RegionInfo | undefined {
    return this.byCode.get(code);
  }

  all(): RegionInfo[] {
    return [...this.byCode.values()];
  }

  counties(): RegionInfo[] {
    return this.all().filter((r) => r.level === 'county');
  }

  isCounty(code: string): boolean {
    return this.byCode.get(code)?.level === 'county';
  }

  /** True when `inner` is `outer` itself or lies beneath it. */
  contains(outer: string, inner: string): boolean {
    let cursor = this.byCode.get(inner);
    while (cursor) {
      if (cursor.code === outer) return true;
      cursor = cursor.parentCode ? this.byCode.get(cursor.parentCode) : undefined;
    }
    return false;
  }

  /** The county codes inside a region (a county is inside itself). */
  countyCodesWithin(code: string): readonly string[] {
    return this.countiesUnder.get(code) ?? [];
  }
}

export const regions = new RegionRegistry(fujianRegions);
