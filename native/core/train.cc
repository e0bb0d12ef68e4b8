// The one-run training loop (SPEC §3) and the per-term gradients, over any kernel variant.
// Mirrors src/model/train.ts step for step: loss and gradient, divergence checks, Adam (PyTorch
// semantics; the update loop itself is the kernel's adamStep, vectorized per instruction set; the
// bias corrections by numerics.h's powInt, never libm's pow).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "kernel.h"
#include "model.h"
#include "numerics.h"

namespace protomlp {
namespace {

/** a number as JS prints it for the common cases (NaN, Infinity, integers, shortest round trip) */
std::string describe(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  for (int precision = 1; precision <= 17; precision++) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

std::string lengthError(const char* field, size_t got, const char* expected, size_t want) {
  return std::string(field) + ".length: got " + std::to_string(got) + ", expected " + expected +
         " = " + std::to_string(want);
}

/** Parameters, gradients and scratch of one run in the kernel's padded, transposed layout. */
struct Workspace {
  int n, h, d, hp, ha;
  std::vector<double> wT, b, v, gWT, gb, gv, pT, gpT, gpSelfT, pS, gpS, norm, zRow, hRow, aRow;
  std::vector<int> order, bandEnd;
  double c;

  /** every width pads to the same multiple of kVirtualWidth (the reductions' virtual lanes) */
  explicit Workspace(const Job& job)
      : n(job.n),
        h(job.h),
        d(job.d),
        hp((job.h + kVirtualWidth - 1) / kVirtualWidth * kVirtualWidth),
        ha(hp + kVirtualWidth),
        wT((size_t)d * ha, 0.0),
        b(ha, kPaddingFar),
        v(ha, 0.0),
        gWT((size_t)d * ha, 0.0),
        gb(ha, 0.0),
        gv(ha, 0.0),
        pT((size_t)d * ha, kPaddingFar),
        gpT((size_t)d * ha, 0.0),
        gpSelfT((size_t)d * ha, 0.0),
        pS((size_t)d * ha, kPaddingFar),
        gpS((size_t)d * ha, 0.0),
        norm(ha, 1.0),
        zRow(2 * (size_t)ha, 0.0),
        hRow(2 * (size_t)ha, 0.0),
        aRow(ha, 0.0),
        order(h),
        bandEnd(h),
        c(job.c) {
    if (job.unit == kUnitRadial) {  // padding neurons far from every sample (kernel.h)
      for (int j = h; j < ha; j++) b[j] = kRadialPaddingScale;
      for (int k = 0; k < d; k++)
        for (int j = h; j < ha; j++) wT[(size_t)k * ha + j] = kRadialPaddingCentre;
    }
    for (int j = 0; j < h; j++) {
      order[j] = j;
      for (int k = 0; k < d; k++) wT[(size_t)k * ha + j] = job.W[(size_t)j * d + k];
      b[j] = job.b[j];
      v[j] = job.v[j];
    }
  }

  EpochArgs args(const Job& job) {
    EpochArgs a{};
    a.n = n, a.h = h, a.d = d, a.hp = hp, a.ha = ha;
    a.unit = job.unit, a.activation = job.activation;
    a.x = job.x.data(), a.y = job.y.data();
    a.wT = wT.data(), a.b = b.data(), a.v = v.data(), a.c = c;
    a.tau = job.tau, a.tauCov = job.tauCov;
    a.gWT = gWT.data(), a.gb = gb.data(), a.gv = gv.data();
    a.pT = pT.data(), a.gpT = gpT.data(), a.gpSelfT = gpSelfT.data(), a.norm = norm.data();
    a.pS = pS.data(), a.gpS = gpS.data(), a.order = order.data(), a.bandEnd = bandEnd.data();
    a.zRow = zRow.data(), a.hRow = hRow.data(), a.aRow = aRow.data();
    return a;
  }

  /** copies a transposed neuron matrix back to row-major h x d */
  std::vector<double> untranspose(const std::vector<double>& mT) const {
    std::vector<double> out((size_t)h * d);
    for (int j = 0; j < h; j++)
      for (int k = 0; k < d; k++) out[(size_t)j * d + k] = mT[(size_t)k * ha + j];
    return out;
  }
  std::vector<double> head(const std::vector<double>& a) const {
    return std::vector<double>(a.begin(), a.begin() + h);
  }
};

bool finiteNeurons(const std::vector<double>& a, const Workspace& ws, int rows) {
  for (int k = 0; k < rows; k++)
    for (int j = 0; j < ws.h; j++)
      if (!std::isfinite(a[(size_t)k * ws.ha + j])) return false;
  return true;
}

struct AdamMoments {
  std::vector<double> m, v;
  explicit AdamMoments(size_t size) : m(size, 0.0), v(size, 0.0) {}
};

}  // namespace

std::string validateJob(const Job& job, bool forTraining) {
  if (job.n < 2 || job.n > kMaxN)
    return "n: got " + std::to_string(job.n) + ", expected an integer from 2 to " +
           std::to_string(kMaxN);
  if (job.h < 2 || job.h > kMaxHidden)
    return "h: got " + std::to_string(job.h) + ", expected an integer from 2 to " +
           std::to_string(kMaxHidden);
  if (job.d < 1 || job.d > kMaxDim)
    return "d: got " + std::to_string(job.d) + ", expected an integer from 1 to " +
           std::to_string(kMaxDim);
  const size_t n = job.n, h = job.h, d = job.d;
  if (job.x.size() != n * d) return lengthError("x", job.x.size(), "n*d", n * d);
  if (job.y.size() != n) return lengthError("y", job.y.size(), "n", n);
  if (job.W.size() != h * d) return lengthError("W", job.W.size(), "h*d", h * d);
  if (job.b.size() != h) return lengthError("b", job.b.size(), "h", h);
  if (job.v.size() != h) return lengthError("v", job.v.size(), "h", h);
  if (job.unit != kUnitRidge && job.unit != kUnitRadial)
    return "unit: got " + std::to_string(job.unit) + ", expected 0 (ridge) or 1 (radial)";
  if (job.activation < kGaussian || job.activation > kLaplace)
    return "activation: got " + std::to_string(job.activation) +
           ", expected 0 (gaussian), 1 (cauchy) or 2 (laplace)";
  if (job.maskBits > 7)
    return "maskBits: got " + std::to_string(job.maskBits) + ", expected an integer from 0 to 7";
  if (!std::isfinite(job.lambda) || job.lambda < 0)
    return "lambda: got " + describe(job.lambda) + ", expected a finite number >= 0";
  if (!std::isfinite(job.tau) || job.tau <= 0)
    return "tau: got " + describe(job.tau) + ", expected a finite number > 0";
  if (!std::isfinite(job.tauCov) || job.tauCov < 0)
    return "tauCov: got " + describe(job.tauCov) + ", expected a finite number >= 0";
  if (forTraining) {
    if (!std::isfinite(job.lr) || job.lr <= 0)
      return "lr: got " + describe(job.lr) + ", expected a finite number > 0";
    if (job.epochs < 1 || job.epochs > kMaxEpochs)
      return "epochs: got " + std::to_string(job.epochs) + ", expected an integer from 1 to " +
             std::to_string((int64_t)kMaxEpochs);
  }
  return "";
}

Result trainRun(const Job& job, const EpochKernel& kernel, const std::atomic<bool>* cancel) {
  const auto started = std::chrono::steady_clock::now();
  Workspace ws(job);
  EpochArgs a = ws.args(job);
  const bool cov = job.maskBits & kMaskCov, sep = job.maskBits & kMaskSep,
             ovl = job.maskBits & kMaskOvl;
  a.wFit = 1;
  a.wCov = cov ? job.lambda : 0;
  a.wSep = sep ? job.lambda : 0;
  a.wOvl = ovl ? job.lambda : 0;
  a.doCov = a.wCov != 0, a.doSep = a.wSep != 0,
  a.doOvl = a.wOvl != 0;  // as TS: a zero weight skips a term

  const size_t neurons = (size_t)ws.d * ws.ha;
  AdamMoments mW(neurons), mb(ws.ha), mv(ws.ha);
  double mc = 0, vc = 0;
  Result result;
  for (int64_t t = 1; t <= job.epochs; t++) {
    if (cancel != nullptr && ((t - 1) & 63) == 0 && cancel->load(std::memory_order_relaxed)) {
      result.cancelled = true;
      break;
    }
    a.c = ws.c;
    kernel.epoch(a);
    const double loss = a.fit + a.wCov * a.cov + a.wSep * a.sep + a.wOvl * a.ovl;
    if (!std::isfinite(loss) || !std::isfinite(a.gc) || !finiteNeurons(ws.gWT, ws, ws.d) ||
        !finiteNeurons(ws.gb, ws, 1) || !finiteNeurons(ws.gv, ws, 1)) {
      result.diverged = true;
      break;
    }
    const double bc1 = 1 - powInt(kAdamBeta1, t);
    const double bc2 = 1 - powInt(kAdamBeta2, t);
    const double lr = job.lr;
    for (int k = 0; k < ws.d; k++) {
      const size_t row = (size_t)k * ws.ha;
      kernel.adam(&ws.wT[row], &ws.gWT[row], &mW.m[row], &mW.v[row], ws.h, lr, bc1, bc2);
    }
    kernel.adam(ws.b.data(), ws.gb.data(), mb.m.data(), mb.v.data(), ws.h, lr, bc1, bc2);
    kernel.adam(ws.v.data(), ws.gv.data(), mv.m.data(), mv.v.data(), ws.h, lr, bc1, bc2);
    kernel.adam(&ws.c, &a.gc, &mc, &vc, 1, lr, bc1, bc2);
    result.epochsRun = t;
    if (!std::isfinite(ws.c) || !finiteNeurons(ws.wT, ws, ws.d) || !finiteNeurons(ws.b, ws, 1) ||
        !finiteNeurons(ws.v, ws, 1)) {
      result.diverged = true;
      break;
    }
  }
  result.W = ws.untranspose(ws.wT);
  result.b = ws.head(ws.b);
  result.v = ws.head(ws.v);
  result.c = ws.c;
  result.wallMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return result;
}

TermsAndGrads termsAndGrads(const Job& job, const EpochKernel& kernel) {
  Workspace ws(job);
  EpochArgs a = ws.args(job);
  a.doCov = a.doSep = a.doOvl = true;
  TermsAndGrads out;
  Gradient* grads[4] = {&out.fit, &out.cov, &out.sep, &out.ovl};
  for (int term = 0; term < 4; term++) {
    a.wFit = term == 0, a.wCov = term == 1, a.wSep = term == 2, a.wOvl = term == 3;
    kernel.epoch(a);
    grads[term]->W = ws.untranspose(ws.gWT);
    grads[term]->b = ws.head(ws.gb);
    grads[term]->v = ws.head(ws.gv);
    grads[term]->c = a.gc;
  }
  out.terms = {a.fit, a.cov, a.sep, a.ovl};
  return out;
}

}  // namespace protomlp
