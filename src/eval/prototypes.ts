// Prototypes of the hidden neurons (SPEC §1, §1b): for a ridge unit the point of peak response
// nearest the origin, for a radial unit its centre. Pure arithmetic on the formula of the
// contract; no validation of finiteness (callers decide).

import { DEFAULTS, type Unit } from '../config.js';
import { prototypesInto } from '../model/losses.js';
import type { Params } from '../model/types.js';
import { paramsFromJson, type RunRecord } from '../record.js';

/**
 * The prototype of every hidden neuron, as an H x d row-major array (H = `params.b.length`): for
 * a ridge unit p_j = -b_j w_j / (|w_j|^2 + eps) with eps = 1e-12 (PROTOTYPE_EPS), for a radial
 * unit (`unit: 'radial'`) its centre, row j of `params.W` (which holds P).
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
export function prototypes(params: Params, dim: number, unit: Unit = DEFAULTS.unit): Float64Array {
  const h = params.b.length;
  const out = new Float64Array(h * dim);
  prototypesInto(params, dim, out, new Float64Array(h), unit);
  return out;
}

/**
 * The prototypes of a record's final (or initial) parameters, whatever its unit.
 *
 * @example
 * ```ts
 * const record = await trainRun({ n: 10, unit: 'radial' });
 * recordPrototypes(record); // Float64Array of H x d centres
 * ```
 */
export function recordPrototypes(
  record: Pick<RunRecord, 'config' | 'final' | 'initial'>,
  which: 'final' | 'initial' = 'final',
): Float64Array {
  return prototypes(paramsFromJson(record[which]), record.config.dim, record.config.unit);
}
