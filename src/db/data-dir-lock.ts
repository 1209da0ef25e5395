import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/**
 * Who holds the embedded database. PGlite keeps no lock of its own: two processes that open one
 * data directory each write their own copy of its pages, and whichever closes last overwrites the
 * other's confirmed writes (and the chain still verifies, since the lost entries are simply gone).
 */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** What the holder runs (`dist/src/main.js`, `notices.cli.js`…), for the operator. */
  readonly command: string;
  /** The kernel's boot id and the process's start time (Linux): a pid reused by another process, or after a reboot, is not the holder. */
  readonly bootId: string | null;
  readonly startTicks: string | null;
  readonly nonce: string;
}

export class EmbeddedDatabaseInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly holder: LockHolder | null,
    readonly lockFile: string,
  ) {
    const who = holder
      ? `process ${holder.pid}${holder.host === os.hostname() ? '' : ` on ${holder.host}`} (${holder.command}, since ${holder.since})`
      : `another process (the lock file ${lockFile} is not one Baoxue wrote)`;
    const stop = holder && holder.host === os.hostname() ? `Stop it first (Ctrl-C in its terminal, or kill ${holder.pid})` : `Stop it first (or, if no process uses the directory, remove ${lockFile})`;
    super(
      `嵌入式数据库正被占用 The embedded database in ${directory} is in use by ${who}. ` +
        `Only one process may open it: two would lose each other's writes. ${stop}, or give this one another DATA_DIR.`,
    );
    this.name = 'EmbeddedDatabaseInUseError';
  }
}

/** Locks this process holds, by lock file: a second open of the same directory in one process is refused too. */
const held = new Map<string, string>();

function linuxProcess(pid: number): { bootId: string; startTicks: string } | null {
  try {
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may contain spaces.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return { bootId, startTicks };
  } catch {
    return null;
  }
}

function readHolder(file: string): LockHolder | null | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isInteger(holder.pid) && typeof holder.nonce === 'string' ? holder : null;
  } catch {
    return null;
  }
}

/** Whether the process named in a lock file still runs; a holder that cannot be judged (another host) counts as running. */
function isRunning(holder: LockHolder, file: string): boolean {
  if (holder.host !== os.hostname()) return true;
  if (holder.pid === process.pid) return held.get(file) === holder.nonce;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = linuxProcess(holder.pid);
  if (now && holder.bootId && holder.startTicks) return now.bootId === holder.bootId && now.startTicks === holder.startTicks;
  return true;
}

/** Creates `file` with `content` only if no file of that name exists: a link is atomic, and the content is whole before it has a name. */
function createExclusive(file: string, content: string): boolean {
  const draft = `${file}.${process.pid}.${randomUUID()}`;
  fs.writeFileSync(draft, content, { mode: 0o600 });
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

function describeSelf(nonce: string): LockHolder {
  const self = linuxProcess(process.pid);
  return {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    command: process.argv.slice(1, 2).map((arg) => arg.split(/[\\/]/).slice(-3).join('/')).join(' ') || 'node',
    bootId: self?.bootId ?? null,
    startTicks: self?.startTicks ?? null,
    nonce,
  };
}

export interface DataDirLock {
  readonly file: string;
  /** A stale lock (its process gone) that this one replaced, for the start-up log. */
  readonly replaced: LockHolder | null;
  release(): void;
}

/**
 * Takes `<directory>.lock` for this process, or throws EmbeddedDatabaseInUseError naming the process
 * that holds it. A lock whose process is gone (killed, crashed, the machine rebooted) is replaced;
 * only a process holding `<lock>.breaking` may remove one, so two starters that both find the same
 * stale lock cannot both end up holding it. The lock goes when the process exits, however it exits
 * short of being killed.
 */
export function lockDataDirectory(directory: string): DataDirLock {
  const file = `${directory}.lock`;
  const guard = `${file}.breaking`;
  const nonce = randomUUID();
  const mine = JSON.stringify(describeSelf(nonce));
  let replaced: LockHolder | null = null;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (createExclusive(file, mine)) {
      held.set(file, nonce);
      const onExit = () => release();
      process.once('exit', onExit);
      const release = () => {
        process.removeListener('exit', onExit);
        if (held.get(file) !== nonce) return;
        held.delete(file);
        const holder = readHolder(file);
        if (holder && holder !== 'gone' && holder.nonce === nonce) fs.rmSync(file, { force: true });
      };
      return { file, replaced, release };
    }
    const holder = readHolder(file);
    if (holder === 'gone') continue;
    if (holder === null || isRunning(holder, file)) throw new EmbeddedDatabaseInUseError(directory, holder === null ? null : holder, file);
    if (!createExclusive(guard, mine)) {
      // Another starter is replacing the same stale lock; if it died doing so, its guard goes too.
      const breaker = readHolder(guard);
      if (breaker !== 'gone' && breaker !== null && !isRunning(breaker, guard)) fs.rmSync(guard, { force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    try {
      const again = readHolder(file);
      if (again !== 'gone' && again !== null && again.nonce === holder.nonce) {
        fs.rmSync(file, { force: true });
        replaced = holder;
      }
    } finally {
      fs.rmSync(guard, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file} after 100 attempts`);
}
