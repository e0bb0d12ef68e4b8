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
//   The neuron (ridge or radial unit; gaussian, cauchy or laplace activation) is a template
//   parameter (Neuron): what it changes is in neuronForward, ridgeChain, radialChain, weightStep,
//   computePrototypes and chainPrototypes (docs/native.md, "Other neurons").
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
//   depended on the width; the softmin's log and Adam's bias-correction powers come from
//   numerics.h.
// The TS backend (src/model/losses.ts) fuses nothing and uses V8's exp, so it agrees with these
// kernels within the tolerances of src/backend/agreement.ts, not to the bit (docs/native.md).

#include "adam.h"
#include "bounds.h"
#include "exp.h"
#include "kernel.h"
#include "lanes.h"
#include "numerics.h"
#include "sort.h"

namespace protomlp {
namespace {

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
 * A neuron's form as a type (Unit, Activation): each of the six compiles its own inner loops, and
 * the paper's (ridge, gaussian) keeps exactly its operations.
 */
template <int UNIT, int ACT>
struct Neuron {
  static constexpr bool radial = UNIT == kUnitRadial;
  static constexpr int activation = ACT;
  /** dh/dz's constant, folded into pass B's weights: -2 (gaussian -2 z h, cauchy -2 z h^2), or
   *  -1 (laplace -sign(z) h); a multiplication by either is exact */
  static constexpr double chain = ACT == kLaplace ? -1.0 : -2.0;
};

/**
 * Coverage of one row in 1-D with the hard min, by bisection in the sorted prototypes (a.pS, the
 * first hf not NaN); adds the winner's gradient to gpT and returns the row's term.
 */
inline double coverageSorted(EpochArgs& a, int hf, const double* xi) {
  const int n = a.n;
  const double* pT = a.pT;
  double* gpT = a.gpT;
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
  const double term = best;
  if (a.wCov != 0) gpT[jb] += ((a.wCov * 2) / n) * (pT[jb] - xv);
  return term;
}

/** Fills aRow with one row's squared distances to every prototype and returns their min. */
template <int W, int DIM>
inline double nearestDistance(EpochArgs& a, int hw, const double* xi) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  const int d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const double* pT = a.pT;
  double* aRow = a.aRow;
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
  return best;
}

/** The hard-min coverage gradient of one row: the first prototype at distance best (aRow). */
template <int W, int DIM>
inline void hardMinGradient(EpochArgs& a, int hw, const double* xi, double best) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  const int n = a.n, d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const double* pT = a.pT;
  double* gpT = a.gpT;
  const double* aRow = a.aRow;
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

/** The softmin coverage of one row from its distances (aRow) and their min: adds its gradient
 *  to gpT, returns its term. */
template <int W, int DIM>
inline double softminCoverage(EpochArgs& a, int hw, const double* xi, double best) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  constexpr int G = L::kGroups;
  const int n = a.n, h = a.h, d = DIM > 0 ? DIM : a.d, ha = a.ha, hp = a.hp;
  const double* pT = a.pT;
  double* gpT = a.gpT;
  double* aRow = a.aRow;
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
  const double term = best - a.tauCov * softminLog(sum / h);
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
  return term;
}

/**
 * For each sorted prototype s, the first t > s whose pair with s has an exp argument below
 * kExpMinArg in the first coordinate alone (so every later pair's exp is exactly 0): bandEnd[s].
 */
inline void separationBand(EpochArgs& a, double negInvTauValue) {
  const int h = a.h;
  const double* pS = a.pS;
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
}

/** What every row of one epoch's separation loop shares. */
template <int W>
struct SeparationScales {
  typename Lanes<W>::D iota;       // lane l holds l
  typename Lanes<W>::D negInvTau;  // -1 / tau: a pair's exp argument is |p_s - p_t|^2 times this
  typename Lanes<W>::D gradScale;  // wSep * -2 / (tau * pairs)
  bool grad;                       // wSep != 0: the gradient is wanted
};

/** R sorted rows s0 .. s0 + R - 1 of the separation loop: their prototypes in every lane, and
 *  their own gradient sums over t, per lane group (combined once the row is done). */
template <int W, int DIM, int R>
struct SeparationRows {
  typename Lanes<W>::D ps[R][DIM > 0 ? DIM : kMaxDim];
  typename Lanes<W>::D gs[R][Lanes<W>::kGroups][DIM > 0 ? DIM : kMaxDim];
};

/**
 * The pairs of R sorted rows with the virtual block t8 .. t8 + 7: each pair's exp goes to accE
 * and, with the gradient, its dL/dp to the rows' own sums (rows.gs) and, negated, to gpS at t.
 * FIRST (a row's first block) masks the lanes t <= s, which are no pairs, to exactly 0.
 */
template <int W, int DIM, int R, bool FIRST>
inline void separationBlock(EpochArgs& a, const SeparationScales<W>& sc,
                            SeparationRows<W, DIM, R>& rows, VirtualSum<W>& accE, int s0, int t8) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  constexpr int G = L::kGroups;
  const int d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const double* pS = a.pS;
  double* gpS = a.gpS;
  for (int u = 0; u < G; u++) {
    const int t = t8 + u * W;
    D e[R];
    typename L::I keep[R];
    for (int r = 0; r < R; r++) {
      D diff = rows.ps[r][0] - L::load(pS + t);
      D dd = diff * diff;  // = 0 + diff^2 exactly
      for (int k = 1; k < d; k++) {
        diff = rows.ps[r][k] - L::load(pS + k * ha + t);
        dd = L::madd(diff, diff, dd);
      }
      e[r] = vexp<W>(dd * sc.negInvTau);
      if constexpr (FIRST) {
        keep[r] = sc.iota + (double)t > (double)(s0 + r);
        e[r] = keep[r] ? e[r] : L::splat(0);
      }
      accE.part[u] += e[r];
    }
    if (!sc.grad) continue;
    for (int k = 0; k < d; k++) {
      const D pt = L::load(pS + k * ha + t);
      D gt = L::load(gpS + k * ha + t);
      for (int r = 0; r < R; r++) {
        D g = e[r] * sc.gradScale * (rows.ps[r][k] - pt);
        if constexpr (FIRST) g = keep[r] ? g : L::splat(0);
        rows.gs[r][u][k] += g;
        gt -= g;
      }
      L::store(gpS + k * ha + t, gt);
    }
  }
}

/**
 * Sorted rows s0 .. s0 + R - 1 of the separation loop (R = 2, or 1 for the last of an odd h), from
 * the block holding s0 + 1 to the band's end of the last row; their own sums go to gpSelfT.
 */
template <int W, int DIM, int R>
inline void separationRows(EpochArgs& a, const SeparationScales<W>& sc, VirtualSum<W>& accE,
                           int s0) {
  typedef Lanes<W> L;
  constexpr int G = L::kGroups;
  const int d = DIM > 0 ? DIM : a.d, ha = a.ha;
  SeparationRows<W, DIM, R> rows;
  for (int r = 0; r < R; r++)
    for (int k = 0; k < d; k++) {
      rows.ps[r][k] = L::splat(a.pS[k * ha + s0 + r]);
      for (int u = 0; u < G; u++) rows.gs[r][u][k] = L::splat(0);
    }
  const int t0 = (s0 + 1) / kVirtualWidth * kVirtualWidth;
  const int tEnd = a.bandEnd[s0 + R - 1];  // the larger of the rows' ends
  separationBlock<W, DIM, R, true>(a, sc, rows, accE, s0, t0);
  for (int t8 = t0 + kVirtualWidth; t8 < tEnd; t8 += kVirtualWidth)
    separationBlock<W, DIM, R, false>(a, sc, rows, accE, s0, t8);
  if (!sc.grad) return;
  for (int r = 0; r < R; r++)
    for (int k = 0; k < d; k++) {
      VirtualSum<W> self;
      for (int u = 0; u < G; u++) self.part[u] = rows.gs[r][u][k];
      a.gpSelfT[k * ha + s0 + r] = self.total();
    }
}

/**
 * Pairs over the prototypes sorted by their first coordinate (sorted positions s < t), two rows
 * s, s + 1 at a time, vectorized over t in virtual blocks of 8: the lane groups of p_t and
 * dL/dp_t are loaded and stored once for both rows, and the two exp chains overlap. Row s
 * stops at bandEnd[s]: every pair beyond it has -|p_s - p_t|^2 / tau < -708 in the first
 * coordinate alone, so its exp is exactly 0 (for tau = 1e-3 about half the pairs of a trained
 * run). Which blocks are computed is decided here, in scalar code, the same for every width.
 * A row starts at the block holding s + 1 (lanes t <= s masked to 0), so stores into gpS and
 * the next rows' loads cover the same addresses (partly overlapping vectors would defeat
 * store-to-load forwarding); a row's own sum over t goes to gpSelfT for the same reason.
 * Lanes past h read padding prototypes (kPaddingFar), whose e is exactly 0.
 * Returns the separation total; its gradient is added to gpT.
 */
template <int W, int DIM>
double separation(EpochArgs& a, double pairs) {
  typedef Lanes<W> L;
  const int h = a.h, d = DIM > 0 ? DIM : a.d, ha = a.ha;
  SeparationScales<W> sc;
  for (int l = 0; l < W; l++) sc.iota[l] = l;
  const double negInvTauValue = -1 / a.tau;
  sc.negInvTau = L::splat(negInvTauValue);
  sc.gradScale = L::splat((a.wSep * -2) / (a.tau * pairs));
  sc.grad = a.wSep != 0;
  for (int q = 0; q < d * ha; q++) a.gpS[q] = 0;
  separationBand(a, negInvTauValue);
  VirtualSum<W> accE;
  for (int s = 0; s < h; s += 2) {
    if (s + 1 < h)
      separationRows<W, DIM, 2>(a, sc, accE, s);
    else
      separationRows<W, DIM, 1>(a, sc, accE, s);
  }
  if (sc.grad)
    for (int k = 0; k < d; k++)
      for (int s = 0; s < h; s++)
        a.gpT[k * ha + a.order[s]] += a.gpS[k * ha + s] + a.gpSelfT[k * ha + s];
  return accE.total();
}

/**
 * The prototypes p_j = -b_j w_j / (|w_j|^2 + kPrototypeEps) into pT and their denominators into
 * norm (src/model/losses.ts prototypesInto, op for op), or a radial unit's centres (padding keeps
 * kPaddingFar); clears gpT, their gradient.
 */
template <int DIM, class N>
inline void computePrototypes(EpochArgs& a) {
  const int h = a.h, d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const double* wT = a.wT;
  const double* b = a.b;
  double* pT = a.pT;
  for (int j = 0; j < h && N::radial; j++)  // a radial unit's prototype is its centre
    for (int k = 0; k < d; k++) pT[k * ha + j] = wT[k * ha + j];
  for (int j = 0; j < h && !N::radial; j++) {
    double s = 0;
    for (int k = 0; k < d; k++) s += wT[k * ha + j] * wT[k * ha + j];
    const double den = s + kPrototypeEps;
    a.norm[j] = den;
    for (int k = 0; k < d; k++) pT[k * ha + j] = (-b[j] * wT[k * ha + j]) / den;
  }
  for (int q = 0; q < d * ha; q++) a.gpT[q] = 0;
}

/**
 * The prototypes sorted by their first coordinate, for separation and the 1-D hard-min coverage:
 * updates order, writes pS (positions beyond h keep the padding kPaddingFar) and returns how many
 * of them are not NaN (NaN sorts last).
 */
template <int DIM>
inline int sortPrototypes(EpochArgs& a) {
  const int h = a.h, d = DIM > 0 ? DIM : a.d, ha = a.ha;
  sortByPrototype(a.pT, a.order, h);
  for (int k = 0; k < d; k++)
    for (int s = 0; s < h; s++) a.pS[k * ha + s] = a.pT[k * ha + a.order[s]];
  int hf = h;
  while (hf > 0 && a.pS[hf - 1] != a.pS[hf - 1]) hf--;
  return hf;
}

/**
 * The coverage term of row i, its gradient added to gpT: in 1-D with the hard min (sorted) by
 * bisection over the hf sorted prototypes that are not NaN, otherwise from the row's distances to
 * every prototype, by the hard min or the softmin (tauCov > 0).
 */
template <int W, int DIM>
inline double coverageRow(EpochArgs& a, int i, int hw, int hf, bool sorted) {
  const double* xi = a.x + (long)i * (DIM > 0 ? DIM : a.d);
  if (sorted) return coverageSorted(a, hf, xi);
  const double best = nearestDistance<W, DIM>(a, hw, xi);
  if (a.tauCov != 0) return softminCoverage<W, DIM>(a, hw, xi, best);
  if (a.wCov != 0) hardMinGradient<W, DIM>(a, hw, xi, best);
  return best;
}

/** Sums over the rows of one epoch, added to row after row. */
struct RowTotals {
  double gc = 0;   // dL/dc
  double fit = 0;  // sum of squared residuals
  double cov = 0;  // sum of the rows' coverage terms
  double ovl = 0;  // sum over rows of S_i^2 - sum_j h_ij^2
};

/** Pass A's sums over neurons for R rows: of v h (yhat - c) and, with OVL, of h and h^2. */
template <int W, int R, bool OVL>
struct FitSums {
  VirtualSum<W> y[R], s[OVL ? R : 1], q[OVL ? R : 1];
};

/** What pass A and B take of a neuron's b: ridge b itself; radial s^2, or |s| for laplace. */
template <int W, class N>
inline typename Lanes<W>::D neuronScale(typename Lanes<W>::D bv) {
  if constexpr (!N::radial) return bv;
  if constexpr (N::activation == kLaplace) return Lanes<W>::abs(bv);
  return bv * bv;
}

/**
 * h of one neuron group at row xr, and what pass B needs of it (kept): ridge z = b + w . x and
 * phi(z); radial q = |x - p|^2 and phi from z^2 = s^2 q without a square root (gaussian, cauchy),
 * or r = |x - p| (a square root; |x - p| itself at d = 1) and exp(-|s| r) (laplace). sv is
 * neuronScale(b).
 */
template <int W, int DIM, class N>
inline typename Lanes<W>::D neuronForward(const EpochArgs& a, const double* xr, int jj,
                                          typename Lanes<W>::D sv, typename Lanes<W>::D& kept) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  const int d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const D one = L::splat(1.0);
  if constexpr (!N::radial) {
    D z = sv;
    for (int k = 0; k < d; k++) z = L::madd(L::load(a.wT + k * ha + jj), L::splat(xr[k]), z);
    kept = z;
    if constexpr (N::activation == kGaussian) return vexp<W>(L::negSquare(z));
    if constexpr (N::activation == kCauchy) return one / L::madd(z, z, one);
    if constexpr (N::activation == kLaplace) return vexp<W>(z < 0.0 ? z : -z);  // exp(-|z|)
  } else {
    D diff = L::splat(xr[0]) - L::load(a.wT + jj);
    D q = diff * diff;  // = 0 + diff^2 exactly
    for (int k = 1; k < d; k++) {
      diff = L::splat(xr[k]) - L::load(a.wT + k * ha + jj);
      q = L::madd(diff, diff, q);
    }
    if constexpr (N::activation == kLaplace) {
      const D r = DIM == 1 ? L::abs(diff) : L::sqrt(q);
      kept = r;
      return vexp<W>(-(sv * r));
    }
    kept = q;
    if constexpr (N::activation == kGaussian) return vexp<W>(-(sv * q));
    if constexpr (N::activation == kCauchy) return one / (one + sv * q);
  }
}

/**
 * Pass A of rows i0 .. i0 + R - 1: h of every neuron (neuronForward) into hRow, what pass B needs
 * of it into zRow, and the rows' sums. The loads of b, w, v are shared by the rows, whose exp
 * chains are independent.
 */
template <int W, int DIM, bool OVL, class N, int R>
inline void forwardRows(EpochArgs& a, int i0, int hw, FitSums<W, R, OVL>& sums) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  constexpr int G = L::kGroups;
  const int d = DIM > 0 ? DIM : a.d, hp = a.hp, ha = a.ha;
  for (int j = 0; j < hp; j += kVirtualWidth) {
    for (int u = 0; u < G && j + u * W < hw; u++) {
      const int jj = j + u * W;
      const D sv = neuronScale<W, N>(L::load(a.b + jj)), vv = L::load(a.v + jj);
      for (int r = 0; r < R; r++) {
        const double* xr = a.x + (long)(i0 + r) * d;
        D z;
        const D hv = neuronForward<W, DIM, N>(a, xr, jj, sv, z);
        L::store(a.zRow + r * ha + jj, z);
        L::store(a.hRow + r * ha + jj, hv);
        sums.y[r].part[u] = L::madd(vv, hv, sums.y[r].part[u]);
        if constexpr (OVL) {
          sums.s[r].part[u] += hv;
          sums.q[r].part[u] = L::madd(hv, hv, sums.q[r].part[u]);
        }
      }
    }
  }
}

/** Per row, what pass B multiplies with: gi = dL/dyhat_i, N::chain gi, and the row's sum of h. */
template <int W, int R>
struct RowWeights {
  typename Lanes<W>::D gi[R], gi2[R], rowSum[R];
};

/**
 * The residuals of rows i0 .. i0 + R - 1 (res = c + yhat - y): adds the rows' fit and overlap
 * terms and dL/dc to totals, and gives pass B its per-row weights.
 */
template <int W, bool OVL, class N, int R>
inline void fitResiduals(EpochArgs& a, int i0, const FitSums<W, R, OVL>& sums, RowTotals& totals,
                         RowWeights<W, R>& weights) {
  typedef Lanes<W> L;
  const int n = a.n;
  for (int r = 0; r < R; r++) {
    const double res = (a.c + sums.y[r].total()) - a.y[i0 + r];
    totals.fit += res * res;
    const double gi = a.wFit * ((2 * res) / n);
    double rowSum = 0;
    if constexpr (OVL) {
      rowSum = sums.s[r].total();
      totals.ovl += rowSum * rowSum - sums.q[r].total();
    }
    totals.gc += gi;
    weights.gi[r] = L::splat(gi), weights.gi2[r] = L::splat(N::chain * gi);
    weights.rowSum[r] = L::splat(rowSum);
  }
}

/**
 * dL/dz of one neuron group and row from dh = N::chain dL/dh, kept z and h (ridge): gaussian
 * dh z h, cauchy dh z h^2, laplace sign(z) dh h (sign(0) = 0).
 */
template <int W, class N>
inline typename Lanes<W>::D ridgeChain(typename Lanes<W>::D dh, typename Lanes<W>::D zv,
                                       typename Lanes<W>::D hv) {
  if constexpr (N::activation == kGaussian) return dh * zv * hv;
  if constexpr (N::activation == kCauchy) return dh * zv * hv * hv;
  const typename Lanes<W>::D t = dh * hv, zero = Lanes<W>::splat(0);
  return zv > 0.0 ? t : zv < 0.0 ? -t : zero;
}

/**
 * A radial unit's chain rule for one neuron group and row, from dh = N::chain dL/dh, kept (q or r)
 * and h: adds dL/ds to gs and returns f, the factor of (p - x) in dL/dp. Gaussian and cauchy by
 * z^2 = s^2 q: dL/ds = w s q, dL/dp = w s^2 (p - x) with w = dh h (h^2 for cauchy); laplace:
 * dL/ds = sign(s) dh h r, dL/dp = |s| dh h (p - x) / r (0 at r = 0; at d = 1 the factor of
 * sign(p - x), radialDirection applies it). bv is s, sv neuronScale(s).
 */
template <int W, int DIM, class N>
inline typename Lanes<W>::D radialChain(typename Lanes<W>::D dh, typename Lanes<W>::D kept,
                                        typename Lanes<W>::D hv, typename Lanes<W>::D bv,
                                        typename Lanes<W>::D sv, typename Lanes<W>::D& gs) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  const D zero = L::splat(0);
  if constexpr (N::activation == kLaplace) {
    const D t = dh * hv;
    gs = L::madd(bv > 0.0 ? t : bv < 0.0 ? -t : zero, kept, gs);
    const D ts = t * sv;
    if constexpr (DIM == 1) return ts;
    return kept > 0.0 ? ts / kept : zero;
  } else {
    const D w = N::activation == kCauchy ? dh * hv * hv : dh * hv;
    gs = L::madd(w * bv, kept, gs);
    return w * sv;
  }
}

/** dL/dw_k += f times: ridge x_k; radial p_k - x_k (radial laplace at d = 1: its sign). */
template <int W, int DIM, class N>
inline typename Lanes<W>::D weightStep(typename Lanes<W>::D f, typename Lanes<W>::D pk, double xk,
                                       typename Lanes<W>::D g) {
  typedef Lanes<W> L;
  if constexpr (!N::radial) return L::madd(f, L::splat(xk), g);
  const typename L::D e = pk - L::splat(xk);
  if constexpr (N::activation == kLaplace && DIM == 1)
    return g + (e > 0.0 ? f : e < 0.0 ? -f : L::splat(0));
  return L::madd(f, e, g);
}

/**
 * Pass B of rows i0 .. i0 + R - 1, the chain rule back to v, b and W (radial: s and P):
 * dL/dh = gi v_j + ovlScale (S_i - h_ij), then ridgeChain or radialChain; N::chain is folded into
 * the weights. Each gradient lane group is loaded and stored once for all rows; per gradient entry
 * the contributions are still added row after row.
 */
template <int W, int DIM, bool OVL, class N, int R>
inline void backwardRows(EpochArgs& a, int i0, int hw, double ovlScale,
                         const RowWeights<W, R>& weights) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  constexpr int KD = DIM > 0 ? DIM : 1;
  const int d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const bool ovlGrad = a.wOvl != 0;
  const D os2 = L::splat(N::chain * ovlScale);
  double* gWT = a.gWT;
  for (int j = 0; j < hw; j += W) {
    const D vv = L::load(a.v + j);
    D gvv = L::load(a.gv + j), gbv = L::load(a.gb + j);
    D bv = gbv, sv = gbv, gw[KD], pk[KD];
    if constexpr (N::radial) bv = L::load(a.b + j), sv = neuronScale<W, N>(bv);
    if (DIM > 0)
      for (int k = 0; k < d; k++) {
        gw[k] = L::load(gWT + k * ha + j);
        if constexpr (N::radial) pk[k] = L::load(a.wT + k * ha + j);
      }
    for (int r = 0; r < R; r++) {
      const double* xr = a.x + (long)(i0 + r) * d;
      const D hv = L::load(a.hRow + r * ha + j);
      const D zv = L::load(a.zRow + r * ha + j);
      gvv = L::madd(weights.gi[r], hv, gvv);
      D dh = weights.gi2[r] * vv;
      if (OVL && ovlGrad) dh = L::madd(os2, weights.rowSum[r] - hv, dh);
      D f;
      if constexpr (N::radial) {
        f = radialChain<W, DIM, N>(dh, zv, hv, bv, sv, gbv);
      } else {
        f = ridgeChain<W, N>(dh, zv, hv);
        gbv += f;
      }
      if (DIM > 0) {
        for (int k = 0; k < d; k++)
          gw[k] = weightStep<W, DIM, N>(f, N::radial ? pk[k] : f, xr[k], gw[k]);
      } else {
        for (int k = 0; k < d; k++) {
          double* g = gWT + k * ha + j;
          const D p = N::radial ? L::load(a.wT + k * ha + j) : f;
          L::store(g, weightStep<W, DIM, N>(f, p, xr[k], L::load(g)));
        }
      }
    }
    L::store(a.gv + j, gvv);
    L::store(a.gb + j, gbv);
    if (DIM > 0)
      for (int k = 0; k < d; k++) L::store(gWT + k * ha + j, gw[k]);
  }
}

/** The fit (and overlap) of rows i0 .. i0 + R - 1, two at a time (R = 1 for the last of odd n). */
template <int W, int DIM, bool OVL, class N, int R>
inline void fitRows(EpochArgs& a, int i0, int hw, double ovlScale, RowTotals& totals) {
  FitSums<W, R, OVL> sums;
  forwardRows<W, DIM, OVL, N, R>(a, i0, hw, sums);
  RowWeights<W, R> weights;
  fitResiduals<W, OVL, N, R>(a, i0, sums, totals, weights);
  backwardRows<W, DIM, OVL, N, R>(a, i0, hw, ovlScale, weights);
}

/**
 * The chain rule from dL/dp (gpT) into W and b: dp/db = -w/n_j, dp_k/dw_l = -b (delta_kl/n_j -
 * 2 w_k w_l/n_j^2), n_j = |w_j|^2 + eps (norm); a radial unit's prototype is its centre, so its
 * dL/dp is added to dL/dP as it is.
 */
template <int DIM, class N>
inline void chainPrototypes(EpochArgs& a) {
  const int h = a.h, d = DIM > 0 ? DIM : a.d, ha = a.ha;
  const double* wT = a.wT;
  const double* gpT = a.gpT;
  for (int j = 0; j < h && N::radial; j++)
    for (int k = 0; k < d; k++) a.gWT[k * ha + j] += gpT[k * ha + j];
  for (int j = 0; j < h && !N::radial; j++) {
    double gw = 0;
    for (int k = 0; k < d; k++) gw += gpT[k * ha + j] * wT[k * ha + j];
    const double nj = a.norm[j];
    const double bj = a.b[j];
    a.gb[j] += -gw / nj;
    const double cross = (2 * bj * gw) / (nj * nj);
    for (int k = 0; k < d; k++)
      a.gWT[k * ha + j] += (-bj * gpT[k * ha + j]) / nj + cross * wT[k * ha + j];
  }
}

/**
 * One epoch: the prototypes, the fit rows with each row's coverage, separation, then the chain rule
 * from the prototypes into W and b. DIM = 1 compiles the d = 1 case (the paper's) with every loop
 * over k unrolled; OVL whether the overlap term is computed (its row sums of h and h^2 cost
 * registers that the exp needs, so without it they are not kept at all). Overlap lives in the fit
 * rows, which already hold every h_ij: its row sums in forwardRows, its term in fitResiduals, its
 * gradient in backwardRows.
 */
template <int W, int DIM, bool OVL, class N>
void epochBody(EpochArgs& a) {
  const int n = a.n, h = a.h, d = DIM > 0 ? DIM : a.d, ha = a.ha;
  // The fit and coverage loops stop at the register group holding neuron h - 1: the groups after it
  // hold only padding, whose terms are exactly +0 (and which never wins a min), so leaving them out
  // changes no sum. (Separation computes whole 8-blocks: which lanes it sees must not depend on W.)
  const int hw = (h + W - 1) / W * W;
  if (a.doCov || a.doSep) computePrototypes<DIM, N>(a);
  const bool sortedCoverage = a.doCov && DIM == 1 && a.tauCov == 0;
  const int hf = a.doSep || sortedCoverage ? sortPrototypes<DIM>(a) : h;
  for (int q = 0; q < d * ha; q++) a.gWT[q] = 0;
  for (int j = 0; j < ha; j++) a.gb[j] = a.gv[j] = 0;

  RowTotals totals;
  const double ovlScale = (a.wOvl * 2) / ((double)n * h * (h - 1));
  for (int i0 = 0; i0 < n; i0 += 2) {
    if (i0 + 1 < n)
      fitRows<W, DIM, OVL, N, 2>(a, i0, hw, ovlScale, totals);
    else
      fitRows<W, DIM, OVL, N, 1>(a, i0, hw, ovlScale, totals);
    if (a.doCov)
      for (int i = i0; i < n && i < i0 + 2; i++)
        totals.cov += coverageRow<W, DIM>(a, i, hw, hf, sortedCoverage);
  }
  const double pairs = ((double)h * (h - 1)) / 2;
  const double sepTotal = a.doSep ? separation<W, DIM>(a, pairs) : 0;
  if (a.wCov != 0 || a.wSep != 0) chainPrototypes<DIM, N>(a);

  a.gc = totals.gc;
  a.fit = totals.fit / n;
  a.cov = a.doCov ? totals.cov / n : 0;
  a.sep = a.doSep ? sepTotal / pairs : 0;
  a.ovl = a.doOvl ? totals.ovl / ((double)n * h * (h - 1)) : 0;
}

/** One epoch of neuron N: the d = 1 or general instantiation, with or without the overlap term. */
template <int W, class N>
void epochNeuron(EpochArgs& a) {
  if (a.d == 1)
    a.doOvl ? epochBody<W, 1, true, N>(a) : epochBody<W, 1, false, N>(a);
  else
    a.doOvl ? epochBody<W, 0, true, N>(a) : epochBody<W, 0, false, N>(a);
}

/** One epoch of the job's neuron (a.unit, a.activation; validateJob checked both). */
template <int W>
void epochImpl(EpochArgs& a) {
  const bool radial = a.unit == kUnitRadial;
  if (a.activation == kCauchy)
    radial ? epochNeuron<W, Neuron<kUnitRadial, kCauchy>>(a)
           : epochNeuron<W, Neuron<kUnitRidge, kCauchy>>(a);
  else if (a.activation == kLaplace)
    radial ? epochNeuron<W, Neuron<kUnitRadial, kLaplace>>(a)
           : epochNeuron<W, Neuron<kUnitRidge, kLaplace>>(a);
  else
    radial ? epochNeuron<W, Neuron<kUnitRadial, kGaussian>>(a)
           : epochNeuron<W, Neuron<kUnitRidge, kGaussian>>(a);
}

}  // namespace
}  // namespace protomlp
