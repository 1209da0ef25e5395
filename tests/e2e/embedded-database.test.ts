import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { target } from '../support/hub';
import { isAlive, listening, runTs, type RunningProcess, waitFor } from '../support/processes';

/**
 * The embedded database (issue 20, items 1 and 2) is one process's own: a second hub or a CLI on
 * the same data directory is refused, naming the holder; nobody else reaches its data, neither
 * over TCP nor through its socket nor its files. Real processes on one DATA_DIR, as a newcomer
 * would start them. About the embedded database only, so it runs in the PGlite project.
 */
const onPGlite = target === 'pglite' ? describe : describe.skip;

const NOBODY = 65534;

/** The TCP ports `pid` listens on (Linux: its socket inodes matched in /proc/net/tcp and tcp6). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set(
    fs.readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter((inode): inode is string => inode !== undefined);
      } catch {
        return [];
      }
    }),
  );
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local address, state 0A (LISTEN), inode
      if (fields.length > 9 && fields[3] === '0A' && inodes.has(fields[9])) ports.add(parseInt(fields[1].split(':')[1], 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** What another local user gets trying to connect to `socket` and read `file` (run as uid 65534). */
function asAnotherUser(socket: string, file: string): { connect: string; read: string } {
  const script = `
    const net = require('node:net'), fs = require('node:fs');
    let read; try { fs.readFileSync(${JSON.stringify(file)}); read = 'read'; } catch (e) { read = e.code; }
    const s = net.connect(${JSON.stringify(socket)});
    s.on('connect', () => { console.log(JSON.stringify({ connect: 'connected', read })); s.destroy(); });
    s.on('error', (e) => console.log(JSON.stringify({ connect: e.code, read })));`;
  const result = spawnSync(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, cwd: '/', encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`could not run as uid ${NOBODY}: ${result.error?.message ?? result.stderr}`);
  return JSON.parse(result.stdout) as { connect: string; read: string };
}

onPGlite('the embedded database in a data directory', () => {
  // Made when the tests run, not when the file is read: on PostgreSQL, where they are skipped, none is left behind.
  let dataDir: string;
  const started: RunningProcess[] = [];
  const start = (file: string, args: string[] = []) => {
    const process = runTs(file, args, { NODE_ENV: 'development', LOG_LEVEL: 'info', SEED_DEMO: 'false', DATA_DIR: dataDir, DATABASE_URL: null, PORT: '0', BAOXUE_TODAY: '2026-10-15' });
    started.push(process);
    return process;
  };
  let hubA: RunningProcess;
  let a: { url: string; pid: number };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-embedded-'));
    // Let another user reach the directory itself, as a data directory in a home or /srv often is: what guards the database must be its own.
    fs.chmodSync(dataDir, 0o755);
    hubA = start('src/main.ts');
    a = await listening(hubA);
  }, 150_000);

  afterAll(async () => {
    for (const p of started) p.child.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is served to no one else: no database port, a socket and files only its user may open', async () => {
    const httpPort = Number(new URL(a.url).port);
    // Every TCP port of the hub but its HTTP port: before, PGlite listened on one, user postgres, no password.
    const others = listeningTcpPorts(a.pid).filter((port) => port !== httpPort);
    const answered: number[] = [];
    for (const port of others) {
      const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        answered.push(port);
      } catch {
        // refused: as it should be
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    expect({ listening: listeningTcpPorts(a.pid).includes(httpPort), answeredWithoutPassword: answered }).toEqual({ listening: true, answeredWithoutPassword: [] });

    const socketDir = path.join(dataDir, 'pglite.socket');
    const socket = path.join(socketDir, '.s.PGSQL.5432');
    expect((fs.statSync(socketDir).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(path.join(dataDir, 'pglite')).mode & 0o777).toString(8)).toBe('700');
    // The hub's own user reaches it (so the path is the right one)…
    const owner = new Client({ host: socketDir, port: 5432, user: 'postgres', database: 'postgres' });
    await owner.connect();
    expect((await owner.query<{ n: string }>('SELECT count(*) AS n FROM hub.child')).rows).toEqual([{ n: '0' }]);
    await owner.end();
    // …and another local user neither the socket nor the database's files.
    if (process.getuid?.() === 0) expect(asAnotherUser(socket, path.join(dataDir, 'pglite', 'PG_VERSION'))).toEqual({ connect: 'EACCES', read: 'EACCES' });
  });

  it('refuses a second hub on the same directory, naming the first one\'s pid, and the first goes on serving', async () => {
    const hubB = start('src/main.ts');
    const outcome = await listening(hubB, 100_000).then(
      () => 'listening',
      () => hubB.exited,
    );
    expect(outcome).toBe(1);
    expect(hubB.output()).toContain(`in use by process ${a.pid}`);
    expect(hubB.output()).toContain(`kill ${a.pid}`);
    expect(hubB.output()).toContain('DATA_DIR');
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
  }, 120_000);

  it('refuses the CLIs that open the database, with the pid and the hub\'s query or mutation to use instead', async () => {
    const verify = start('src/changelog/verify.cli.ts');
    const notices = start('src/notices/notices.cli.ts', ['--period', '2026-09']);
    expect({ verify: await verify.exited, notices: await notices.exited }).toEqual({ verify: 2, notices: 1 });
    for (const cli of [verify, notices]) expect(cli.output()).toContain(`in use by process ${a.pid}`);
    expect(verify.output()).toContain('verifyChangeLog');
    expect(notices.output()).toContain('issueMonthlyNotices');
    expect(notices.output()).not.toMatch(/^\s+at /m);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
  }, 120_000);

  it('is opened again once its holder is gone, even killed without a chance to let go', async () => {
    hubA.child.kill('SIGKILL');
    await hubA.exited;
    expect(isAlive(a.pid)).toBe(false);
    const hubC = start('src/main.ts');
    const c = await listening(hubC, 100_000);
    await waitFor(() => /not closed cleanly/.test(hubC.output()), 10_000, 'the warning about the stale lock');
    expect(hubC.output()).toMatch(new RegExp(`not closed cleanly: process ${a.pid} \\(`));
    expect((await fetch(`${c.url}/readyz`)).status).toBe(200);
    hubC.child.kill('SIGTERM');
    expect(await hubC.exited).toBe(0);
    // Let go on the way out: the next opener finds no lock at all.
    expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
  }, 150_000);
});
