// The evaluator (evaluate.h): src/model/losses.ts computeTerms and src/eval/metrics.ts
// winningNeurons ported operation for operation (fdlibm.h's exp and log, the TS expressions with
// their parenthesization, no fused multiply-add: -ffp-contract=off), so every value has the TS
// bits. The exps of a row are taken in one call, on as many lanes as the active instruction set
// has (fdlibm_simd.h: each lane the scalar's bits). What runs in parallel is only the computation
// of independent values (one per sample row, one per neuron pair); every sum then adds them one by
// one on one thread in the TS loop order.
#include "evaluate.h"

#include <algorithm>
#include <functional>
#include <string>
#include <thread>

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
/** Neuron pairs whose separation values are computed (in parallel) before they are added. */
constexpr size_t kPairChunk = size_t{1} << 21;

/** body(t, count) on `count` threads, t = 0 on the calling thread. */
void onThreads(int count, const std::function<void(int, int)>& body) {
  std::vector<std::thread> pool;
  pool.reserve(count > 1 ? count - 1 : 0);
  for (int t = 1; t < count; t++) pool.emplace_back(body, t, count);
  body(0, count);
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

/**
 * The row's coverage value (coverage in losses.ts): the min over j of dist_j = |x_i - p_j|^2, or
 * its softmin best - tauCov ln(sum_j exp(-(dist_j - best)/tauCov) / H). `arg` is H scratch.
 */
double coverageRow(const Context& ctx, const double* x, double* dist, double* arg) {
  const int h = ctx.job.h, d = ctx.job.d;
  const double tauCov = ctx.job.tauCov;
  double best = __builtin_inf();
  for (int j = 0; j < h; j++) {
    double a = 0;
    for (int k = 0; k < d; k++) {
      const double diff = x[k] - ctx.p[(size_t)j * d + k];
      a += diff * diff;
    }
    dist[j] = a;
    if (a < best) best = a;
  }
  if (tauCov == 0) return best;
  for (int j = 0; j < h; j++) arg[j] = -(dist[j] - best) / tauCov;
  ctx.expArray(arg, arg, h);
  double sum = 0;
  for (int j = 0; j < h; j++) sum += arg[j];
  return best - tauCov * fdlibm::log(sum / h);
}

/**
 * Row i of forward, coverage and overlap in losses.ts, and of winningNeurons (whose z and
 * h = exp(-z^2) are forward's, computed the same way). `scratch` is 2 H.
 */
void evaluateRow(const Context& ctx, int i, double* scratch, Rows& rows) {
  const int h = ctx.job.h, d = ctx.job.d;
  const ParamsView& params = ctx.params;
  const double* x = ctx.job.x.data() + (size_t)i * d;
  double* act = scratch;
  for (int j = 0; j < h; j++) {
    const double* w = params.W + (size_t)j * d;
    double z = params.b[j];
    for (int k = 0; k < d; k++) z += w[k] * x[k];
    act[j] = -z * z;
  }
  ctx.expArray(act, act, h);
  double yhat = params.c, s = 0, q = 0, bestResponse = -__builtin_inf();
  int32_t winner = -1;
  bool nan = false;
  for (int j = 0; j < h; j++) {
    const double hij = act[j];
    yhat += params.v[j] * hij;
    s += hij;
    q += hij * hij;
    if (hij != hij) nan = true;
    if (hij > bestResponse) bestResponse = hij, winner = j;
  }
  const double r = yhat - ctx.job.y[i];
  rows.fit[i] = r * r;
  rows.ovl[i] = s * s - q;
  rows.winners[i] = nan ? -1 : winner;
  rows.cov[i] = coverageRow(ctx, x, scratch, scratch + h);
}

Rows evaluateRows(const Context& ctx, int threads) {
  const int n = ctx.job.n, h = ctx.job.h;
  Rows rows{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n),
            std::vector<int32_t>(n)};
  std::vector<double> scratch((size_t)threads * 2 * h);
  onThreads(threads, [&](int t, int count) {
    const int begin = (int)((int64_t)n * t / count), end = (int)((int64_t)n * (t + 1) / count);
    for (int i = begin; i < end; i++) evaluateRow(ctx, i, scratch.data() + (size_t)t * 2 * h, rows);
  });
  return rows;
}

/**
 * exp(-dd/tau) of the pairs (j, l > j) into out[l], or +0 where separation in losses.ts skips the
 * pair (dd > 746 tau; exp(-inf) is +0). Adding +0 leaves the running total's bits as they are,
 * because the total starts at +0 and every term is >= +0 or NaN, so the total is never -0.
 */
void separationRow(const Context& ctx, int j, double* out) {
  const int h = ctx.job.h, d = ctx.job.d;
  const double* p = ctx.p.data();
  const double tau = ctx.job.tau;
  for (int l = j + 1; l < h; l++) {
    double dd = 0;
    for (int k = 0; k < d; k++) {
      const double diff = p[(size_t)j * d + k] - p[(size_t)l * d + k];
      dd += diff * diff;
    }
    out[l] = dd > kUnderflow * tau ? -__builtin_inf() : -dd / tau;
  }
  ctx.expArray(out + j + 1, out + j + 1, h - 1 - j);
}

/** L_sep: pairs j < l in row-major order, chunk by chunk (values in parallel, sum in order). */
double separation(const Context& ctx, int threads) {
  const int h = ctx.job.h;
  const double pairs = ((double)h * (h - 1)) / 2;
  std::vector<double> values;
  std::vector<size_t> offset;
  double total = 0;
  for (int first = 0; first < h - 1;) {
    int last = first;  // rows [first, last) of this chunk; offset[r] = start of row first + r
    offset.assign(1, 0);
    while (last < h - 1 && (last == first || offset.back() + (h - 1 - last) <= kPairChunk)) {
      offset.push_back(offset.back() + (h - 1 - last));
      last++;
    }
    values.resize(offset.back());
    onThreads(threads, [&](int t, int count) {
      for (int j = first + t; j < last; j += count)
        separationRow(ctx, j, values.data() + offset[j - first] - (size_t)(j + 1));
    });
    for (double value : values) total += value;
    first = last;
  }
  return total / pairs;
}

}  // namespace

Evaluation evaluate(const Job& problem, const ParamsView& params, int threads) {
  const int n = problem.n, h = problem.h;
  threads = (int64_t)n * h < kParallelPairs ? 1 : std::max(1, std::min(threads, n));
  const Context ctx{problem, params, prototypes(params, h, problem.d),
                    expArrayFor(activeKernel().isa)};
  Rows rows = evaluateRows(ctx, threads);
  Evaluation out;
  out.terms.fit = sumInOrder(rows.fit) / n;
  out.terms.cov = sumInOrder(rows.cov) / n;
  out.terms.sep = separation(ctx, threads);
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
  const Evaluation e = evaluate(
      job, ParamsView{result.W.data(), result.b.data(), result.v.data(), result.c}, threads);
  result.terms = e.terms;
  result.winners = e.winners;
  result.evaluated = true;
}

}  // namespace protomlp
