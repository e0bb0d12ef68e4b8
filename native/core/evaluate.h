// The evaluator: what a run record needs from a run's final parameters, computed in C++ with the
// bits of the TS reference (src/model/losses.ts computeTerms, src/eval/metrics.ts winningNeurons),
// so that a record never depends on which backend or path evaluated it. Runs on the batch's worker
// thread right after training (batch.cc); `threads` > 1 computes rows or pairs in parallel, and
// every sum still adds its terms one by one in the TS order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.h"

namespace protomlp {

/** The final parameters of a run (the Job's shapes), as pointers into a Result or a Job. */
struct ParamsView {
  const double* W;  // h*d
  const double* b;  // h
  const double* v;  // h
  double c;
};

struct Evaluation {
  /** computeTerms: the four terms of SPEC §2 (the softmin coverage when tauCov > 0) */
  Terms terms;
  /** winningNeurons: argmax_j of h_ij on h itself, ties to the lowest j, -1 after a NaN */
  std::vector<int32_t> winners;
};

/** The terms and winners of `problem` (sizes, x, y, tau, tauCov) at `params`. */
Evaluation evaluate(const Job& problem, const ParamsView& params, int threads);

/** Evaluates a finished run into its result (terms, winners, evaluated = true). */
void evaluateResult(const Job& job, Result& result, int threads);

/**
 * out[i] = fdlibm's exp(in[i]) (fdlibm.h), bit for bit, on one instruction set each
 * (fdlibm_simd.h); the evaluator uses the one of the active kernel (cpu.h).
 */
using ExpArray = void (*)(const double* in, double* out, int count);

/** The evaluator's exp for a kernel's instruction set (avx512, avx2; the baseline otherwise). */
ExpArray expArrayFor(const std::string& isa);

void expArrayBaseline(const double* in, double* out, int count);
#if defined(__x86_64__) || defined(_M_X64)
void expArrayAvx2(const double* in, double* out, int count);
void expArrayAvx512(const double* in, double* out, int count);
#endif

}  // namespace protomlp
