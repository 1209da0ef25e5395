import { spawn } from 'node:child_process';
import path from 'node:path';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

/** A writer process with its modules loaded (compiled on the fly, the slow part), waiting for `go()` to begin writing. */
function loadWriter(databaseUrl: string, offset: number) {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.resolve(__dirname, '../support/writer-process.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, WRITER_OFFSET: String(offset), WRITER_AWAIT_GO: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, errors: () => errors, go: () => child.stdin.write('go\n') };
}
type Writer = ReturnType<typeof loadWriter>;

/** Lets the writer write, and SIGKILLs it a random while after its first committed batch. */
function writeAndKill(writer: Writer, delayMs: number): Promise<{ committed: number }> {
  let committed = 0;
  let armed = false;
  writer.child.stdout.on('data', (chunk: Buffer) => {
    committed += (chunk.toString().match(/committed/g) ?? []).length;
    if (!armed) {
      armed = true;
      setTimeout(() => writer.child.kill('SIGKILL'), delayMs);
    }
  });
  writer.go();
  return writer.exited.then(({ code, signal }) => {
    if (signal !== 'SIGKILL') throw new Error(`writer exited ${code}: ${writer.errors()}`);
    return { committed };
  });
}

const loaded = new Set<Writer>();
afterAll(() => loaded.forEach((writer) => writer.child.kill('SIGKILL')));

it('never leaves a change without its log entry, nor an entry without its change, however often a writer is killed', async () => {
  const url = (hub.server.db.orm.config.get('clientUrl') as string) ?? '';
  let committed = 0;
  const kills = 5;
  const load = (round: number) => {
    const writer = loadWriter(url, round * 100_000);
    loaded.add(writer);
    return writer;
  };
  let next = load(0);
  for (let round = 0; round < kills; round++) {
    // The next round's writer loads while this one writes: it writes only once this one is dead.
    const writer = next;
    if (round + 1 < kills) next = load(round + 1);
    // Kill points spread over the next batches: inside a registration, an upsert, or between them.
    const result = await writeAndKill(writer, 40 + round * 130);
    loaded.delete(writer);
    committed += result.committed;
  }
  expect(committed).toBeGreaterThan(0);
  const [counts] = await hub.sql<Record<string, number>>(`SELECT
    (SELECT count(*)::int FROM hub.child) AS children,
    (SELECT count(*)::int FROM hub.child c WHERE NOT EXISTS (SELECT 1 FROM hub.change_log l WHERE l.entity = 'Child' AND l.entity_id = c.id::text)) AS "childrenWithoutEntry",
    (SELECT count(*)::int FROM edu.education_record e WHERE NOT EXISTS (SELECT 1 FROM hub.change_log l WHERE l.entity = 'EducationRecord' AND l.entity_id = e.child_id::text)) AS "recordsWithoutEntry",
    (SELECT count(*)::int FROM hub.change_log l WHERE l.entity = 'Child' AND NOT EXISTS (SELECT 1 FROM hub.child c WHERE c.id::text = l.entity_id)) AS "entriesWithoutChild",
    (SELECT count(*)::int FROM hub.change_log l WHERE l.entity = 'EducationRecord' AND NOT EXISTS (SELECT 1 FROM edu.education_record e WHERE e.child_id::text = l.entity_id)) AS "entriesWithoutRecord",
    (SELECT count(*)::int FROM hub.change_log) AS entries,
    (SELECT coalesce(max(seq), 0)::int FROM hub.change_log) AS "maxSeq"`);
  expect(counts).toMatchObject({ childrenWithoutEntry: 0, recordsWithoutEntry: 0, entriesWithoutChild: 0, entriesWithoutRecord: 0 });
  expect(counts.children).toBeGreaterThanOrEqual(committed * 300);
  expect(counts.entries).toBe(counts.maxSeq);
  const supervisor = await hub.token({ dept: 'EDU', region: '350000', roles: ['supervisor'] });
  expect((await hub.gql('{ verifyChangeLog { ok entries } }', {}, supervisor)).body.data).toEqual({ verifyChangeLog: { ok: true, entries: counts.entries } });
  process.stdout.write(`kill test: ${kills} writers killed, ${counts.children} children and ${counts.entries} entries, all paired, chain intact\n`);
}, 240_000);
