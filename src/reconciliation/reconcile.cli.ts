import type { Identity } from '../auth/identity';
import { runCli, withCliDatabase } from '../app/cli';
import { Clock } from '../core/clock';
import { ReconciliationService } from './reconciliation.service';

/**
 * `npm run reconcile -- --period 2026-11 [--region 350102]`: the month's reconciliation run (核实比对)
 * for the province (or a region) as the provincial system; prints the frozen summary. Exit 0, 1 on
 * failure, 2 on a usage error. Running it again opens nothing new for what is unchanged.
 */
const RUNNER: Identity = { sub: 'reconcile-cli', dept: 'EDU', region: '350000', roles: ['supervisor'] };
const USAGE = 'usage: npm run reconcile -- --period YYYY-MM [--region CODE]';

export function parseArgs(argv: readonly string[]): { period: string; region: string } | null {
  let period: string | undefined;
  let region = '350000';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--period') period = argv[++i];
    else if (argv[i] === '--region') region = argv[++i];
    else return null;
  }
  return period && /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(period) && /^[0-9]{6}$/.test(region ?? '') ? { period, region } : null;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withCliDatabase(async (db, config) => {
    const started = Date.now();
    const { run } = await new ReconciliationService(db.orm, new Clock(config.today)).run({ identity: RUNNER, requestId: `reconcile-cli-${Date.now()}` }, args.period, args.region);
    process.stdout.write(`reconcile ${args.period} ${args.region}: opened ${run.opened}, kept ${run.kept}, resolved ${run.resolved}; content hash ${run.contentHash}\n`);
    for (const [rule, byCounty] of Object.entries(run.counts)) {
      process.stdout.write(`  ${rule}  ${Object.values(byCounty).reduce((a, b) => a + b, 0)} open in ${Object.keys(byCounty).length} counties\n`);
    }
    process.stdout.write(`time taken: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  });
}

runCli(module, 'reconcile', main);
