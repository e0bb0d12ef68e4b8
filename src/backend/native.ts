// The native backend: loads the C++ addon with node-gyp-build (a prebuild in prebuilds/, else a
// local build in build/Release) and implements the Backend interface over it. It never throws at
// import; loading is lazy and its failure is a value that backend selection turns into a fallback.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { sep } from 'node:path';
import { ACTIVATIONS, DEFAULTS, UNITS, maskTerms, runCost, type RunConfig } from '../config.js';
import type {
  Dataset,
  Params,
  Terms,
  TermsAndGrads,
  TrainJob,
  TrainResult,
} from '../model/types.js';
import { packageRoot } from '../package-info.js';
import { NATIVE_FMA, NATIVE_NUMERICS_VERSION, numericsId } from '../numerics.js';
import { nativeTraceRefusal } from '../trace/trace.js';
import { abortError } from './ts.js';
import type { Backend, BatchOptions } from './types.js';

/**
 * One run as the addon takes it (all arrays row-major Float64Array; x is n*d, W is h*d).
 * `maskBits`: cov = 1, sep = 2, ovl = 4. The addon copies everything before a worker thread sees
 * it and re-checks every size and length (n, h >= 2; d >= 1; within LIMITS; x.length == n*d ...),
 * throwing a TypeError/RangeError naming the field otherwise. `unit` and `activation` are codes
 * (their index in UNITS and ACTIVATIONS: ridge 0, radial 1; gaussian 0, cauchy 1, laplace 2;
 * absent = 0); for a radial unit `W` holds the centres P and `b` the scales s.
 */
export interface NativeJob {
  n: number;
  h: number;
  d: number;
  maskBits: number;
  unit?: number;
  activation?: number;
  lambda: number;
  tau: number;
  tauCov: number;
  lr: number;
  epochs: number;
  /** scheduling weight (runCost); the addon starts the costliest runs first */
  cost?: number;
  x: Float64Array;
  y: Float64Array;
  W: Float64Array;
  b: Float64Array;
  v: Float64Array;
  c: number;
}

/**
 * One finished run as the addon returns it; `terms` and `winners` are the C++ evaluator's
 * (native/core/evaluate.h, the bits of computeTerms and winningNeurons), absent from binaries
 * built before it.
 */
export interface NativeResult {
  W: Float64Array;
  b: Float64Array;
  v: Float64Array;
  c: number;
  diverged: boolean;
  epochsRun: number;
  wallMs: number;
  terms?: Terms;
  winners?: Int32Array;
}

/**
 * The addon's exports (native/binding.cc).
 *
 * - `trainBatch(jobs, threads, onResult, isa?)` starts the batch on native threads (largest runs
 *   first, each run on one thread, so results do not depend on `threads`) and returns at once.
 *   `onResult(index, result)` is called on the main thread as each run finishes. `promise`
 *   resolves to `{ cancelled }` when all runs are done or, after `cancel()`, when the runs in flight
 *   have stopped (checked between runs and every 64 epochs); it rejects if a run failed.
 *   Each result carries the run's terms and winning neurons, evaluated on its worker thread
 *   (with the threads the batch does not train on) right after training.
 * - `termsAndGrads(job, isa?)`: the four terms and each term's own gradient (`lr`/`epochs` unused).
 * - `evaluate(job, threads?)`: the evaluator's terms and winners at the job's parameters, the bits
 *   of computeTerms and winningNeurons (absent from binaries built before it).
 * - `info()`: the active instruction set, those this machine supports, those compiled in,
 *   `std::thread::hardware_concurrency()`, the numerics version its kernels compute and whether
 *   they fuse multiply-adds (the loader takes only a binary whose numerics are this package's).
 * - `setIsa(name)`: the variant for calls that do not name one (process-wide). At load,
 *   PROTOMLP_SIMD=scalar|avx2|avx512|neon does the same, and loading fails with a clear message when
 *   this CPU/OS cannot run it.
 * - `vectorExp(values, isa?)`: the kernels' exp, for accuracy tests.
 * - `fdlibmExp(values, isa?)`: the evaluator's exp on that instruction set (fdlibm's bits, those of
 *   src/numerics/fdlibm.ts), for tests (absent from binaries built before the evaluator).
 * - `matchInputs(x, protos, n, h, d)`: the exact recon matching by LAPJV (native/core/lap.h), for
 *   each input its prototype or -1, or null when the solver cannot decide it (a distance that is
 *   not finite, more than 10^8 pairs); sizes and lengths that disagree throw a RangeError.
 *   Synchronous. Optional: a binary built before it existed lacks it, and callers fall back to TS.
 */
export interface NativeBinding {
  trainBatch(
    jobs: readonly NativeJob[],
    threads: number,
    onResult: (index: number, result: NativeResult) => void,
    isa?: string,
  ): { promise: Promise<{ cancelled: boolean }>; cancel(): void };
  termsAndGrads(
    job: Omit<NativeJob, 'lr' | 'epochs'> & Partial<NativeJob>,
    isa?: string,
  ): TermsAndGrads;
  evaluate?(
    job: Omit<NativeJob, 'lr' | 'epochs'> & Partial<NativeJob>,
    threads?: number,
  ): { terms: Terms; winners: Int32Array };
  info(): {
    isa: string;
    supported: string[];
    compiled: string[];
    threads: number;
    numerics: number;
    fma: boolean;
    /** the C++ copies of TS constants (test/native-constants.test.ts checks they agree) */
    constants?: {
      adam: { beta1: number; beta2: number; eps: number };
      limits: { maxN: number; maxHidden: number; maxDim: number; maxEpochs: number };
      /** kPrototypeEps (native/core/numerics.h): PROTOTYPE_EPS */
      prototypeEps: number;
    };
  };
  setIsa(isa: string): void;
  vectorExp(values: Float64Array, isa?: string): Float64Array;
  fdlibmExp?(values: Float64Array, isa?: string): Float64Array;
  matchInputs?(
    x: Float64Array,
    protos: Float64Array,
    n: number,
    h: number,
    d: number,
  ): Int32Array | null;
}

/** The outcome of loading the addon: the binding, or why there is none. */
export interface NativeLoad {
  binding: NativeBinding | null;
  /** where the binary came from: a prebuild shipped in the package, or a local build */
  source: 'prebuild' | 'build' | null;
  path: string | null;
  /** why loading failed (null when it worked) */
  error: string | null;
}

let cached: NativeLoad | undefined;

/**
 * Why a loaded binary may not be used: its kernels compute other numerics than this package's (a
 * binary built from other sources, or with the other multiply-add design); undefined when they match.
 */
export function numericsMismatch(
  info: { numerics?: unknown; fma?: unknown },
  path: string,
): string | undefined {
  if (info.numerics === NATIVE_NUMERICS_VERSION && info.fma === NATIVE_FMA) return undefined;
  const design = (version: unknown, fused: unknown): string =>
    `numerics ${String(version)} ${fused ? 'with' : 'without'} fused multiply-adds`;
  return `${path} computes ${design(info.numerics, info.fma)}, this protomlp ${design(NATIVE_NUMERICS_VERSION, NATIVE_FMA)} (a binary built from other sources: npm rebuild protomlp)`;
}

/**
 * Loads the addon once per process (later calls return the same outcome). Never throws.
 *
 * @example
 * ```ts
 * const { binding, error } = loadNative();
 * if (binding) console.log(binding.info().isa); else console.log('no native backend:', error);
 * ```
 */
export function loadNative(): NativeLoad {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let path: string | null = null;
  try {
    const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    path = gypBuild.resolve(packageRoot());
    const binding = require(path) as NativeBinding;
    const mismatch = numericsMismatch(binding.info(), path);
    if (mismatch) throw new Error(mismatch);
    const source = path.split(sep).includes('prebuilds') ? 'prebuild' : 'build';
    cached = { binding, source, path, error: null };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
    cached = { binding: null, source: null, path, error: message };
  }
  return cached;
}

/** The addon's job for a backend job (arrays are passed as they are; the addon copies them). */
export function toNativeJob(job: TrainJob): NativeJob {
  const { config, data, initial } = job;
  return {
    ...toNativeProblem(config, data, initial),
    lr: config.lr,
    epochs: config.epochs,
    cost: runCost(config),
  };
}

/** The addon's problem (data, parameters, loss settings) for termsAndGrads; a job without lr/epochs. */
export function toNativeProblem(
  config: RunConfig,
  data: Dataset,
  params: Params,
): Omit<NativeJob, 'lr' | 'epochs'> {
  const on = maskTerms(config.mask);
  return {
    n: config.n,
    h: config.hidden,
    d: config.dim,
    maskBits: (on.cov ? 1 : 0) | (on.sep ? 2 : 0) | (on.ovl ? 4 : 0),
    unit: UNITS.indexOf(config.unit ?? DEFAULTS.unit),
    activation: ACTIVATIONS.indexOf(config.activation ?? DEFAULTS.activation),
    lambda: config.lambda,
    tau: config.tau,
    tauCov: config.tauCov,
    x: data.x,
    y: data.y,
    W: params.W,
    b: params.b,
    v: params.v,
    c: params.c,
  };
}

function fromNative(r: NativeResult): TrainResult {
  return {
    final: { W: r.W, b: r.b, v: r.v, c: r.c },
    diverged: r.diverged,
    epochsRun: r.epochsRun,
    wallMs: r.wallMs,
    ...(r.terms && r.winners ? { terms: r.terms, winners: r.winners } : {}),
  };
}

/** Traces are recorded by the TS backend only, so far: a traced job is refused, never run untraced. */
function refuseTraces(jobs: readonly TrainJob[]): void {
  const traced = jobs.find((job) => job.trace !== undefined);
  if (traced) throw nativeTraceRefusal(traced.trace);
}

/**
 * A Backend over a loaded binding. `isa` pins one kernel variant for every call (tests compare
 * variants this way); by default calls use the binding's active variant.
 *
 * @example
 * ```ts
 * const { binding } = loadNative();
 * const scalar = createNativeBackend(binding!, 'scalar');
 * const [result] = await scalar.trainBatch([job], { threads: 1 });
 * ```
 */
export function createNativeBackend(binding: NativeBinding, isa?: string): Backend {
  if (isa !== undefined && !binding.info().supported.includes(isa)) binding.setIsa(isa); // throws the addon's message
  return {
    name: 'native',
    numerics: numericsId('native'),
    get isa() {
      return isa ?? binding.info().isa;
    },
    async trainBatch(
      jobs: readonly TrainJob[],
      options: BatchOptions = {},
    ): Promise<TrainResult[]> {
      const { signal, onResult } = options;
      if (signal?.aborted) throw abortError(signal.reason);
      if (jobs.length === 0) return [];
      refuseTraces(jobs);
      const results: TrainResult[] = new Array(jobs.length);
      let callbackError: { error: unknown } | undefined;
      // the addon trains on min(threads, runs) threads and evaluates with the rest too
      const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), 1024));
      const handle = binding.trainBatch(
        jobs.map(toNativeJob),
        threads,
        (index, raw) => {
          const result = fromNative(raw);
          results[index] = result;
          if (callbackError || !onResult) return;
          try {
            onResult(index, result);
          } catch (error) {
            callbackError = { error };
            handle.cancel();
          }
        },
        isa,
      );
      const onAbort = (): void => handle.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      let status: { cancelled: boolean };
      try {
        status = await handle.promise;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      if (callbackError) throw callbackError.error;
      if (status.cancelled) throw abortError(signal?.reason);
      return results;
    },
    termsAndGrads(config: RunConfig, data: Dataset, params: Params): TermsAndGrads {
      return binding.termsAndGrads(toNativeProblem(config, data, params), isa);
    },
  };
}
