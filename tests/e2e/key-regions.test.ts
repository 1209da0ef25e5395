/**
 * Key regions (四(二) 重点监测地区) are a list supervisors keep: empty at first (the seeds publish
 * none), set by `setKeyRegions` inside the supervisor's region, each change a change-log entry,
 * and read by the weekly overview and the statistics' KEY_REGION dimension.
 */
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
const t: Record<string, string> = {};
const codes = (r: { body: { errors?: Array<{ extensions?: { code?: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const SET = 'mutation($c: [String!]!, $reason: String) { setKeyRegions(counties: $c, reason: $reason) { code name } }';
const logged = async () => (await hub.sql<{ n: number }>(`SELECT count(*)::int AS n FROM hub.change_log WHERE entity = 'KeyRegion'`))[0].n;

beforeAll(async () => {
  hub = await startTestHub();
  t.fuzhou = await hub.token({ dept: 'EDU', region: '350100', roles: ['supervisor'] });
  t.xiamen = await hub.token({ dept: 'EDU', region: '350200', roles: ['supervisor'] });
  t.clerk = await hub.token({ dept: 'EDU', region: '350100', roles: ['clerk'] });
  t.analyst = await hub.token({ dept: 'EDU', region: '350100', roles: ['analyst'] });
  const children = [...Array.from({ length: 7 }, () => childInput({ hukouRegion: '350121' })), ...Array.from({ length: 6 }, () => childInput({ hukouRegion: '350102' }))];
  expect((await hub.gql(REGISTER, { records: children }, t.clerk)).body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

it('starts empty: no county is a key region by its name', async () => {
  expect((await hub.gql('{ keyRegions { code } }', {}, t.fuzhou)).body.data).toEqual({ keyRegions: [] });
  const progress = (await hub.gql('{ countyProgress(isoWeek: "2026-W42") { region { code } keyRegion } }', {}, t.fuzhou)).body.data.countyProgress;
  expect(progress.filter((p: { keyRegion: boolean }) => p.keyRegion)).toEqual([]);
});

it('refuses bad input and other roles and regions, writing nothing', async () => {
  const refused = async (token: string, c: string[], code: string, text: string) => {
    const res = await hub.gql(SET, { c }, token);
    expect(codes(res)).toEqual([code]);
    expect(res.body.errors![0].message).toContain(text);
  };
  await refused(t.clerk, ['350121'], 'FORBIDDEN', '督导');
  await refused(t.fuzhou, ['350121', '3501'], 'BAD_USER_INPUT', 'counties[1]');
  await refused(t.fuzhou, ['350121', '350121'], 'BAD_USER_INPUT', 'counties[1]');
  await refused(t.fuzhou, ['350203'], 'FORBIDDEN', '350203');
  expect(await logged()).toBe(0);
});

it('sets the list in the supervisor\'s region, logs each change, and replaces it next time', async () => {
  const set = await hub.gql(SET, { c: ['350121', '350122'], reason: '农村、边远地区' }, t.fuzhou);
  expect(set.body.data).toEqual({ setKeyRegions: [{ code: '350121', name: '闽侯县' }, { code: '350122', name: '连江县' }] });
  expect(await logged()).toBe(2);
  const again = await hub.gql(SET, { c: ['350121'] }, t.fuzhou);
  expect(again.body.data.setKeyRegions.map((r: { code: string }) => r.code)).toEqual(['350121']);
  const entries = await hub.sql<{ operation: string; entity_id: string; chain: string; changes: Record<string, { after: unknown }>; reason: string | null }>(
    `SELECT operation, entity_id, chain, changes, reason FROM hub.change_log WHERE entity = 'KeyRegion' ORDER BY at, entity_id`);
  expect(entries.map((e) => [e.operation, e.entity_id, e.chain, e.changes.key.after])).toEqual([
    ['CREATE', '350121', '350121', true], ['CREATE', '350122', '350122', true], ['UPDATE', '350122', '350122', false],
  ]);
  expect(entries[0].reason).toBe('农村、边远地区');
  // Xiamen's supervisor sets its own counties and leaves Fuzhou's alone; it sees only its own.
  await hub.gql(SET, { c: ['350203'] }, t.xiamen);
  expect((await hub.gql('{ keyRegions { code } }', {}, t.xiamen)).body.data.keyRegions).toEqual([{ code: '350203' }]);
  expect((await hub.gql('{ keyRegions { code } }', {}, t.fuzhou)).body.data.keyRegions).toEqual([{ code: '350121' }]);
  const progress = (await hub.gql('{ countyProgress(isoWeek: "2026-W42") { region { code } keyRegion } }', {}, t.fuzhou)).body.data.countyProgress;
  expect(progress.filter((p: { keyRegion: boolean }) => p.keyRegion).map((p: { region: { code: string } }) => p.region.code)).toEqual(['350121']);
});

it('groups and filters statistics by key region', async () => {
  const q = 'query($g: [StatDimension!], $f: StatisticsFilter) { statistics(measures: [CHILDREN], groupBy: $g, filter: $f) { cells { key values { value } } } }';
  const grouped = (await hub.gql(q, { g: ['KEY_REGION'] }, t.fuzhou)).body.data.statistics.cells;
  expect(grouped).toEqual([{ key: ['KEY'], values: [{ value: 7 }] }, { key: ['OTHER'], values: [{ value: 6 }] }]);
  const filtered = (await hub.gql(q, { g: ['COUNTY'], f: { keyRegion: true } }, t.fuzhou)).body.data.statistics.cells;
  expect(filtered).toEqual([{ key: ['350121'], values: [{ value: 7 }] }]);
  // An analyst: rounded to multiples of 5.
  const analyst = (await hub.gql(q, { g: ['KEY_REGION'] }, t.analyst)).body.data.statistics.cells;
  expect(analyst.map((c: { values: Array<{ value: number }> }) => c.values[0].value % 5)).toEqual([0, 0]);
});
