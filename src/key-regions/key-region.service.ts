import type { MikroORM } from '@mikro-orm/postgresql';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { type Actor, runWrite } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { regions } from '../regions/region.registry';
import { KeyRegionEntity } from './key-region.entity';

/** The key regions now: the counties supervisors have marked (四(二)). Read by the weekly overview and the statistics. */
export async function keyRegionCodes(sql: Sql): Promise<string[]> {
  return (await sql.query<{ county: string }>('SELECT county FROM hub.key_region WHERE key ORDER BY county')).map((r) => r.county);
}

/**
 * Key regions (四(二) 把农村、边远、经济欠发达和流动人口相对集中地区等作为重点监测地区) are a list that
 * supervisors keep, not a rule on names: the notice leaves the choice to the cities, and the
 * province publishes no list in the seeds, so the list starts empty. Every change is a change-log
 * entry of the county's chain.
 */
export class KeyRegionService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql) {}

  async list(reader: Reader): Promise<string[]> {
    const within = new Set(regions.countyCodesWithin(reader.identity.region.slice(0, 6)));
    return (await keyRegionCodes(this.sql)).filter((c) => within.has(c));
  }

  /** Replaces the key regions inside the supervisor's region with `counties`; returns the list now. */
  async set(actor: Actor, counties: readonly string[], idempotencyKey: string | null): Promise<string[]> {
    const { identity } = actor;
    if (!identity.roles.includes('supervisor')) throw new ForbiddenError('重点监测地区由督导设置 (supervisors set the key regions)');
    const within = new Set(regions.countyCodesWithin(identity.region));
    if (counties.length > within.size) throw BadUserInputError.one('counties', `最多 ${within.size} 个县 (at most ${within.size} counties)`);
    counties.forEach((code, i) => {
      if (!regions.isCounty(code)) throw BadUserInputError.one(`counties[${i}]`, `不是县级区划代码 ${code} (not a county code)`);
      if (counties.indexOf(code) !== i) throw BadUserInputError.one(`counties[${i}]`, `重复的县 ${code} (named twice)`);
      if (!within.has(code)) throw new ForbiddenError(`${code} 不在您的辖区 ${identity.region} 内 (outside your region)`);
    });
    const wanted = new Set(counties);
    await runWrite(this.orm, actor, 'setKeyRegions', idempotencyKey, { counties: [...counties].sort() }, async (em) => {
      const rows = await em.find(KeyRegionEntity, { county: { $in: [...within] } });
      const byCounty = new Map(rows.map((r) => [r.county, r]));
      for (const county of within) {
        const row = byCounty.get(county);
        const key = wanted.has(county);
        if (row && row.key !== key) Object.assign(row, { key, updatedBy: identity.sub });
        if (!row && key) em.create(KeyRegionEntity, { county, key, updatedBy: identity.sub } as KeyRegionEntity);
      }
      return [];
    });
    return (await keyRegionCodes(this.sql)).filter((c) => within.has(c));
  }
}
