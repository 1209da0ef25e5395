import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import type { JWK } from 'jose';
import type { Config } from '../config';
import { usesLocalKeys } from '../config';
import { DEMO_IDENTITIES } from '../auth/demo-identities';
import type { Identity } from '../auth/identity';
import { loadOrCreateLocalKey, type SigningKey, verificationKeys } from '../auth/keys';
import { signToken, TokenVerifier } from '../auth/tokens';
import { Clock } from '../core/clock';
import { RequestContext } from '../core/context';
import { type AppError, UnauthenticatedError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import { type Database, openDatabase } from '../db/database';
import { pendingMigrations } from '../db/orm';
import { type AppContext, createServices, type Services } from '../services';
import { createApollo, HeaderMap } from './apollo';
import { graphqlOverWebSocket } from './graphql-ws';
import { explorerPage, serveExplorerAsset } from './explorer';
import { LIAISON_CSP, liaisonPage, serveLiaisonAsset } from './liaison';
import { SUPERVISION_CSP, serveSupervisionAsset, supervisionPage } from './supervision';
import { Metrics } from './metrics';
import { NOTICE_EXPORT_PATH, serveNoticeExport } from './notice-exports';
import { ENROLLMENT_PRINT_PATH, serveEnrollmentPrint } from './enrollment-print';
import { CORRECTION_ORDER_PRINT_PATH, serveCorrectionOrderPrint } from './correction-order-print';
import { serveSupervisionExport, SUPERVISION_EXPORT_PATH } from './supervision-exports';
import { registerModules } from '../app/modules';
import { LOG_KEYS_PATH, rootKeysFor } from '../log-roots/log-root.keys';
import { scheduleRoots } from '../log-roots/log-root.schedule';
import { scheduleKeptStatistics } from '../stats/stats.schedule';

export interface ServerOptions {
  /** Tests pass their own key pair; otherwise local use makes one in the data directory. */
  readonly keys?: { signing: SigningKey; publicJwk: JWK };
  readonly logger?: Logger;
  /** Runs after migrations and before listening (the demo seed), with the services the server will use. */
  readonly beforeListen?: (db: Database, clock: Clock, services: Services) => Promise<void>;
  /** Writes without the change log, for the benchmark's hub only (tests/bench/serve-hub.ts): main.ts never sets it. */
  readonly benchmarkWithoutChangeLog?: boolean;
  /** A pause between a logged write's two commits, for the feed's crash test only (through tests/bench/serve-hub.ts): main.ts never sets it. */
  readonly crashTestDelayBetweenCommitsMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly db: Database;
  readonly metrics: Metrics;
  readonly signingKey: SigningKey | null;
  /** Requests being answered right now. */
  inFlight(): number;
  stop(): Promise<void>;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Opens the database, builds the schema and serves HTTP: GraphQL, the explorer, health and metrics. */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  registerModules();
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const clock = new Clock(config.today, config.caseDeadline);
  const db = await openDatabase(config, () => metrics.statements.inc(), {
    benchmarkWithoutChangeLog: options.benchmarkWithoutChangeLog,
    crashTestDelayBetweenCommitsMs: options.crashTestDelayBetweenCommitsMs,
  });
  const stopDb = db.close.bind(db);
  try {
    const local = options.keys ?? (usesLocalKeys(config) ? await loadOrCreateLocalKey(config.dataDir) : null);
    const verifier = new TokenVerifier(await verificationKeys(config, local?.publicJwk ?? null), config.jwt);
    const services = createServices(db, clock, logger, config.statistics, rootKeysFor(config));
    await options.beforeListen?.(db, clock, services);
    const stopRoots = scheduleRoots(services.logRoots, config.logRoots.intervalSeconds, logger);
    const stopKeeping = config.statistics.keep ? scheduleKeptStatistics(services.statistics, config.statistics.keepIntervalSeconds, logger) : async () => undefined;
    const apollo = createApollo(config, metrics, logger);
    const webSockets = graphqlOverWebSocket({ verifier, db, clock, services, logger });
    apollo.addPlugin(webSockets.drainPlugin);
    await apollo.start();
    const demoTokens = config.env === 'development' && usesLocalKeys(config) && local !== null;

    let inFlight = 0;
    let draining = false;
    const server = http.createServer((req, res) => {
      inFlight++;
      const started = process.hrtime.bigint();
      res.once('close', () => {
        inFlight--;
        logger.info({ requestId: res.getHeader('x-request-id'), method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
      });
      // While shutting down, tell keep-alive clients to reconnect (to another instance).
      if (draining) res.setHeader('connection', 'close');
      const header = req.headers['x-request-id'];
      const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
      res.setHeader('x-request-id', requestId);
      res.setHeader('x-content-type-options', 'nosniff');
      handle(req, res, requestId).catch((error) => {
        logger.error({ requestId, err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
        else res.end();
      });
    });

    async function handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (req.method === 'GET' && url.pathname === '/readyz') return draining ? sendJson(res, 503, { status: 'shutting down' }) : ready(res);
      if (req.method === 'GET' && url.pathname === LOG_KEYS_PATH) {
        // Public keys only: whoever checks a root or a proof fetches them once and keeps them.
        res.setHeader('cache-control', 'public, max-age=300');
        return sendJson(res, 200, services.logRoots.publicKeys);
      }
      if (req.method === 'GET' && url.pathname === '/metrics') {
        const pool = (db.orm.em.getConnection().getKnex().client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
        if (pool) {
          metrics.pool.set({ state: 'used' }, pool.numUsed());
          metrics.pool.set({ state: 'free' }, pool.numFree());
          metrics.pool.set({ state: 'pending' }, pool.numPendingAcquires());
        }
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return void res.end(await metrics.registry.metrics());
      }
      if (req.method === 'GET' && url.pathname === '/') {
        res.writeHead(302, { location: '/graphql' });
        return void res.end();
      }
      if (req.method === 'GET' && url.pathname.startsWith('/explorer/') && serveExplorerAsset(url.pathname, res)) return;
      if (req.method === 'GET' && url.pathname === '/explorer/demo-tokens' && demoTokens) {
        const tokens = await Promise.all(DEMO_IDENTITIES.map(async (d) => ({ ...d, token: await signToken(local!.signing, config.jwt, d) })));
        return sendJson(res, 200, tokens);
      }
      if (req.method === 'GET' && url.pathname.startsWith('/liaison/') && serveLiaisonAsset(url.pathname, res)) return;
      if (req.method === 'GET' && url.pathname === '/liaison') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': LIAISON_CSP });
        return void res.end(liaisonPage({ demoTokens }));
      }
      if (req.method === 'GET' && url.pathname.startsWith('/supervision/') && serveSupervisionAsset(url.pathname, res)) return;
      if (req.method === 'GET' && url.pathname === '/supervision') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': SUPERVISION_CSP });
        return void res.end(supervisionPage({ demoTokens, today: clock.today(), deadline: clock.caseDeadline() }));
      }
      const noticeExport = req.method === 'GET' ? NOTICE_EXPORT_PATH.exec(url.pathname) : null;
      if (noticeExport) return serveNoticeExport(await makeContext(req, requestId), noticeExport, res, logger);
      const enrollmentPrint = req.method === 'GET' ? ENROLLMENT_PRINT_PATH.exec(url.pathname) : null;
      if (enrollmentPrint) return serveEnrollmentPrint(await makeContext(req, requestId), enrollmentPrint, res);
      const orderPrint = req.method === 'GET' ? CORRECTION_ORDER_PRINT_PATH.exec(url.pathname) : null;
      if (orderPrint) return serveCorrectionOrderPrint(await makeContext(req, requestId), orderPrint, res);
      const supervisionExport = req.method === 'GET' ? SUPERVISION_EXPORT_PATH.exec(url.pathname) : null;
      if (supervisionExport) return serveSupervisionExport(await makeContext(req, requestId), supervisionExport, res, logger);
      if (url.pathname === '/graphql') {
        if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'",
          });
          return void res.end(explorerPage({ demoTokens, today: clock.today() }));
        }
        return graphql(req, res, url, requestId);
      }
      sendJson(res, 404, { error: 'not found' });
    }

    async function ready(res: http.ServerResponse): Promise<void> {
      try {
        await db.sql.query('SELECT 1');
        const pending = await pendingMigrations(db.orm);
        if (pending.length) return sendJson(res, 503, { status: 'migrations pending', pending });
        sendJson(res, 200, { status: 'ready', database: db.kind });
      } catch {
        sendJson(res, 503, { status: 'database unreachable' });
      }
    }

    async function graphql(req: http.IncomingMessage, res: http.ServerResponse, url: URL, requestId: string): Promise<void> {
      let raw: string;
      try {
        raw = req.method === 'POST' ? await readBody(req, config.maxBodyBytes) : '';
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          return sendJson(res, 413, { errors: [{ message: `请求体超过 ${config.maxBodyBytes} 字节 (request body larger than ${config.maxBodyBytes} bytes)`, extensions: { code: 'BAD_REQUEST', requestId } }] });
        }
        throw error;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = raw;
      if (raw && (headers.get('content-type') ?? '').includes('application/json')) {
        try {
          body = JSON.parse(raw);
        } catch {
          return sendJson(res, 400, { errors: [{ message: '请求体不是合法的JSON (request body is not valid JSON)', extensions: { code: 'BAD_REQUEST', requestId } }] });
        }
      }
      const response = await (apollo as ApolloServer<AppContext>).executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => makeContext(req, requestId),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      // Encoded once: given a string, Node would measure its UTF-8 length and then encode it again.
      if (response.body.kind === 'complete') return void res.end(Buffer.from(response.body.string, 'utf8'));
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }

    async function makeContext(req: http.IncomingMessage, requestId: string): Promise<AppContext> {
      let identity: Identity | null = null;
      let authError: AppError | null = null;
      const header = req.headers.authorization;
      if (header) {
        const match = /^Bearer ([A-Za-z0-9_\-.~+/=]+)$/.exec(header);
        if (!match) authError = new UnauthenticatedError('Authorization 头应为 "Bearer <令牌>" (expected "Bearer <token>")');
        else {
          try {
            identity = await verifier.verify(match[1]);
          } catch (error) {
            authError = error as AppError;
          }
        }
      }
      return new RequestContext<Services>(requestId, identity, authError, db, clock, services);
    }

    webSockets.attach(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
    let stopping: Promise<void> | null = null;
    return {
      url: `http://${host}:${port}`,
      port,
      db,
      metrics,
      signingKey: local?.signing ?? null,
      inFlight: () => inFlight,
      stop() {
        stopping ??= (async () => {
          // Stop accepting (idle keep-alive connections are closed), let in-flight requests
          // finish, then close the database.
          draining = true;
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          // WebSocket subscribers keep their connections open: close them (they resume elsewhere with after, their position).
          await webSockets.close();
          await closed;
          await stopRoots();
          await stopKeeping();
          await apollo.stop();
          await stopDb();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await stopDb();
    throw error;
  }
}
