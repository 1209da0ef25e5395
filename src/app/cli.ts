import { type Config, loadConfig } from '../config';
import { AppError } from '../core/errors';
import { type Database, openDatabase } from '../db/database';
import { registerModules } from './modules';

/**
 * A command-line tool over the database: the configuration from the environment, every module
 * registered, the database opened for `work` and closed after it, whatever `work` returns.
 */
export async function withCliDatabase<T>(work: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  registerModules();
  const db = await openDatabase(config, () => undefined);
  try {
    return await work(db, config);
  } finally {
    await db.close();
  }
}

/**
 * Runs a tool's `main` when its file is the script run (not when a test imports it): what `main`
 * returns is the exit code; an error exits 1, printed after the tool's name as its message for an
 * AppError (a refusal the operator can act on), else with its stack.
 */
export function runCli(module: NodeModule, name: string, main: () => Promise<number>): void {
  if (require.main !== module) return;
  main().then((code) => {
    process.exitCode = code;
  }, (error) => {
    process.stderr.write(`${name}: ${error instanceof AppError ? error.message : error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
