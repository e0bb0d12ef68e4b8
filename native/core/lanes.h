// The vector-extension lane types of the kernels (one specialization per register width W = 1, 2,
// 4, 8 doubles), their explicit multiply-adds (madd/nmadd: intrinsics on AVX2, AVX-512 and NEON,
// scalarFma (soft_fma.h) in the scalar variant; the only fused operations, as -ffp-contract=off is
// on for every kernel file), and VirtualSum, a sum over neurons in the fixed virtual width of 8.
// Internal linkage, no STL (epoch_impl.h says why).
#pragma once

#include "numerics.h"
#include "soft_fma.h"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace protomlp {
namespace {

// vector_size cannot depend on a template parameter, so one specialization per width
template <int W>
struct VectorTypes;
#define PROTOMLP_VECTOR_TYPES(W)                                      \
  template <>                                                         \
  struct VectorTypes<W> {                                             \
    typedef double D __attribute__((vector_size(8 * W)));             \
    typedef decltype(D{} < D{}) I; /* what a comparison gives */      \
    typedef unsigned long long U __attribute__((vector_size(8 * W))); \
  };
PROTOMLP_VECTOR_TYPES(1)
PROTOMLP_VECTOR_TYPES(2)
PROTOMLP_VECTOR_TYPES(4)
PROTOMLP_VECTOR_TYPES(8)
#undef PROTOMLP_VECTOR_TYPES

template <int W>
struct Lanes {
  typedef typename VectorTypes<W>::D D;
  typedef typename VectorTypes<W>::I I;
  typedef typename VectorTypes<W>::U U;
  /** registers per virtual block of 8 neurons */
  static constexpr int kGroups = kVirtualWidth / W;

  static inline D load(const double* p) {
    D v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static inline void store(double* p, D v) { __builtin_memcpy(p, &v, sizeof v); }
  /** s in every lane: s - 0 is s exactly (also for -0 and NaN), and compiles to one broadcast
   *  (a lane-by-lane loop here became W masked broadcasts) */
  static inline D splat(double s) { return s - D{}; }
  /** whether any lane of a comparison result is true */
  static inline bool anyTrue(I m) {
    long long any = m[0];
    for (int l = 1; l < W; l++) any |= m[l];
    return any != 0;
  }

  /** a * b + c: two roundings, or one where the build fuses (PROTOMLP_FMA; the same at every W) */
  static inline D madd(D a, D b, D c) {
#if PROTOMLP_FMA
    if constexpr (W == 8) {
#if defined(__AVX512F__)
      return (D)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#endif
    } else if constexpr (W == 4) {
#if defined(__FMA__)
      return (D)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#endif
    } else if constexpr (W == 2) {
#if defined(__aarch64__)
      return (D)vfmaq_f64((float64x2_t)c, (float64x2_t)a, (float64x2_t)b);
#endif
    }
    D out;
    for (int l = 0; l < W; l++) out[l] = scalarFma(a[l], b[l], c[l]);
    return out;
#else
    return a * b + c;
#endif
  }
  /** the correctly rounded square root, lane-wise (IEEE 754: the same bits on every width) */
  static inline D sqrt(D q) {
#if defined(__AVX512F__)
    if constexpr (W == 8)  // the all-lanes masked form (the unmasked one warns in GCC 12)
      return (D)_mm512_mask_sqrt_pd((__m512d)q, (__mmask8)-1, (__m512d)q);
#endif
#if defined(__AVX2__)
    if constexpr (W == 4) return (D)_mm256_sqrt_pd((__m256d)q);
#endif
#if defined(__aarch64__)
    if constexpr (W == 2) return (D)vsqrtq_f64((float64x2_t)q);
#endif
    D out;
    for (int l = 0; l < W; l++) out[l] = __builtin_sqrt(q[l]);  // sqrtsd (-fno-math-errno)
    return out;
  }
  /** |a|, lane-wise (-0 stays -0: only its sign could differ, and no caller looks at it) */
  static inline D abs(D a) { return a < 0.0 ? -a : a; }
  /**
   * -(z * z). Where fused multiply-adds are instructions this is one fnmadd with c = -0, whose
   * single rounding of -(z^2) - 0 equals -(round(z^2)): the same bits as the product and the
   * negation that the other widths do, so the choice is per width.
   */
  static inline D negSquare(D z) {
#if PROTOMLP_FMA
    if constexpr (W > 1) return nmadd(z, z, splat(-0.0));
#endif
    return -(z * z);
  }
  /** c - a * b, likewise (fused: one rounding of -(a * b) + c) */
  static inline D nmadd(D a, D b, D c) {
#if PROTOMLP_FMA
    if constexpr (W == 8) {
#if defined(__AVX512F__)
      return (D)_mm512_fnmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#endif
    } else if constexpr (W == 4) {
#if defined(__FMA__)
      return (D)_mm256_fnmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#endif
    } else if constexpr (W == 2) {
#if defined(__aarch64__)
      return (D)vfmsq_f64((float64x2_t)c, (float64x2_t)a, (float64x2_t)b);
#endif
    }
    D out;
    for (int l = 0; l < W; l++) out[l] = scalarFma(-a[l], b[l], c[l]);
    return out;
#else
    return c - a * b;
#endif
  }
};

/**
 * A sum over neurons in the fixed virtual width: lane m of 8 takes the terms of neurons j = m mod 8
 * in order of j, held in kGroups registers (group u has lanes u*W .. u*W + W - 1); total() combines
 * the 8 lanes by treeSum8. The same partial sums and the same tree at every width.
 */
template <int W>
struct VirtualSum {
  typedef Lanes<W> L;
  typename L::D part[L::kGroups];

  VirtualSum() {
    for (int u = 0; u < L::kGroups; u++) part[u] = L::splat(0);
  }
  double total() const {
    if constexpr (W == 4) {
      // ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)) in registers: the tree of treeSum8, add for add
      const typename L::D s = part[0] + part[1];
      return (s[0] + s[2]) + (s[1] + s[3]);
    } else if constexpr (W == 8) {
      const double s0 = part[0][0] + part[0][4], s1 = part[0][1] + part[0][5];
      const double s2 = part[0][2] + part[0][6], s3 = part[0][3] + part[0][7];
      return (s0 + s2) + (s1 + s3);
    }
    double lanes[kVirtualWidth];
    for (int u = 0; u < L::kGroups; u++) L::store(lanes + u * W, part[u]);
    return treeSum8(lanes);
  }
};
}  // namespace
}  // namespace protomlp
