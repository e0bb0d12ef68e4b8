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
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './ts-worker.ts' : './ts-worker.js',
  import.meta.url,
);

/**
 * Workers left idle by earlier batches, reused by the next: a batch does not pay a worker start
 * (tens of ms; seconds under a TypeScript loader, which each worker loads again). Idle workers are
 * unref'd, so they never keep the process alive. A worker holds no state between runs.
 */
const idle = new Set<Worker>();

function takeWorker(): Worker {
  const [reused] = idle;
  if (reused) {
    idle.delete(reused);
    reused.ref();
    return reused;
  }
  const worker = new Worker(workerUrl);
  worker.on('exit', () => idle.delete(worker));
  return worker;
}

function releaseWorker(worker: Worker): void {
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  worker.unref();
  idle.add(worker);
}

function trainBatch(jobs: readonly TrainJob[], options: BatchOptions = {}): Promise<TrainResult[]> {
  const { signal, onResult } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  if (jobs.length === 0) return Promise.resolve([]);
  const order = jobs
    .map((_, i) => i)
    .sort((a, b) => runCost(jobs[b].config) - runCost(jobs[a].config) || a - b);
  const poolSize = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
  const results: TrainResult[] = new Array(jobs.length);
  return new Promise<TrainResult[]>((resolve, reject) => {
    /** each worker of this batch, and whether it is training a run now */
    const busy = new Map<Worker, boolean>();
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // a worker still in a run cannot be interrupted (training is synchronous): it is ended
      for (const [w, running] of busy) {
        if (running) void w.terminate();
        else releaseWorker(w);
      }
      if (error) reject(error);
      else resolve(results);
    };
    const onAbort = (): void => finish(abortError(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (worker: Worker): void => {
      if (next < order.length) {
        const index = order[next++];
        busy.set(worker, true);
        worker.postMessage({ index, job: jobs[index] });
      } else busy.set(worker, false);
    };
    for (let k = 0; k < poolSize; k++) {
      const worker = takeWorker();
      busy.set(worker, false);
      worker.on('message', (message: { index: number; result: TrainResult }) => {
        if (settled) return;
        busy.set(worker, false);
        results[message.index] = message.result;
        done += 1;
        try {
          onResult?.(message.index, message.result);
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (settled) return; // onResult aborted the batch: this worker is idle again, give it nothing
        if (done === jobs.length) finish();
        else feed(worker);
      });
      worker.on('error', (error) => {
        busy.set(worker, true); // dead: never back to the idle set
        finish(error);
      });
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
