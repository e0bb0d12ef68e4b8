// The evaluator (evaluate.h): src/model/losses.ts computeTerms and src/eval/metrics.ts
// winningNeurons ported operation for operation (fdlibm.h's exp and log, the TS expressions with
// their parenthesization, no fused multiply-add: -ffp-contract=off), so every value has the TS
// bits. What runs in parallel is only the computation of independent values (one per sample row,
// one per neuron pair); every sum then adds them one by one on one thread in the TS loop order.
#include "evaluate.h"

#include <algorithm>
#include <functional>
#include <thread>

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

/** The row's coverage value: min_j |x_i - p_j|^2, or its softmin (coverage in losses.ts). */
double coverageRow(double best, const double* dist, int h, double tauCov) {
  if (tauCov == 0) return best;
  double sum = 0;
  for (int j = 0; j < h; j++) sum += fdlibm::exp(-(dist[j] - best) / tauCov);
  return best - tauCov * fdlibm::log(sum / h);
}

/**
 * Row i of forward, coverage and overlap in losses.ts, and of winningNeurons (whose z and
 * h = exp(-z^2) are forward's, computed the same way). `dist` is H scratch.
 */
void evaluateRow(const Job& job, const ParamsView& params, const double* p, int i, double* dist,
                 Rows& rows) {
  const int h = job.h, d = job.d;
  const double* x = job.x.data() + (size_t)i * d;
  double yhat = params.c, s = 0, q = 0, best = __builtin_inf(), bestResponse = -__builtin_inf();
  int32_t winner = -1;
  bool nan = false;
  for (int j = 0; j < h; j++) {
    const double* w = params.W + (size_t)j * d;
    double z = params.b[j];
    for (int k = 0; k < d; k++) z += w[k] * x[k];
    const double hij = fdlibm::exp(-z * z);
    yhat += params.v[j] * hij;
    s += hij;
    q += hij * hij;
    if (hij != hij) nan = true;
    if (!nan && hij > bestResponse) bestResponse = hij, winner = j;
    double a = 0;
    for (int k = 0; k < d; k++) {
      const double diff = x[k] - p[(size_t)j * d + k];
      a += diff * diff;
    }
    dist[j] = a;
    if (a < best) best = a;
  }
  const double r = yhat - job.y[i];
  rows.fit[i] = r * r;
  rows.ovl[i] = s * s - q;
  rows.cov[i] = coverageRow(best, dist, h, job.tauCov);
  rows.winners[i] = nan ? -1 : winner;
}

Rows evaluateRows(const Job& job, const ParamsView& params, const std::vector<double>& p,
                  int threads) {
  const int n = job.n;
  Rows rows{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n),
            std::vector<int32_t>(n)};
  std::vector<double> scratch((size_t)threads * job.h);
  onThreads(threads, [&](int t, int count) {
    const int begin = (int)((int64_t)n * t / count), end = (int)((int64_t)n * (t + 1) / count);
    for (int i = begin; i < end; i++)
      evaluateRow(job, params, p.data(), i, scratch.data() + (size_t)t * job.h, rows);
  });
  return rows;
}

/**
 * exp(-dd/tau) of pair (j, l), or +0 where separation in losses.ts skips the pair
 * (dd > 746 tau): adding +0 leaves the running total's bits as they are, because the total starts
 * at +0 and every term is >= +0 or NaN, so the total is never -0.
 */
double pairValue(const double* p, int j, int l, int d, double tau) {
  double dd = 0;
  for (int k = 0; k < d; k++) {
    const double diff = p[(size_t)j * d + k] - p[(size_t)l * d + k];
    dd += diff * diff;
  }
  if (dd > kUnderflow * tau) return 0;
  return fdlibm::exp(-dd / tau);
}

/** L_sep: pairs j < l in row-major order, chunk by chunk (values in parallel, sum in order). */
double separation(const Job& job, const std::vector<double>& p, int threads) {
  const int h = job.h, d = job.d;
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
      for (int j = first + t; j < last; j += count) {
        double* out = values.data() + offset[j - first] - (size_t)(j + 1);
        for (int l = j + 1; l < h; l++) out[l] = pairValue(p.data(), j, l, d, job.tau);
      }
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
  const std::vector<double> p = prototypes(params, h, problem.d);
  Rows rows = evaluateRows(problem, params, p, threads);
  Evaluation out;
  out.terms.fit = sumInOrder(rows.fit) / n;
  out.terms.cov = sumInOrder(rows.cov) / n;
  out.terms.sep = separation(problem, p, threads);
  out.terms.ovl = sumInOrder(rows.ovl) / ((double)n * h * (h - 1));
  out.winners = std::move(rows.winners);
  return out;
}

void evaluateResult(const Job& job, Result& result, int threads) {
  const Evaluation e = evaluate(
      job, ParamsView{result.W.data(), result.b.data(), result.v.data(), result.c}, threads);
  result.terms = e.terms;
  result.winners = e.winners;
  result.evaluated = true;
}

}  // namespace protomlp
