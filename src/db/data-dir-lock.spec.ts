import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedDatabaseInUseError, lockDataDirectory, type LockHolder } from './data-dir-lock';

/** The lock file as another process would have left it. */
function writeLock(directory: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = { pid: 1, host: os.hostname(), since: '2026-12-01T00:00:00.000Z', command: 'dist/src/main.js', bootId: null, startTicks: null, nonce: 'theirs', ...holder };
  fs.writeFileSync(`${directory}.lock`, JSON.stringify(full));
}

/** A pid that was a process a moment ago and is none now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the embedded data directory lock', () => {
  let base: string;
  let directory: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-lock-'));
    directory = path.join(base, 'pglite');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('is taken once: a second opener, even in the same process, is refused with the holder\'s pid, until it is released', () => {
    const lock = lockDataDirectory(directory);
    expect(lock.replaced).toBeNull();
    expect(() => lockDataDirectory(directory)).toThrow(EmbeddedDatabaseInUseError);
    expect(() => lockDataDirectory(directory)).toThrow(`in use by process ${process.pid}`);
    lock.release();
    expect(fs.existsSync(`${directory}.lock`)).toBe(false);
    lockDataDirectory(directory).release();
  });

  it('is refused while the process named in it runs (here: this test\'s parent), and names it', () => {
    writeLock(directory, { pid: process.ppid });
    expect(() => lockDataDirectory(directory)).toThrow(new RegExp(`in use by process ${process.ppid} \\(dist/src/main.js, since 2026-12-01T00:00:00.000Z\\)[\\s\\S]*kill ${process.ppid}`));
    expect(JSON.parse(fs.readFileSync(`${directory}.lock`, 'utf8')).nonce).toBe('theirs');
  });

  it('replaces the lock of a process that is gone, and says whose it was', () => {
    const pid = deadPid();
    writeLock(directory, { pid });
    const lock = lockDataDirectory(directory);
    expect(lock.replaced?.pid).toBe(pid);
    expect(JSON.parse(fs.readFileSync(`${directory}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('replaces a lock whose pid now belongs to another process: this one (a container restarted) or one started later', () => {
    writeLock(directory, { pid: process.pid, nonce: 'a previous life' });
    lockDataDirectory(directory).release();
    const proc = fs.existsSync('/proc/self/stat');
    writeLock(directory, { pid: process.ppid, bootId: proc ? fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : null, startTicks: proc ? '1' : null });
    if (proc) lockDataDirectory(directory).release();
    else expect(() => lockDataDirectory(directory)).toThrow(EmbeddedDatabaseInUseError);
  });

  it('refuses, and does not remove, a lock file it cannot read or one held on another host', () => {
    fs.writeFileSync(`${directory}.lock`, 'not json');
    expect(() => lockDataDirectory(directory)).toThrow(/not one Baoxue wrote/);
    writeLock(directory, { pid: deadPid(), host: 'another-host' });
    expect(() => lockDataDirectory(directory)).toThrow(/on another-host/);
    expect(JSON.parse(fs.readFileSync(`${directory}.lock`, 'utf8')).host).toBe('another-host');
  });

  it('leaves a stale lock to the process replacing it, and then refuses that process\'s new lock', async () => {
    // The moment between finding a lock stale and removing it: another starter (the parent of this
    // test, for liveness) holds the guard, and puts its own lock in place of the stale one.
    writeLock(directory, { pid: deadPid(), nonce: 'stale' });
    fs.writeFileSync(`${directory}.lock.breaking`, JSON.stringify({ pid: process.ppid, host: os.hostname(), nonce: 'breaker' }));
    const script = `require('ts-node/register/transpile-only'); const { lockDataDirectory } = require(${JSON.stringify(path.join(__dirname, 'data-dir-lock.ts'))});
      console.log('trying');
      try { lockDataDirectory(${JSON.stringify(directory)}); console.log('took it'); } catch (e) { console.log(e.name); }`;
    let out = '';
    const child = spawn(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..') });
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    while (!out.includes('trying')) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 500));
    writeLock(directory, { pid: process.ppid, nonce: 'new' });
    fs.rmSync(`${directory}.lock.breaking`);
    await exited;
    expect(out.trim().split('\n')).toEqual(['trying', 'EmbeddedDatabaseInUseError']);
    expect(JSON.parse(fs.readFileSync(`${directory}.lock`, 'utf8')).nonce).toBe('new');
  }, 60_000);

  it('lets go when the process exits without releasing it', () => {
    const script = `require('ts-node/register/transpile-only'); require(${JSON.stringify(path.join(__dirname, 'data-dir-lock.ts'))}).lockDataDirectory(${JSON.stringify(directory)}); process.exit(3);`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..') });
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 3, stderr: '' });
    expect(fs.existsSync(`${directory}.lock`)).toBe(false);
  });
});
