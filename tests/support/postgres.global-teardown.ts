import { Client } from 'pg';

export default async function teardown(): Promise<void> {
  const name = process.env.BAOXUE_PG_TEMPLATE;
  if (!name || !process.env.TEST_DATABASE_URL) return;
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
