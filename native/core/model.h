// The public face of the C++ core: one run's job and result, the four terms, validation, and the
// entry points (train one run, terms and per-term gradients). No Node types here or below.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "bounds.h"

namespace protomlp {

/** Bits of Job::maskBits: which structural losses are active (SPEC §2). */
enum MaskBit : unsigned { kMaskCov = 1, kMaskSep = 2, kMaskOvl = 4 };

/** One training run, copied out of JS before it goes to a worker thread. Row-major like TS. */
struct Job {
  int n = 0, h = 0, d = 0;
  unsigned maskBits = 0;
  int unit = 0;        // Unit (kernel.h): 0 ridge, 1 radial (W holds the centres P, b the scales s)
  int activation = 0;  // Activation (kernel.h): 0 gaussian, 1 cauchy, 2 laplace
  double lambda = 0, tau = 0, tauCov = 0, lr = 0;
  int64_t epochs = 0;
  double cost = 0;  // scheduling weight, runCost in src/config.ts (passed in; 0 keeps input order)
  std::vector<double> x;  // n*d
  std::vector<double> y;  // n
  std::vector<double> W;  // h*d (row j = w_j)
  std::vector<double> b;  // h
  std::vector<double> v;  // h
  double c = 0;
};

struct Terms {
  double fit = 0, cov = 0, sep = 0, ovl = 0;
};

struct Result {
  std::vector<double> W, b, v;
  double c = 0;
  bool diverged = false;
  int64_t epochsRun = 0;
  double wallMs = 0;
  bool cancelled = false;  // stopped by the cancel flag; the result is not a finished run
  // the evaluator's terms and winners at W, b, v, c (evaluate.h), when evaluated is true
  bool evaluated = false;
  Terms terms;
  std::vector<int32_t> winners;
};

/** Gradient of one scalar, in the Job's row-major shapes. */
struct Gradient {
  std::vector<double> W, b, v;
  double c = 0;
};

struct TermsAndGrads {
  Terms terms;
  Gradient fit, cov, sep, ovl;
};

struct EpochKernel;

/**
 * Empty when the job's sizes, lengths and numbers are usable; otherwise a message naming the
 * field, the value and what is allowed. Every entry point checks this before touching memory.
 */
std::string validateJob(const Job& job, bool forTraining);

/**
 * Trains one run through all its epochs with `kernel` (SPEC §3 loop, Adam with PyTorch semantics).
 * `cancel` is polled every 64 epochs; when it is set the result comes back with cancelled = true.
 */
Result trainRun(const Job& job, const EpochKernel& kernel, const std::atomic<bool>* cancel);

/** The four terms at the job's parameters and each term's own gradient. */
TermsAndGrads termsAndGrads(const Job& job, const EpochKernel& kernel);

}  // namespace protomlp
