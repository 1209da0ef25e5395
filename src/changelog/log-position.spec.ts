import { BadUserInputError } from '../core/errors';
import { formatPosition, parsePosition, positionCursor, positionOfCursor, positionOfText } from './log-position';
import { inLogOrder } from './log-read';

const problem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof BadUserInputError ? error.problems[0] : error;
  }
  return null;
};

describe('log positions', () => {
  it('reads and writes the text form, chains in order, chains at 0 left out', () => {
    const position = parsePosition('350103:7, global:1200,350102:0', 'after');
    expect([...position]).toEqual([['350103', 7], ['global', 1200]]);
    expect(formatPosition(position)).toBe('350103:7,global:1200');
    expect(parsePosition('', 'after').size).toBe(0);
  });

  it('takes a plain integer as a seq of the frozen global chain (afterSeq and cursors issued before per-county chains)', () => {
    expect([...parsePosition('42', 'after')]).toEqual([['global', 42]]);
    expect([...positionOfCursor(Buffer.from('log:42').toString('base64url'))]).toEqual([['global', 42]]);
  });

  it('takes a changeLog cursor or the text form where the feed resumes', () => {
    const cursor = positionCursor(new Map([['350102', 9], ['global', 3]]));
    expect(formatPosition(positionOfText(cursor, 'after'))).toBe('350102:9,global:3');
    expect(formatPosition(positionOfText('350102:9', 'after'))).toBe('350102:9');
  });

  it.each(['35010:1', '350102:-1', '350102:1,350102:2', 'GLOBAL:1', '350102:1;DROP', 'x'.repeat(30), '350102:1234567890123456'])(
    'refuses %s, naming the argument, in both languages', (text) => {
      const found = problem(() => positionOfText(text, 'after')) as { path: string; reason: string };
      expect(found.path).toBe('after');
      expect(found.reason).toMatch(/[\u4e00-\u9fff].*[a-z]/);
    });

  it('refuses a cursor of another list', () => {
    const found = problem(() => positionOfCursor(Buffer.from('child:abc').toString('base64url'))) as { path: string };
    expect(found.path).toBe('after');
  });
});

describe('inLogOrder', () => {
  it('keeps each chain in seq order and merges the chains by time', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 9, 1, 0, 0, s));
    // In Gulou, seq 2 was stamped before seq 1 (two writers racing for the head): the chain's order stands.
    const entries = [
      { chain: '350102', seq: 2, at: at(1) },
      { chain: '350102', seq: 1, at: at(2) },
      { chain: '350103', seq: 1, at: at(5) },
      { chain: '350102', seq: 3, at: at(9) },
    ];
    expect(inLogOrder(entries).map((e) => `${e.chain}:${e.seq}`)).toEqual(['350102:1', '350102:2', '350103:1', '350102:3']);
  });
});
