import fs from 'node:fs';
import path from 'node:path';

/**
 * Two switches exist only for the hub the benchmark's entry point builds (tests/bench/serve-hub.ts):
 * leaving the change log out, to measure what it costs, and pausing between a small write's two
 * commits, for the change feed's crash test. Each is passed down from `startServer` to the ORM, and
 * no code of the hub itself sets it, so neither the configuration nor any request can reach it.
 */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

const root = path.resolve(__dirname, '..');
const files = sources(root).map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }));

describe.each([
  {
    name: 'the benchmark\'s switch for the change log',
    option: 'benchmarkWithoutChangeLog',
    mentioned: /benchmarkWithoutChangeLog|markUnloggedForBenchmark|unloggedForBenchmark/,
    where: ['changelog/change-log.writer.ts', 'db/database.ts', 'db/orm.ts', 'web/server.ts'],
    configWord: /change.?log/i,
  },
  {
    name: 'the crash test\'s pause between a write\'s two commits',
    option: 'crashTestDelayBetweenCommitsMs',
    mentioned: /crashTestDelayBetweenCommitsMs|crashTestPauseBetweenCommits/,
    where: ['changelog/change-log.append.ts', 'db/database.ts', 'db/orm.ts', 'web/server.ts'],
    configWord: /delay|pause|between.?commits/i,
  },
])('$name', ({ option, mentioned, where, configWord }) => {
  const mentions = files.filter(({ text }) => mentioned.test(text));

  it('is only passed along, from the server options to the ORM, never set in the hub\'s own code', () => {
    expect(mentions.map((m) => m.file).sort()).toEqual(where);
    const sets = new RegExp(`${option}\\s*[:=]\\s*(true|!|\\d|['"\`])`);
    for (const { file, text } of mentions) expect({ file, setsIt: sets.test(text) }).toEqual({ file, setsIt: false });
  });

  it('is read from no configuration', () => {
    const config = fs.readFileSync(path.join(root, 'config.ts'), 'utf8');
    expect(config).not.toMatch(configWord);
  });
});
