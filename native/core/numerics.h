// The scalar half of the native numerics every kernel variant shares (SPEC §10): the version
// number, the fused-multiply-add switch, the reduction tree, the bias-correction power of Adam and
// the logarithm of the coverage softmin, written out so that no libm transcendental (whose last
// bits differ between glibc versions and architectures) is on the training path. Header-only with
// internal linkage (no STL): every kernel file may include it.
#pragma once

#include <cstdint>

// 1 (shipped) fuses the kernels' multiply-adds explicitly, at the same places on every instruction
// set; 0 fuses none anywhere (the design bench/fma.js measures against: it would let TS match every
// bit, at a cost measured in docs/native.md). NATIVE_FMA in src/numerics.ts must agree.
#ifndef PROTOMLP_FMA
#define PROTOMLP_FMA 1
#endif

namespace protomlp {
namespace {

/**
 * Bumped whenever anything that can move a trained bit changes (kernel, exp, log, reduction order,
 * bias correction); records carry it and studies never mix versions. Must equal
 * NATIVE_NUMERICS_VERSION in src/numerics.ts (the loader refuses a binary whose version differs).
 */
constexpr int kNumericsVersion = 2;

/** The fixed virtual width of every reduction over neurons: 8 partial sums, whatever the width. */
constexpr int kVirtualWidth = 8;

/**
 * Adam's constants, the one C++ copy of ADAM in src/config.ts (info().constants.adam;
 * test/native-constants.test.ts checks they agree).
 */
constexpr double kAdamBeta1 = 0.9, kAdamBeta2 = 0.999, kAdamEps = 1e-8;

/**
 * The eps of the prototype formula p_j = -b_j w_j / (|w_j|^2 + eps), added to the sum of squares:
 * the one C++ copy of PROTOTYPE_EPS in src/config.ts, the same meaning as in prototypesInto
 * (src/model/losses.ts); info().constants.prototypeEps, checked by test/native-constants.test.ts.
 */
constexpr double kPrototypeEps = 1e-12;

/**
 * The 8 partial sums of a reduction over neurons combined in one fixed tree (the order AVX-512's
 * halving reduction takes; every width and TS use it): ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
 */
inline double treeSum8(const double* l) {
  return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/**
 * base^e for e >= 0 by binary exponentiation (right to left): at most 2 log2(e) roundings, and the
 * same operations everywhere, where std::pow's last bit depends on the libm. Adam's bias
 * corrections are 1 - powInt(beta, t).
 */
inline double powInt(double base, int64_t e) {
  double result = 1;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e >>= 1;
  }
  return result;
}

/**
 * ln(s) for the softmin (s in [1/H, 1] there; any positive finite s works). s = m 2^k with m in
 * [sqrt(1/2), sqrt(2)) by exact scalings (at most ~log2 of s's exponent steps, 14 for H <= 10000),
 * then ln m = 2 atanh(u), u = (m - 1)/(m + 1), |u| <= 0.1716, by its series to u^23 (truncation
 * below 1e-18 relative), and k ln2 added in two parts. Within 2 ulp of the correctly rounded value
 * (tested against Math.log). Zero, negative, infinite and NaN arguments give -inf, NaN, inf, NaN.
 */
inline double softminLog(double s) {
  if (!(s > 0)) return s == 0 ? -__builtin_inf() : __builtin_nan("");
  if (s == __builtin_inf()) return s;
  const double sqrt2 = 1.4142135623730951, sqrtHalf = 0.7071067811865476;
  const double ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10;
  double m = s;
  int k = 0;
  while (m >= sqrt2) m *= 0.5, k++;
  while (m < sqrtHalf) m *= 2, k--;
  const double u = (m - 1) / (m + 1);
  const double u2 = u * u;
  double p = 1.0 / 23;
  p = p * u2 + 1.0 / 21;
  p = p * u2 + 1.0 / 19;
  p = p * u2 + 1.0 / 17;
  p = p * u2 + 1.0 / 15;
  p = p * u2 + 1.0 / 13;
  p = p * u2 + 1.0 / 11;
  p = p * u2 + 1.0 / 9;
  p = p * u2 + 1.0 / 7;
  p = p * u2 + 1.0 / 5;
  p = p * u2 + 1.0 / 3;
  p = p * u2 + 1;
  return k * ln2Hi + (k * ln2Lo + (2 * u) * p);
}

}  // namespace
}  // namespace protomlp
