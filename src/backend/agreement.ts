// How closely two backends (or two kernel variants) must agree, and how that is measured: the one
// definition used by `protomlp selftest`, the native-vs-TS tests and the conformance suite.
// docs/native.md ("Tolerances, and why") explains each bound.

import type { RunConfig } from '../config.js';
import type { Dataset, Params, TermsAndGrads } from '../model/types.js';
import { exp } from '../numerics/fdlibm.js';

/** Terms and per-term gradients: relative, normwise (see {@link termsAndGradsError}). */
export const GRAD_TOL = 1e-12;
/** Trained parameters of runs not sensitive to rounding: |got - ref| / max(1, |ref|). */
export const TRAIN_TOL = 1e-10;

/** max |a - b| / max(floor, max |b|): normwise relative error of an array (0 when equal). */
export function normwise(a: ArrayLike<number>, b: ArrayLike<number>, floor = 0): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff === 0 ? 0 : diff / Math.max(scale, Number.MIN_VALUE);
}

/**
 * The size of the sums behind L_ovl and its gradient. The row-sum identity computes L_ovl as
 * (1/(N H(H-1))) sum_i [S_i^2 - sum_j h_ij^2] and dL_ovl/dh_ij from S_i - h_ij: differences of sums
 * whose rounding error is relative to S_i, not to the difference (which is tiny when one neuron
 * dominates a row). So the overlap term is compared against (1/N) sum_i S_i^2 / (H(H-1)) and its
 * gradient against max_j sum_i 2 S_i |2 z_ij h_ij| max(1, |x_i|) / (N H(H-1)).
 */
export function overlapScales(
  config: RunConfig,
  data: Dataset,
  params: Params,
): { term: number; grad: number } {
  const { n, hidden: h, dim: d } = config;
  const norm = n * h * (h - 1);
  let term = 0;
  const grad = new Float64Array(h);
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(h);
    const a = new Float64Array(h);
    let s = 0;
    let xmax = 1;
    for (let k = 0; k < d; k++) xmax = Math.max(xmax, Math.abs(data.x[i * d + k]));
    for (let j = 0; j < h; j++) {
      z[j] = params.b[j];
      for (let k = 0; k < d; k++) z[j] += params.W[j * d + k] * data.x[i * d + k];
      a[j] = exp(-z[j] * z[j]);
      s += a[j];
    }
    term += s * s;
    for (let j = 0; j < h; j++) grad[j] += (2 * s * Math.abs(2 * z[j] * a[j]) * xmax) / norm;
  }
  return { term: term / norm, grad: Math.max(...grad) };
}

/**
 * The worst relative error of `got` against `ref` over the four terms (each against its own size;
 * overlap against {@link overlapScales}) and their gradients (normwise: an entry can be a
 * cancellation of much larger contributions, so entry-wise error would measure that, not the code).
 */
export function termsAndGradsError(
  got: TermsAndGrads,
  ref: TermsAndGrads,
  ovl: { term: number; grad: number },
): { worst: number; where: string } {
  let worst = 0;
  let where = '';
  const note = (e: number, label: string): void => {
    if (e > worst || Number.isNaN(e)) [worst, where] = [e, label];
  };
  for (const term of ['fit', 'cov', 'sep', 'ovl'] as const) {
    const r = ref.terms[term];
    const scale = term === 'ovl' ? Math.max(Math.abs(r), ovl.term) : Math.abs(r);
    note(r === got.terms[term] ? 0 : Math.abs(got.terms[term] - r) / scale, `term ${term}`);
    const g = got.grads[term];
    const gr = ref.grads[term];
    note(
      normwise(
        [...g.W, ...g.b, ...g.v, g.c],
        [...gr.W, ...gr.b, ...gr.v, gr.c],
        term === 'ovl' ? ovl.grad : 0,
      ),
      `grad ${term}`,
    );
  }
  return { worst, where };
}

/** The worst |a - b| / max(1, |b|) over every parameter. */
export function paramsError(a: Params, b: Params): number {
  let worst = 0;
  const fields = [
    [a.W, b.W],
    [a.b, b.b],
    [a.v, b.v],
    [[a.c], [b.c]],
  ] as const;
  for (const [x, y] of fields)
    for (let i = 0; i < y.length; i++)
      worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
  return worst;
}
