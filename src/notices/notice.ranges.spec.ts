import { registerModules } from '../app/modules';
import { chainsOf, compareChains, nextRanges, rangesOf, rangeSize } from './notice.ranges';
import { rangesText } from './notice.rows';

registerModules();

describe('a notice\'s ranges, chain by chain', () => {
  it('reads a notice issued over the global chain alone as its range on global', () => {
    expect(rangesOf({ chainRanges: null, fromSeq: 3, toSeq: 9 })).toEqual({ global: [3, 9] });
    expect(rangesOf({ chainRanges: { global: [9, 9], '350102': [0, 4] }, fromSeq: 9, toSeq: 9 })).toEqual({ global: [9, 9], '350102': [0, 4] });
  });

  it('starts every chain where the previous notice ended: the rest of the frozen global chain, every county chain from 0', () => {
    const cut = new Map([['global', 57], ['350102', 12], ['350203', 3]]);
    const first = nextRanges({ global: [0, 40] }, cut);
    expect(first).toEqual({ global: [40, 57], '350102': [0, 12], '350203': [0, 3] });
    const second = nextRanges(first, new Map([['global', 57], ['350102', 15], ['350203', 3], ['350583', 2]]));
    expect(second).toEqual({ global: [57, 57], '350102': [12, 15], '350203': [3, 3], '350583': [0, 2] });
    expect(rangeSize(first) + rangeSize(second)).toBe(57 - 40 + 15 + 3 + 2);
    expect(nextRanges(undefined, cut)).toEqual({ global: [0, 57], '350102': [0, 12], '350203': [0, 3] });
  });

  it('refuses a cut behind what a notice already covers (the log lost entries someone was told of)', () => {
    expect(() => nextRanges({ '350102': [0, 12] }, new Map([['350102', 11]]))).toThrow(/behind 12/);
  });

  it('lists the global chain first, then the regions by code', () => {
    expect(['350203', 'global', '350102', '350000'].sort(compareChains)).toEqual(['global', '350000', '350102', '350203']);
    expect(chainsOf({ '350102': [0, 1], global: [0, 0] })).toEqual(['global', '350102']);
  });

  it('words the ranges for a liaison', () => {
    expect(rangesText({ global: [40, 57], '350102': [0, 12], '350203': [3, 3] })).toBe('全省旧链 global 41 – 57；鼓楼区（350102） 1 – 12；其余 1 条链无新条目');
    expect(rangesText({ global: [57, 57] })).toBe('无新条目（1 条链）');
  });
});
