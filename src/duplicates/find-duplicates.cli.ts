import type { Identity } from '../auth/identity';
import { runCli, withCliDatabase } from '../app/cli';
import { Clock } from '../core/clock';
import { DuplicateService } from './duplicate.service';

/**
 * `npm run find-duplicates [-- --region 350102]`: the periodic sweep for duplicate records, over
 * the province (or a region) as the provincial system; prints the children checked and the new
 * pairs. Exit 0, 1 on failure, 2 on a usage error. Running it again finds nothing already known.
 */
const RUNNER: Identity = { sub: 'find-duplicates-cli', dept: 'EDU', region: '350000', roles: ['supervisor'] };
const USAGE = 'usage: npm run find-duplicates -- [--region CODE]';

export function parseArgs(argv: readonly string[]): { region: string } | null {
  let region = '350000';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--region') region = argv[++i];
    else return null;
  }
  return /^[0-9]{6}$/.test(region ?? '') ? { region } : null;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withCliDatabase(async (db, config) => {
    const started = Date.now();
    const actor = { identity: RUNNER, requestId: `find-duplicates-cli-${Date.now()}` };
    DuplicateService.checkMaySweep(actor, args.region);
    const found = await new DuplicateService(db.orm, db.sql, new Clock(config.today)).sweep(actor, args.region);
    process.stdout.write(`find-duplicates ${args.region}: ${found.children} children checked, ${found.pairsFound} new pairs; ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  });
}

runCli(module, 'find-duplicates', main);
