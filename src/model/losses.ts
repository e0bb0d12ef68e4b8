// The pure-TS model (SPEC §1-2): forward pass, the four loss terms and their analytic gradients,
// on Float64Arrays. It is the reference every other backend is tested against, so it favours
// plain loops in the SPEC's own order over cleverness. Every term is O(N*H*d) or O(H^2*d).

import { DEFAULTS, PROTOTYPE_EPS, type Activation, type RunConfig, type Unit } from '../config.js';
import type { Dataset, Gradient, Params, Terms, TermsAndGrads } from './types.js';
import { exp, log } from '../numerics/fdlibm.js';
import { chainActivation, phi, preActivation, radialDistance } from './activation.js';

/** Weights of the four terms in a combined loss; a zero weight skips that term's gradient. */
export type TermWeights = Terms;

/**
 * Scratch space for one (config, data) pair, allocated once per run and reused every epoch
 * (no allocation inside the training loop).
 */
export class Workspace {
  readonly n: number;
  readonly h: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly tau: number;
  readonly tauCov: number;
  readonly unit: Unit;
  readonly activation: Activation;
  /** z_ij and h_ij, N x H row-major */
  readonly z: Float64Array;
  readonly act: Float64Array;
  /** prototypes and the gradient of the loss with respect to them, H x d */
  readonly p: Float64Array;
  readonly gp: Float64Array;
  /** |w_j|^2 + eps */
  readonly norm: Float64Array;
  /** per-sample row sums of h (overlap) and residual-derived weights (fit) */
  readonly rowSum: Float64Array;
  readonly fitWeight: Float64Array;
  /** one row of coverage distances */
  readonly dist: Float64Array;
  /** radial units: |x_i - p_j|, N x H (empty for ridge) */
  readonly r: Float64Array;

  constructor(
    config: Pick<RunConfig, 'n' | 'hidden' | 'dim' | 'tau' | 'tauCov'> &
      Partial<Pick<RunConfig, 'unit' | 'activation'>>,
    data: Dataset,
  ) {
    this.n = config.n;
    this.h = config.hidden;
    this.d = config.dim;
    this.tau = config.tau;
    this.tauCov = config.tauCov;
    this.unit = config.unit ?? DEFAULTS.unit;
    this.activation = config.activation ?? DEFAULTS.activation;
    this.x = data.x;
    this.y = data.y;
    this.z = new Float64Array(this.n * this.h);
    this.act = new Float64Array(this.n * this.h);
    this.p = new Float64Array(this.h * this.d);
    this.gp = new Float64Array(this.h * this.d);
    this.norm = new Float64Array(this.h);
    this.rowSum = new Float64Array(this.n);
    this.fitWeight = new Float64Array(this.n);
    this.dist = new Float64Array(this.h);
    this.r = new Float64Array(this.unit === 'radial' ? this.n * this.h : 0);
  }
}

/** A zero gradient with the shapes of a run's parameters. */
export function zeroGradient(h: number, d: number): Gradient {
  return { W: new Float64Array(h * d), b: new Float64Array(h), v: new Float64Array(h), c: 0 };
}

function clearGradient(g: Gradient): void {
  g.W.fill(0);
  g.b.fill(0);
  g.v.fill(0);
  g.c = 0;
}

/**
 * Prototypes into `p` (H x d): for a ridge unit p_j = -b_j w_j / (|w_j|^2 + eps), with
 * |w_j|^2 + eps into `norm`; for a radial unit the centres themselves (`norm` untouched).
 * The one implementation of the formula: evaluation (src/eval/prototypes.ts) calls it too.
 */
export function prototypesInto(
  params: Params,
  d: number,
  p: Float64Array,
  norm: Float64Array,
  unit: Unit = DEFAULTS.unit,
): void {
  if (unit === 'radial') {
    p.set(params.W);
    return;
  }
  const h = params.b.length;
  for (let j = 0; j < h; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += params.W[j * d + k] * params.W[j * d + k];
    const den = s + PROTOTYPE_EPS;
    norm[j] = den;
    for (let k = 0; k < d; k++) p[j * d + k] = (-params.b[j] * params.W[j * d + k]) / den;
  }
}

/** Forward pass: z, h into the workspace; returns L_fit and leaves dL_fit/dyhat_i in fitWeight. */
function forward(ws: Workspace, params: Params): number {
  const { n, h, d, x, y, z, act, fitWeight, unit, activation, r } = ws;
  let fit = 0;
  for (let i = 0; i < n; i++) {
    let yhat = params.c;
    for (let j = 0; j < h; j++) {
      let zij: number;
      if (unit === 'ridge') {
        zij = preActivation(unit, params.W, params.b, x, i, j, d);
      } else {
        const rij = radialDistance(params.W, x, i, j, d);
        r[i * h + j] = rij;
        zij = params.b[j] * rij;
      }
      const hij = phi(activation, zij);
      z[i * h + j] = zij;
      act[i * h + j] = hij;
      yhat += params.v[j] * hij;
    }
    const residual = yhat - y[i];
    fit += residual * residual;
    fitWeight[i] = (2 * residual) / n;
  }
  return fit / n;
}

/** L_cov (min, or softmin when tauCov > 0); adds weight * dL_cov/dp into ws.gp when weight != 0. */
function coverage(ws: Workspace, weight: number): number {
  const { n, h, d, x, p, gp, dist, tauCov } = ws;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bestJ = 0;
    for (let j = 0; j < h; j++) {
      let a = 0;
      for (let k = 0; k < d; k++) {
        const diff = x[i * d + k] - p[j * d + k];
        a += diff * diff;
      }
      dist[j] = a;
      if (a < best) {
        best = a;
        bestJ = j;
      }
    }
    if (tauCov === 0) {
      total += best;
      if (weight !== 0) {
        const f = (weight * 2) / n;
        for (let k = 0; k < d; k++) gp[bestJ * d + k] += f * (p[bestJ * d + k] - x[i * d + k]);
      }
    } else {
      let sum = 0;
      for (let j = 0; j < h; j++) {
        const e = exp(-(dist[j] - best) / tauCov);
        dist[j] = e;
        sum += e;
      }
      total += best - tauCov * log(sum / h);
      if (weight !== 0) {
        const f = (weight * 2) / (n * sum);
        for (let j = 0; j < h; j++) {
          const fj = f * dist[j];
          for (let k = 0; k < d; k++) gp[j * d + k] += fj * (p[j * d + k] - x[i * d + k]);
        }
      }
    }
  }
  return total / n;
}

/** Beyond this exponent exp(-x) underflows to exactly 0 in float64. */
const UNDERFLOW = 746;

/** L_sep over pairs j < k; adds weight * dL_sep/dp into ws.gp when weight != 0. */
function separation(ws: Workspace, weight: number): number {
  const { h, d, p, gp, tau } = ws;
  const pairs = (h * (h - 1)) / 2;
  let total = 0;
  for (let j = 0; j < h; j++) {
    for (let l = j + 1; l < h; l++) {
      let dd = 0;
      for (let k = 0; k < d; k++) {
        const diff = p[j * d + k] - p[l * d + k];
        dd += diff * diff;
      }
      // exp(-746) is exactly 0 in float64: skipping those pairs changes no bit of the result
      if (dd > UNDERFLOW * tau) continue;
      const e = exp(-dd / tau);
      total += e;
      if (weight !== 0) {
        const f = (weight * e * -2) / (tau * pairs);
        for (let k = 0; k < d; k++) {
          const g = f * (p[j * d + k] - p[l * d + k]);
          gp[j * d + k] += g;
          gp[l * d + k] -= g;
        }
      }
    }
  }
  return total / pairs;
}

/** L_ovl via the row-sum identity (sum_j h)^2 - sum_j h^2; leaves row sums in ws.rowSum. */
function overlap(ws: Workspace): number {
  const { n, h, act, rowSum } = ws;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    let q = 0;
    for (let j = 0; j < h; j++) {
      const a = act[i * h + j];
      s += a;
      q += a * a;
    }
    rowSum[i] = s;
    total += s * s - q;
  }
  return total / (n * h * (h - 1));
}

/**
 * Backpropagates through the activations: dL/dz_ij = dL/dh_ij * phi'(z_ij) (chainActivation),
 * where dL/dh_ij has a fit part (wFit * dL_fit/dyhat_i * v_j) and an overlap part
 * (wOvl * 2 (S_i - h_ij) / (N H (H-1))). Adds into grad (W, b, v, c); for a radial unit into
 * P (W) and s (b): dz/ds_j = |x_i - p_j|, dz/dp_j = s_j (p_j - x_i) / |x_i - p_j| (0 at x_i = p_j).
 */
function backwardActivations(
  ws: Workspace,
  params: Params,
  wFit: number,
  wOvl: number,
  grad: Gradient,
): void {
  const { n, h, d, x, z, act, rowSum, fitWeight, unit, activation, r } = ws;
  const ovlScale = (wOvl * 2) / (n * h * (h - 1));
  for (let i = 0; i < n; i++) {
    const gi = wFit * fitWeight[i];
    grad.c += gi;
    for (let j = 0; j < h; j++) {
      const hij = act[i * h + j];
      grad.v[j] += gi * hij;
      let dh = gi * params.v[j];
      if (wOvl !== 0) dh += ovlScale * (rowSum[i] - hij);
      const dz = chainActivation(activation, dh, z[i * h + j], hij);
      if (unit === 'ridge') {
        grad.b[j] += dz;
        for (let k = 0; k < d; k++) grad.W[j * d + k] += dz * x[i * d + k];
      } else {
        const rij = r[i * h + j];
        grad.b[j] += dz * rij;
        if (rij > 0) {
          const f = (dz * params.b[j]) / rij;
          for (let k = 0; k < d; k++) grad.W[j * d + k] += f * (params.W[j * d + k] - x[i * d + k]);
        }
      }
    }
  }
}

/**
 * Chains dL/dp (ws.gp) into W and b: dp_j/db_j = -w_j / n_j and
 * dp_jk/dw_jl = -b_j (delta_kl / n_j - 2 w_jk w_jl / n_j^2), with n_j = |w_j|^2 + eps.
 */
function backwardPrototypes(ws: Workspace, params: Params, grad: Gradient): void {
  const { h, d, gp, norm } = ws;
  if (ws.unit === 'radial') {
    // a radial unit's prototype is its centre: dp_j/dP_j is the identity
    for (let i = 0; i < h * d; i++) grad.W[i] += gp[i];
    return;
  }
  for (let j = 0; j < h; j++) {
    let gw = 0;
    for (let k = 0; k < d; k++) gw += gp[j * d + k] * params.W[j * d + k];
    const nj = norm[j];
    const bj = params.b[j];
    grad.b[j] += -gw / nj;
    const cross = (2 * bj * gw) / (nj * nj);
    for (let k = 0; k < d; k++)
      grad.W[j * d + k] += (-bj * gp[j * d + k]) / nj + cross * params.W[j * d + k];
  }
}

/**
 * The terms at `params` and the gradient of `sum_t weights[t] * term_t`, added into `grad` (which
 * is cleared first). Terms whose weight is 0 are not differentiated; with `allTerms` false they
 * are not computed either (reported as 0) — training uses that to skip inactive terms.
 */
export function lossAndGradient(
  ws: Workspace,
  params: Params,
  weights: TermWeights,
  grad: Gradient | null,
  allTerms: boolean,
): Terms {
  prototypesInto(params, ws.d, ws.p, ws.norm, ws.unit);
  const fit = forward(ws, params);
  ws.gp.fill(0);
  const useGrad = grad !== null;
  const cov = allTerms || weights.cov !== 0 ? coverage(ws, useGrad ? weights.cov : 0) : 0;
  const sep = allTerms || weights.sep !== 0 ? separation(ws, useGrad ? weights.sep : 0) : 0;
  const ovl = allTerms || weights.ovl !== 0 ? overlap(ws) : 0;
  if (grad !== null) {
    clearGradient(grad);
    backwardActivations(ws, params, weights.fit, weights.ovl, grad);
    if (weights.cov !== 0 || weights.sep !== 0) backwardPrototypes(ws, params, grad);
  }
  return { fit, cov, sep, ovl };
}

/**
 * The four terms of SPEC §2 at `params` (no gradient).
 *
 * @example
 * ```ts
 * const record = await trainRun({ n: 10, mask: 'cov' });
 * const terms = computeTerms(record.config, dataFromJson(record.data), paramsFromJson(record.final)); // at the end of training
 * ```
 */
export function computeTerms(config: RunConfig, data: Dataset, params: Params): Terms {
  const ws = new Workspace(config, data);
  return lossAndGradient(ws, params, { fit: 1, cov: 0, sep: 0, ovl: 0 }, null, true);
}

/** The four terms and each term's own gradient at `params` (tests, selftest, conformance). */
export function termsAndGradients(config: RunConfig, data: Dataset, params: Params): TermsAndGrads {
  const ws = new Workspace(config, data);
  const unit = (t: keyof Terms): TermWeights => ({ fit: 0, cov: 0, sep: 0, ovl: 0, [t]: 1 });
  const grads = {} as TermsAndGrads['grads'];
  let terms: Terms | undefined;
  for (const t of ['fit', 'cov', 'sep', 'ovl'] as const) {
    const g = zeroGradient(ws.h, ws.d);
    terms = lossAndGradient(ws, params, unit(t), g, true);
    grads[t] = g;
  }
  return { terms: terms as Terms, grads };
}
