import { loadConfig } from '../config';
import { EmbeddedDatabaseInUseError } from '../db/data-dir-lock';
import { openDatabase } from '../db/database';
import { verifyChain } from './change-log.verify';
import { registerModules } from '../app/modules';

/** `npm run verify-log`: walks the change-log chain; exits 1 at the first entry that does not hold. */
async function main(): Promise<void> {
  const started = Date.now();
  registerModules();
  const db = await openDatabase(loadConfig(), () => undefined);
  try {
    const result = await verifyChain(db.sql);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.ok) {
      process.stdout.write(`change log verified: ${result.entries} entries, head ${result.headSeq ?? '-'} ${result.headHash ?? ''} (${seconds} s)\n`);
    } else {
      process.stdout.write(`CHANGE LOG BROKEN at entry ${result.firstBadSeq}: ${result.problem} (${result.entries} entries checked before it, ${seconds} s)\n`);
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
