import 'reflect-metadata';
import { loadConfig, usesLocalKeys } from './config';
import { createLogger } from './core/logger';
import { seedDemoIfEmpty } from '../seeds/demo';
import { startServer } from './web/server';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, {
    logger,
    beforeListen: async (db, clock, services) => {
      if (!config.seedDemo) return;
      const seeded = await seedDemoIfEmpty(db, clock, services.logRoots);
      if (seeded) logger.info({ children: seeded }, 'seeded demo data into the empty database');
    },
  });
  const lines = [
    '',
    `保学 Baoxue is listening on ${server.url}/graphql  (explorer: open it in a browser)`,
    `  database: ${server.db.kind === 'pglite' ? '' : 'PostgreSQL '}${server.db.description}`,
    usesLocalKeys(config)
      ? `  demo token: npm run -s token -- --dept EDU --region 350102 --roles clerk   (or pick a demo identity in the explorer)`
      : `  tokens: from ${config.jwt.jwksUrl ?? config.jwt.publicKeyFile} (iss ${config.jwt.issuer}, aud ${config.jwt.audience})`,
    `  health: ${server.url}/healthz  ready: ${server.url}/readyz  metrics: ${server.url}/metrics`,
    `  process ${process.pid}: stop it with Ctrl-C or kill ${process.pid} (SIGTERM finishes the requests in flight)`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  for (const warning of server.db.warnings) logger.warn(warning);
  logger.info({ url: server.url, database: server.db.kind }, 'listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    server.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`保学 Baoxue failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
