/**
 * One in-memory PGlite in a process of its own, for one Jest worker of the PGlite project
 * (tests/support/pglite.global-setup.ts starts one per worker). PGlite is single-threaded WASM:
 * in Jest's main process, every worker's database would take turns on one core. It serves on a
 * private Unix socket as the hub's embedded database does (src/db/embedded.ts), prints
 * `{"url": …}` on one line once it listens, and stops when stdin closes (its parent stopped it,
 * or went away) or on SIGTERM.
 */
import { startEmbedded } from '../../src/db/embedded';

async function main(): Promise<void> {
  const embedded = await startEmbedded(null, { maxConnections: 8 });
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= embedded.stop().finally(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ url: embedded.url })}\n`);
}

main().catch((error) => {
  process.stderr.write(`pglite-process: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
