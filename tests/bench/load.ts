import type { LoadRequest, LoadResult } from './load-worker';
import { forkBench } from './processes';
import { BenchFailure } from './bench';

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
