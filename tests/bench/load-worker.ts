import autocannon = require('autocannon');
import { serveBench } from './processes';

/**
 * The load generator, in a process of its own so that it never shares an event loop (or a CPU
 * profile) with a server under test. One `start` message is one autocannon run.
 */
export interface LoadRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds. */
  duration: number;
  /**
   * Bodies sent in turn instead of `body` (e.g. one per child, so that concurrent writes do not
   * queue on one row), each `uniqueToken` in them replaced by a number new to the run, so that
   * every write changes something.
   */
  bodies?: string[];
  uniqueToken?: string;
}

export interface LoadResult {
  connections: number;
  duration: number;
  requestsPerSecond: number;
  requests: number;
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  bytesPerSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

serveBench<LoadRequest, LoadResult>({
  async start({ url, body, headers, connections, duration, bodies, uniqueToken }) {
    let sent = 0;
    const run = `${process.pid}-${Date.now()}`;
    const requests = bodies?.length
      ? [{ method: 'POST' as const, setupRequest: (request: autocannon.Request) => {
        const next = bodies[sent % bodies.length];
        const n = `${run}-${sent++}`;
        return { ...request, body: uniqueToken ? next.split(uniqueToken).join(n) : next };
      } }]
      : undefined;
    // A slow answer is a latency to report, not a failure: only one slower than 30 s counts as a timeout.
    const result = await autocannon({ url, method: 'POST', body, headers, connections, duration, pipelining: 1, timeout: 30, requests });
    return {
      connections,
      duration: result.duration,
      requestsPerSecond: result.requests.average,
      requests: result.requests.total,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      latencyMean: result.latency.average,
      bytesPerSecond: result.throughput.average,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    };
  },
  async stop() {},
});
