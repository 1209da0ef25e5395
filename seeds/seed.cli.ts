import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { Clock } from '../src/core/clock';
import { EmbeddedDatabaseInUseError } from '../src/db/data-dir-lock';
import { openDatabase, type Database } from '../src/db/database';
import { regions } from '../src/regions/region.registry';
import { seedChildren } from './generator';
import { registerModules } from '../src/app/modules';

const USAGE = `Seeds synthetic school-age children into the configured database (DATABASE_URL, or embedded PGlite in DATA_DIR).

  npm run seed -- --children 200000 --seed 42 [--county 350102,350103]

  --children N   how many children (default 10000)
  --seed S       integer 0–4294967295 (default 1); the same seed gives the same children.
                 Runs whose seeds differ modulo 24 never issue the same ID number.
  --county LIST  comma-separated county codes, or city codes standing for their counties
                 (default: all 84 counties of Fujian, weighted by population)`;

class UsageError extends Error {}

interface Arguments {
  children: number;
  seed: number;
  counties?: string[];
}

function parseArguments(argv: readonly string[]): Arguments | null {
  const parsed: Arguments = { children: 10_000, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return null;
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--children' || flag === '--seed') {
      const n = Number(value);
      const max = flag === '--seed' ? 0xffffffff : 10_000_000;
      if (!/^\d+$/.test(value) || n > max) throw new UsageError(`${flag} must be a whole number from 0 to ${max}, got "${value}"`);
      parsed[flag === '--children' ? 'children' : 'seed'] = n;
    } else if (flag === '--county') {
      parsed.counties = [...new Set(value.split(',').map((code) => code.trim()).filter(Boolean).flatMap((code) => {
        const region = regions.get(code);
        if (!region) throw new UsageError(`--county: unknown region code ${code}`);
        return regions.countyCodesWithin(code);
      }))];
      if (parsed.counties.length === 0) throw new UsageError('--county names no county');
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  return parsed;
}

/** `[#####     ] 52% 104000/200000 12.3k/s`, redrawn in place on a terminal, every tenth otherwise. */
function progressBar(started: number): (done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return (done, total) => {
    const fraction = total === 0 ? 1 : done / total;
    const filled = Math.round(fraction * 30);
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    const line = `[${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${Math.floor(fraction * 100)}% ${done}/${total} ${(rate / 1000).toFixed(1)}k/s`;
    if (tty) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();
  const clock = new Clock(config.today);
  let db: Database | null = null;
  try {
    registerModules();
    db = await openDatabase(config, () => {});
    process.stderr.write(`seeding ${args.children} children (seed ${args.seed}) into ${db.description}\n`);
    const started = Date.now();
    const result = await seedChildren(db.sql, clock, { ...args, onProgress: progressBar(started) });
    const seconds = (Date.now() - started) / 1000;
    const skipped = args.children - result.children;
    process.stdout.write(
      [
        `children:      ${result.children}${skipped ? `  (${skipped} skipped: id or ID number already present)` : ''}`,
        `dropout cases: ${result.dropoutCases}`,
        `seconds:       ${seconds.toFixed(1)}`,
        `rows:          ${result.rows} in all tables, ${Math.round(result.rows / Math.max(seconds, 0.001))} rows/s (${Math.round(result.children / Math.max(seconds, 0.001))} children/s)`,
        '',
      ].join('\n'),
    );
  } finally {
    await db?.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`\nseed: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`\nseed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof EmbeddedDatabaseInUseError) process.stderr.write('Seeding needs the embedded database to itself: stop the hub, seed, then start it again.\n');
  process.exit(1);
});
