// The neuron of SPEC §1b: its geometry (ridge z = w . x + b, radial z = s |x - p|) and its
// activation phi (gaussian exp(-z^2), cauchy 1 / (1 + z^2), laplace exp(-|z|)). One place for
// h = phi(z) and dh/dz, used by the TS losses and by evaluation (winning neurons).

import type { Activation, Unit } from '../config.js';
import { exp } from '../numerics/fdlibm.js';

/** The fields of a config that fix a neuron's form. */
export interface Neuron {
  unit: Unit;
  activation: Activation;
}

/** The paper's neuron: a ridge unit with the Gaussian activation (the defaults). */
export const PAPER_NEURON: Neuron = { unit: 'ridge', activation: 'gaussian' };

/** h = phi(z). */
export function phi(activation: Activation, z: number): number {
  if (activation === 'gaussian') return exp(-z * z);
  if (activation === 'cauchy') return 1 / (1 + z * z);
  return exp(-Math.abs(z));
}

/**
 * dL/dz from dL/dh, given z and h = phi(z): gaussian dh/dz = -2 z h, cauchy -2 z h^2, laplace
 * -sign(z) h (sign(0) = 0). The gaussian product keeps the TS model's order `g * -2 * z * h`.
 */
export function chainActivation(activation: Activation, g: number, z: number, h: number): number {
  if (activation === 'gaussian') return g * -2 * z * h;
  if (activation === 'cauchy') return g * -2 * z * h * h;
  return z > 0 ? -g * h : z < 0 ? g * h : 0;
}

/**
 * z_ij of a neuron: ridge w_j . x_i + b_j; radial s_j |x_i - p_j| (W holds P and b holds s, see
 * Params). For radial, `r` receives |x_i - p_j| when given (the backward pass needs it).
 */
export function preActivation(
  unit: Unit,
  W: Float64Array,
  b: Float64Array,
  x: Float64Array,
  i: number,
  j: number,
  d: number,
): number {
  if (unit === 'ridge') {
    let z = b[j];
    for (let k = 0; k < d; k++) z += W[j * d + k] * x[i * d + k];
    return z;
  }
  return b[j] * radialDistance(W, x, i, j, d);
}

/** |x_i - p_j| with p_j row j of P (a radial unit's centre). */
export function radialDistance(
  P: Float64Array,
  x: Float64Array,
  i: number,
  j: number,
  d: number,
): number {
  let sum = 0;
  for (let k = 0; k < d; k++) {
    const diff = x[i * d + k] - P[j * d + k];
    sum += diff * diff;
  }
  return Math.sqrt(sum);
}

/** |w_j|, row j of W (d columns): a ridge unit's scale, and a radial unit's initial one. */
export function rowNorm(W: Float64Array, j: number, d: number): number {
  let sum = 0;
  for (let k = 0; k < d; k++) sum += W[j * d + k] * W[j * d + k];
  return Math.sqrt(sum);
}
