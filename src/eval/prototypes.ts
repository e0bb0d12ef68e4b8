// Prototypes of the hidden neurons (SPEC §1): the point of peak response nearest the origin.
// Pure arithmetic on the formula of the contract; no validation of finiteness (callers decide).

import { prototypesInto } from '../model/losses.js';
import type { Params } from '../model/types.js';

/**
 * The prototype of every hidden neuron, p_j = -b_j w_j / (|w_j|^2 + eps) with
 * eps = 1e-12 (PROTOTYPE_EPS), as an H x d row-major array (H = `params.b.length`).
 *
 * The formula is computed literally, as the training losses compute it: a neuron with w_j = 0
 * gets the origin, and non-finite parameters give non-finite prototypes (no error).
 *
 * @example
 * ```ts
 * const params = { W: Float64Array.of(2, -4), b: Float64Array.of(-1, 2), v: new Float64Array(2), c: 0 };
 * prototypes(params, 1); // Float64Array [0.5, 0.5] (up to the 1e-12 eps)
 * ```
 */
export function prototypes(params: Params, dim: number): Float64Array {
  const h = params.b.length;
  const out = new Float64Array(h * dim);
  prototypesInto(params, dim, out, new Float64Array(h));
  return out;
}
