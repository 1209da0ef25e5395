import { Client } from 'pg';

/**
 * The databases one run of the PostgreSQL project makes on the test server are all named
 * `baoxue_run_<pid>_<tag>_…`, after the Jest process that runs it: the template and every file's
 * database. A file does not drop its database when it ends (each DROP DATABASE waits for a
 * checkpoint, 1.3–1.8 s on this machine while the run writes, more than a small file takes): the
 * global teardown drops the run's databases together, and a later run's setup drops those that a
 * run killed before its teardown left behind (its process is gone). Other runs' are theirs.
 */
const PREFIX = 'baoxue_run_';

export const runPrefix = (run: string) => `${PREFIX}${run}_`;

/** Whether a process of this machine still runs (a zombie, exited but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function databases(admin: Client, like: string): Promise<string[]> {
  return (await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 ESCAPE '!'`, [`${like.replace(/[!_%]/g, '!$&')}%`])).rows.map((r) => r.datname);
}

/** Drops `names` a few at a time, each on its own connection: their checkpoints are shared. */
async function dropAll(server: string, names: string[]): Promise<void> {
  const queue = [...names];
  const failures: unknown[] = [];
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, async () => {
    const client = new Client({ connectionString: server });
    await client.connect();
    try {
      for (let name = queue.shift(); name; name = queue.shift()) {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((error) => failures.push(error));
      }
    } finally {
      await client.end();
    }
  }));
  if (failures.length) throw new Error(`could not drop ${failures.length} test database(s): ${String(failures[0])}`);
}

/** Drops every database of the run `run`. */
export async function dropRunDatabases(server: string, run: string): Promise<number> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  let names: string[];
  try {
    names = await databases(admin, runPrefix(run));
  } finally {
    await admin.end();
  }
  await dropAll(server, names);
  return names.length;
}

/** Drops the databases of earlier runs whose Jest process is gone (killed before its teardown). */
export async function dropDeadRunsDatabases(server: string): Promise<number> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  let names: string[];
  try {
    names = (await databases(admin, PREFIX)).filter((name) => {
      const pid = Number(name.slice(PREFIX.length).split('_')[0]);
      return Number.isInteger(pid) && pid > 0 && !alive(pid);
    });
  } finally {
    await admin.end();
  }
  await dropAll(server, names);
  return names.length;
}
