import { loadConfig } from '../config';
import { EmbeddedDatabaseInUseError } from '../db/data-dir-lock';
import { openDatabase } from '../db/database';
import { verifyChain } from './change-log.verify';
import { registerModules } from '../app/modules';
import { rootKeysFor } from '../log-roots/log-root.keys';
import { verifyRoots } from '../log-roots/log-root.verify';

/** `npm run verify-log`: walks every chain of the change log; names each chain's first entry that does not hold, and exits 1 if any does not. */
async function main(): Promise<void> {
  const started = Date.now();
  registerModules();
  const config = loadConfig();
  const db = await openDatabase(config, () => undefined);
  try {
    const [result, roots] = await Promise.all([verifyChain(db.sql), verifyRoots(db.sql, rootKeysFor(config).jwks.keys)]);
    process.stdout.write(roots.ok ? `signed roots: ${roots.roots} hold\n` : `ROOT ${roots.firstBadRoot} BROKEN: ${roots.problem}\n`);
    if (!roots.ok) process.exitCode = 1;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    for (const chain of result.chains) {
      process.stdout.write(chain.ok
        ? `chain ${chain.chain}: ${chain.entries} entries, head ${chain.headSeq ?? '-'} ${chain.headHash ?? ''}\n`
        : `CHAIN ${chain.chain} BROKEN at entry ${chain.firstBadSeq}: ${chain.problem} (${chain.entries} entries hold before it)\n`);
    }
    if (result.ok) {
      process.stdout.write(`change log verified: ${result.entries} entries in ${result.chains.length} chains (${seconds} s)\n`);
    } else {
      process.stdout.write(`CHANGE LOG BROKEN: ${result.chains.filter((c) => !c.ok).length} of ${result.chains.length} chains do not hold; first ${result.firstBadChain} at entry ${result.firstBadSeq} (${seconds} s)\n`);
      process.exitCode = 1;
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`verify-log: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof EmbeddedDatabaseInUseError) process.stderr.write('While the hub runs, ask it instead: the verifyChangeLog query, with a supervisor\'s token.\n');
  process.exit(2);
});
