import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Its stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  readonly exited: Promise<number | string>;
}

/** Runs `command` with the test's environment plus `env` (a value of null removes the variable). */
export function run(command: string, args: readonly string[], env: Record<string, string | null>, options: { cwd?: string } = {}): RunningProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  let output = '';
  const child = spawn(command, args, { env: merged, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => output, exited };
}

/** A TypeScript entry point of the project (`src/main.ts`, a CLI) as its own process, compiled on the fly. */
export function runTs(file: string, args: readonly string[], env: Record<string, string | null>): RunningProcess {
  return run(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, file), ...args], env);
}

export async function waitFor(predicate: () => boolean, ms: number, what = 'a condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits for the hub's start-up lines; returns its URL and the pid it prints, or throws if it exits first. */
export async function listening(hub: RunningProcess, ms = 120_000): Promise<{ url: string; pid: number }> {
  const pattern = /listening on (http:\/\/[\d.:]+)\/graphql[\s\S]*process (\d+):/;
  let exit: number | string | null = null;
  void hub.exited.then((code) => (exit = code));
  await waitFor(() => pattern.test(hub.output()) || exit !== null, ms, 'the hub to listen');
  const found = pattern.exec(hub.output());
  if (!found) throw new Error(`the hub exited (${exit}) before listening:\n${hub.output()}`);
  return { url: found[1], pid: Number(found[2]) };
}

/** Whether `pid` still runs (a zombie, exited but not yet reaped by its parent, does not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
