// The per-run metrics of SPEC §4, computed from the data and the final parameters.
// Never trains and never throws on a diverged run: what cannot be computed is NaN here, null in
// the record. Only wrong array lengths (a caller's bug) throw.

import type { RunConfig } from '../config.js';
import type { Dataset, Params, Terms } from '../model/types.js';
import type { Metrics } from '../record.js';
import { allFinite, boundingBox, checkLength, checkSizes, finiteOrNull, norm } from './checks.js';
import { outsideHull, type Outside } from './hull.js';
import { assignment1d } from './assign1d.js';
import { assignment } from './hungarian.js';
import { prototypes } from './prototypes.js';
import { PAPER_NEURON, phi, preActivation } from '../model/activation.js';
import { loadNative } from '../backend/native.js';

/** The sizes a metric needs from a run config, and the neuron's form (default: the paper's). */
export type Shape = Pick<RunConfig, 'n' | 'hidden' | 'dim'> &
  Partial<Pick<RunConfig, 'unit' | 'activation'>>;

/**
 * The optimal assignment of SPEC §4 `recon` between the N inputs and the H prototypes under the
 * Euclidean cost |x_i - p_j|: for each input i its prototype, or -1 when N > H and input i is left
 * unmatched (min(N, H) pairs). `x` is N x d and `protos` H x d, both row-major. Every solver is
 * exact (float64, no approximation):
 *
 * - d = 1: the exact sorted matching / monotone DP (src/eval/assign1d.ts);
 * - d > 1: the addon's Jonker–Volgenant solver (LAPJV, native/core/lap.cc) when the addon loads
 *   and has it, with costs of exactly the bits of {@link distance}; else, or when
 *   PROTOMLP_BACKEND=ts, or when a distance overflows the plain sum of squares, the TS Hungarian
 *   (src/eval/hungarian.ts).
 *
 * When the optimum is unique every path returns it. Among equally cheap assignments (ties: equal
 * distances, duplicate inputs or prototypes) each solver deterministically picks one, but the two
 * d > 1 solvers may pick different ones; `recon` sums {@link distance} over the matching in input
 * order, so it can then differ in its last bits between a machine with the addon and one without.
 * Undefined when an input or a prototype is not finite, or two are too far apart for a float64
 * distance (a diverged run).
 *
 * @example
 * ```ts
 * matchInputs(Float64Array.of(-0.5, 0, 0.5), Float64Array.of(0.5, -0.25, 0.25), 3, 3, 1);
 * // Int32Array [1, 2, 0]
 * ```
 */
export function matchInputs(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): Int32Array | undefined {
  checkSizes(n, h, d);
  checkLength('x.length', x.length, 'n * dim', n * d);
  checkLength('protos.length', protos.length, 'hidden * dim', h * d);
  if (!allFinite(x) || !allFinite(protos)) return undefined;
  if (d === 1) return Number.isFinite(spread(x, protos)) ? assignment1d(x, protos) : undefined;
  const native = nativeMatch(x, protos, n, h, d);
  if (native) return native;
  const cost = new Float64Array(n * h);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      const c = distance(x, i, protos, j, d);
      if (!Number.isFinite(c)) return undefined;
      cost[i * h + j] = c;
    }
  }
  return assignment(cost, n, h).rowToCol;
}

/**
 * The addon's LAPJV matching (d > 1), or undefined when the TS Hungarian must decide: under
 * PROTOMLP_BACKEND=ts (the one switch that keeps every computation in TS), when the addon does not
 * load, when it is a binary without `matchInputs`, or when it cannot (a sum of squares overflows:
 * TS's Math.hypot decides; more than 10^8 pairs).
 */
function nativeMatch(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): Int32Array | undefined {
  if (process.env.PROTOMLP_BACKEND === 'ts') return undefined;
  const { binding } = loadNative();
  if (typeof binding?.matchInputs !== 'function') return undefined;
  return binding.matchInputs(x, protos, n, h, d) ?? undefined;
}

/** |x_i - p_j| for rows i of `x` and j of `protos` (both with d columns). */
export function distance(
  x: Float64Array,
  i: number,
  protos: Float64Array,
  j: number,
  d: number,
): number {
  if (d === 1) return Math.abs(x[i] - protos[j]);
  // norm()'s sum of squares without an array per pair; the rare overflow takes norm() itself
  let sum = 0;
  for (let k = 0; k < d; k++) {
    const e = x[i * d + k] - protos[j * d + k];
    sum += e * e;
  }
  if (sum !== Infinity) return Math.sqrt(sum);
  const diff = new Float64Array(d);
  for (let k = 0; k < d; k++) diff[k] = x[i * d + k] - protos[j * d + k];
  return norm(diff);
}

/**
 * Reconstruction error (SPEC §4 `recon`): the mean cost |x_i - p_j| over the min(N, H) pairs of
 * the optimal assignment ({@link matchInputs}), summed in input order. `x` is N x d and `protos`
 * H x d, both row-major.
 *
 * Returns NaN when an input or a prototype is not finite (a diverged run).
 *
 * @example
 * ```ts
 * const x = Float64Array.of(-0.5, 0, 0.5);
 * const protos = Float64Array.of(0.5, -0.25, 0.25);
 * reconstructionError(x, protos, 3, 3, 1); // (0.25 + 0.25 + 0) / 3
 * ```
 */
export function reconstructionError(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): number {
  return meanMatched(matchedDistances(x, protos, n, h, d), n, h);
}

/**
 * The min(N, H) distances |x_i - p_j| of the optimal assignment ({@link matchInputs}), in input
 * order; undefined when there is none (a diverged run). `recon` is their mean, the scorecard's
 * quantiles read them, so a record computes the assignment of its final prototypes once.
 *
 * @example
 * ```ts
 * matchedDistances(Float64Array.of(0, 10), Float64Array.of(9), 2, 1, 1); // Float64Array [1]
 * ```
 */
export function matchedDistances(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): Float64Array | undefined {
  const rowToCol = matchInputs(x, protos, n, h, d);
  if (!rowToCol) return undefined;
  const out = new Float64Array(Math.min(n, h));
  let k = 0;
  for (let i = 0; i < n; i++)
    if (rowToCol[i] >= 0) out[k++] = distance(x, i, protos, rowToCol[i], d);
  return out;
}

/** `recon` from {@link matchedDistances}: their sum in input order over min(N, H); NaN without a matching. */
export function meanMatched(matched: Float64Array | undefined, n: number, h: number): number {
  if (!matched) return NaN;
  let total = 0;
  for (const v of matched) total += v;
  return total / Math.min(n, h);
}

/** The largest |x_i - p_j| over all pairs of two 1-D sets (Infinity when it overflows). */
export function spread(x: Float64Array, p: Float64Array): number {
  const bx = boundingBox(x, x.length, 1);
  const bp = boundingBox(p, p.length, 1);
  return Math.max(Math.abs(bx.hi[0] - bp.lo[0]), Math.abs(bp.hi[0] - bx.lo[0]));
}

/**
 * The winning neuron of every sample: argmax_j h_ij with h_ij = phi(z_ij) (for the paper's
 * neuron exp(-(w_j . x_i + b_j)^2); `shape.unit`/`shape.activation` choose another), ties
 * to the lowest j. The comparison is on h itself, as SPEC states it, so a sample far from every
 * neuron (all h_ij underflow to 0) is won by neuron 0. A sample whose responses include NaN gets
 * -1.
 *
 * @example
 * ```ts
 * const params = { W: Float64Array.of(1, 1), b: Float64Array.of(0.5, -0.5), v: new Float64Array(2), c: 0 };
 * winningNeurons({ n: 2, hidden: 2, dim: 1 }, { x: Float64Array.of(-0.5, 0.4), y: new Float64Array(2) }, params);
 * // Int32Array [0, 1]
 * ```
 */
export function winningNeurons(shape: Shape, data: Dataset, params: Params): Int32Array {
  const { n, hidden: h, dim: d } = shape;
  const unit = shape.unit ?? PAPER_NEURON.unit;
  const activation = shape.activation ?? PAPER_NEURON.activation;
  checkSizes(n, h, d);
  checkLength('data.x.length', data.x.length, 'n * dim', n * d);
  checkLength('W.length', params.W.length, 'hidden * dim', h * d);
  checkLength('b.length', params.b.length, 'hidden', h);
  const winners = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestResponse = -Infinity;
    for (let j = 0; j < h; j++) {
      const z = preActivation(unit, params.W, params.b, data.x, i, j, d);
      const response = phi(activation, z);
      if (Number.isNaN(response)) {
        best = -1;
        break;
      }
      if (response > bestResponse) {
        bestResponse = response;
        best = j;
      }
    }
    winners[i] = best;
  }
  return winners;
}

/**
 * Specialization ratio (SPEC §4 `spec`): the number of distinct winning neurons
 * ({@link winningNeurons}) divided by N. 1 means every sample has a neuron of its own (possible
 * only when H >= N). NaN when a response is NaN (a diverged run).
 *
 * @example
 * ```ts
 * const params = { W: Float64Array.of(1, 1, 1), b: Float64Array.of(0.5, 0.5, -0.5), v: new Float64Array(3), c: 0 };
 * const data = { x: Float64Array.of(-0.5, -0.4, 0.5), y: new Float64Array(3) };
 * specializationRatio({ n: 3, hidden: 3, dim: 1 }, data, params); // 2 / 3 (neuron 1 ties neuron 0 and loses)
 * ```
 */
export function specializationRatio(shape: Shape, data: Dataset, params: Params): number {
  return distinctWinners(shape, winningNeurons(shape, data, params));
}

/** `spec` from the winners ({@link winningNeurons}): distinct winners / N, NaN if any is -1. */
function distinctWinners(shape: Shape, winners: Int32Array): number {
  checkLength('winners.length', winners.length, 'n', shape.n);
  const seen = new Uint8Array(shape.hidden);
  let distinct = 0;
  for (const j of winners) {
    if (j < 0) return NaN;
    if (!seen[j]) {
      seen[j] = 1;
      distinct++;
    }
  }
  return distinct / shape.n;
}

/**
 * Prototypes outside the bounding box of the inputs (per coordinate [min_i x_ik, max_i x_ik],
 * closed): their fraction of H and their mean Euclidean distance to the box (0 when none is
 * outside). The box contains the convex hull, so it can count a prototype as inside when the hull
 * ({@link outsideHull}) would not; for d > 1 it is the extra `outsideBox`/`outsideBoxDist`.
 * Both values are NaN when an input or a prototype is not finite.
 *
 * @example
 * ```ts
 * const x = Float64Array.of(-0.5, 0, 0.5);
 * outsideBoundingBox(x, Float64Array.of(-0.5, 0.25, 0.875), 3, 3, 1);
 * // { fraction: 1 / 3, meanDist: 0.375 }
 * ```
 */
export function outsideBoundingBox(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): Outside {
  checkSizes(n, h, d);
  checkLength('x.length', x.length, 'n * dim', n * d);
  checkLength('protos.length', protos.length, 'hidden * dim', h * d);
  if (!allFinite(x) || !allFinite(protos)) return { fraction: NaN, meanDist: NaN };
  const { lo, hi } = boundingBox(x, n, d);
  const excess = new Float64Array(d);
  let count = 0;
  let sumDist = 0;
  for (let j = 0; j < h; j++) {
    let isOutside = false;
    for (let k = 0; k < d; k++) {
      const p = protos[j * d + k];
      excess[k] = p < lo[k] ? lo[k] - p : p > hi[k] ? p - hi[k] : 0;
      if (excess[k] > 0) isOutside = true;
    }
    if (isOutside) {
      count++;
      sumDist += norm(excess);
    }
  }
  return { fraction: count / h, meanDist: count === 0 ? 0 : sumDist / count };
}

/**
 * All metrics of one finished run, exactly the {@link Metrics} shape of a run record: `recon`,
 * `spec` and the hull metrics from the data and the final parameters, `fit`/`cov`/`sep`/`ovl`
 * from the caller's final loss terms, `spec` from the caller's `winners` when given (a backend
 * computes them off the main thread; the same bits as {@link winningNeurons}, which is called
 * otherwise). Any value that is not finite becomes null; this never throws
 * on non-finite parameters. `outside`/`outsideDist` use the exact convex hull in every dimension
 * ({@link outsideHull}); for d > 1 `outsideBox`/`outsideBoxDist` add the bounding box. `diverged`
 * is the caller's flag, also set when a final parameter or term is not finite (so a record never
 * shows null metrics with `diverged: false`).
 *
 * @example
 * ```ts
 * const metrics = evaluateRun(config, data, result.final, result.diverged, terms);
 * // { recon: 0.012, spec: 0.9, fit: 0.003, cov: 0.0004, sep: 0.02, ovl: 0.1,
 * //   outside: 0, outsideDist: 0, diverged: false }
 * ```
 */
export function evaluateRun(
  config: RunConfig,
  data: Dataset,
  final: Params,
  diverged: boolean,
  terms: Terms,
  winners?: Int32Array,
  matched?: { distances: Float64Array | undefined },
): Metrics {
  const { n, hidden: h, dim: d } = config;
  checkSizes(n, h, d);
  checkLength('data.x.length', data.x.length, 'n * dim', n * d);
  checkLength('data.y.length', data.y.length, 'n', n);
  checkLength('final.W.length', final.W.length, 'hidden * dim', h * d);
  checkLength('final.b.length', final.b.length, 'hidden', h);
  checkLength('final.v.length', final.v.length, 'hidden', h);

  const protos = prototypes(final, d, config.unit);
  const hull = outsideHull(data.x, protos, n, h, d);
  const box = d > 1 ? outsideBoundingBox(data.x, protos, n, h, d) : undefined;
  const paramsFinite =
    allFinite(final.W) && allFinite(final.b) && allFinite(final.v) && Number.isFinite(final.c);
  const termsFinite = [terms.fit, terms.cov, terms.sep, terms.ovl].every(Number.isFinite);
  return {
    recon: finiteOrNull(
      matched ? meanMatched(matched.distances, n, h) : reconstructionError(data.x, protos, n, h, d),
    ),
    spec: finiteOrNull(
      winners ? distinctWinners(config, winners) : specializationRatio(config, data, final),
    ),
    fit: finiteOrNull(terms.fit),
    cov: finiteOrNull(terms.cov),
    sep: finiteOrNull(terms.sep),
    ovl: finiteOrNull(terms.ovl),
    outside: finiteOrNull(hull.fraction),
    outsideDist: finiteOrNull(hull.meanDist),
    ...(box
      ? { outsideBox: finiteOrNull(box.fraction), outsideBoxDist: finiteOrNull(box.meanDist) }
      : {}),
    diverged: diverged || !paramsFinite || !termsFinite,
  };
}
