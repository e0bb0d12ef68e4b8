// Plain-array shapes shared by every backend: parameters, a training job and its result.
// Row-major Float64Arrays so they cross to C++ without copying element by element.

import type { RunConfig } from '../config.js';
import type { Trace } from '../trace/trace.js';

/**
 * Network parameters: W is H x d row-major (row j = w_j), b and v have length H. For a `radial`
 * unit (SPEC §1b) the same two arrays hold its parameters: `W` the centres P (row j = p_j) and `b`
 * the scales s, so every backend, the optimizer and the native boundary handle both geometries
 * alike; records name them `P` and `s` (src/record.ts).
 *
 * @example
 * ```ts
 * const params: Params = paramsFromJson(record.final);
 * prototypes(params, record.config.dim);
 * ```
 */
export interface Params {
  W: Float64Array;
  b: Float64Array;
  v: Float64Array;
  c: number;
}

/**
 * A dataset: x is N x d row-major, y has length N.
 *
 * @example
 * ```ts
 * const data: Dataset = makeDataset(resolveConfig({ n: 5, dim: 2 }));
 * data.x.length; // 10
 * ```
 */
export interface Dataset {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Everything a backend needs to train one run: the config, the data and the start.
 *
 * @example
 * ```ts
 * const job: TrainJob = { config: record.config, data: dataFromJson(record.data), initial: paramsFromJson(record.initial) };
 * const [result] = await selectBackend('ts').trainBatch([job]);
 * ```
 */
export interface TrainJob {
  config: RunConfig;
  data: Dataset;
  initial: Params;
  /** record a trace, a snapshot every `trace` epochs (src/trace/; an output option, not a run field) */
  trace?: number;
}

/**
 * What a backend returns for one run.
 *
 * @example
 * ```ts
 * const [result]: TrainResult[] = await selectBackend().trainBatch([job]);
 * result.diverged ? 'diverged' : result.epochsRun;
 * ```
 */
export interface TrainResult {
  /** parameters at the end (at the stop, for a diverged run) */
  final: Params;
  /** a loss or a parameter became non-finite */
  diverged: boolean;
  /** Adam steps taken (= epochs unless diverged) */
  epochsRun: number;
  /** wall time of this run's training, measured by the backend, in milliseconds */
  wallMs: number;
  /** the snapshots, when the job asked for a trace */
  trace?: Trace;
  /**
   * The four terms at `final` (`computeTerms` at the job's config, the same bits), when the
   * backend evaluated the run off the main thread (both backends do; an older native binary does
   * not, and then the record's builder computes them).
   */
  terms?: Terms;
  /** The winning neuron of every sample at `final` (`winningNeurons`), with `terms`. */
  winners?: Int32Array;
}

/**
 * The four loss terms of SPEC §2 at one point.
 *
 * @example
 * ```ts
 * const { fit, cov, sep, ovl }: Terms = computeTerms(record.config, dataFromJson(record.data), paramsFromJson(record.final));
 * ```
 */
export interface Terms {
  fit: number;
  cov: number;
  sep: number;
  ovl: number;
}

/** Gradient of one scalar with respect to every parameter (same shapes as {@link Params}). */
export type Gradient = Params;

/** The terms and each term's own gradient at one point (used by conformance tests and selftest). */
export interface TermsAndGrads {
  terms: Terms;
  grads: Record<keyof Terms, Gradient>;
}

/** Copies parameters (so a backend never writes into its caller's arrays). */
export function cloneParams(p: Params): Params {
  return {
    W: Float64Array.from(p.W),
    b: Float64Array.from(p.b),
    v: Float64Array.from(p.v),
    c: p.c,
  };
}
