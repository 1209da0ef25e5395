import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** PostgreSQL's programs: `PG_BIN`, or Debian's newest installed version. */
function programs(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('private cluster: no PostgreSQL under /usr/lib/postgresql (set PG_BIN)');
  return path.join(root, versions[0], 'bin');
}

/** Whether a process still runs (a zombie, dead but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      // The parent's pid is the second field after the command, which is in parentheses.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether nothing listens on `port` of the loopback address now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below Linux's ephemeral range (32768–60999): the cluster is stopped and
 * started again on it, and while it is down, a port the system hands out (to a listener on port
 * 0, or to any outgoing connection of the tests running beside this one) could be taken from it.
 */
async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
  throw new Error('private cluster: no free port found between 20000 and 32000');
}

/**
 * A PostgreSQL cluster that one test owns: made with `initdb` in a temporary directory, served on a
 * free loopback port, killed and restarted by the test, and removed afterwards. Never the shared
 * server. PostgreSQL refuses to run as root, so as root (as CI runs) it runs as the `postgres` OS
 * user. A crash kills every one of its processes at once, as a machine's crash would.
 */
export class PrivateCluster {
  private postmaster: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly settings: readonly string[],
  ) {}

  /** `initdb` in a new temporary directory; `settings` are `name=value` pairs the server starts with. */
  static async create(settings: readonly string[] = []): Promise<PrivateCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-cluster-'));
    const cluster = new PrivateCluster(dir, await clusterPort(), settings);
    try {
      if (process.getuid?.() === 0) {
        const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
        const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
        fs.chownSync(dir, uid, gid);
      }
      execFileSync(...cluster.asOwner(path.join(programs(), 'initdb'), ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']), { stdio: 'pipe' });
    } catch (error) {
      await cluster.remove();
      throw error;
    }
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** The command line that runs `program` as the cluster's owner: the `postgres` user when we are root. */
  private asOwner(program: string, args: string[]): [string, string[]] {
    return process.getuid?.() === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', program, ...args]] : [program, args];
  }

  /** Starts the server (recovering from a crash if there was one) and waits until it answers. */
  async start(): Promise<void> {
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    const args = ['-D', this.dataDir, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1'];
    for (const setting of this.settings) args.push('-c', setting);
    const [program, argv] = this.asOwner(path.join(programs(), 'postgres'), args);
    // detached: no signal meant for the test's own process group reaches the cluster.
    this.postmaster = spawn(program, argv, { detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const client = new Client({ connectionString: this.url });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (this.postmaster.exitCode !== null || Date.now() > deadline) throw new Error(`private cluster did not start: ${String(error)}\n${this.log().slice(-2000)}`);
        await sleep(100);
      }
    }
  }

  /**
   * Kills every process of the cluster at once and waits until all are gone. Each child of the
   * postmaster leads a process group of its own (PostgreSQL calls setsid in every child), so they
   * are found by their parent: all are frozen first (SIGSTOP, the postmaster before it can fork
   * more), so that none runs a step further while the others die, then killed.
   */
  async crash(): Promise<void> {
    const pid = this.postmaster?.pid;
    if (!pid) return;
    this.postmaster = null;
    const signal = (target: number, name: NodeJS.Signals) => {
      try {
        process.kill(target, name);
      } catch {
        // already gone
      }
    };
    signal(pid, 'SIGSTOP');
    const children = childrenOf(pid);
    for (const child of children) signal(child, 'SIGSTOP');
    for (const process of [pid, ...children]) signal(process, 'SIGKILL');
    for (let i = 0; i < 600 && [pid, ...children].some(alive); i++) await sleep(50);
  }

  /**
   * Stops the WAL writer (SIGSTOP) until the next crash. A SIGKILL loses only the WAL not yet
   * handed to the kernel, and the WAL writer hands over asynchronously committed WAL within
   * `wal_writer_delay`: after that only a power cut (which no test here can make) loses it. With
   * the writer stopped, WAL nobody has flushed is also WAL nobody has written, so a SIGKILL loses
   * what a power cut would.
   */
  async pauseWalWriter(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'");
      if (rows.length !== 1) throw new Error(`private cluster: ${rows.length} WAL writers`);
      process.kill(rows[0].pid, 'SIGSTOP');
    } finally {
      await client.end();
    }
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Kills the server if it runs and removes the directory; safe to call more than once. */
  async remove(): Promise<void> {
    await this.crash();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
