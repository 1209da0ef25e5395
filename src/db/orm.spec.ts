import fs from 'node:fs';
import path from 'node:path';

/**
 * The change log can be left out only for the benchmark that measures what it costs: the option
 * is passed down from `startServer` to the ORM, and no code of the hub itself sets it, so neither
 * the configuration nor any request can reach it.
 */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

describe('the benchmark\'s switch for the change log', () => {
  const root = path.resolve(__dirname, '..');
  const mentions = sources(root)
    .map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }))
    .filter(({ text }) => /benchmarkWithoutChangeLog|markUnloggedForBenchmark|unloggedForBenchmark/.test(text));

  it('is only passed along, from the server options to the ORM, never set in the hub\'s own code', () => {
    expect(mentions.map((m) => m.file).sort()).toEqual(['changelog/change-log.writer.ts', 'db/database.ts', 'db/orm.ts', 'web/server.ts']);
    for (const { file, text } of mentions) {
      expect({ file, setsIt: /benchmarkWithoutChangeLog\s*[:=]\s*(true|!|1|['"`])/.test(text) }).toEqual({ file, setsIt: false });
    }
  });

  it('is read from no configuration', () => {
    const config = fs.readFileSync(path.join(root, 'config.ts'), 'utf8');
    expect(config).not.toMatch(/change.?log/i);
  });
});
