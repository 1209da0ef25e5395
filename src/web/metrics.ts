import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance, served at /metrics. */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'baoxue_graphql_requests_total',
    help: 'GraphQL operations answered, by operation name and type',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'baoxue_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'baoxue_graphql_errors_total',
    help: 'Errors returned to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly statements = new Counter({
    name: 'baoxue_sql_statements_total',
    help: 'SQL statements sent to the database',
    registers: [this.registry],
  });

  readonly pool = new Gauge({
    name: 'baoxue_db_pool_connections',
    help: 'Database pool connections by state (used, free, pending acquisitions)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'baoxue_' });
  }
}
