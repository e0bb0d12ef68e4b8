// exp and log as src/numerics/fdlibm.ts computes them (fdlibm 5.3, bitwise V8's), for the
// evaluator (evaluate.cc), whose terms must have the bits of the TS reference on every backend.
// Line for line the TS port: only IEEE +, -, *, / (never fused: every file is built with
// -ffp-contract=off) and exact bit moves, so the same bits on every compiler and CPU; no libm.
// Training never uses these (its exp is the kernels' vexp, exp.h). Internal linkage, no STL.
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunPro, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
#pragma once

#include <cstdint>
#include <cstring>

namespace protomlp {
namespace {
namespace fdlibm {

inline int32_t highWord(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return (int32_t)(uint32_t)(u >> 32);
}
inline uint32_t lowWord(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return (uint32_t)u;
}
inline double fromWords(uint32_t hi, uint32_t lo) {
  const uint64_t u = ((uint64_t)hi << 32) | lo;
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
inline double withHighWord(double x, uint32_t hi) { return fromWords(hi, lowWord(x)); }

constexpr double kLn2Hi = 6.9314718036912381649e-1;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kTwo54 = 1.8014398509481984e16;
constexpr double kLg1 = 6.66666666666673513e-1;
constexpr double kLg2 = 3.999999999940941908e-1;
constexpr double kLg3 = 2.857142874366239149e-1;
constexpr double kLg4 = 2.222219843214978396e-1;
constexpr double kLg5 = 1.818357216161805012e-1;
constexpr double kLg6 = 1.531383769920937332e-1;
constexpr double kLg7 = 1.479819860511658591e-1;

/** Natural logarithm, fdlibm's __ieee754_log (log in src/numerics/fdlibm.ts). */
inline double log(double x) {
  int32_t hx = highWord(x);
  int32_t k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lowWord(x)) == 0) return -__builtin_inf();
    if (hx < 0) return __builtin_nan("");
    k -= 54;
    x *= kTwo54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const int32_t i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, (uint32_t)(hx | (i ^ 0x3ff00000)));
  k += i >> 20;
  const double f = x - 1;
  const double dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0) return k == 0 ? 0 : dk * kLn2Hi + dk * kLn2Lo;
    const double R = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - R : dk * kLn2Hi - (R - dk * kLn2Lo - f);
  }
  const double s = f / (2 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * kLn2Hi - (hfsq - (s * (hfsq + R) + dk * kLn2Lo) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * kLn2Hi - (s * (f - R) - dk * kLn2Lo - f);
}

constexpr double kOThreshold = 7.09782712893383973096e2;
constexpr double kUThreshold = -7.4513321910194110842e2;
constexpr double kInvLn2 = 1.4426950408889634074;
constexpr double kTwoM1000 = 9.3326361850321887899e-302;
constexpr double kP1 = 1.66666666666666019037e-1;
constexpr double kP2 = -2.77777777770155933842e-3;
constexpr double kP3 = 6.61375632143793436117e-5;
constexpr double kP4 = -1.6533902205465251539e-6;
constexpr double kP5 = 4.13813679705723846039e-8;

/** 2^k as a double built in the exponent field (fromWords(0x3ff00000 + (k << 20), 0)). */
inline double scaleWord(int32_t k) { return fromWords((uint32_t)(0x3ff00000 + k * (1 << 20)), 0); }

/** e^x, fdlibm's __ieee754_exp with V8's one special case: exp(1) is e correctly rounded. */
inline double exp(double x) {
  if (x == 1) return 2.718281828459045;
  int32_t hx = highWord(x);
  const int32_t xsb = (int32_t)(((uint32_t)hx >> 31) & 1);
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) return x != x ? x + x : xsb == 0 ? x : 0;
    if (x > kOThreshold) return __builtin_inf();
    if (x < kUThreshold) return 0;
  }
  int32_t k = 0;
  double hi = 0, lo = 0;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      hi = x - (xsb == 0 ? kLn2Hi : -kLn2Hi);
      lo = xsb == 0 ? kLn2Lo : -kLn2Lo;
      k = 1 - xsb - xsb;
    } else {
      k = (int32_t)(kInvLn2 * x + (xsb == 0 ? 0.5 : -0.5));  // |x| < 746: ToInt32 is truncation
      hi = x - k * kLn2Hi;
      lo = k * kLn2Lo;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + x;
  }
  const double t = x * x;
  const double c = x - t * (kP1 + t * (kP2 + t * (kP3 + t * (kP4 + t * kP5))));
  if (k == 0) return 1 - ((x * c) / (c - 2) - x);
  const double y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2 * 8.98846567431158e307;
    return y * scaleWord(k);
  }
  return y * scaleWord(k + 1000) * kTwoM1000;
}

}  // namespace fdlibm
}  // namespace
}  // namespace protomlp
