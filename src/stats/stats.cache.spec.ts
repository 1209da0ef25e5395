import { StatisticsCache } from './stats.cache';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ m0: i }));

describe('StatisticsCache', () => {
  it('keys a statement by its text, its values and the chains\' heads: any of them different is another entry', () => {
    const key = StatisticsCache.key('SELECT 1', ['350102'], '350102:7');
    expect(StatisticsCache.key('SELECT 1', ['350102'], '350102:7')).toBe(key);
    expect(StatisticsCache.key('SELECT 1', ['350102'], '350102:8')).not.toBe(key);
    expect(StatisticsCache.key('SELECT 1', ['350103'], '350102:7')).not.toBe(key);
    expect(StatisticsCache.key('SELECT 2', ['350102'], '350102:7')).not.toBe(key);
    expect(StatisticsCache.key('SELECT 1', ['350102'], null)).not.toBe(key);
  });

  it('drops the least recently used entry beyond its capacity', () => {
    const cache = new StatisticsCache(2);
    cache.set('a', rows(1));
    cache.set('b', rows(2));
    expect(cache.get('a')).toHaveLength(1);
    cache.set('c', rows(3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toHaveLength(1);
    expect(cache.get('c')).toHaveLength(3);
    expect(cache.size).toBe(2);
  });

  it('keeps no answer larger than its limit, and nothing at capacity 0', () => {
    const small = new StatisticsCache(4, 10);
    small.set('big', rows(11));
    small.set('fits', rows(10));
    expect(small.get('big')).toBeUndefined();
    expect(small.get('fits')).toHaveLength(10);
    const none = new StatisticsCache(0);
    none.set('a', rows(1));
    expect(none.get('a')).toBeUndefined();
  });
});
