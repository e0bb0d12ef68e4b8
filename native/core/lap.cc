// LAPJV (R. Jonker and A. Volgenant, "A shortest augmenting path algorithm for dense and sparse
// linear assignment problems", Computing 38, 1987) in float64, for r <= c rows and columns:
//   1. an initial matching and prices: square problems, an epsilon-scaling auction (auctionInit;
//      on run data it leaves far fewer augmentations than JV's column reduction did), then only
//      the rows that satisfy complementary slackness exactly stay matched; rectangular problems,
//      prices 0 and two passes of augmenting row reduction (JV's own, which keeps every price of
//      a column that may end unmatched at 0),
//   2. a shortest augmenting path (Dijkstra over reduced costs) for every row still free.
// In a rectangular problem, prices only decrease and change only on matched columns, so an
// unmatched column keeps v = 0 and the result is optimal (the dual of "every row matched, columns
// at most once" has v <= 0, and v = 0 where a column is unmatched). Row prices are implicit
// (u_i = c_ij - v_j on the match). Every scan is in index order with strict comparisons, so ties
// go the same way on every machine.
#include "lap.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace protomlp {

namespace {

constexpr double kInf = HUGE_VAL;

/** The solver reads its costs from an r x n matrix up to this many cells (256 MB); beyond, with
 * at most kComputedMaxDim coordinates, it computes each row of costs from the points when it
 * needs it (into a buffer that stays in cache): slower (a sqrt per cost and read), but no matrix.
 */
constexpr int64_t kStoredMaxCells = int64_t{1} << 25;
constexpr int64_t kComputedMaxDim = 4;

/** The solver's state for one problem with rows <= cols. The costs are a matrix `c`, or (c null)
 * computed per row from the row points `rp` (r x dim) and the column points `pt` (dim x n, one
 * coordinate per row): the same bits, distance() below in the same order. */
struct Lap {
  Lap(const double* cost, int rows, int cols)
      : c(cost), r(rows), n(cols), v(cols, 0.0), rowsol(rows, -1), colsol(cols, -1) {}
  const double* c;  // r x n, row-major, or null
  const double* rp = nullptr;
  std::vector<double> pt;
  int64_t dim = 0;
  int r, n;
  std::vector<double> v;                // column prices
  std::vector<int32_t> rowsol, colsol;  // the matching both ways (-1: free)
  std::vector<int32_t> freeRows;        // rows not matched yet
  mutable std::vector<double> buffer;   // the computed row (one at a time is ever in use)
  mutable int buffered = -1;
  const double* row(int i) const;
};

/** Row i of the costs from the points: out[j] = sqrt of the squared differences summed in k
 * order (|x - p| in 1-D), as distance() computes it; every sum is known to be finite. */
__attribute__((always_inline)) inline void fillRowBody(const double* xi, const double* pt, int n,
                                                       int64_t d, double* out) {
  if (d == 1) {
    for (int j = 0; j < n; j++) out[j] = std::fabs(xi[0] - pt[j]);
    return;
  }
  for (int j = 0; j < n; j++) {
    const double e = xi[0] - pt[j];
    out[j] = e * e;  // 0 + e * e, as the sum starts
  }
  for (int64_t k = 1; k < d; k++) {
    const double* pk = pt + k * n;
    for (int j = 0; j < n; j++) {
      const double e = xi[k] - pk[j];
      out[j] += e * e;
    }
  }
  for (int j = 0; j < n; j++) out[j] = std::sqrt(out[j]);
}

void fillRow(const double* xi, const double* pt, int n, int64_t d, double* out) {
  fillRowBody(xi, pt, n, d, out);
}

const double* Lap::row(int i) const {
  if (c != nullptr) return c + (size_t)i * (size_t)n;
  if (buffered != i) {
    buffer.resize(n);
    fillRow(rp + i * dim, pt.data(), n, dim, buffer.data());
    buffered = i;
  }
  return buffer.data();
}

/** The least and second least reduced cost of row i, and their columns (j2 = -1 when n = 1). */
struct TwoLeast {
  double u1, u2;
  int j1, j2;
};
TwoLeast twoLeast(const Lap& s, int i) {
  const double* ci = s.row(i);
  TwoLeast t{ci[0] - s.v[0], kInf, 0, -1};
  for (int j = 1; j < s.n; j++) {
    const double h = ci[j] - s.v[j];
    if (h < t.u2) {
      if (h >= t.u1) {
        t.u2 = h;
        t.j2 = j;
      } else {
        t.u2 = t.u1;
        t.j2 = t.j1;
        t.u1 = h;
        t.j1 = j;
      }
    }
  }
  return t;
}

/**
 * Augmenting row reduction: a free row takes its cheapest column, lowering that column's price
 * by the gap to its second cheapest so it stays the cheapest; the row it displaces is treated at
 * once when the price moved, else in the next pass. Two passes. A price step too small to change
 * a float64 counts as no step (no cycling), and a pass stops after 8 r + 64 steps (what is left
 * goes to the augmentation, which is exact on its own).
 */
void augmentingRowReduction(Lap& s) {
  for (int pass = 0; pass < 2; pass++) {
    std::vector<int32_t>& list = s.freeRows;
    const size_t previous = list.size();
    size_t k = 0, kept = 0;
    int64_t budget = int64_t{8} * s.r + 64;
    while (k < previous && budget-- > 0) {
      const int i = list[k++];
      TwoLeast t = twoLeast(s, i);
      int i0 = s.colsol[t.j1];
      const double lowered = t.j2 >= 0 ? s.v[t.j1] - (t.u2 - t.u1) : s.v[t.j1];
      const bool moved = t.u1 < t.u2 && lowered < s.v[t.j1];
      if (moved) {
        s.v[t.j1] = lowered;
      } else if (i0 >= 0 && t.j2 >= 0) {
        t.j1 = t.j2;
        i0 = s.colsol[t.j2];
      }
      s.rowsol[i] = t.j1;
      s.colsol[t.j1] = i;
      if (i0 >= 0) {
        s.rowsol[i0] = -1;
        if (moved)
          list[--k] = i0;
        else
          list[kept++] = i0;
      }
    }
    while (k < previous) list[kept++] = list[k++];  // the budget ran out: still free
    list.resize(kept);
  }
}

/** Scratch space of the augmentation, reused across rows. A column is to scan (d finite), todo
 * (at the current least distance) or settled (`ready`); todo and settled columns have d = -inf,
 * which no relaxation can lower, so the scans need no test of their own for them. */
struct Paths {
  explicit Paths(int n) : d(n), pred(n) {
    todo.reserve(n);
    ready.reserve(n);
    readyD.reserve(n);
  }
  std::vector<double> d;             // shortest reduced distance from the free row to each column
  std::vector<int64_t> pred;         // the row before each column on its shortest path
  std::vector<int32_t> todo, ready;  // todo[head..] still to take; ready: settled, in order
  std::vector<double> readyD;        // the distance each ready column was settled at
  size_t head = 0;
};

// Two doubles (GCC/Clang vector extension: one SSE2 register on baseline x86-64, NEON on arm64):
// the scans test four columns at once (two pairs) whether any of them changes, which is rare.
typedef double Pair __attribute__((vector_size(16)));
typedef decltype(Pair{} < Pair{}) PairMask;  // 64-bit lanes: all ones or zero
inline Pair loadPair(const double* p) {
  Pair q;
  __builtin_memcpy(&q, p, sizeof q);
  return q;
}
inline bool anyTrue(PairMask a, PairMask b) { return ((a[0] | a[1]) | (b[0] | b[1])) != 0; }

/** Columns from..to of the scan in nextLeast: those at d <= least lower it or join the list. */
void leastOf(Paths& p, int from, int to, double& least) {
  for (int j = from; j < to; j++) {
    const double dj = p.d[j];
    if (dj <= least && dj != -kInf) {
      if (dj < least) {
        p.todo.clear();
        least = dj;
      }
      p.todo.push_back(j);
    }
  }
}

/** The least distance of the columns to scan; they become the todo list (in index order), which
 * stays empty when no distance is a number. */
double nextLeast(const Lap& s, Paths& p) {
  p.todo.clear();
  p.head = 0;
  double least = kInf;
  int j = 0;
  for (; j + 4 <= s.n; j += 4) {
    const Pair a = loadPair(&p.d[j]), b = loadPair(&p.d[j + 2]);
    if (anyTrue((a <= least) & (a != -kInf), (b <= least) & (b != -kInf)))
      leastOf(p, j, j + 4, least);
  }
  leastOf(p, j, s.n, least);
  for (const int k : p.todo) p.d[k] = -kInf;
  return least;
}

/** The columns of [from, to) that scanRow's pass brought to `least`, in index order: each joins
 * the todo list, or ends the path when free (returned; else -1). */
int reachedLeast(const Lap& s, Paths& p, const double* ci, double h, double least, int from,
                 int to) {
  for (int j = from; j < to; j++) {
    if (p.d[j] != least || ci[j] - s.v[j] - h != least) continue;
    if (s.colsol[j] < 0) return j;
    p.todo.push_back(j);
    p.d[j] = -kInf;
  }
  return -1;
}

// The relaxation pass over W columns at a time (GCC/Clang vector extensions): W = 2 is one SSE2
// register on baseline x86-64 and NEON on arm64. (A W = 4 AVX2 variant would have to live in the
// AVX2 kernel target to keep the baseline objects baseline, scripts/check-isa.js; it is not built.)
// Lanes are independent and the rare column that reaches `least` is taken in index order, so
// every width gives the same bits.
template <int W>
struct Vec;
template <>
struct Vec<2> {
  typedef double D __attribute__((vector_size(16)));
  typedef int64_t I __attribute__((vector_size(16)));
};

/** Relaxes columns j..j+W-1 through row `row` without a branch: d = min(d, v2), pred = the row
 * where v2 is lower; whether a lowered one is now at `least`. */
template <int W>
__attribute__((always_inline)) inline bool relaxLanes(const double* ci, const double* v, double* d,
                                                      int64_t* pred, double hs, double leasts,
                                                      int64_t rows, int j) {
  typedef typename Vec<W>::D D;
  typedef typename Vec<W>::I I;
  const D h = hs - D{}, least = leasts - D{};  // splats, hoisted out of the loop once inlined
  const I row = rows - I{};
  D c, vj, dj;
  I pj;
  __builtin_memcpy(&c, ci + j, sizeof c);
  __builtin_memcpy(&vj, v + j, sizeof vj);
  __builtin_memcpy(&dj, d + j, sizeof dj);
  __builtin_memcpy(&pj, pred + j, sizeof pj);
  const D v2 = c - vj - h;
  const I lower = v2 < dj;
  pj = (lower & row) | (~lower & pj);
  const D nd = lower ? v2 : dj;
  __builtin_memcpy(pred + j, &pj, sizeof pj);
  __builtin_memcpy(d + j, &nd, sizeof nd);
  const I at = lower & (v2 == least);
  int64_t any = 0;
  for (int l = 0; l < W; l++) any |= at[l];
  return any != 0;
}

/** scanRow's pass over the columns [0, n - n % W) in groups of W; see scanRow. */
template <int W>
__attribute__((always_inline)) inline int scanLanes(const Lap& s, Paths& p, int i, const double* ci,
                                                    double h, double least) {
  for (int j = 0; j + W <= s.n; j += W) {
    if (!relaxLanes<W>(ci, s.v.data(), p.d.data(), p.pred.data(), h, least, i, j)) continue;
    const int end = reachedLeast(s, p, ci, h, least, j, j + W);
    if (end >= 0) return end;
  }
  return -1;
}

int scanPairs(const Lap& s, Paths& p, int i, const double* ci, double h, double least) {
  return scanLanes<2>(s, p, i, ci, h, least);
}

/** Scans the row matched to column j1 (settled at `least`): relaxes the columns to scan, and one
 * reached at `least` joins the todo list, or ends the path when free (returned; else -1). The
 * columns are visited in index order, in one sequential pass, W at a time and without branches
 * but for the rare column that reaches `least`. Settled and todo columns are at -inf, which no
 * relaxation lowers. */
int scanRow(const Lap& s, Paths& p, int j1, double least) {
  const int i = s.colsol[j1];
  const double* ci = s.row(i);
  const double h = ci[j1] - s.v[j1] - least;
  int end;
  int j;
  {
    end = scanPairs(s, p, i, ci, h, least);
    j = s.n - s.n % 2;
  }
  if (end >= 0) return end;
  for (; j < s.n; j++) {
    const double v2 = ci[j] - s.v[j] - h;
    if (!(v2 < p.d[j])) continue;
    p.pred[j] = i;
    p.d[j] = v2;
    end = reachedLeast(s, p, ci, h, least, j, j + 1);
    if (end >= 0) return end;
  }
  return -1;
}

/** The free column of the todo list (first in order), else -1. */
int freeInTodo(const Lap& s, const Paths& p) {
  for (size_t k = p.head; k < p.todo.size(); k++)
    if (s.colsol[p.todo[k]] < 0) return p.todo[k];
  return -1;
}

/** Shortest augmenting path from free row f (Dijkstra in reduced costs, row prices implicit),
 * then the new prices of the columns it settled and the flip of the matching along the path.
 * False when the distances stopped being numbers. */
bool augment(Lap& s, Paths& p, int f) {
  const double* cf = s.row(f);
  for (int j = 0; j < s.n; j++) {
    p.d[j] = cf[j] - s.v[j];
    p.pred[j] = f;
  }
  p.todo.clear();
  p.ready.clear();
  p.readyD.clear();
  p.head = 0;
  double least = 0;
  int end = -1;
  while (end < 0) {
    if (p.head == p.todo.size()) {
      least = nextLeast(s, p);
      if (p.todo.empty()) return false;
      end = freeInTodo(s, p);
      if (end >= 0) break;
    }
    const int j1 = p.todo[p.head++];
    p.ready.push_back(j1);
    p.readyD.push_back(least);
    end = scanRow(s, p, j1, least);
  }
  for (size_t k = 0; k < p.ready.size(); k++) s.v[p.ready[k]] += p.readyD[k] - least;
  for (int i = -1; i != f;) {
    i = (int)p.pred[end];
    s.colsol[end] = i;
    const int next = s.rowsol[i];
    s.rowsol[i] = end;
    end = next;
  }
  return true;
}

/** A bid's view of a row: its least reduced cost, that column (the lowest index among equals)
 * and the second least (equal to the least when two columns share it). */
struct Bid {
  double u1, u2;
  int j1;
};

/** bidOf over W lanes: per lane the least, its first column and the second least, merged so the
 * result does not depend on W. */
template <int W>
__attribute__((always_inline)) inline Bid bidLanes(const double* ci, const double* v, int n) {
  typedef typename Vec<W>::D D;
  typedef typename Vec<W>::I I;
  D m1 = kInf - D{}, m2 = m1;
  I at = -1 - I{}, col;
  for (int l = 0; l < W; l++) col[l] = l;
  int j = 0;
  for (; j + W <= n; j += W, col += W) {
    D c, vj;
    __builtin_memcpy(&c, ci + j, sizeof c);
    __builtin_memcpy(&vj, v + j, sizeof vj);
    const D x = c - vj;
    const I lower = x < m1;
    m2 = lower ? m1 : (x < m2 ? x : m2);
    m1 = lower ? x : m1;
    at = lower ? col : at;
  }
  Bid b{kInf, kInf, -1};
  int lane = -1;
  for (int l = 0; l < W; l++)
    if (m1[l] < b.u1 || (m1[l] == b.u1 && at[l] < b.j1)) b = {m1[l], kInf, (int)at[l]}, lane = l;
  for (int l = 0; l < W; l++) b.u2 = std::min(b.u2, l == lane ? m2[l] : m1[l]);
  for (; j < n; j++) {
    const double x = ci[j] - v[j];
    if (x < b.u1) {
      b.u2 = b.u1;
      b.u1 = x;
      b.j1 = j;
    } else if (x < b.u2) {
      b.u2 = x;
    }
  }
  return b;
}

Bid bidPairs(const double* ci, const double* v, int n) { return bidLanes<2>(ci, v, n); }

/** Row i's bid (its row of costs and the prices). */
Bid bidOf(const Lap& s, int i) {
  const double* ci = s.row(i);
  return bidPairs(ci, s.v.data(), s.n);
}

/** One phase of the forward auction at step eps: every row bids for its cheapest column, lowering
 * that column's price to its second cheapest plus eps (so prices fall by at least eps: the phase
 * ends), and the row it displaces bids again; rows in index order, displaced ones last. False
 * when `budget` bids ran out first (the rows still free stay free). */
bool auctionPhase(Lap& s, double eps, int64_t& budget) {
  std::fill(s.rowsol.begin(), s.rowsol.end(), -1);
  std::fill(s.colsol.begin(), s.colsol.end(), -1);
  std::vector<int32_t> queue(s.r);
  for (int i = 0; i < s.r; i++) queue[i] = i;
  for (size_t head = 0; head < queue.size(); head++) {
    if (budget-- <= 0) return false;
    const int i = queue[head];
    const Bid t = bidOf(s, i);
    double lowered = s.v[t.j1] - ((t.u2 < kInf ? t.u2 - t.u1 : 0) + eps);
    if (!(lowered < s.v[t.j1])) lowered = s.v[t.j1] - std::fabs(s.v[t.j1]) * 0x1p-50 - eps;
    s.v[t.j1] = lowered;
    const int i0 = s.colsol[t.j1];
    s.colsol[t.j1] = i;
    s.rowsol[i] = t.j1;
    if (i0 >= 0) {
      s.rowsol[i0] = -1;
      queue.push_back(i0);
    }
  }
  return true;
}

/**
 * Square problems: the prices and matching of an epsilon-scaling auction (Bertsekas), from eps =
 * max cost / 8 down by 5x to max cost * 1e-8, with a budget of bids. It only starts the exact
 * solve: every matched row's reduced cost is then within eps of its row's least; each matched
 * column's price is raised by that gap, and the rows whose column is not exactly a least of their
 * row afterwards are freed, so every row still matched satisfies complementary slackness and the
 * augmentations from the free rows find the optimum as after the classic initialization. On run
 * data (prototypes denser than the inputs) it leaves far fewer, shorter augmentations.
 */
void auctionInit(Lap& s) {
  double top = 0;
  for (int i = 0; i < s.r; i++) {
    const double* ci = s.row(i);
    for (int j = 0; j < s.n; j++) top = std::max(top, ci[j]);
  }
  int64_t budget = int64_t{512} * s.r + 4096;
  for (double eps = top / 8; eps > 0; eps = eps > top * 1e-8 ? std::max(eps / 5, top * 1e-8) : 0)
    if (!auctionPhase(s, eps, budget)) break;
  for (int i = 0; i < s.r; i++) {
    const int j = s.rowsol[i];
    if (j < 0) continue;
    const double gap = s.row(i)[j] - s.v[j] - bidOf(s, i).u1;
    if (gap > 0) s.v[j] += gap;
  }
  for (int i = 0; i < s.r; i++) {
    const int j = s.rowsol[i];
    if (j >= 0 && s.row(i)[j] - s.v[j] <= bidOf(s, i).u1) continue;
    if (j >= 0) s.colsol[j] = -1;
    s.rowsol[i] = -1;
    s.freeRows.push_back(i);
  }
}

/** The whole solve for rows <= cols; false when a price stopped being finite. */
bool lapjv(Lap& s) {
  if (s.r == s.n) {
    auctionInit(s);
  } else {
    for (int i = 0; i < s.r; i++) s.freeRows.push_back(i);
    augmentingRowReduction(s);
  }
  Paths paths(s.n);
  for (const int f : s.freeRows)
    if (!augment(s, paths, f)) return false;
  for (const double value : s.v)
    if (!std::isfinite(value)) return false;
  return true;
}

void check(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

/** Sizes are >= 1 and small enough that products of two of them never overflow. */
void checkSize(const char* field, int64_t value) {
  check(value >= 1 && value <= (int64_t{1} << 31), std::string(field) + ": got " +
                                                       std::to_string(value) +
                                                       ", expected an integer from 1 to 2^31");
}

void checkLength(const char* field, size_t actual, const char* expression, int64_t expected) {
  check((int64_t)actual == expected, std::string(field) + ": got " + std::to_string(actual) +
                                         ", expected " + expression + " = " +
                                         std::to_string(expected));
}

/** rowToCol from a solved problem that may be the transpose (rows = the original columns). */
void writeMatching(const Lap& s, bool transposed, int32_t* rowToCol) {
  if (!transposed) {
    std::copy(s.rowsol.begin(), s.rowsol.end(), rowToCol);
  } else {
    std::copy(s.colsol.begin(), s.colsol.end(), rowToCol);
  }
}

/** Solves s into rowToCol; kCannot on a non-finite price. */
LapStatus solve(Lap& s, bool transposed, int32_t* rowToCol) {
  if (!lapjv(s)) return LapStatus::kCannot;
  writeMatching(s, transposed, rowToCol);
  return LapStatus::kOk;
}

/** Solves `cost` (r x n, r <= n) into rowToCol; kCannot on a non-finite price or no memory. */
LapStatus solveShortSide(const double* cost, int r, int n, bool transposed, int32_t* rowToCol) {
  try {
    Lap s(cost, r, n);
    return solve(s, transposed, rowToCol);
  } catch (const std::bad_alloc&) {
    return LapStatus::kCannot;
  }
}

/** TS distance(): |x - p| in 1-D, else sqrt of the squared differences summed in k order
 * (Infinity when that sum overflows: TS then takes Math.hypot, which this file does not have). */
double distance(const double* x, const double* p, int64_t d) {
  if (d == 1) return std::fabs(x[0] - p[0]);
  double sum = 0;
  for (int64_t k = 0; k < d; k++) {
    const double e = x[k] - p[k];
    sum += e * e;
  }
  return sum < kInf ? std::sqrt(sum) : kInf;
}

/** Solves with costs computed per row from the points (d <= kComputedMaxDim). */
LapStatus solveComputed(const double* rp, const double* cp, int64_t d, int r, int n,
                        bool transposed, int32_t* rowToCol) {
  Lap s(nullptr, r, n);
  s.rp = rp;
  s.dim = d;
  s.pt.resize((size_t)(d * n));
  for (int j = 0; j < n; j++)
    for (int64_t k = 0; k < d; k++) s.pt[k * n + j] = cp[j * d + k];
  return solve(s, transposed, rowToCol);
}

}  // namespace

LapStatus matchEuclidean(const double* x, size_t xLength, const double* protos, size_t protosLength,
                         int64_t n, int64_t h, int64_t d, int32_t* rowToCol,
                         size_t rowToColLength) {
  checkSize("n", n);
  checkSize("hidden", h);
  checkSize("dim", d);
  checkLength("x.length", xLength, "n * dim", n * d);
  checkLength("protos.length", protosLength, "hidden * dim", h * d);
  checkLength("rowToCol.length", rowToColLength, "n", n);
  if (n * h > kMaxLapCells) return LapStatus::kCannot;
  const bool transposed = n > h;  // the solver's rows are the shorter side
  const int64_t r = transposed ? h : n, m = transposed ? n : h;
  const double* rp = transposed ? protos : x;
  const double* cp = transposed ? x : protos;
  for (int64_t a = 0; a < r; a++)
    for (int64_t b = 0; b < m; b++)  // TS takes Math.hypot (or the run diverged)
      if (!(distance(rp + a * d, cp + b * d, d) < kInf)) return LapStatus::kCannot;
  try {
    if (d <= kComputedMaxDim && r * m > kStoredMaxCells)
      return solveComputed(rp, cp, d, (int)r, (int)m, transposed, rowToCol);
    std::vector<double> cost((size_t)(r * m));
    for (int64_t a = 0; a < r; a++)
      for (int64_t b = 0; b < m; b++) cost[a * m + b] = distance(rp + a * d, cp + b * d, d);
    return solveShortSide(cost.data(), (int)r, (int)m, transposed, rowToCol);
  } catch (const std::bad_alloc&) {
    return LapStatus::kCannot;
  }
}

}  // namespace protomlp
