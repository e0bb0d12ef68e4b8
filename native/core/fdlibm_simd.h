// fdlibm.h's exp on W lanes at once, each lane the bits of the scalar fdlibm::exp (and so of
// src/numerics/fdlibm.ts): the evaluator's one hot spot (10^8 exps at N = H = 10000). Included by
// evaluate_avx2.cc (4 lanes) and evaluate_avx512.cc (8 lanes); the baseline takes the scalar exp;
// a register of W doubles is a GCC vector, so every lane takes exactly the scalar operations:
// +, -, *, / rounded the same in every lane, never fused (-ffp-contract=off), truncation to int32
// as TS's `| 0` (|arguments| < 2^31 here), and exact bit moves. Internal linkage, no STL.
#pragma once

#include <cstring>

#include "fdlibm.h"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace protomlp {
namespace {
namespace fdlibm {

// vector_size cannot depend on a template parameter: one specialization per width
template <int W>
struct Vec;
#define PROTOMLP_FDLIBM_VEC(W)                                   \
  template <>                                                    \
  struct Vec<W> {                                                \
    typedef double D __attribute__((vector_size(8 * W)));        \
    typedef decltype(D{} < D{}) L; /* what a comparison gives */ \
    typedef int I __attribute__((vector_size(4 * W)));           \
  };
PROTOMLP_FDLIBM_VEC(4)
PROTOMLP_FDLIBM_VEC(8)
#undef PROTOMLP_FDLIBM_VEC

/** Each lane truncated toward zero, as TS's `| 0` (|v| < 2^31 in every lane). */
template <int W>
inline typename Vec<W>::D truncate(typename Vec<W>::D v) {
  typedef typename Vec<W>::D D;
#if defined(__AVX512DQ__)
  if constexpr (W == 8)
    return __builtin_convertvector(__builtin_convertvector(v, typename Vec<W>::L), D);
#endif
  return __builtin_convertvector(__builtin_convertvector(v, typename Vec<W>::I), D);
}

/** Whether any lane of a comparison mask is set (one movemask where the ISA has it). */
template <int W>
inline bool anyLane(typename Vec<W>::L mask) {
#if defined(__AVX512DQ__)
  if constexpr (W == 8) return _mm512_movepi64_mask((__m512i)mask) != 0;
#endif
#if defined(__AVX2__)
  if constexpr (W == 4) return _mm256_movemask_pd((__m256d)mask) != 0;
#endif
  bool any = false;
  for (int l = 0; l < W; l++) any |= mask[l] != 0;
  return any;
}

/**
 * exp of W lanes. The scalar code's branches become per-lane selects between values that are
 * computed exactly as the scalar code computes them on its branch:
 * - |x| < 2^-28 (hx < 0x3e300000): 1 + x;
 * - |x| <= ln2/2 (hx <= 0x3fd62e42): k = 0, no reduction, 1 - ((x c)/(c - 2) - x);
 * - ln2/2 < |x| < 1.5 ln2 (hx < 0x3ff0a2b2): k = +-1; else k = (int)(x/ln2 +- 0.5); then
 *   hi = x - k ln2hi, lo = k ln2lo, x = hi - lo and y = 1 - (lo - (x c)/(2 - c) - hi), scaled
 *   by 2^k. One division serves both formulas: (x c)/(2 - c) is exactly -((x c)/(c - 2)) (IEEE
 *   subtraction and division round symmetrically), and lo - (-q) is exactly lo + q;
 * - x < -745.13 (fdlibm's underflow threshold, -inf included): exactly 0, as the scalar returns.
 * Lanes left (|x| >= 709.7822 otherwise, NaN, x == 1, and k outside [-1021, 1023], fdlibm's
 * subnormal and 2^1024 scalings) are recomputed by the scalar exp; no caller has many of them.
 */
template <int W>
inline void expLanes(const double* in, double* out) {
  typedef typename Vec<W>::D D;
  typedef typename Vec<W>::L L;
  D x;
  std::memcpy(&x, in, sizeof x);
  const D ax = (D)((L)x & 0x7fffffffffffffffLL);
  const L zero = x < kUThreshold;
  const L special = ~(ax < fromWords(0x40862e42, 0)) & ~zero;  // NaN compares false: special
  const L one = x == 1;
  const D xs = (special | zero | one) ? D{} : x;  // keeps the int32 conversion in range
  const L neg = xs < 0;
  const L reduce = ax >= fromWords(0x3fd62e43, 0);  // hx > 0x3fd62e42
  const L small = ax < fromWords(0x3ff0a2b2, 0);    // hx < 0x3ff0a2b2
  const L tiny = ax < fromWords(0x3e300000, 0);     // hx < 0x3e300000
  const D half = neg ? D{} - 0.5 : D{} + 0.5;
  const D kTrunc = truncate<W>(kInvLn2 * xs + half);
  const D kSmall = neg ? D{} - 1 : D{} + 1;
  const D k = reduce ? (small ? kSmall : kTrunc) : D{};
  const D hi = xs - k * kLn2Hi;  // k = 0: xs - 0 = xs exactly
  const D lo = k * kLn2Lo;       // k = 0: +0
  const D r = hi - lo;           // k = 0: xs exactly
  const D t = r * r;
  const D c = r - t * (kP1 + t * (kP2 + t * (kP3 + t * (kP4 + t * kP5))));
  const D q = (r * c) / (c - 2);  // |r| <= 0.35 and so |c| < 0.4: c - 2 is never 0
  const D y0 = 1 - (q - r);
  const D y = 1 - ((lo + q) - hi);
  const D scale = (D)((L)(k + (0x1p52 + 1023)) << 52);  // 2^k for -1022 < k < 1024
  D result = tiny ? 1 + xs : (k == 0 ? y0 : y * scale);
  result = zero ? D{} : result;
  std::memcpy(out, &result, sizeof result);
  const L scalar = special | one | (k < -1021) | (k == 1024);
  if (anyLane<W>(scalar))
    for (int l = 0; l < W; l++)
      if (scalar[l]) out[l] = exp(x[l]);  // x: in may be out
}

/** out[i] = exp(in[i]) for i < count, W lanes at a time (in == out is allowed). */
template <int W>
inline void expArrayImpl(const double* in, double* out, int count) {
  int i = 0;
  for (; i + W <= count; i += W) expLanes<W>(in + i, out + i);
  for (; i < count; i++) out[i] = exp(in[i]);
}

}  // namespace fdlibm
}  // namespace
}  // namespace protomlp
