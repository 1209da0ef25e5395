import { registerModules } from '../app/modules';
import { csvCell, csvLine } from './notice.export';
import { childCells, chinaTime, displayValue, entryRows } from './notice.rows';

// The entities the change log records are registered at start, as every entry point does.
registerModules();

describe('CSV cells (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, and nothing else', () => {
    expect(csvCell('鼓楼区')).toBe('鼓楼区');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvLine(['a', 1, ''])).toBe('a,1,\r\n');
  });

  it('keeps a spreadsheet from running a value as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-1)).toBe('-1');
  });
});

describe('values as a liaison reads them', () => {
  it('words booleans, enums and regions in Chinese and leaves the rest', () => {
    expect(displayValue('CivilAffairsRecord', 'leftBehind', 'true')).toBe('是');
    expect(displayValue('CivilAffairsRecord', 'orphan', 'false')).toBe('否');
    expect(displayValue('EducationRecord', 'status', '"DROPPED_OUT"')).toBe('辍学');
    expect(displayValue('DropoutCase', 'reason', '"FAMILY_POVERTY"')).toBe('家庭贫困');
    expect(displayValue('Child', 'hukouRegion', '"350102"')).toBe('鼓楼区（350102）');
    expect(displayValue('Child', 'idNumber', '"350102************"')).toBe('350102************');
    expect(displayValue('EducationRecord', 'grade', '4')).toBe('4');
    expect(displayValue('EducationRecord', 'schoolName', null)).toBe('');
  });

  it('writes times in China Standard Time', () => {
    expect(chinaTime(new Date('2026-10-31T16:30:05Z'))).toBe('2026-11-01 00:30:05');
  });

  it('gives one row per field change, and one for an entry with none visible', () => {
    const entry = {
      chain: '350102', seq: 7, at: new Date('2026-10-15T01:00:00Z'), actorDept: 'EDU', entity: 'EducationRecord', entityLabel: '教育记录', operation: 'UPDATE', childId: 'c1',
      changes: [{ field: 'status', label: '就学状态', before: '"ENROLLED"', after: '"DROPPED_OUT"' }, { field: 'grade', label: '年级', before: '4', after: null }],
    } as never;
    expect(entryRows(entry)).toEqual([
      ['350102', 7, '2026-10-15 09:00:00', '教育', '教育记录', '修改', 'c1', '', '', '', '就学状态', '在校', '辍学'],
      ['350102', 7, '2026-10-15 09:00:00', '教育', '教育记录', '修改', 'c1', '', '', '', '年级', '4', ''],
    ]);
    expect(entryRows({ ...(entry as object), operation: 'DELETE', changes: [] } as never)).toEqual([['350102', 7, '2026-10-15 09:00:00', '教育', '教育记录', '删除', 'c1', '', '', '', '', '', '']]);
  });

  it('names the child on every row of its entry: name (as the reader may see it), county, school', () => {
    const entry = { chain: 'global', seq: 8, at: new Date('2026-10-15T01:00:00Z'), actorDept: 'PSB', entity: 'Child', entityLabel: '儿童基本信息', operation: 'UPDATE', childId: 'c2',
      changes: [{ field: 'gender', label: '性别', before: '"MALE"', after: '"FEMALE"' }] } as never;
    const child = { id: 'c2', name: '邱**', hukouRegion: '350103', residenceRegion: '350102', schoolName: '鼓楼第一中心小学' };
    expect(entryRows(entry, child)).toEqual([['global', 8, '2026-10-15 09:00:00', '公安', '儿童基本信息', '修改', 'c2', '邱**', '鼓楼区（户籍 台江区）', '鼓楼第一中心小学', '性别', '男', '女']]);
    expect(childCells({ ...child, hukouRegion: '350102' })).toEqual(['邱**', '鼓楼区', '鼓楼第一中心小学']);
    expect(childCells({ ...child, residenceRegion: null, schoolName: null })).toEqual(['邱**', '户籍 台江区', '']);
    // A child the reader may not see (not found in its region) has empty cells, never a guess.
    expect(childCells(undefined)).toEqual(['', '', '']);
  });
});
