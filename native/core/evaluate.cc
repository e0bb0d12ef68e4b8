// The evaluator (evaluate.h): src/model/losses.ts computeTerms and src/eval/metrics.ts
// winningNeurons ported operation for operation (fdlibm.h's exp and log, the TS expressions with
// their parenthesization, no fused multiply-add: -ffp-contract=off), so every value has the TS
// bits. The exps of a row are taken in one call, on as many lanes as the active instruction set
// has (fdlibm_simd.h: each lane the scalar's bits). What runs in parallel is only the computation
// of independent values: the sample rows, in blocks, on every thread, and beside them the
// separation on one thread; every sum adds its terms one by one in the TS loop order (a row's
// within the row, the rows' after them in row order).
#include "evaluate.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>

#include "cpu.h"
#include "fdlibm.h"

namespace protomlp {
namespace {

/** PROTOTYPE_EPS in src/config.ts. */
constexpr double kPrototypeEps = 1e-12;
/** UNDERFLOW in src/model/losses.ts: separation skips pairs with dd > kUnderflow * tau. */
constexpr double kUnderflow = 746;
/** Below this many sample-neuron pairs one thread evaluates (starting threads would cost more). */
constexpr int64_t kParallelPairs = int64_t{1} << 16;
/** Rows handed to a thread at a time. */
constexpr int kRowBlock = 64;

/**
 * body(t) on up to `count` threads, t = 0 on the calling thread. The bodies share their work
 * through a counter, so a thread the system refuses to start only makes it slower.
 */
void onThreads(int count, const std::function<void(int)>& body) {
  std::vector<std::thread> pool;
  try {
    for (int t = 1; t < count; t++) pool.emplace_back(body, t);
  } catch (const std::system_error&) {
    // fewer threads: the ones started and this one take every block
  }
  body(0);
  for (std::thread& t : pool) t.join();
}

/** Left-to-right sum from 0, as the TS loops `total += value` add. */
double sumInOrder(const std::vector<double>& values) {
  double total = 0;
  for (double value : values) total += value;
  return total;
}

/** prototypesInto in src/model/losses.ts: p_j = (-b_j w_jk) / (|w_j|^2 + eps). */
std::vector<double> prototypes(const ParamsView& params, int h, int d) {
  std::vector<double> p((size_t)h * d);
  for (int j = 0; j < h; j++) {
    const double* w = params.W + (size_t)j * d;
    double s = 0;
    for (int k = 0; k < d; k++) s += w[k] * w[k];
    const double den = s + kPrototypeEps;
    for (int k = 0; k < d; k++) p[(size_t)j * d + k] = (-params.b[j] * w[k]) / den;
  }
  return p;
}

/** Per-sample values of the N x H pass, added in row order afterwards. */
struct Rows {
  std::vector<double> fit, cov, ovl;  // r_i^2, the row's coverage value, S_i^2 - sum_j h_ij^2
  std::vector<int32_t> winners;
};

/** What every row and pair reads: the problem, the parameters, the prototypes, the exp. */
struct Context {
  const Job& job;
  ParamsView params;
  std::vector<double> p;  // h*d prototypes
  ExpArray expArray;
};

/** sum_k (a_k - b_k)^2 from 0 in k order, as every TS distance loop adds it. */
inline double squaredDistance(const double* a, const double* b, int d) {
  double s = 0;
  for (int k = 0; k < d; k++) {
    const double diff = a[k] - b[k];
    s += diff * diff;
  }
  return s;
}

/** f(d) with d a compile-time 1 when d == 1, so the 1-D loops vectorize; f(d) otherwise. */
template <typename F>
inline void withDim(int d, const F& f) {
  if (d == 1)
    f(std::integral_constant<int, 1>());
  else
    f(d);
}

/**
 * The row's coverage value (coverage in losses.ts): the min over j of dist_j = |x_i - p_j|^2, or
 * its softmin best - tauCov ln(sum_j exp(-(dist_j - best)/tauCov) / H). The min is taken in 8
 * interleaved parts: the same value as the TS scan, as it is the smallest non-NaN dist (NaN is
 * never < best) and a sum of squares is never -0, so equal values have equal bits. `dist` and
 * `arg` are H scratch each.
 */
double coverageRow(const Context& ctx, const double* x, double* dist, double* arg) {
  const int h = ctx.job.h;
  const double tauCov = ctx.job.tauCov;
  withDim(ctx.job.d, [&](auto d) {
    for (int j = 0; j < h; j++) dist[j] = squaredDistance(x, ctx.p.data() + (size_t)j * d, d);
  });
  double part[8] = {__builtin_inf(), __builtin_inf(), __builtin_inf(), __builtin_inf(),
                    __builtin_inf(), __builtin_inf(), __builtin_inf(), __builtin_inf()};
  int j = 0;
  for (; j + 8 <= h; j += 8)
    for (int l = 0; l < 8; l++) part[l] = dist[j + l] < part[l] ? dist[j + l] : part[l];
  double best = __builtin_inf();
  for (; j < h; j++) best = dist[j] < best ? dist[j] : best;
  for (int l = 0; l < 8; l++) best = part[l] < best ? part[l] : best;
  if (tauCov == 0) return best;
  for (j = 0; j < h; j++) arg[j] = -(dist[j] - best) / tauCov;
  ctx.expArray(arg, arg, h);
  double sum = 0;
  for (j = 0; j < h; j++) sum += arg[j];
  return best - tauCov * fdlibm::log(sum / h);
}

/** -z_ij^2 of row x into arg, with forward's z = b_j + sum_k w_jk x_k (from b_j, in k order). */
void negSquaredZ(const Context& ctx, const double* x, double* arg) {
  const ParamsView& params = ctx.params;
  withDim(ctx.job.d, [&](auto d) {
    for (int j = 0; j < ctx.job.h; j++) {
      double z = params.b[j];
      for (int k = 0; k < d; k++) z += params.W[(size_t)j * d + k] * x[k];
      arg[j] = -z * z;
    }
  });
}

/**
 * Rows i0 .. i0 + G - 1 of forward and overlap in losses.ts and of winningNeurons, from their
 * h = exp(-z^2) in act (G x H): each row's sums in j order as TS adds them, G rows interleaved so
 * that their additions overlap (each row's own order is unchanged).
 */
template <int G>
void activationRows(const Context& ctx, int i0, const double* act, Rows& rows) {
  const int h = ctx.job.h;
  double yhat[G], s[G], q[G], best[G];
  int32_t winner[G];
  bool nan[G];
  for (int g = 0; g < G; g++)
    yhat[g] = ctx.params.c, s[g] = 0, q[g] = 0, best[g] = -__builtin_inf(), winner[g] = -1,
    nan[g] = false;
  for (int j = 0; j < h; j++) {
    const double v = ctx.params.v[j];
    for (int g = 0; g < G; g++) {
      const double hij = act[(size_t)g * h + j];
      yhat[g] += v * hij;
      s[g] += hij;
      q[g] += hij * hij;
      nan[g] |= hij != hij;
      if (hij > best[g]) best[g] = hij, winner[g] = j;
    }
  }
  for (int g = 0; g < G; g++) {
    const double r = yhat[g] - ctx.job.y[i0 + g];
    rows.fit[i0 + g] = r * r;
    rows.ovl[i0 + g] = s[g] * s[g] - q[g];
    rows.winners[i0 + g] = nan[g] ? -1 : winner[g];
  }
}

/** Rows interleaved by activationRows. */
constexpr int kRowGroup = 4;

/** Rows [begin, end) of forward, coverage, overlap and winningNeurons; `scratch` is 6 H. */
void evaluateRowRange(const Context& ctx, int begin, int end, double* scratch, Rows& rows) {
  const int h = ctx.job.h, d = ctx.job.d;
  const double* x = ctx.job.x.data();
  for (int i0 = begin; i0 < end; i0 += kRowGroup) {
    const int g = std::min(kRowGroup, end - i0);
    for (int r = 0; r < g; r++) negSquaredZ(ctx, x + (size_t)(i0 + r) * d, scratch + (size_t)r * h);
    ctx.expArray(scratch, scratch, g * h);
    if (g == kRowGroup)
      activationRows<kRowGroup>(ctx, i0, scratch, rows);
    else
      for (int r = 0; r < g; r++) activationRows<1>(ctx, i0 + r, scratch + (size_t)r * h, rows);
    for (int r = 0; r < g; r++) {
      const double* xi = x + (size_t)(i0 + r) * d;
      rows.cov[i0 + r] = coverageRow(ctx, xi, scratch, scratch + (size_t)kRowGroup * h);
    }
  }
}

/**
 * Row j of separation in losses.ts: exp(-dd/tau) of the pairs (j, l > j) it does not skip
 * (dd > 746 tau), in l order, into out (room for h - 1 - j); returns how many.
 */
size_t separationRow(const Context& ctx, int j, double* out) {
  const int h = ctx.job.h;
  const double tau = ctx.job.tau, bound = kUnderflow * tau;
  size_t count = 0;
  withDim(ctx.job.d, [&](auto d) {
    const double* p = ctx.p.data();
    for (int l = j + 1; l < h; l++) {
      const double dd = squaredDistance(p + (size_t)j * d, p + (size_t)l * d, d);
      out[count] = dd;
      count += !(dd > bound);  // NaN is kept, as in TS
    }
  });
  for (size_t r = 0; r < count; r++) out[r] = -out[r] / tau;
  ctx.expArray(out, out, (int)count);
  return count;
}

/** L_sep: the pairs j < l in row-major order, added one by one on this thread. */
double separation(const Context& ctx) {
  const int h = ctx.job.h;
  const double pairs = ((double)h * (h - 1)) / 2;
  std::vector<double> values(h);
  double total = 0;
  for (int j = 0; j + 1 < h; j++) {
    const size_t count = separationRow(ctx, j, values.data());
    for (size_t r = 0; r < count; r++) total += values[r];
  }
  return total / pairs;
}

/**
 * Every row's values (in row blocks handed out in turn) and, on the calling thread before it takes
 * rows, the separation: the one order-bound sum runs beside the rows instead of after them.
 */
Rows evaluateAll(const Context& ctx, int threads, double& sep) {
  const int n = ctx.job.n, h = ctx.job.h;
  Rows rows{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n),
            std::vector<int32_t>(n)};
  const size_t perThread = (size_t)(kRowGroup + 2) * h;
  std::vector<double> scratch((size_t)threads * perThread);
  std::atomic<int> next{0};
  onThreads(threads, [&](int t) {
    if (t == 0) sep = separation(ctx);
    for (int block; (block = next.fetch_add(1)) * kRowBlock < n;) {
      const int begin = block * kRowBlock, end = std::min(n, begin + kRowBlock);
      evaluateRowRange(ctx, begin, end, scratch.data() + (size_t)t * perThread, rows);
    }
  });
  return rows;
}

}  // namespace

Evaluation evaluate(const Job& problem, const ParamsView& params, int threads) {
  const int n = problem.n, h = problem.h;
  // at most the cores, and one thread per row block besides the separation's
  const int useful = std::min<int>(std::max(1u, std::thread::hardware_concurrency()),
                                   (n + kRowBlock - 1) / kRowBlock + 1);
  threads = (int64_t)n * h < kParallelPairs ? 1 : std::max(1, std::min(threads, useful));
  const Context ctx{problem, params, prototypes(params, h, problem.d),
                    expArrayFor(activeKernel().isa)};
  Evaluation out;
  Rows rows = evaluateAll(ctx, threads, out.terms.sep);
  out.terms.fit = sumInOrder(rows.fit) / n;
  out.terms.cov = sumInOrder(rows.cov) / n;
  out.terms.ovl = sumInOrder(rows.ovl) / ((double)n * h * (h - 1));
  out.winners = std::move(rows.winners);
  return out;
}

ExpArray expArrayFor(const std::string& isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == "avx512") return &expArrayAvx512;
  if (isa == "avx2") return &expArrayAvx2;
#endif
  return &expArrayBaseline;
}

void evaluateResult(const Job& job, Result& result, int threads) {
  // the evaluator ports the paper's neuron (ridge, gaussian); a record of another is evaluated in
  // TS
  if (job.unit != 0 || job.activation != 0) return;
  Evaluation e = evaluate(
      job, ParamsView{result.W.data(), result.b.data(), result.v.data(), result.c}, threads);
  result.terms = e.terms;
  result.winners = std::move(e.winners);
  result.evaluated = true;
}

}  // namespace protomlp
