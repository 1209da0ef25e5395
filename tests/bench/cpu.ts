import fs from 'node:fs';
import os from 'node:os';
import type { Client } from 'pg';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user and system, all threads) a process has used, from /proc; 0 for one gone or unreadable. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command (which may hold spaces), in brackets: utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds the whole machine has been busy since boot, all cores together (user, nice, system,
 * interrupts and steal; not idle or waiting for IO), from /proc/stat; null where it cannot be read.
 */
export function machineBusySeconds(): number | null {
  try {
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", guest time counted in user already.
    const [label, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    if (label !== 'cpu' || [user, nice, system, irq, softirq, steal].some((n) => !Number.isFinite(n))) return null;
    return (user + nice + system + irq + softirq + steal) / TICKS;
  } catch {
    return null;
  }
}

/**
 * `work`'s result, its seconds, and the machine's busy CPU seconds meanwhile (`machineBusySeconds`,
 * every process's; null without /proc/stat).
 */
export async function machineCpuDuring<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; machineCpuSeconds: number | null }> {
  const before = machineBusySeconds();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const after = machineBusySeconds();
  return { result, seconds, machineCpuSeconds: before === null || after === null ? null : after - before };
}

/** The server processes of the database's connections (the hubs' pools), other than `client`'s own. */
export async function backendPids(client: Client): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return rows.map((r) => r.pid);
}

/** What `measureCpu` counted while its work ran. */
export interface MeasuredCpu<T> {
  readonly result: T;
  /** The given processes' CPU and their database connections'. */
  readonly cpuSeconds: number;
  /** Of that, the database connections'. */
  readonly databaseCpuSeconds: number;
  /** The benchmark's own process meanwhile: the clients it runs and its samplers. */
  readonly benchCpuSeconds: number;
  /** The whole machine's busy CPU meanwhile, every process's (null without /proc/stat). */
  readonly machineCpuSeconds: number | null;
  readonly seconds: number;
  readonly cores: number;
}

/**
 * The CPU a piece of work took in the processes that do it: the given processes (the hubs) and the
 * database's server processes for its connections (found before and after, a connection opened
 * meanwhile counted from zero). Beside them, apart: the benchmark's own process, and the whole
 * machine's busy CPU, which holds those and everything else (PostgreSQL's WAL writer and
 * checkpointer, other work on the machine).
 */
export async function measureCpu<T>(client: Client, pids: readonly number[], work: () => Promise<T>): Promise<MeasuredCpu<T>> {
  const before = new Map<number, number>();
  for (const pid of [...pids, ...(await backendPids(client))]) before.set(pid, processCpuSeconds(pid));
  const benchBefore = process.cpuUsage();
  const { result, seconds, machineCpuSeconds } = await machineCpuDuring(work);
  const benchUsed = process.cpuUsage(benchBefore);
  const benchCpuSeconds = (benchUsed.user + benchUsed.system) / 1e6;
  const after = new Set([...pids, ...(await backendPids(client)), ...before.keys()]);
  let cpuSeconds = 0;
  let databaseCpuSeconds = 0;
  for (const pid of after) {
    const used = Math.max(0, processCpuSeconds(pid) - (before.get(pid) ?? 0));
    cpuSeconds += used;
    if (!pids.includes(pid)) databaseCpuSeconds += used;
  }
  return { result, cpuSeconds, databaseCpuSeconds, benchCpuSeconds, machineCpuSeconds, seconds, cores: os.availableParallelism() };
}

/** What `sampleLockWaits` saw: how often a connection of the database was waiting for a lock. */
export interface LockWaits {
  readonly samples: number;
  /** Samples in which at least one connection waited for a lock (a row's, such as a chain's head, or a transaction's). */
  readonly waiting: number;
  /** Connections seen waiting, summed over the samples. */
  readonly waits: number;
  /**
   * By the connections' `application_name` (a hub's pool takes it from `PGAPPNAME`), what they were
   * doing in the samples: `run` for a statement on the CPU (no wait event), else the wait event
   * (`IO:WALSync`, `LWLock:WALWrite`, `Lock:object`…), and `idle in transaction` while the hub works.
   */
  readonly byApplication: Record<string, Record<string, number>>;
}

/** The share of each thing a connection was seen doing, largest first: `IO:WALSync 31%, run 25%…`. */
export function describeWaits(seen: Readonly<Record<string, number>> | undefined, top = 6): string {
  const total = Object.values(seen ?? {}).reduce((a, b) => a + b, 0);
  if (!seen || total === 0) return 'nothing seen';
  return Object.entries(seen).sort((a, b) => b[1] - a[1]).slice(0, top).map(([what, n]) => `${what} ${Math.round((100 * n) / total)}%`).join(', ') + ` (${total} sightings)`;
}

/**
 * Runs `work` while another connection looks at `pg_stat_activity` every few milliseconds, counting
 * the database's connections that wait for a heavyweight lock (`wait_event_type = 'Lock'`): a writer
 * queued behind another's chain head shows there, one that waits for the CPU does not. It also
 * tallies, by application, what the busy connections were doing (`LockWaits.byApplication`).
 */
export async function sampleLockWaits<T>(url: string, work: () => Promise<T>, everyMs = 10): Promise<{ result: T; waits: LockWaits }> {
  const { Client } = await import('pg');
  const sampler = new Client({ connectionString: url });
  await sampler.connect();
  let done = false;
  const counts = { samples: 0, waiting: 0, waits: 0, byApplication: {} as Record<string, Record<string, number>> };
  const sampling = (async () => {
    while (!done) {
      const { rows } = await sampler.query<{ app: string; doing: string; n: number }>(
        `SELECT application_name AS app, CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'run') ELSE coalesce(state, 'starting') END AS doing, count(*)::int AS n
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle' GROUP BY 1, 2`);
      const locked = rows.filter((r) => r.doing.startsWith('Lock:')).reduce((n, r) => n + r.n, 0);
      counts.samples++;
      if (locked > 0) counts.waiting++;
      counts.waits += locked;
      for (const { app, doing, n } of rows) {
        const seen = (counts.byApplication[app || '(none)'] ??= {});
        seen[doing] = (seen[doing] ?? 0) + n;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  try {
    return { result: await work(), waits: counts };
  } finally {
    done = true;
    await sampling.catch(() => undefined);
    await sampler.end();
  }
}
