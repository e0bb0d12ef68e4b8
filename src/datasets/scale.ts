// Scaling of input columns before training (SPEC: `--scale minmax|standard|none`), with the affine
// transform kept so prototypes and distances can be shown in the file's units. Pure arithmetic.

import type { Scale } from '../data-spec.js';

/**
 * Per input column: x_training = (x_file - shift) / factor (a record's `data.source.transform`).
 *
 * @example
 * ```ts
 * const transform: ColumnTransform = { shift: [150, 60], factor: [20, 15] };
 * unscale(Float64Array.of(0, 1), 2, transform); // Float64Array [150, 75]
 * ```
 */
export interface ColumnTransform {
  shift: number[];
  factor: number[];
}

/**
 * Scales each input column of x (N x d, row-major) and returns the scaled copy with its transform:
 * `minmax` maps [min, max] to [-1, 1] (shift = the midpoint, factor = half the range), `standard`
 * to mean 0 and standard deviation 1 (shift = the mean, factor = the population standard
 * deviation), `none` keeps the values (shift 0, factor 1). A constant column keeps factor 1, so it
 * becomes 0 (minmax, standard).
 *
 * @example
 * ```ts
 * scaleColumns(Float64Array.of(0, 10, 4, 30), 2, 2, 'minmax');
 * // { x: [-1, -1, 1, 1], transform: { shift: [2, 20], factor: [2, 10] } }
 * ```
 */
export function scaleColumns(
  x: Float64Array,
  n: number,
  d: number,
  scale: Scale,
): { x: Float64Array; transform: ColumnTransform } {
  const shift = new Array<number>(d).fill(0);
  const factor = new Array<number>(d).fill(1);
  for (let k = 0; k < d; k++) {
    if (scale === 'minmax') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, x[i * d + k]);
        hi = Math.max(hi, x[i * d + k]);
      }
      shift[k] = lo + (hi - lo) / 2;
      if (hi > lo) factor[k] = (hi - lo) / 2;
    } else if (scale === 'standard') {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i * d + k];
      mean /= n;
      let variance = 0;
      for (let i = 0; i < n; i++) {
        const dev = x[i * d + k] - mean;
        variance += dev * dev; // not `** 2`: an engine's pow need not be x * x (src/numerics/pow-int.ts)
      }
      const sd = Math.sqrt(variance / n);
      shift[k] = mean;
      if (sd > 0) factor[k] = sd;
    }
  }
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) out[i * d + k] = (x[i * d + k] - shift[k]) / factor[k];
  return { x: out, transform: { shift, factor } };
}

/**
 * Points (rows of d) from training units back to the file's: x_file = shift + factor * x_training.
 *
 * @example
 * ```ts
 * const record = await trainRun({ data: dataFile('my.csv'), mask: 'cov' });
 * const d = record.config.dim;
 * const inFileUnits = unscale(prototypes(paramsFromJson(record.final), d), d, record.data.source!.transform);
 * ```
 */
export function unscale(points: Float64Array, d: number, transform: ColumnTransform): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++)
    out[i] = transform.shift[i % d] + transform.factor[i % d] * points[i];
  return out;
}
