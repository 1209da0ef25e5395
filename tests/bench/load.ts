import type { LoadRequest, LoadResult } from './load-worker';
import { forkBench } from './processes';
import { BenchFailure, round } from './bench';

/** Loads a server from a separate process; fails when any request failed or was answered non-2xx. */
export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const worker = await forkBench<LoadResult>('load-worker.js', { ...request }, { timeoutMs: (request.duration + 60) * 1000 });
  await worker.stop();
  const result = worker.ready;
  if (result.errors || result.non2xx || result.timeouts) {
    throw new BenchFailure(`load on ${request.url} at c=${request.connections}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  if (result.requests === 0) {
    throw new BenchFailure(`load on ${request.url} at c=${request.connections}: no request was answered in ${request.duration} s (raise --duration or lower --rounds)`);
  }
  return result;
}

/** A measured round: what the load worker saw, and the machine's 1-minute load average then. */
export type Round = LoadResult & { loadAverage: number };

/** The rounds of one server taken together. */
export interface RoundsSummary {
  /** Requests answered over all rounds divided by their seconds. */
  requestsPerSecond: number;
  requests: number;
  seconds: number;
  /** Request-weighted means of the rounds' percentiles (autocannon gives percentiles, not histograms). */
  latencyP50: number;
  latencyP99: number;
  /** 1-minute load average of the machine during the rounds (it is shared). */
  loadAverage: number;
}

/** The rounds of one server taken together: rates over all of them, request-weighted percentiles. */
export function summariseRounds(results: readonly Round[]): RoundsSummary {
  const requests = results.reduce((sum, x) => sum + x.requests, 0);
  const seconds = results.reduce((sum, x) => sum + x.duration, 0);
  const weighted = (pick: (x: LoadResult) => number) => results.reduce((sum, x) => sum + pick(x) * x.requests, 0) / requests;
  return {
    requestsPerSecond: round(requests / seconds, 2),
    requests,
    seconds: round(seconds, 2),
    latencyP50: round(weighted((x) => x.latencyP50), 1),
    latencyP99: round(weighted((x) => x.latencyP99), 1),
    loadAverage: round(results.reduce((sum, x) => sum + x.loadAverage, 0) / results.length, 1),
  };
}

/** The sum of a Prometheus counter (over its labels) from a hub's /metrics. */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
