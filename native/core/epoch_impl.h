// The one per-epoch kernel, written once over a register width W with GCC/Clang vector extensions
// and compiled once per instruction set by the epoch_<isa>.cc files (each with its own target
// flags). Every width computes the same bits (SPEC §10): what may differ between widths is only how
// many lanes one instruction holds, never which operations are done or in which order.
// Everything here has internal linkage and uses no standard-library templates: an inline function
// shared across files compiled with different flags could be merged by the linker into the AVX-512
// copy and run on a CPU without AVX-512.
//
// Algorithm (SPEC §1-2), per epoch, O(N*H*d + H^2*d), memory O(H*d):
//   for each pair of samples (rows are independent, so forward and backward fuse per row; the z
//   and h of two rows stay in L1): pass A over neurons j computes z, h = exp(-z^2) and the row sums
//   of v*h (yhat), h and h^2 (overlap); pass B turns each row's dL/dh into dL/dz and accumulates
//   the gradients of W, b, v; then each row's coverage min (or softmin) over the prototypes.
//   Separation is a triangular loop over pairs, two rows at a time, vectorized over the second
//   index. Then the chain rule from the prototypes to W and b; Adam is adamStep, per array.
//
// How every width gets the same bits (docs/native.md, "One result on every CPU"):
// - one exp (vexp): the same reduction, table, polynomial and operation order at every width; only
//   the table lookup is done per width (a register permute, or one load per lane);
// - every sum over neurons goes to 8 virtual lanes (lane m takes the neurons j = m mod 8, in order
//   of j), held in 8/W registers, combined by treeSum8; neuron arrays are padded to a multiple of 8
//   with entries whose terms are exactly +0, which leaves every partial sum unchanged;
// - fused multiply-add only where madd/nmadd say so, and the same there at every width (no
//   contraction by the compiler: every kernel file is compiled with -ffp-contract=off);
// - sums over samples, per-neuron gradients and Adam are element-wise, so their order never
// depended
//   on the width; the softmin's log and Adam's bias-correction powers come from numerics.h.
// The TS backend (src/model/losses.ts) fuses nothing and uses V8's exp, so it agrees with these
// kernels within the tolerances of src/backend/agreement.ts, not to the bit (docs/native.md).

#include "kernel.h"
#include "numerics.h"
#include "soft_fma.h"

#if PROTOMLP_FMA && (defined(__AVX2__) || defined(__AVX512F__))
#include <immintrin.h>
#endif
#if PROTOMLP_FMA && defined(__aarch64__)
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

  /** a * b + c: two roundings, or one where the build fuses (PROTOMLP_FMA, the same at every width)
   */
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

/**
 * 2^(i/4), i = 0..3, each correctly rounded. Four entries, not more: on AVX2 a 4-entry lookup is
 * one register permute (vpermd) where 8 entries take two and a blend, and a wider table would save
 * AVX-512 one fused multiply-add per exp at AVX2's expense.
 */
constexpr double kExpTable[4] = {0x1p+0, 0x1.306fe0a31b715p+0, 0x1.6a09e667f3bcdp+0,
                                 0x1.ae89f995ad3adp+0};

/** Below this argument the kernels' exp returns exactly 0 (e^-708 = 3.3e-308). */
constexpr double kExpMinArg = -708.0;

/**
 * kExpTable[K mod 4] per lane, from the low bits of t's bit pattern. The only width-specific part
 * of the exp: a register permute where GCC has one (vpermpd on AVX-512, vpermd on AVX2), one load
 * per lane otherwise; the values are the same either way.
 */
template <int W>
inline typename Lanes<W>::D expTableLookup(typename Lanes<W>::D t) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  typedef typename L::I I;
#if !defined(__clang__)
  if constexpr (W == 8) {
    const D table = {kExpTable[0], kExpTable[1], kExpTable[2], kExpTable[3],
                     kExpTable[0], kExpTable[1], kExpTable[2], kExpTable[3]};
    return __builtin_shuffle(table, (I)t & 3);
  } else if constexpr (W == 4) {
    const D table = {kExpTable[0], kExpTable[1], kExpTable[2], kExpTable[3]};
    return __builtin_shuffle(table, (I)t);  // the index is taken mod 4
  }
#endif
  const I index = (I)t & 3;
  D out;
  for (int l = 0; l < W; l++) out[l] = kExpTable[index[l]];
  return out;
}

/**
 * exp(x), lane-wise, for x <= 709 (every caller passes x <= 0: -z^2, -d/tau, -(a - min)/tauCov).
 * x = (K/4) ln2 + r with K = round(4x/ln2) from the "shifter" trick (t = 4x/ln2 + 1.5*2^52 holds K
 * in its low mantissa bits) and |r| <= ln2/8 by a Cody-Waite reduction (ln2/4 split into a 32-bit
 * high part, so K*hi is exact, and a low part); e^r - 1 = q by its Taylor polynomial of degree 9
 * (truncation < 7e-18 relative); then T = 2^((K mod 4)/4) from a 4-entry table, y = T q + T (the
 * last step rounds once) and y * 2^(K div 4), the power of two built in the exponent field.
 * Multiply-adds are fused or not as madd/nmadd say, the same at every width.
 * x < -708 gives exactly 0: no subnormal is ever computed (each costs a microcode assist on x86,
 * 20% of an epoch measured) and every result is a normal number; exp(NaN) = NaN.
 */
template <int W>
inline typename Lanes<W>::D vexp(typename Lanes<W>::D x) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  typedef typename L::U U;
  // Lanes below -708 are computed on without a clamp (their 2^(K div 4) wraps to garbage, never to
  // a subnormal) and replaced by 0 at the end; NaN passes (comparisons are false).
  const auto under = x < L::splat(kExpMinArg);
  const D shifter = L::splat(0x1.8p52);
  const D t = L::madd(x, L::splat(0x1.71547652b82fep+2), shifter);  // 4/ln2
  const D kd = t - shifter;
  D r = L::nmadd(kd, L::splat(0x1.62e42feep-3), x);      // ln2/4, high 32 bits
  r = L::nmadd(kd, L::splat(0x1.a39ef35793c76p-35), r);  // ln2/4, the rest
  D p = L::splat(1.0 / 362880);
  p = L::madd(p, r, L::splat(1.0 / 40320));
  p = L::madd(p, r, L::splat(1.0 / 5040));
  p = L::madd(p, r, L::splat(1.0 / 720));
  p = L::madd(p, r, L::splat(1.0 / 120));
  p = L::madd(p, r, L::splat(1.0 / 24));
  p = L::madd(p, r, L::splat(1.0 / 6));
  p = L::madd(p, r, L::splat(0.5));
  p = L::madd(p, r, L::splat(1.0));
  const D q = p * r;
  const D frac = expTableLookup<W>(t);
  const D y = L::madd(frac, q, frac);
  // (t's bits >> 2) = const + K div 4; the constant's low 12 bits are 0, so after << 52 only the
  // exponent 1023 + K div 4 (in [1, 2046] for x in [-708, 709]) is left: an exact power of two
  // (below -708 its bits wrap to 0, -inf or a huge power: never a subnormal, and replaced by 0)
  const D scale = (D)((((U)t >> 2) + 1023) << 52);
  return under ? L::splat(0.0) : y * scale;
}

template <int W>
void expImpl(const double* in, double* out, int n) {
  typedef Lanes<W> L;
  int i = 0;
  for (; i + W <= n; i += W) L::store(out + i, vexp<W>(L::load(in + i)));
  if (i < n) {
    double buf[W];
    for (int l = 0; l < W; l++) buf[l] = i + l < n ? in[i + l] : 0.0;
    L::store(buf, vexp<W>(L::load(buf)));
    for (int l = 0; i + l < n; l++) out[i + l] = buf[l];
  }
}

/**
 * One Adam step on contiguous arrays, PyTorch semantics: m = b1 m + (1-b1) g; v = b2 v + (1-b2)
 * g^2; p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with bc1 = 1 - b1^t, bc2 = 1 -
 * b2^t. A plain element-wise loop the compiler vectorizes with each file's instruction set; never
 * fused
 * (-ffp-contract=off), and sqrt is correctly rounded everywhere: the same bits on every width.
 */
void adamStep(double* __restrict p, const double* __restrict g, double* __restrict m,
              double* __restrict v, int count, double lr, double bc1, double bc2) {
  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // src/config.ts ADAM
  for (int i = 0; i < count; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    p[i] -= (lr * (m[i] / bc1)) / (__builtin_sqrt(v[i] / bc2) + eps);
  }
}

/**
 * Whether neuron i sorts before neuron j: by the prototypes' first coordinate, NaN last, ties by
 * index. A strict total order, so the sorted permutation is unique whatever sorted it.
 */
inline bool sortsBefore(const double* key, int i, int j) {
  const double ki = key[i], kj = key[j];
  if (ki < kj) return true;
  if (kj < ki) return false;
  const bool nanI = ki != ki, nanJ = kj != kj;
  if (nanI != nanJ) return nanJ;
  return i < j;
}

/**
 * Sorts order[0..h) by sortsBefore. Insertion sort: started from the previous epoch's order, which
 * training changes little, it costs O(h + moves) (the first epoch O(h^2), once); the result does
 * not depend on the starting order. Hand-written because this header may use no STL template.
 */
inline void sortByPrototype(const double* key, int* order, int h) {
  for (int i = 1; i < h; i++) {
    const int moving = order[i];
    int k = i - 1;
    while (k >= 0 && sortsBefore(key, moving, order[k])) {
      order[k + 1] = order[k];
      k--;
    }
    order[k + 1] = moving;
  }
}

constexpr int kMaxDimLocal = 64;  // = kMaxDim in model.h (not included here: it pulls in the STL)

/** A flag as a type, so one generic lambda compiles with and without a branch. */
template <bool B>
struct BoolTag {
  static constexpr bool value = B;
};

/** A row count as a type, so one generic lambda compiles for 1 and 2 rows. */
template <int R>
struct RowCount {
  static constexpr int value = R;
};

/**
 * One epoch. DIM = 1 compiles the d = 1 case (the paper's) with every loop over k unrolled; OVL
 * whether the overlap term is computed (its row sums of h and h^2 cost registers that the exp
 * needs, so without it they are not kept at all).
 */
template <int W, int DIM, bool OVL>
void epochBody(EpochArgs& a) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  constexpr int G = L::kGroups;
  const int n = a.n, h = a.h, d = DIM > 0 ? DIM : a.d, hp = a.hp, ha = a.ha;
  // The fit and coverage loops stop at the register group holding neuron h - 1: the groups after it
  // hold only padding, whose terms are exactly +0 (and which never wins a min), so leaving them out
  // changes no sum. (Separation computes whole 8-blocks: which lanes it sees must not depend on W.)
  const int hw = (h + W - 1) / W * W;
  const double* x = a.x;
  const double* wT = a.wT;
  const double* b = a.b;
  const double* v = a.v;
  double* pT = a.pT;
  double* gpT = a.gpT;
  double* gWT = a.gWT;
  double* gb = a.gb;
  double* gv = a.gv;
  double* zRow = a.zRow;
  double* hRow = a.hRow;
  double* aRow = a.aRow;
  const bool needP = a.doCov || a.doSep;

  if (needP) {
    for (int j = 0; j < h; j++) {
      double s = 0;
      for (int k = 0; k < d; k++) s += wT[k * ha + j] * wT[k * ha + j];
      const double den = s + 1e-12;
      a.norm[j] = den;
      for (int k = 0; k < d; k++) pT[k * ha + j] = (-b[j] * wT[k * ha + j]) / den;
    }
    for (int q = 0; q < d * ha; q++) gpT[q] = 0;
  }
  // Separation and the hard-min coverage in 1-D work on the prototypes sorted by their first
  // coordinate (positions beyond h keep the padding kFar); hf counts those that are not NaN.
  const bool sortedCoverage = a.doCov && DIM == 1 && a.tauCov == 0;
  int hf = h;
  if (a.doSep || sortedCoverage) {
    sortByPrototype(pT, a.order, h);
    for (int k = 0; k < d; k++)
      for (int s = 0; s < h; s++) a.pS[k * ha + s] = pT[k * ha + a.order[s]];
    while (hf > 0 && a.pS[hf - 1] != a.pS[hf - 1]) hf--;
  }
  for (int q = 0; q < d * ha; q++) gWT[q] = 0;
  for (int j = 0; j < ha; j++) gb[j] = gv[j] = 0;

  double gc = 0, fitSum = 0, covSum = 0, ovlSum = 0;
  const double ovlScale = (a.wOvl * 2) / ((double)n * h * (h - 1));
  const bool ovlGrad = a.wOvl != 0;
  const bool softmin = a.tauCov != 0;
  const D iota = [] {
    D t;
    for (int l = 0; l < W; l++) t[l] = l;
    return t;
  }();

  auto coverageRow = [&](int i) {
    if (!a.doCov) return;
    const double* xi = x + (long)i * d;
    if (sortedCoverage) {
      // 1-D hard min by bisection in the sorted prototypes: fl((x - p)^2) is monotone on each side
      // of x, so the min is at the last p < x or the first p >= x, and the positions that tie with
      // it are contiguous around them; the winner is the lowest neuron index among those, exactly
      // the brute-force scan's answer (NaN prototypes, sorted last, are never taken).
      const double xv = xi[0];
      const double* ps = a.pS;
      auto dist = [&](int s) {
        const double diff = xv - ps[s];
        return diff * diff;
      };
      int lo = 0, hi = hf;
      while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (ps[mid] < xv)
          lo = mid + 1;
        else
          hi = mid;
      }
      double best = __builtin_inf();
      if (lo > 0 && dist(lo - 1) < best) best = dist(lo - 1);
      if (lo < hf && dist(lo) < best) best = dist(lo);
      int jb = 0;
      if (best < __builtin_inf()) {
        int first = lo > 0 && dist(lo - 1) == best ? lo - 1 : lo;
        int last = lo < hf && dist(lo) == best ? lo : lo - 1;
        while (first > 0 && dist(first - 1) == best) first--;
        while (last + 1 < hf && dist(last + 1) == best) last++;
        jb = a.order[first];
        for (int s = first + 1; s <= last; s++) jb = a.order[s] < jb ? a.order[s] : jb;
      }
      covSum += best;
      if (a.wCov != 0) gpT[jb] += ((a.wCov * 2) / n) * (pT[jb] - xv);
      return;
    }
    // Coverage: the nearest prototype (ties: lowest j) or the softmin over the row's squared
    // distances. The min is exact, so neither its lane grouping nor its two independent chains
    // (a single chain is latency-bound on compare + blend) change the result; the winner is then
    // the first j whose distance equals it, as TS's strict-less scan finds it.
    auto distances = [&](int j) {
      D diff = L::splat(xi[0]) - L::load(pT + j);
      D av = diff * diff;  // = 0 + diff^2 exactly (a square is never -0)
      for (int k = 1; k < d; k++) {
        diff = L::splat(xi[k]) - L::load(pT + k * ha + j);
        av = L::madd(diff, diff, av);
      }
      L::store(aRow + j, av);
      return av;
    };
    const D inf = L::splat(__builtin_inf());
    D vmin0 = inf, vmin1 = inf;
    int j = 0;
    for (; j + 2 * W <= hw; j += 2 * W) {
      const D av0 = distances(j), av1 = distances(j + W);
      vmin0 = av0 < vmin0 ? av0 : vmin0;  // NaN distances are never taken, as in TS
      vmin1 = av1 < vmin1 ? av1 : vmin1;
    }
    if (j < hw) {
      const D av0 = distances(j);
      vmin0 = av0 < vmin0 ? av0 : vmin0;
    }
    vmin0 = vmin1 < vmin0 ? vmin1 : vmin0;
    double best = vmin0[0];
    for (int l = 1; l < W; l++) best = vmin0[l] < best ? vmin0[l] : best;
    if (!softmin) {
      covSum += best;
      if (a.wCov != 0) {
        int jb = 0;
        if (best < __builtin_inf()) {
          const D bv = L::splat(best);
          for (int jj = 0; jj < hw; jj += W) {
            const auto hit = L::load(aRow + jj) == bv;
            if (!L::anyTrue(hit)) continue;
            int l = 0;
            while (!hit[l]) l++;
            jb = jj + l;
            break;
          }
        }
        const double f = (a.wCov * 2) / n;
        for (int k = 0; k < d; k++) gpT[k * ha + jb] += f * (pT[k * ha + jb] - xi[k]);
      }
    } else {
      const D bv = L::splat(best), tc = L::splat(a.tauCov);
      VirtualSum<W> accE;
      for (int j = 0; j < hp; j += kVirtualWidth) {
        for (int u = 0; u < G && j + u * W < hw; u++) {
          const D e = vexp<W>(-(L::load(aRow + j + u * W) - bv) / tc);
          L::store(aRow + j + u * W, e);
          accE.part[u] += e;
        }
      }
      const double sum = accE.total();
      covSum += best - a.tauCov * softminLog(sum / h);
      if (a.wCov != 0) {
        const D f = L::splat((a.wCov * 2) / (n * sum));
        for (int j = 0; j < hw; j += W) {
          const D fj = f * L::load(aRow + j);
          for (int k = 0; k < d; k++) {
            double* g = gpT + k * ha + j;
            L::store(g, L::madd(fj, L::load(pT + k * ha + j) - xi[k], L::load(g)));
          }
        }
      }
    }
  };

  // Rows are processed two at a time: pass A shares the loads of b, w, v between them and runs
  // two independent exp chains; pass B loads and stores each gradient lane group once for both.
  // Per gradient entry the contributions are still added row after row.
  auto fitRows = [&](int i0, auto rowsTag) {
    constexpr int R = decltype(rowsTag)::value;
    const double* xr[R];
    VirtualSum<W> accY[R], accS[OVL ? R : 1], accQ[OVL ? R : 1];
    for (int r = 0; r < R; r++) xr[r] = x + (long)(i0 + r) * d;
    for (int j = 0; j < hp; j += kVirtualWidth) {
      for (int u = 0; u < G && j + u * W < hw; u++) {
        const int jj = j + u * W;
        const D bv = L::load(b + jj), vv = L::load(v + jj);
        for (int r = 0; r < R; r++) {
          D z = bv;
          for (int k = 0; k < d; k++) z = L::madd(L::load(wT + k * ha + jj), L::splat(xr[r][k]), z);
          const D hv = vexp<W>(L::negSquare(z));
          L::store(zRow + r * ha + jj, z);
          L::store(hRow + r * ha + jj, hv);
          accY[r].part[u] = L::madd(vv, hv, accY[r].part[u]);
          if constexpr (OVL) {
            accS[r].part[u] += hv;
            accQ[r].part[u] = L::madd(hv, hv, accQ[r].part[u]);
          }
        }
      }
    }
    // pass B: dL/dz = dL/dh * (-2 z h), dL/dh = gi v_j + ovlScale (S_i - h_ij); -2 is folded into
    // the weights (a multiplication by -2 is exact)
    D giv[R], giv2[R], sv[R];
    const D os2 = L::splat(-2 * ovlScale);
    for (int r = 0; r < R; r++) {
      const double res = (a.c + accY[r].total()) - a.y[i0 + r];
      fitSum += res * res;
      const double gi = a.wFit * ((2 * res) / n);
      double rowSum = 0;
      if constexpr (OVL) {
        rowSum = accS[r].total();
        ovlSum += rowSum * rowSum - accQ[r].total();
      }
      gc += gi;
      giv[r] = L::splat(gi), giv2[r] = L::splat(-2 * gi), sv[r] = L::splat(rowSum);
    }
    for (int j = 0; j < hw; j += W) {
      const D vv = L::load(v + j);
      D gvv = L::load(gv + j), gbv = L::load(gb + j);
      D gw[DIM > 0 ? DIM : 1];
      if (DIM > 0)
        for (int k = 0; k < d; k++) gw[k] = L::load(gWT + k * ha + j);
      for (int r = 0; r < R; r++) {
        const D hv = L::load(hRow + r * ha + j);
        const D zv = L::load(zRow + r * ha + j);
        gvv = L::madd(giv[r], hv, gvv);
        D dh = giv2[r] * vv;
        if (OVL && ovlGrad) dh = L::madd(os2, sv[r] - hv, dh);
        const D dz = dh * zv * hv;
        gbv += dz;
        if (DIM > 0) {
          for (int k = 0; k < d; k++) gw[k] = L::madd(dz, L::splat(xr[r][k]), gw[k]);
        } else {
          for (int k = 0; k < d; k++) {
            double* g = gWT + k * ha + j;
            L::store(g, L::madd(dz, L::splat(xr[r][k]), L::load(g)));
          }
        }
      }
      L::store(gv + j, gvv);
      L::store(gb + j, gbv);
      if (DIM > 0)
        for (int k = 0; k < d; k++) L::store(gWT + k * ha + j, gw[k]);
    }
  };

  for (int i0 = 0; i0 < n; i0 += 2) {
    if (i0 + 1 < n)
      fitRows(i0, RowCount<2>{});
    else
      fitRows(i0, RowCount<1>{});
    for (int i = i0; i < n && i < i0 + 2; i++) coverageRow(i);
  }

  double sepTotal = 0;
  const double pairs = ((double)h * (h - 1)) / 2;
  if (a.doSep) {
    // Pairs over the prototypes sorted by their first coordinate (sorted positions s < t), two rows
    // s, s + 1 at a time, vectorized over t in virtual blocks of 8: the lane groups of p_t and
    // dL/dp_t are loaded and stored once for both rows, and the two exp chains overlap. Row s
    // stops at bandEnd[s]: every pair beyond it has -|p_s - p_t|^2 / tau < -708 in the first
    // coordinate alone, so its exp is exactly 0 (for tau = 1e-3 about half the pairs of a trained
    // run). Which blocks are computed is decided here, in scalar code, the same for every width.
    // A row starts at the block holding s + 1 (lanes t <= s masked to 0), so stores into gpS and
    // the next rows' loads cover the same addresses (partly overlapping vectors would defeat
    // store-to-load forwarding); a row's own sum over t goes to gpSelfT for the same reason.
    // Lanes past h read padding prototypes (kFar), whose e is exactly 0.
    const bool sepGrad = a.wSep != 0;
    const double negInvTauValue = -1 / a.tau;
    const D negInvTau = L::splat(negInvTauValue);
    const D gradScale = L::splat((a.wSep * -2) / (a.tau * pairs));
    const double* pS = a.pS;
    double* gpS = a.gpS;
    for (int q = 0; q < d * ha; q++) gpS[q] = 0;
    int* bandEnd = a.bandEnd;
    for (int s = 0, t = 0; s < h; s++) {
      if (t < s + 1) t = s + 1;
      while (t < h) {
        const double diff = pS[s] - pS[t];
        if (diff * diff * negInvTauValue < kExpMinArg) break;  // the kernel's argument at d = 1
        t++;
      }
      bandEnd[s] = t;
    }
    VirtualSum<W> accE;
    auto sepRows = [&](int s0, auto rowsTag) {
      constexpr int R = decltype(rowsTag)::value;
      D gs[R][G][DIM > 0 ? DIM : kMaxDimLocal];
      D ps[R][DIM > 0 ? DIM : kMaxDimLocal];
      for (int r = 0; r < R; r++)
        for (int k = 0; k < d; k++) {
          ps[r][k] = L::splat(pS[k * ha + s0 + r]);
          for (int u = 0; u < G; u++) gs[r][u][k] = L::splat(0);
        }
      auto block = [&](int t8, auto firstTag) {
        constexpr bool first = decltype(firstTag)::value;
        for (int u = 0; u < G; u++) {
          const int t = t8 + u * W;
          D e[R];
          typename L::I keep[R];
          for (int r = 0; r < R; r++) {
            D diff = ps[r][0] - L::load(pS + t);
            D dd = diff * diff;  // = 0 + diff^2 exactly
            for (int k = 1; k < d; k++) {
              diff = ps[r][k] - L::load(pS + k * ha + t);
              dd = L::madd(diff, diff, dd);
            }
            e[r] = vexp<W>(dd * negInvTau);
            if constexpr (first) {
              // pairs t <= s (in a row's first block only) are no pairs: exactly 0
              keep[r] = iota + (double)t > (double)(s0 + r);
              e[r] = keep[r] ? e[r] : L::splat(0);
            }
            accE.part[u] += e[r];
          }
          if (!sepGrad) continue;
          for (int k = 0; k < d; k++) {
            const D pt = L::load(pS + k * ha + t);
            D gt = L::load(gpS + k * ha + t);
            for (int r = 0; r < R; r++) {
              D g = e[r] * gradScale * (ps[r][k] - pt);
              if constexpr (first) g = keep[r] ? g : L::splat(0);
              gs[r][u][k] += g;
              gt -= g;
            }
            L::store(gpS + k * ha + t, gt);
          }
        }
      };
      const int t0 = (s0 + 1) / kVirtualWidth * kVirtualWidth;
      const int tEnd = bandEnd[s0 + R - 1];  // the larger of the rows' ends
      block(t0, BoolTag<true>{});
      for (int t8 = t0 + kVirtualWidth; t8 < tEnd; t8 += kVirtualWidth) block(t8, BoolTag<false>{});
      if (sepGrad)
        for (int r = 0; r < R; r++)
          for (int k = 0; k < d; k++) {
            VirtualSum<W> self;
            for (int u = 0; u < G; u++) self.part[u] = gs[r][u][k];
            a.gpSelfT[k * ha + s0 + r] = self.total();
          }
    };
    for (int s = 0; s < h; s += 2) {
      if (s + 1 < h)
        sepRows(s, RowCount<2>{});
      else
        sepRows(s, RowCount<1>{});
    }
    if (sepGrad)
      for (int k = 0; k < d; k++)
        for (int s = 0; s < h; s++)
          gpT[k * ha + a.order[s]] += gpS[k * ha + s] + a.gpSelfT[k * ha + s];
    sepTotal = accE.total();
  }

  if (a.wCov != 0 || a.wSep != 0) {
    // chain dL/dp into W and b: dp/db = -w/n_j, dp_k/dw_l = -b (delta_kl/n_j - 2 w_k w_l/n_j^2)
    for (int j = 0; j < h; j++) {
      double gw = 0;
      for (int k = 0; k < d; k++) gw += gpT[k * ha + j] * wT[k * ha + j];
      const double nj = a.norm[j];
      const double bj = b[j];
      gb[j] += -gw / nj;
      const double cross = (2 * bj * gw) / (nj * nj);
      for (int k = 0; k < d; k++)
        gWT[k * ha + j] += (-bj * gpT[k * ha + j]) / nj + cross * wT[k * ha + j];
    }
  }

  a.gc = gc;
  a.fit = fitSum / n;
  a.cov = a.doCov ? covSum / n : 0;
  a.sep = a.doSep ? sepTotal / pairs : 0;
  a.ovl = a.doOvl ? ovlSum / ((double)n * h * (h - 1)) : 0;
}

template <int W>
void epochImpl(EpochArgs& a) {
  if (a.d == 1)
    a.doOvl ? epochBody<W, 1, true>(a) : epochBody<W, 1, false>(a);
  else
    a.doOvl ? epochBody<W, 0, true>(a) : epochBody<W, 0, false>(a);
}

}  // namespace
}  // namespace protomlp
