import { type ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { BenchFailure } from './bench';

/**
 * A benchmark process (a server or the load generator) forked from the compiled bench folder,
 * spoken to over IPC: one message in to start it, one `ready` (or `failed`) message back, and a
 * `stop` message that makes it finish cleanly (so that `--cpu-prof` writes its profile).
 */
export interface Forked<Ready> {
  readonly child: ChildProcess;
  readonly ready: Ready;
  /** Asks the process to stop and waits for it to exit. */
  stop(): Promise<void>;
  /** Sends a request and waits for the answer of the same `type`. */
  request<T>(message: { type: string } & Record<string, unknown>): Promise<T>;
}

interface Reply {
  type: string;
  error?: string;
  [key: string]: unknown;
}

export async function forkBench<Ready>(
  script: string,
  start: Record<string, unknown>,
  options: { execArgv?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Forked<Ready>> {
  const child = fork(path.join(__dirname, script), [], {
    execArgv: options.execArgv ?? [],
    // As the README deploys the hub: graphql-js, Apollo and others check NODE_ENV when they load
    // (graphql-js's every type check looks for a second copy of itself unless it is production).
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = (type: string, timeoutMs: number) =>
    new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${script}: no "${type}" answer within ${timeoutMs / 1000} s`)), timeoutMs);
      const onMessage = (message: Reply) => {
        if (message.type === 'failed') finish(new Error(`${script}: ${message.error}`));
        else if (message.type === type) finish(null, message);
      };
      const onExit = (code: number | null) => finish(new Error(`${script} exited (code ${code}) before answering "${type}"`));
      function finish(error: Error | null, message?: Reply) {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(message!);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const readyMessage = next('ready', options.timeoutMs ?? 120_000);
  child.send({ type: 'start', ...start });
  let ready: Reply;
  try {
    ready = await readyMessage;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    child,
    ready: ready as unknown as Ready,
    async request<T>(message: { type: string } & Record<string, unknown>): Promise<T> {
      const answer = next(message.type, options.timeoutMs ?? 600_000);
      child.send(message);
      return (await answer) as unknown as T;
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** The child's side: answers `start` with `ready`, runs `stop` on request, reports failures. */
export function serveBench<Start, Ready>(handlers: {
  start(message: Start): Promise<Ready>;
  stop(): Promise<void>;
  requests?: Record<string, (message: Record<string, unknown>) => Promise<Record<string, unknown>>>;
}): void {
  const send = (message: Record<string, unknown>) => process.send?.(message);
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= handlers.stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
    return stopping;
  };
  process.on('message', (message: { type: string } & Record<string, unknown>) => {
    const fail = (error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (message.type === 'start') {
      handlers.start(message as unknown as Start).then((ready) => send({ ...ready, type: 'ready' }), fail);
    } else if (message.type === 'stop') {
      void stop();
    } else {
      const handler = handlers.requests?.[message.type];
      if (handler) handler(message).then((answer) => send({ ...answer, type: message.type }), fail);
    }
  });
  // The parent went away without asking us to stop: do not linger.
  process.on('disconnect', () => void stop());
}

/** A loopback port nobody listens on right now, for a server about to start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A command-line tool's run, measured from outside. */
export interface CliRun {
  /** From spawning the process to its exit: start-up, opening the database, the work, the summary. */
  readonly seconds: number;
  /** The process's own peak resident set size, bytes. */
  readonly peakRss: number;
  readonly stdout: string;
}

/**
 * A compiled CLI (`script`, under dist/) as an operator runs it, in a process of its own, so that
 * its time and memory are its own and not the harness's: peak RSS read in the process as it exits
 * (max-rss.js). `env` comes on top of this process's, in the test environment, logging silenced.
 */
export async function runCli(script: string, args: readonly string[], env: Readonly<Record<string, string>>, what: string): Promise<CliRun> {
  const rssFile = path.join(os.tmpdir(), `baoxue-cli-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env, BENCH_MAX_RSS_FILE: rssFile };
  delete childEnv.DATABASE_POOL_MAX;
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', path.join(__dirname, 'max-rss.js'), script, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  try {
    if (exitCode !== 0) throw new BenchFailure(`${what} exited with ${exitCode}: ${stderr.trim() || stdout.trim()}`);
    return { seconds, peakRss: Number(fs.readFileSync(rssFile, 'utf8')), stdout };
  } finally {
    fs.rmSync(rssFile, { force: true });
  }
}
