import fs from 'node:fs';
import type { PgliteProcess } from './pglite.global-setup';

/** Stops every worker's PGlite process (closing its stdin stops it) and removes the baselines. */
export default async function teardown(): Promise<void> {
  const processes = ((globalThis as Record<string, unknown>).__BAOXUE_PGLITE__ ?? []) as PgliteProcess[];
  await Promise.all(processes.map(({ child }) => {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    return exited.finally(() => clearTimeout(timer));
  }));
  const baselines = process.env.BAOXUE_PGLITE_BASELINES;
  if (baselines) fs.rmSync(baselines, { recursive: true, force: true });
}
