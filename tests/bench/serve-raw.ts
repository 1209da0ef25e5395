import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { regions } from '../../src/regions/region.registry';
import { RAW_PAGE_SQL } from './federated-page.query';
import { serveBench } from './processes';

/**
 * The raw baseline of the federated page: a bare `node:http` server whose handler sends one
 * hand-written statement and returns the body PostgreSQL built. It takes the same request as the
 * hub (a GraphQL POST with `first` and `filter.region`), but does no authentication and no GraphQL.
 */
let server: http.Server | null = null;
let pool: Pool | null = null;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function page(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { variables } = JSON.parse(await readBody(req)) as { variables: { first: number; filter: { region: string } } };
  const counties = regions.countyCodesWithin(variables.filter.region);
  const { rows } = await pool!.query<{ body: string }>(RAW_PAGE_SQL, [counties, variables.first]);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(rows[0].body);
}

serveBench<{ databaseUrl: string; poolMax: number }, { url: string }>({
  async start({ databaseUrl, poolMax }) {
    pool = new Pool({ connectionString: databaseUrl, max: poolMax });
    server = http.createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== '/graphql') {
        res.writeHead(404).end();
        return;
      }
      page(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error.message);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  },
  async stop() {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    await pool?.end();
  },
});
