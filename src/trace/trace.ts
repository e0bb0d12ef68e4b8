// Training traces (issue 18): snapshots of a run every K epochs (epoch 0 and the last one always):
// each neuron's prototype, its scale (|w_j| for a ridge unit, s_j for a radial one) and output
// weight v_j, and the loss terms (fit, cov, sep, ovl, total). Tracing is an output option, not a
// run field: it reads the parameters between epochs and never changes them, so a traced run has
// the same id and the same bits as an untraced one.

import { ValidationError } from '../errors.js';
import type { RunConfig } from '../config.js';
import { lossAndGradient, prototypesInto, Workspace } from '../model/losses.js';
import { trainingWeights } from '../model/train.js';
import { rowNorm } from '../model/activation.js';
import type { Dataset, Params } from '../model/types.js';

/** computeTerms' weights: every term computed, none differentiated. */
const ALL_TERMS = { fit: 1, cov: 0, sep: 0, ovl: 0 };

/** The loss terms of a snapshot, in this order. */
export const TRACE_TERMS = ['fit', 'cov', 'sep', 'ovl', 'total'] as const;

/** The largest trace of one run (bytes of its snapshots); a K that would exceed it is refused. */
export const MAX_TRACE_BYTES = 256 * 2 ** 20;

/**
 * A run's trace: S snapshots, row-major. `prototypes` is S x H x d, `scale` and `v` S x H, `terms`
 * S x 5 ({@link TRACE_TERMS}); `epochs[s]` is the epoch after which snapshot s was taken (0: the
 * initial parameters).
 *
 * @example
 * ```ts
 * const trace = readTrace('results/mine/traces/0123456789abcdef.npy');
 * trace.epochs.length; // S snapshots
 * ```
 */
export interface Trace {
  hidden: number;
  dim: number;
  epochs: Int32Array;
  prototypes: Float64Array;
  scale: Float64Array;
  v: Float64Array;
  terms: Float64Array;
}

/** A trace of `s` snapshots, all zero. */
export function emptyTrace(hidden: number, dim: number, s: number): Trace {
  return {
    hidden,
    dim,
    epochs: new Int32Array(s),
    prototypes: new Float64Array(s * hidden * dim),
    scale: new Float64Array(s * hidden),
    v: new Float64Array(s * hidden),
    terms: new Float64Array(s * TRACE_TERMS.length),
  };
}

/** The float fields of a snapshot, after its epoch, in file order: each array and its length per snapshot. */
export function snapshotFields(t: Trace): [Float64Array, number][] {
  const { hidden: h, dim: d } = t;
  return [
    [t.prototypes, h * d],
    [t.scale, h],
    [t.v, h],
    [t.terms, TRACE_TERMS.length],
  ];
}

/** Bytes of one snapshot of a run with H neurons in d dimensions. */
export function snapshotBytes(hidden: number, dim: number): number {
  return 4 + 8 * (hidden * dim + 2 * hidden + TRACE_TERMS.length);
}

/** Snapshots of a run of `epochs` traced every `every`: epoch 0, every multiple, and the last. */
export function snapshotCount(epochs: number, every: number): number {
  return 1 + Math.floor(epochs / every) + (epochs % every === 0 ? 0 : 1);
}

/**
 * Checks a trace interval K for a run: an integer >= 1 whose trace fits {@link MAX_TRACE_BYTES};
 * throws the one message format otherwise (field `trace`).
 */
export function checkTraceEvery(
  every: unknown,
  config: Pick<RunConfig, 'epochs' | 'hidden' | 'dim'>,
): number {
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1)
    throw new ValidationError('trace', every, 'an integer >= 1 (a snapshot every K epochs)');
  const bytes = snapshotCount(config.epochs, every) * snapshotBytes(config.hidden, config.dim);
  if (bytes > MAX_TRACE_BYTES) {
    const least = Math.ceil(
      config.epochs / (MAX_TRACE_BYTES / snapshotBytes(config.hidden, config.dim) - 2),
    );
    throw new ValidationError(
      'trace',
      every,
      `a K whose trace fits ${MAX_TRACE_BYTES / 2 ** 20} MiB per run (this one needs ${(bytes / 2 ** 20).toFixed(0)} MiB: K >= ${least} at ${config.epochs} epochs, H = ${config.hidden}, d = ${config.dim})`,
    );
  }
  return every;
}

/** The refusal of a traced run by the native backend, which does not record traces yet. */
export function nativeTraceRefusal(every: unknown): ValidationError {
  return new ValidationError(
    'trace',
    every,
    "nothing with the native backend (its kernels do not record traces yet: trace with `backend: 'ts'`)",
  );
}

/**
 * Records the snapshots of one run as it trains: {@link TraceRecorder.observe} after every epoch
 * (and before the first, epoch 0) with the current parameters; keeps epoch 0, every multiple of
 * `every`, and the last epoch ({@link TraceRecorder.finish}).
 */
export class TraceRecorder {
  private readonly trace: Trace;
  private count = 0;
  private lastEpoch = -1;
  private readonly norm: Float64Array;
  private readonly ws: Workspace;
  private readonly weights;

  constructor(
    private readonly config: RunConfig,
    data: Dataset,
    private readonly every: number,
  ) {
    const { hidden: h, dim: d, epochs } = config;
    this.trace = emptyTrace(h, d, snapshotCount(epochs, every));
    this.norm = new Float64Array(h);
    this.ws = new Workspace(config, data);
    this.weights = trainingWeights(config);
  }

  /** After epoch `epoch` (0: before the first) with the parameters then. */
  observe(epoch: number, params: Params): void {
    if (epoch % this.every === 0) this.snapshot(epoch, params);
  }

  /** The run stopped after `epoch` (its last, or where it diverged): its last snapshot, and the trace. */
  finish(epoch: number, params: Params): Trace {
    if (this.lastEpoch !== epoch) this.snapshot(epoch, params);
    const { trace, count } = this;
    const out = emptyTrace(trace.hidden, trace.dim, count);
    out.epochs.set(trace.epochs.subarray(0, count));
    const from = snapshotFields(trace);
    snapshotFields(out).forEach(([a, k], f) => a.set(from[f][0].subarray(0, count * k)));
    return out;
  }

  private snapshot(epoch: number, params: Params): void {
    const { hidden: h, dim: d, unit } = this.config;
    const s = this.count++;
    this.lastEpoch = epoch;
    const { trace } = this;
    trace.epochs[s] = epoch;
    prototypesInto(
      params,
      d,
      trace.prototypes.subarray(s * h * d, (s + 1) * h * d),
      this.norm,
      unit,
    );
    for (let j = 0; j < h; j++) {
      trace.scale[s * h + j] = unit === 'radial' ? params.b[j] : rowNorm(params.W, j, d);
      trace.v[s * h + j] = params.v[j];
    }
    // computeTerms' terms, on one workspace for the whole run (every buffer is rewritten per call)
    const t = lossAndGradient(this.ws, params, ALL_TERMS, null, true);
    const w = this.weights;
    const total = t.fit + w.cov * t.cov + w.sep * t.sep + w.ovl * t.ovl;
    trace.terms.set([t.fit, t.cov, t.sep, t.ovl, total], s * TRACE_TERMS.length);
  }
}
