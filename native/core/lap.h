// The exact minimum-cost assignment of recon (SPEC §4) for d > 1: a float64 Jonker–Volgenant
// solver (LAPJV; square problems start from an epsilon-scaling auction) over dense costs, and the
// Euclidean matching of N inputs to H prototypes on top of it. Plain C++ (no Node types): callable
// from the binding and from worker threads alike. No libm (sqrt is the IEEE instruction), no fused
// multiply-adds (-ffp-contract=off), deterministic: every scan runs in index order with strict
// comparisons.
#pragma once

#include <cstddef>
#include <cstdint>

namespace protomlp {

/** The largest N * H the native solver takes (kMaxN * kMaxHidden). */
constexpr int64_t kMaxLapCells = int64_t{10000} * 10000;

/** What a call came to. */
enum class LapStatus {
  kOk,      // the output holds an optimal matching
  kCannot,  // a cost or potential is not finite, the problem is over kMaxLapCells or memory ran
            // out: nothing is decided, the caller uses another method (the TS path)
};

/**
 * The recon matching: for each of the `n` inputs (x, n x d, row-major) its prototype (protos,
 * h x d) or -1 (n > h), minimizing the sum of Euclidean distances. Each cost has exactly the bits
 * of TS `distance()` (src/eval/metrics.ts): the sum of squared differences x - p in k order, then
 * sqrt (|x - p| in 1-D). When such a sum is not finite (TS then takes Math.hypot) the result is
 * kCannot. Throws std::invalid_argument, naming the field, when a size is below 1 or a length
 * disagrees with the sizes (a caller's bug); nothing is read or written out of bounds. The scans
 * run two lanes wide (SSE2, NEON) on every CPU. Memory: the h x n
 * costs (8 n h bytes) up to 2^25 pairs; beyond, for d <= 4, O(n + h) (each row of costs computed
 * from the points when needed).
 */
LapStatus matchEuclidean(const double* x, size_t xLength, const double* protos, size_t protosLength,
                         int64_t n, int64_t h, int64_t d, int32_t* rowToCol, size_t rowToColLength);

}  // namespace protomlp
