import 'reflect-metadata';
import { execute, parse } from 'graphql';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { Clock } from '../../src/core/clock';
import { RequestContext } from '../../src/core/context';
import { createServices } from '../../src/services';
import { buildHubSchema, securedSchema } from '../../src/schema';
import { seedChildren } from '../../seeds/generator';
import { PAGE_QUERY } from './federated-page.query';
import { registerModules } from '../../src/app/modules';

async function main() {
  const name = 'micro_' + Date.now();
  const admin = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test' }); await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${name}`, LOG_LEVEL: 'silent' });
  registerModules();
  const db = await openDatabase(config, () => undefined);
  const clock = new Clock('2026-10-15');
  await seedChildren(db.sql, clock, { children: 3000, seed: 1, counties: ['350102'] });
  const services = createServices(db, clock);
  const identity = { sub: 'x', dept: 'EDU' as const, region: '350102', roles: ['clerk' as const] };
  const doc = parse(PAGE_QUERY);
  const variants: Record<string, any> = { raw: buildHubSchema(), shield: securedSchema() };
  const extra = process.argv[2];
  if (extra) variants.guard = require(extra).guardedSchema();
  const totals: Record<string, number[]> = {};
  for (let round = 0; round < 6; round++) {
    for (const [label, schema] of Object.entries(variants)) {
      const n = 20; const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        const ctx = new RequestContext('r', identity, null, db, clock, services);
        const res: any = await execute({ schema, document: doc, contextValue: ctx, variableValues: { first: 100, filter: { region: '350102' } } });
        if (res.errors) throw new Error(JSON.stringify(res.errors[0]));
      }
      const c = process.cpuUsage(c0);
      if (round > 0) (totals[label] ??= []).push((c.user + c.system) / 1000 / n);
    }
  }
  for (const [label, values] of Object.entries(totals)) {
    values.sort((a, b) => a - b);
    console.log(label, 'median CPU ms/page', values[Math.floor(values.length / 2)].toFixed(1), 'ratio to raw', (values[Math.floor(values.length / 2)] / totals.raw[Math.floor(values.length / 2)]).toFixed(2));
  }
  await db.close(); await admin.query(`DROP DATABASE ${name} WITH (FORCE)`); await admin.end();
}
main().catch((e) => { console.error(e); process.exit(1); });
