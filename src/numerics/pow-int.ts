// base^e for a whole e, the same operations on every JavaScript engine. The engines' `**` and
// Math.pow are not one function (measured: `0.9 ** t` for t = 1..3000 differs between Node 20 and
// Node 24 in the last bit, and Bun/JavaScriptCore differs again), so nothing whose bits matter uses
// them: Adam's bias corrections 1 - beta^t (src/model/train.ts) take this, as the native kernels
// take numerics.h's powInt, which this is operation for operation.

/**
 * base^e for an integer e >= 0 by binary exponentiation (right to left): at most 2 log2(e)
 * roundings, and the same operations in every engine and in the native kernels (powInt in
 * native/core/numerics.h). A fractional or negative e is a caller's bug and throws.
 *
 * @example
 * ```ts
 * powInt(0.9, 3); // 0.7290000000000001 (0.9 * 0.81, as the native kernels compute it)
 * ```
 */
export function powInt(base: number, e: number): number {
  if (!Number.isInteger(e) || e < 0)
    throw new RangeError(`powInt: exponent ${e} is not an integer >= 0`);
  let result = 1;
  let b = base;
  let k = e;
  while (k > 0) {
    if (k % 2 === 1) result *= b;
    b *= b;
    k = Math.floor(k / 2);
  }
  return result;
}
