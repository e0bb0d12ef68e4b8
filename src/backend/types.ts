// The interface every backend implements (pure TS, native). The facade in src/train.ts picks one;
// tests run one conformance suite against each through this interface.

import type { Params, TermsAndGrads, TrainJob, TrainResult } from '../model/types.js';
import type { RunConfig } from '../config.js';

/**
 * Which backend to use: `auto` (native if it loads, else TS), `native` or `ts`.
 *
 * @example
 * ```ts
 * const choice: BackendChoice = 'ts';
 * const record = await trainRun({ n: 10 }, { backend: choice });
 * ```
 */
export type BackendChoice = 'auto' | 'native' | 'ts';
/** The backend choices (here, not in select.ts, so that the CLI validates them without loading a backend). */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'native', 'ts'];

/**
 * Options for a batch of runs ({@link Backend.trainBatch}).
 *
 * @example
 * ```ts
 * const options: BatchOptions = { threads: 2, onResult: (i, result) => console.log(i, result.diverged) };
 * const results = await selectBackend().trainBatch(jobs, options);
 * ```
 */
export interface BatchOptions {
  /** threads to use (native) or workers (ts); default: every core */
  threads?: number;
  /**
   * Called on the main thread as each run finishes, in completion order, with its index in the
   * batch and its result (so a store can write it at once).
   */
  onResult?: (index: number, result: TrainResult) => void;
  /** cancels the batch: runs not started are skipped and the Promise rejects with an AbortError */
  signal?: AbortSignal;
}

/**
 * A training backend: what {@link selectBackend} returns, and what trainRuns trains with.
 *
 * @example
 * ```ts
 * const backend: Backend = selectBackend();
 * console.log(backend.name, backend.isa, backend.numerics); // e.g. native avx512 native/2
 * ```
 */
export interface Backend {
  /** `ts` or `native` */
  readonly name: 'ts' | 'native';
  /** instruction set of the kernels in use (`js` for the TS backend; `scalar`, `avx2`, `avx512`, `neon`) */
  readonly isa: string;
  /** the numerics its results are made with (`native/2`, `ts/2`; src/numerics.ts) */
  readonly numerics: string;
  /** Trains a batch of runs through all their epochs. Results are in job order. */
  trainBatch(jobs: readonly TrainJob[], options?: BatchOptions): Promise<TrainResult[]>;
  /** The four loss terms and each term's gradient at `params` (no training). */
  termsAndGrads(config: RunConfig, data: TrainJob['data'], params: Params): TermsAndGrads;
}
