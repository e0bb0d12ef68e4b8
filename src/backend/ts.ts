// The pure-TS backend: the reference model (src/model) run in a pool of worker threads, so a
// batch never blocks the event loop. Results do not depend on the number of threads.

import { availableParallelism } from 'node:os';
import { runCost } from '../config.js';
import { Worker } from 'node:worker_threads';
import { termsAndGradients } from '../model/losses.js';
import type { TrainJob, TrainResult } from '../model/types.js';
import type { Backend, BatchOptions } from './types.js';
import { numericsId } from '../numerics.js';

/** An Error whose name is `AbortError`, as AbortSignal users expect. */
export function abortError(reason?: unknown): Error {
  const error = new Error(reason instanceof Error ? reason.message : 'the batch was cancelled');
  error.name = 'AbortError';
  return error;
}

// Under a TypeScript loader (tests) this module is a .ts file and so is its worker.
const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './ts-worker.ts' : './ts-worker.js', import.meta.url);

function trainBatch(jobs: readonly TrainJob[], options: BatchOptions = {}): Promise<TrainResult[]> {
  const { signal, onResult } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  if (jobs.length === 0) return Promise.resolve([]);
  const order = jobs.map((_, i) => i).sort((a, b) => runCost(jobs[b].config) - runCost(jobs[a].config) || a - b);
  const poolSize = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
  const results: TrainResult[] = new Array(jobs.length);
  return new Promise<TrainResult[]>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve(results);
    };
    const onAbort = (): void => finish(abortError(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (worker: Worker): void => {
      if (next < order.length) {
        const index = order[next++];
        worker.postMessage({ index, job: jobs[index] });
      }
    };
    for (let k = 0; k < poolSize; k++) {
      const worker = new Worker(workerUrl);
      workers.push(worker);
      worker.on('message', (message: { index: number; result: TrainResult }) => {
        if (settled) return;
        results[message.index] = message.result;
        done += 1;
        try {
          onResult?.(message.index, message.result);
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (done === jobs.length) finish();
        else feed(worker);
      });
      worker.on('error', (error) => finish(error));
      feed(worker);
    }
  });
}

/**
 * The pure-TypeScript backend (`isa` is `js`).
 *
 * @example
 * ```ts
 * const [result] = await tsBackend.trainBatch([job], { threads: 1 });
 * ```
 */
export const tsBackend: Backend = {
  name: 'ts',
  isa: 'js',
  numerics: numericsId('ts'),
  trainBatch,
  termsAndGrads: termsAndGradients,
};
