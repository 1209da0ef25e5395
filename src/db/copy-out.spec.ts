import { copyRows } from './copy-out';

const message = (code: string, body: string | Buffer) => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeUInt32BE(bytes.length + 4, 1);
  return Buffer.concat([header, bytes]);
};

function rowsOf(bytes: Buffer): string[] | null {
  const rows: string[] = [];
  return copyRows(bytes, (start, end) => rows.push(bytes.toString('utf8', start, end))) ? rows : null;
}

describe('copyRows', () => {
  it('gives each CopyData message\'s row, its newline included, passing over the messages the server may send at any time', () => {
    const bytes = Buffer.concat([message('N', 'SNOTICE\0\0'), message('d', 'a\t1\n'), message('S', 'x\0y\0'), message('d', '鼓楼\t2\n'), message('A', Buffer.alloc(8)), message('d', '\\N\t3\n')]);
    expect(rowsOf(bytes)).toEqual(['a\t1\n', '鼓楼\t2\n', '\\N\t3\n']);
    expect(rowsOf(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses bytes that are not whole messages of rows', () => {
    const good = Buffer.concat([message('d', 'a\t1\n'), message('d', 'b\t2\n')]);
    expect(rowsOf(good)).toEqual(['a\t1\n', 'b\t2\n']);
    // Cut short: in the header, or in the row.
    expect(rowsOf(good.subarray(0, good.length - 2))).toBeNull();
    expect(rowsOf(good.subarray(0, 3 + good.length / 2))).toBeNull();
    // A row that does not end its line, and an empty one.
    expect(rowsOf(message('d', 'a\t1'))).toBeNull();
    expect(rowsOf(message('d', ''))).toBeNull();
    // A length that counts less than itself.
    const bad = message('d', 'a\n');
    bad.writeUInt32BE(3, 1);
    expect(rowsOf(bad)).toBeNull();
    // Any other message: CopyDone, an error, a data row of a SELECT.
    for (const code of ['c', 'E', 'D']) expect(rowsOf(Buffer.concat([message('d', 'a\n'), message(code, 'x')]))).toBeNull();
  });
});
