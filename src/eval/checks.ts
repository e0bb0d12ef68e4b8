// Small shared checks and vector helpers of the evaluation modules: sizes, lengths, finiteness,
// the bounding box.
// Callers' bugs (wrong sizes) throw the one message format; nothing here decides a metric.

import { ValidationError } from '../errors.js';

/** Every value finite. */
export function allFinite(values: Float64Array): boolean {
  for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/** Euclidean length; Math.hypot only when the plain sum of squares overflows. */
export function norm(v: Float64Array): number {
  let sum = 0;
  for (const e of v) sum += e * e;
  return sum !== Infinity ? Math.sqrt(sum) : Math.hypot(...v);
}

/** Per coordinate, the least and the greatest of the N rows of x (N x d, row-major). */
export function boundingBox(
  x: Float64Array,
  n: number,
  d: number,
): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const v = x[i * d + k];
      if (v < lo[k]) lo[k] = v;
      if (v > hi[k]) hi[k] = v;
    }
  }
  return { lo, hi };
}

/** N, H and d are positive integers. */
export function checkSizes(n: number, h: number, d: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValidationError('n', n, 'an integer >= 1');
  if (!Number.isInteger(h) || h < 1) throw new ValidationError('hidden', h, 'an integer >= 1');
  if (!Number.isInteger(d) || d < 1) throw new ValidationError('dim', d, 'an integer >= 1');
}

/** An array has the length its shape implies. */
export function checkLength(
  field: string,
  actual: number,
  expression: string,
  expected: number,
): void {
  if (actual !== expected) throw new ValidationError(field, actual, `${expression} = ${expected}`);
}

/** A metric's value as a record stores it: the number when finite, null otherwise (a diverged run). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
