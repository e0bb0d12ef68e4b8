// The C++ core without Node-API: termsAndGrads and trainRun (native/core/model.h) called directly,
// with every kernel variant this CPU runs, on the golden cases of test/fixtures/golden (PyTorch
// autograd, float64), within the tolerances of test/conformance.test.ts: terms relative 1e-12,
// gradients normwise 1e-12, parameters after 1, 2, 10 steps normwise 1e-12 and after 100 steps
// 1e-9 (floor 1). Each case is read from the flat text file test/native-core.test.ts writes from
// its JSON (labels, then numbers as JS prints them). Built by CMakeLists.txt with
// -DPROTOMLP_CORE_TEST=ON (docs/testing.md). Prints one TAP line per check; exits 1 on any failure.
//
//   core_golden [--isa NAME] CASE.txt...
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cpu.h"
#include "model.h"
#include "numerics.h"

namespace {

using protomlp::EpochKernel;
using protomlp::Gradient;
using protomlp::Job;

/** One golden case: the job at its initial parameters, what autograd says there and after steps. */
struct Golden {
  std::string name;
  Job job;
  double beta1 = 0, beta2 = 0, eps = 0;
  double terms[4] = {0, 0, 0, 0};  // fit, cov, sep, ovl
  Gradient grads[4];
  std::vector<int> steps;
  std::vector<Gradient> after;  // the parameters after steps[i] Adam steps (W, b, v, c)
};

/** Reads the flat text file: labelled fields in a fixed order; exits with a message if it is not.
 */
class FlatReader {
 public:
  explicit FlatReader(const char* path) : in_(path), path_(path) {
    if (!in_) fail("cannot open");
  }
  void expect(const char* label) {
    std::string word;
    if (!(in_ >> word) || word != label) fail((std::string("expected ") + label).c_str());
  }
  std::string word() {
    std::string w;
    if (!(in_ >> w)) fail("unexpected end");
    return w;
  }
  double number() {
    const std::string w = word();
    char* end = nullptr;
    const double value = std::strtod(w.c_str(), &end);
    if (end != w.c_str() + w.size()) fail(("not a number: " + w).c_str());
    return value;
  }
  std::vector<double> numbers(const char* label, size_t count) {
    expect(label);
    std::vector<double> out(count);
    for (double& v : out) v = number();
    return out;
  }
  Gradient parameters(const Job& job) {
    Gradient p;
    p.W = numbers("W", (size_t)job.h * job.d);
    p.b = numbers("b", job.h);
    p.v = numbers("v", job.h);
    p.c = numbers("c", 1)[0];
    return p;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "%s: %s\n", path_.c_str(), what);
    std::exit(2);
  }
  std::ifstream in_;
  std::string path_;
};

Golden readGolden(const char* path) {
  FlatReader r(path);
  Golden g;
  r.expect("protomlp-golden-flat");
  r.expect("2");
  r.expect("name");
  g.name = r.word();
  Job& job = g.job;
  r.expect("n"), job.n = (int)r.number();
  r.expect("h"), job.h = (int)r.number();
  r.expect("d"), job.d = (int)r.number();
  r.expect("maskBits"), job.maskBits = (unsigned)r.number();
  r.expect("unit"), job.unit = (int)r.number();
  r.expect("activation"), job.activation = (int)r.number();
  r.expect("lambda"), job.lambda = r.number();
  r.expect("tau"), job.tau = r.number();
  r.expect("tauCov"), job.tauCov = r.number();
  r.expect("lr"), job.lr = r.number();
  r.expect("adam"), g.beta1 = r.number(), g.beta2 = r.number(), g.eps = r.number();
  job.x = r.numbers("x", (size_t)job.n * job.d);
  job.y = r.numbers("y", job.n);
  const Gradient initial = r.parameters(job);
  job.W = initial.W, job.b = initial.b, job.v = initial.v, job.c = initial.c;
  const std::vector<double> terms = r.numbers("terms", 4);
  for (int t = 0; t < 4; t++) g.terms[t] = terms[t];
  for (Gradient& grad : g.grads) r.expect("grad"), grad = r.parameters(job);
  r.expect("steps");
  const int count = (int)r.number();
  for (int s = 0; s < count; s++) {
    r.expect("after");
    g.steps.push_back((int)r.number());
    g.after.push_back(r.parameters(job));
  }
  r.expect("end");
  return g;
}

/** W, b, v, c in one array (the order of test/conformance.test.ts's flat). */
std::vector<double> flat(const std::vector<double>& W, const std::vector<double>& b,
                         const std::vector<double>& v, double c) {
  std::vector<double> out(W);
  out.insert(out.end(), b.begin(), b.end());
  out.insert(out.end(), v.begin(), v.end());
  out.push_back(c);
  return out;
}
std::vector<double> flat(const Gradient& p) { return flat(p.W, p.b, p.v, p.c); }

/** max |a - b| / max(floor, max |b|), as normwise in src/backend/agreement.ts (NaN counts). */
double normwise(const std::vector<double>& a, const std::vector<double>& b, double floor) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, scale = floor;
  for (size_t i = 0; i < b.size(); i++) {
    const double e = std::fabs(a[i] - b[i]);
    diff = e > diff || std::isnan(e) ? e : diff;
    scale = std::fmax(scale, std::fabs(b[i]));
  }
  return diff == 0 ? 0 : diff / std::fmax(scale, 5e-324);
}

/** TAP lines, counted. */
struct Report {
  int checks = 0, failures = 0;
  void check(bool ok, const std::string& what) {
    checks++;
    if (!ok) failures++;
    std::printf("%s %d - %s\n", ok ? "ok" : "not ok", checks, what.c_str());
  }
};

std::string at(const Golden& g, const EpochKernel& k, const std::string& what, double e) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ": %.3g", e);
  return g.name + " " + k.isa + " " + what + buf;
}

const char* const kTermNames[4] = {"fit", "cov", "sep", "ovl"};

/** The four terms (relative 1e-12) and each term's gradient (normwise 1e-12) at the start. */
void checkTermsAndGrads(const Golden& g, const EpochKernel& kernel, Report& report) {
  const protomlp::TermsAndGrads tg = protomlp::termsAndGrads(g.job, kernel);
  const double got[4] = {tg.terms.fit, tg.terms.cov, tg.terms.sep, tg.terms.ovl};
  const Gradient* grads[4] = {&tg.fit, &tg.cov, &tg.sep, &tg.ovl};
  for (int t = 0; t < 4; t++) {
    const double e = std::fabs(got[t] - g.terms[t]);  // relative: 0 / 0 counts as equal
    const double relative = e == 0 ? 0 : e / std::fabs(g.terms[t]);
    report.check(relative <= 1e-12, at(g, kernel, kTermNames[t], relative));
    const double eg = normwise(flat(*grads[t]), flat(g.grads[t]), 0);
    report.check(eg <= 1e-12, at(g, kernel, std::string("d") + kTermNames[t], eg));
  }
}

/** FNV-1a over the bytes of doubles: equal for equal bits (the kernels' same-bits check). */
uint64_t bitsHash(const std::vector<double>& values, uint64_t hash = 1469598103934665603ull) {
  for (double value : values) {
    unsigned char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    for (unsigned char byte : bytes) hash = (hash ^ byte) * 1099511628211ull;
  }
  return hash;
}

/**
 * The parameters after each golden number of Adam steps (1e-12, 1e-9 from 100 steps on); returns
 * a hash of every trained bit, which must be the same for every kernel (SPEC §10).
 */
uint64_t checkTraining(const Golden& g, const EpochKernel& kernel, Report& report) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t s = 0; s < g.steps.size(); s++) {
    Job job = g.job;
    job.epochs = g.steps[s];
    const protomlp::Result r = protomlp::trainRun(job, kernel, nullptr);
    const double tol = g.steps[s] >= 100 ? 1e-9 : 1e-12;
    const double e = normwise(flat(r.W, r.b, r.v, r.c), flat(g.after[s]), 1);
    hash = bitsHash(flat(r.W, r.b, r.v, r.c), hash);
    const std::string steps = "after " + std::to_string(g.steps[s]) + " steps";
    report.check(e <= tol && !r.diverged && r.epochsRun == g.steps[s], at(g, kernel, steps, e));
  }
  return hash;
}

}  // namespace

int main(int argc, char** argv) {
  std::string isa;
  std::vector<const char*> files;
  for (int i = 1; i < argc; i++) {
    if (std::string(argv[i]) == "--isa" && i + 1 < argc)
      isa = argv[++i];
    else
      files.push_back(argv[i]);
  }
  std::vector<const EpochKernel*> kernels = protomlp::supportedKernels();
  if (!isa.empty()) {
    std::string error;
    const EpochKernel* k = protomlp::findKernel(isa, error);
    if (!k) return std::fprintf(stderr, "%s\n", error.c_str()), 2;
    kernels = {k};
  }
  std::printf("TAP version 13\n# kernels:");
  for (const EpochKernel* k : kernels) std::printf(" %s", k->isa);
  std::printf("\n");
  Report report;
  for (const char* file : files) {
    const Golden g = readGolden(file);
    const std::string invalid = protomlp::validateJob(g.job, false);
    if (!invalid.empty()) return std::fprintf(stderr, "%s: %s\n", file, invalid.c_str()), 2;
    report.check(g.beta1 == protomlp::kAdamBeta1 && g.beta2 == protomlp::kAdamBeta2 &&
                     g.eps == protomlp::kAdamEps,
                 g.name + " was made with this package's Adam constants");
    uint64_t first = 0;
    for (const EpochKernel* k : kernels) {
      checkTermsAndGrads(g, *k, report);
      const uint64_t hash = checkTraining(g, *k, report);
      if (k == kernels[0]) first = hash;
      report.check(hash == first,
                   g.name + " " + k->isa + ": the same trained bits as " + kernels[0]->isa);
      // the same on every machine too: compare these lines between an x64 and an arm64 run
      std::printf("# bits %s %s %016llx\n", g.name.c_str(), k->isa, (unsigned long long)hash);
    }
  }
  std::printf("1..%d\n# %d checks, %d failed\n", report.checks, report.checks, report.failures);
  return report.checks == 0 || report.failures > 0 ? 1 : 0;
}
