import { jsonColumn, readJsonRow } from '../../src/db/embedded-rows';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * A page of children reads each section as JSON inside its own statement (embedded-rows.ts); the
 * section's timestamps must come back as the very Dates the driver makes of the same column read
 * plainly, on the database itself: microseconds cut, before 1970, far years, infinity, null.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

const TIMES = [
  '2026-11-29 17:07:06.897123+00', '2026-11-29 17:07:06.8979+08', '2026-11-29 17:07:06+00', '2026-03-01 00:00:00.000001+00',
  '1969-12-31 23:59:58.5004+00', '1969-12-31 23:59:59.999999+00', '1900-02-28 12:00:00.123456+00', '0099-06-01 00:00:00.5+00',
  '2262-04-11 23:47:16.854775+00', 'infinity', '-infinity', null,
];

it('gives every timestamp back as the driver parses it from the column', async () => {
  const rows = await hub.sql<{ plain: unknown; embedded: unknown }>(
    `SELECT x AS plain, json_build_object(${jsonColumn('t', 'x', true)}) AS embedded FROM unnest($1::timestamptz[]) WITH ORDINALITY AS v(x, n) ORDER BY n`,
    [TIMES],
  );
  expect(rows).toHaveLength(TIMES.length);
  for (const [i, row] of rows.entries()) {
    const back = readJsonRow(row.embedded, ['t']).t;
    expect([TIMES[i], back]).toEqual([TIMES[i], row.plain]);
    if (row.plain instanceof Date) expect([TIMES[i], (back as Date).getTime()]).toEqual([TIMES[i], row.plain.getTime()]);
  }
});

it('leaves other members as JSON has them', async () => {
  const [row] = await hub.sql<{ embedded: unknown }>(`SELECT json_build_object(${jsonColumn('n', '42')}, ${jsonColumn('s', "'文本'")}, ${jsonColumn('d', "'2016-02-29'::date")}) AS embedded`);
  expect(readJsonRow(row.embedded, [])).toEqual({ n: 42, s: '文本', d: '2016-02-29' });
});
