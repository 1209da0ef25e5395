import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext, BenchOptions, CaseResult } from './bench';
import { CASES } from './cases';
import { createBenchDatabase, openBenchDatabase, postgresVersion } from './database';
import { describeMachine } from './machine';
import { caseReport, targetsReport } from './report';

/**
 * `npm run bench [-- options]`: seeds a fresh PostgreSQL database, runs every case of `cases.ts`
 * side by side with its baseline, prints Markdown tables and writes the figures to
 * `.bench/results-<date>.json` and (full runs only) `tests/bench/latest.json`.
 *
 *   --children N        children to seed (default 200000)
 *   --duration S        seconds of load per server and concurrency (default 10)
 *   --rounds N          alternating rounds the duration is split into (default 2)
 *   --warmup S          seconds of unmeasured load before each run (default 3)
 *   --concurrency 1,10  connections of the load generator (default 1,10)
 *   --profile S         seconds of CPU profile of the hub under the highest load (default 5; 0: none)
 *   --hub-flags "F"    node flags for the hub's process besides those `npm start` gives it, e.g. "--max-old-space-size=512"
 *   --only a,b          run only these cases (names in cases.ts)
 *   --seed N            seed of the synthetic children (default 1)
 *   --keep              keep the database baoxue_bench_<n> at the end
 *   --reuse NAME        read the database NAME kept by an earlier run instead of seeding one
 *   --large N           children of the growth, statistics and reconciliation cases' large database (default 2000000)
 *   --reuse-large NAME  those cases read this large database (kept by an earlier run, or a copy of one) instead of seeding one
 *                       (the reconciliation case writes, so it copies NAME with CREATE DATABASE … TEMPLATE and drops the copy)
 *   --smoke             tiny and quick (2,000 children, 20,000 in the large database, 1 s runs, c=1,2, no profile): keeps the harness working
 *
 * BENCH_DATABASE_URL names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/test).
 */
/** The repository: the nearest folder above the compiled harness holding package.json. */
function repositoryRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  throw new Error(`no package.json above ${from}`);
}
const ROOT = repositoryRoot(__dirname);

function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (!name.startsWith('--')) throw new Error(`unexpected argument ${name}`);
    if (name === '--smoke' || name === '--keep') flags.set(name.slice(2), 'true');
    else flags.set(name.slice(2), argv[++i] ?? '');
  }
  const known = ['rounds', 'hub-flags', 'reuse', 'large', 'reuse-large', 'children', 'duration', 'warmup', 'concurrency', 'profile', 'only', 'seed', 'keep', 'smoke'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option --${name}; known: ${known.map((k) => `--${k}`).join(' ')}`);
  const smoke = flags.has('smoke');
  const number = (name: string, fallback: number) => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
    return value;
  };
  const only = flags.get('only')?.split(',').filter(Boolean) ?? null;
  const experimentFlags = (flags.get('hub-flags') ?? '').split(/\s+/).filter(Boolean);
  for (const name of only ?? []) if (!CASES.some((c) => c.name === name)) throw new Error(`no case ${name}; cases: ${CASES.map((c) => c.name).join(', ')}`);
  return {
    children: number('children', smoke ? 2_000 : 200_000),
    duration: number('duration', smoke ? 1 : 10),
    warmup: number('warmup', smoke ? 0 : 3),
    rounds: Math.max(1, Math.round(number('rounds', smoke ? 1 : 2))),
    concurrency: (flags.get('concurrency') ?? (smoke ? '1,2' : '1,10')).split(',').map(Number),
    profileSeconds: number('profile', smoke ? 0 : 5),
    hubFlags: [...deployedNodeFlags(), ...experimentFlags],
    experimentFlags,
    only,
    seed: number('seed', 1),
    keep: flags.has('keep') || flags.has('reuse'),
    reuse: flags.get('reuse') ?? null,
    largeChildren: number('large', smoke ? 20_000 : 2_000_000),
    reuseLarge: flags.get('reuse-large') ?? null,
    smoke,
    serverUrl: env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
  };
}

/**
 * The Node flags `npm start` runs the hub with (package.json's `start`: the options between `node`
 * and `dist/src/main.js`), so that the benchmark's hubs are the hub as deployed.
 */
function deployedNodeFlags(): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const run = /(?:^|&&\s*)(?:exec\s+)?node\s+((?:--\S+\s+)*)dist\/src\/main\.js\b/.exec(start);
  if (!run) throw new Error(`package.json's start script does not run node dist/src/main.js: ${start}`);
  return run[1].split(/\s+/).filter(Boolean);
}

/** The commit measured, and whether the work tree differed from it. */
function revision(): { commit: string; dirty: boolean } | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no', '--', 'src', 'seeds', 'package.json').length > 0 };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const started = new Date();
  const stamp = started.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const outDir = path.join(ROOT, '.bench');
  const artefactDir = path.join(outDir, `run-${stamp}`);
  fs.mkdirSync(artefactDir, { recursive: true });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const cases = CASES.filter((c) => !options.only || options.only.includes(c.name));

  const machine = describeMachine(await postgresVersion(options.serverUrl));
  log(`Baoxue benchmarks, ${started.toISOString()}${options.smoke ? ' (smoke)' : ''}`);
  log(`hub process flags: ${options.hubFlags.join(' ') || 'none'} (as \`npm start\` gives them${options.experimentFlags.length ? `, and ${options.experimentFlags.join(' ')}: an experiment, latest.json is left as it is` : ''})`);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}, load ${machine.loadAverage}`);

  const needed = cases.some((c) => c.needsDatabase);
  const database = !needed ? null : options.reuse ? await openBenchDatabase(options, options.reuse) : await createBenchDatabase(options, log);
  const results: Record<string, CaseResult & { title: string; seconds: number; date: string }> = {};
  let failed = false;
  try {
    const context: BenchContext = { options, database, artefactDir, root: ROOT, log };
    for (const benchCase of cases) {
      log(`\n${benchCase.name}: ${benchCase.title}`);
      const caseStarted = performance.now();
      try {
        const result = await benchCase.run(context);
        results[benchCase.name] = { title: benchCase.title, ...result, seconds: Number(((performance.now() - caseStarted) / 1000).toFixed(1)), date: new Date().toISOString() };
      } catch (error) {
        failed = true;
        log(`${benchCase.name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    if (database && !options.keep) await database.drop();
    else if (database) log(`kept database ${database.name}: ${database.url}`);
  }

  const targets = Object.entries(results).flatMap(([name, r]) => r.targets.map((t) => ({ case: name, ...t })));
  log(`\n## Baoxue benchmarks, ${started.toISOString().slice(0, 10)}`);
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB · Node ${machine.node} · PostgreSQL ${machine.postgres}` +
    (database ? ` · ${database.children.toLocaleString('en')} children, page read in ${database.county.code} ${database.county.name} (${database.county.children.toLocaleString('en')} children)` : ''));
  for (const [, result] of Object.entries(results)) log(`\n${caseReport(result.title, result)}`);
  if (targets.length) log(`\n${targetsReport(targets)}`);

  const { drop: _drop, url: _url, ...databaseFacts } = database ?? ({} as NonNullable<typeof database>);
  const serverUrl = new URL(options.serverUrl);
  if (serverUrl.password) serverUrl.password = '***';
  const document = {
    date: started.toISOString(),
    revision: revision(),
    machine,
    options: { ...options, serverUrl: serverUrl.toString() },
    database: database ? databaseFacts : null,
    cases: results,
    targets,
  };
  const resultsFile = path.join(outDir, `results-${stamp}${options.smoke ? '-smoke' : ''}.json`);
  fs.writeFileSync(resultsFile, JSON.stringify(document, null, 2) + '\n');
  log(`\nwrote ${path.relative(ROOT, resultsFile)}`);
  if (!options.smoke && !failed && options.experimentFlags.length === 0) {
    // A partial run (--only) updates its cases and keeps the others' latest figures.
    const latestFile = path.join(ROOT, 'tests/bench/latest.json');
    const previous = options.only && fs.existsSync(latestFile) ? JSON.parse(fs.readFileSync(latestFile, 'utf8')) : { cases: {} };
    const cases = { ...previous.cases, ...results };
    const latest = { ...document, cases, targets: Object.entries(cases).flatMap(([name, r]) => (r as CaseResult).targets.map((t) => ({ case: name, ...t }))) };
    fs.writeFileSync(latestFile, JSON.stringify(latest, null, 2) + '\n');
    log(`wrote ${path.relative(ROOT, latestFile)}`);
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
