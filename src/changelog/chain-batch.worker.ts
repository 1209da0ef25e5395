import { parentPort } from 'node:worker_threads';
import { checkBatch } from './chain-batch';

/** A worker thread of the chain verifier: checks the batches it is given, one at a time. */
parentPort!.on('message', ({ id, bytes, from }: { id: number; bytes: Uint8Array; from: number }) => {
  try {
    parentPort!.postMessage({ id, check: checkBatch(bytes, from) });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
