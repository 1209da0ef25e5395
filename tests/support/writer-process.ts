/**
 * A process that writes large batches through the hub's own services as fast as it can, printing
 * "committed N" after each, until it is killed. The atomicity test SIGKILLs it at random moments.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { makeIdNumber } from '../../src/children/id-number';
import { loadConfig } from '../../src/config';
import { Clock } from '../../src/core/clock';
import { openDatabase } from '../../src/db/database';
import { educationSection } from '../../src/departments/education/education.section';
import { createServices } from '../../src/services';
import { registerModules } from '../../src/app/modules';

/** With WRITER_AWAIT_GO, the process loads its modules and then waits for a line on stdin before it writes (it ends if stdin closes first). */
function go(): Promise<void> {
  if (!process.env.WRITER_AWAIT_GO) return Promise.resolve();
  return new Promise((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => process.exit(0));
  });
}

async function main(): Promise<void> {
  await go();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL!, DATABASE_POOL_MAX: '1', LOG_LEVEL: 'silent' });
  registerModules();
  const db = await openDatabase(config, () => undefined);
  const clock = new Clock('2026-10-15');
  const services = createServices(db, clock);
  const actor = { identity: { sub: 'writer', dept: 'EDU' as const, region: '350102', roles: ['clerk' as const] }, requestId: 'writer' };
  const offset = Number(process.env.WRITER_OFFSET ?? 0);
  for (let batch = 0; ; batch++) {
    const records = Array.from({ length: 300 }, (_, i) => {
      const n = offset + batch * 300 + i;
      const birthDate = `2014-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (Math.floor(n / 12) % 28)).padStart(2, '0')}`;
      const sequence = Math.floor(n / 336) % 1000;
      return { id: randomUUID(), idNumber: makeIdNumber('350102', birthDate, sequence), name: '测试', gender: (sequence % 2 ? 'MALE' : 'FEMALE') as never, birthDate, hukouRegion: '350102', residenceRegion: '350102' };
    });
    await services.children.register(actor, records);
    await services.sections.upsert(actor, educationSection, records.map((r) => ({ childId: r.id, status: 'ENROLLED' })));
    process.stdout.write(`committed ${batch}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`writer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
