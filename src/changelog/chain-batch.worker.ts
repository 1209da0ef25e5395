import { parentPort } from 'node:worker_threads';
import type { CopiedMessages } from '../db/copy-out';
import { checkBatch, checkRange } from './chain-batch';

/** A worker thread of the chain verifier: checks the batches (of one chain) and ranges (of the heap) it is given, one at a time. */
parentPort!.on('message', ({ id, bytes, from, range }: { id: number; bytes?: Uint8Array; from?: number; range?: CopiedMessages }) => {
  try {
    parentPort!.postMessage({ id, check: range ? checkRange(range) : checkBatch(bytes!, from!) });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
