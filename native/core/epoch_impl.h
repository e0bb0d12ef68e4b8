// The one per-epoch kernel, written once over a lane width W with GCC/Clang vector extensions and
// compiled once per instruction set by the epoch_<isa>.cc files (each with its own target flags).
// Everything here has internal linkage and uses no standard-library templates: an inline function
// shared across files compiled with different flags could be merged by the linker into the AVX-512
// copy and run on a CPU without AVX-512.
//
// Algorithm (SPEC §1-2), per epoch, O(N*H*d + H^2*d), memory O(H*d):
//   for each pair of samples (rows are independent, so forward and backward fuse per row; the z
//   and h of two rows stay in L1): pass A over neurons j computes z, h = exp(-z^2) and the row sums
//   of v*h (yhat), h and h^2 (overlap); pass B turns each row's dL/dh into dL/dz and accumulates the
//   gradients of W, b, v; then each row's coverage min (or softmin) over the prototypes.
//   Separation is a triangular loop over pairs, two rows at a time, vectorized over the second
//   index. Then the chain rule from the prototypes to W and b; Adam is adamStep, per array.
// The order of every floating-point operation follows src/model/losses.ts; with W = 1 (the scalar
// file, compiled without contraction) the result differs from TS only by exp/log rounding.

#include "kernel.h"

namespace protomlp {
namespace {

// vector_size cannot depend on a template parameter, so one specialization per width
template <int W> struct VectorTypes;
#define PROTOMLP_VECTOR_TYPES(W)                                   \
  template <> struct VectorTypes<W> {                              \
    typedef double D __attribute__((vector_size(8 * W)));          \
    typedef long long I __attribute__((vector_size(8 * W)));       \
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

  static inline D load(const double* p) {
    D v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static inline void store(double* p, D v) { __builtin_memcpy(p, &v, sizeof v); }
  /** s in every lane: s - 0 is s exactly (also for -0 and NaN), and compiles to one broadcast
   *  (a lane-by-lane loop here became W masked broadcasts) */
  static inline D splat(double s) { return s - D{}; }
  /** lane sum in lane order (a fixed order, so results never depend on the thread or the run) */
  static inline double sum(D v) {
    double s = v[0];
    for (int l = 1; l < W; l++) s += v[l];
    return s;
  }
};

// GCC's __builtin_shuffle with a variable selector (one vpermt2pd at W = 8); Clang has no
// equivalent for GNU vectors, so there the W = 8 variant uses the polynomial below.
#if defined(__clang__)
constexpr bool kTableExp = false;
#else
constexpr bool kTableExp = true;
#endif

/**
 * exp(x), lane-wise, for x <= 670 (every caller passes x <= 0: -z^2, -d/tau, -(a - min)/tauCov).
 * Cody-Waite reduction with ln2 split in a 32-bit high part (so k*ln2hi is exact) and k from the
 * "shifter" trick (round to nearest in the low mantissa bits of t); 2^k is built from those bits by
 * an integer add and a shift as 2^(k+bias) times the constant 2^-bias. Results below DBL_MIN
 * (x < ln DBL_MIN = -708.396...) are returned as exactly 0 (absolute error < 2.3e-308): exp(-z^2)
 * of far samples and exp(-d/tau) of far prototype pairs land there all the time, and every
 * subnormal result and operand costs a microcode assist on x86 (20% of an epoch measured). This
 * keeps the floating-point mode IEEE everywhere (no flush-to-zero); exp(NaN) = NaN.
 * - W = 8 (AVX-512): x = (K/16) ln2 + r, |r| <= ln2/32; 2^((K mod 16)/16) from a 16-entry table in
 *   two registers (one vpermt2pd), e^r - 1 by a degree-7 polynomial (truncation < 2e-18), and
 *   T e^r = T + T (e^r - 1) so the last step rounds once. 40% fewer operations than below.
 * - other widths: x = k ln2 + r, |r| <= ln2/2, a degree-13 Taylor polynomial (truncation < 5e-18).
 * Measured against a long-double reference on [-708.39, 0]: always within 1 ulp of the correctly
 * rounded value; at most 1.15 ulp of the exact value (docs/native.md).
 */
template <int W>
inline typename Lanes<W>::D vexp(typename Lanes<W>::D x) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  typedef typename L::I I;
  // ln(DBL_MIN): below it the result is 0. The argument is clamped first, so no subnormal is ever
  // computed (and then discarded), which would cost the same assist; NaN passes (comparisons false).
  const D minNormalArg = L::splat(-708.3964185322641);
  const auto under = x < minNormalArg;
  x = under ? minNormalArg : x;
  const D shifter = L::splat(0x1.8p52);
  if constexpr (W == 8 && kTableExp) {
    // x = (K/16) ln2 + r, |r| <= ln2/32: 2^(K mod 16 / 16) from a 16-entry table (one vpermt2pd),
    // a degree-7 polynomial (truncation < 2e-18 relative)
    const D t = x * (16 * 1.4426950408889634) + shifter;
    const D kd = t - shifter;
    D r = x - kd * (6.93147180369123816490e-01 / 16);
    r = r - kd * (1.90821492927058770002e-10 / 16);
    D p = L::splat(1.0 / 5040);
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    const D q = p * r;  // e^r - 1, so that T e^r = T + T q rounds once at the end
    const D tableLo = {0x1p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
                       0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0};
    const D tableHi = {0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f09p+0,
                       0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
#if !defined(__clang__)
    const D frac = __builtin_shuffle(tableLo, tableHi, (I)t);
#else
    const D frac = tableLo;  // not reached: kTableExp is false under Clang
#endif
    const D scale = (D)((((I)t >> 4) + (1023 + 55)) << 52);
    const D e = (frac * q + frac) * scale * 0x1p-55;
    return under ? L::splat(0.0) : e;
  } else {
    const D t = x * 1.4426950408889634 + shifter;
    const D kd = t - shifter;
    D r = x - kd * 6.93147180369123816490e-01;
    r = r - kd * 1.90821492927058770002e-10;
    D p = L::splat(1.0 / 6227020800.0);
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const D scale = (D)(((I)t + (1023 + 54)) << 52);
    const D e = p * scale * 0x1p-54;
    return under ? L::splat(0.0) : e;
  }
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
 * One Adam step on contiguous arrays, PyTorch semantics: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with bc1 = 1 - b1^t, bc2 = 1 - b2^t.
 * A plain loop the compiler vectorizes with each file's instruction set (TS's expression order; the
 * scalar file does not contract it into FMAs, so there it is TS's arithmetic exactly).
 */
void adamStep(double* __restrict p, const double* __restrict g, double* __restrict m, double* __restrict v,
              int count, double lr, double bc1, double bc2) {
  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // src/config.ts ADAM
  for (int i = 0; i < count; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    p[i] -= (lr * (m[i] / bc1)) / (__builtin_sqrt(v[i] / bc2) + eps);
  }
}

constexpr int kMaxDimLocal = 64;  // = kMaxDim in model.h (not included here: it pulls in the STL)

/** A row count as a type, so one generic lambda compiles for 1 and 2 rows. */
template <int R>
struct RowCount {
  static constexpr int value = R;
};

/** One epoch. DIM = 1 compiles the d = 1 case (the paper's) with every loop over k unrolled. */
template <int W, int DIM>
void epochBody(EpochArgs& a) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  const int n = a.n, h = a.h, d = DIM > 0 ? DIM : a.d, hp = a.hp, ha = a.ha;
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
      const double f = -b[j] / den;
      for (int k = 0; k < d; k++) pT[k * ha + j] = f * wT[k * ha + j];
    }
    for (int q = 0; q < d * ha; q++) gpT[q] = 0;
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
    // coverage: nearest prototype (ties: lowest j) or softmin over the row's distances
    D vmin = L::splat(__builtin_inf()), vidx = L::splat(0), jv = iota;
    for (int j = 0; j < hp; j += W) {
      D av = L::splat(0);
      for (int k = 0; k < d; k++) {
        const D diff = L::splat(xi[k]) - L::load(pT + k * ha + j);
        av += diff * diff;
      }
      if (softmin) L::store(aRow + j, av);
      const auto less = av < vmin;
      vmin = less ? av : vmin;
      vidx = less ? jv : vidx;
      jv += (double)W;
    }
    double best = vmin[0], bestIdx = vidx[0];
    for (int l = 1; l < W; l++) {
      if (vmin[l] < best || (vmin[l] == best && vidx[l] < bestIdx)) {
        best = vmin[l];
        bestIdx = vidx[l];
      }
    }
    if (!softmin) {
      covSum += best;
      if (a.wCov != 0) {
        const int jb = (int)bestIdx;
        const double f = (a.wCov * 2) / n;
        for (int k = 0; k < d; k++) gpT[k * ha + jb] += f * (pT[k * ha + jb] - xi[k]);
      }
    } else {
      const D bv = L::splat(best), tc = L::splat(a.tauCov);
      D accE = L::splat(0);
      for (int j = 0; j < hp; j += W) {
        const D e = vexp<W>(-(L::load(aRow + j) - bv) / tc);
        L::store(aRow + j, e);
        accE += e;
      }
      const double sum = L::sum(accE);
      covSum += best - a.tauCov * __builtin_log(sum / h);
      if (a.wCov != 0) {
        const D f = L::splat((a.wCov * 2) / (n * sum));
        for (int j = 0; j < hp; j += W) {
          const D fj = f * L::load(aRow + j);
          for (int k = 0; k < d; k++) {
            double* g = gpT + k * ha + j;
            L::store(g, L::load(g) + fj * (L::load(pT + k * ha + j) - xi[k]));
          }
        }
      }
    }
  };

  // Rows are processed two at a time: pass A shares the loads of b, w, v between them and runs
  // two independent exp chains; pass B loads and stores each gradient lane group once for both.
  // Per gradient entry the contributions are still added row after row (the scalar variant gives
  // one-row-at-a-time results bit for bit; the SIMD ones may contract a*b+c differently).
  auto fitRows = [&](int i0, auto rowsTag) {
    constexpr int R = decltype(rowsTag)::value;
    const double* xr[R];
    D accY[R], accS[R], accQ[R];
    for (int r = 0; r < R; r++) {
      xr[r] = x + (long)(i0 + r) * d;
      accY[r] = accS[r] = accQ[r] = L::splat(0);
      accY[r][0] = a.c;
    }
    for (int j = 0; j < hp; j += W) {
      const D bv = L::load(b + j), vv = L::load(v + j);
      for (int r = 0; r < R; r++) {
        D z = bv;
        for (int k = 0; k < d; k++) z += L::load(wT + k * ha + j) * xr[r][k];
        const D hv = vexp<W>(-(z * z));
        L::store(zRow + r * ha + j, z);
        L::store(hRow + r * ha + j, hv);
        accY[r] += vv * hv;
        accS[r] += hv;
        accQ[r] += hv * hv;
      }
    }
    // pass B: dL/dz = dL/dh * (-2 z h), dL/dh = gi v_j + ovlScale (S_i - h_ij); -2 is folded into
    // the weights (a multiplication by -2 is exact, so this is TS's rounding)
    D giv[R], giv2[R], sv[R];
    const D os2 = L::splat(-2 * ovlScale);
    for (int r = 0; r < R; r++) {
      const double res = L::sum(accY[r]) - a.y[i0 + r];
      fitSum += res * res;
      const double gi = a.wFit * ((2 * res) / n);
      const double rowSum = L::sum(accS[r]);
      if (a.doOvl) ovlSum += rowSum * rowSum - L::sum(accQ[r]);
      gc += gi;
      giv[r] = L::splat(gi), giv2[r] = L::splat(-2 * gi), sv[r] = L::splat(rowSum);
    }
    for (int j = 0; j < hp; j += W) {
      const D vv = L::load(v + j);
      D gvv = L::load(gv + j), gbv = L::load(gb + j);
      D gw[DIM > 0 ? DIM : 1];
      if (DIM > 0)
        for (int k = 0; k < d; k++) gw[k] = L::load(gWT + k * ha + j);
      for (int r = 0; r < R; r++) {
        const D hv = L::load(hRow + r * ha + j);
        const D zv = L::load(zRow + r * ha + j);
        gvv += giv[r] * hv;
        D dh = giv2[r] * vv;
        if (ovlGrad) dh += os2 * (sv[r] - hv);
        const D dz = dh * zv * hv;
        gbv += dz;
        if (DIM > 0) {
          for (int k = 0; k < d; k++) gw[k] += dz * xr[r][k];
        } else {
          for (int k = 0; k < d; k++) L::store(gWT + k * ha + j, L::load(gWT + k * ha + j) + dz * xr[r][k]);
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
  if (a.doSep && W == 1) {
    // the scalar variant: TS's loop, operation for operation
    const bool sepGrad = a.wSep != 0;
    for (int j = 0; j < h; j++) {
      for (int l = j + 1; l < h; l++) {
        double dd = 0;
        for (int k = 0; k < d; k++) {
          const double diff = pT[k * ha + j] - pT[k * ha + l];
          dd += diff * diff;
        }
        const double e = vexp<W>(L::splat(-dd / a.tau))[0];
        sepTotal += e;
        if (!sepGrad) continue;
        const double f = (a.wSep * e * -2) / (a.tau * pairs);
        for (int k = 0; k < d; k++) {
          const double g = f * (pT[k * ha + j] - pT[k * ha + l]);
          gpT[k * ha + j] += g;
          gpT[k * ha + l] -= g;
        }
      }
    }
  } else if (a.doSep) {
    // Pairs j < l for two rows j, j + 1 at a time, vectorized over l: the lane groups of p_l and
    // dL/dp_l are loaded and stored once for both rows, and the two exp chains overlap. The loop
    // starts at the lane group holding j + 1 (lanes l <= row masked to 0) so that stores into gpT
    // and the next rows' loads cover the same addresses (partly overlapping vectors would defeat
    // store-to-load forwarding); a row's own sum over l goes to gpSelfT for the same reason.
    // Lanes past h read padding prototypes (kFar), whose e is exactly 0. The exp's argument is
    // -d * (1/tau) here, one ulp from TS's -d / tau (far inside the tolerance).
    const bool sepGrad = a.wSep != 0;
    const D negInvTau = L::splat(-1.0 / a.tau);
    const D gradScale = L::splat((a.wSep * -2.0) / (a.tau * pairs));
    D accE = L::splat(0);
    auto sepRows = [&](int j0, auto rowsTag) {
      constexpr int R = decltype(rowsTag)::value;
      D gj[R][DIM > 0 ? DIM : kMaxDimLocal];
      D pj[R][DIM > 0 ? DIM : kMaxDimLocal];
      for (int r = 0; r < R; r++)
        for (int k = 0; k < d; k++) gj[r][k] = L::splat(0), pj[r][k] = L::splat(pT[k * ha + j0 + r]);
      const int l0 = (j0 + 1) / W * W;
      for (int l = l0; l < h; l += W) {
        D e[R];
        for (int r = 0; r < R; r++) {
          D dd = L::splat(0);
          for (int k = 0; k < d; k++) {
            const D diff = pj[r][k] - L::load(pT + k * ha + l);
            dd += diff * diff;
          }
          e[r] = vexp<W>(dd * negInvTau);
          if (l == l0) e[r] = iota + (double)l > (double)(j0 + r) ? e[r] : L::splat(0);
          accE += e[r];
        }
        if (!sepGrad) continue;
        for (int k = 0; k < d; k++) {
          const D pl = L::load(pT + k * ha + l);
          D gl = L::load(gpT + k * ha + l);
          for (int r = 0; r < R; r++) {
            const D g = e[r] * gradScale * (pj[r][k] - pl);
            gj[r][k] += g;
            gl -= g;
          }
          L::store(gpT + k * ha + l, gl);
        }
      }
      if (sepGrad)
        for (int r = 0; r < R; r++)
          for (int k = 0; k < d; k++) a.gpSelfT[k * ha + j0 + r] = L::sum(gj[r][k]);
    };
    for (int j = 0; j < h; j += 2) {
      if (j + 1 < h)
        sepRows(j, RowCount<2>{});
      else
        sepRows(j, RowCount<1>{});
    }
    if (sepGrad)
      for (int k = 0; k < d; k++)
        for (int j = 0; j < h; j++) gpT[k * ha + j] += a.gpSelfT[k * ha + j];
    sepTotal = L::sum(accE);
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
      for (int k = 0; k < d; k++) gWT[k * ha + j] += (-bj * gpT[k * ha + j]) / nj + cross * wT[k * ha + j];
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
    epochBody<W, 1>(a);
  else
    epochBody<W, 0>(a);
}

}  // namespace
}  // namespace protomlp
