// The batch runner: trains many runs on a pool of native threads, largest runs first, each run on
// one thread from start to end (so results do not depend on the number of threads).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "kernel.h"
#include "model.h"

namespace protomlp {

/**
 * Trains every job into results[index] with `threads` threads (the calling thread is one of them).
 * Each finished run is then evaluated on its thread (evaluate.h: terms and winners into its
 * result), with threads / min(threads, runs) threads, and `onDone(index)` is called on that worker
 * thread right after results[index] is complete. Stops early
 * when `cancel` is set (runs in flight come back with cancelled = true and are not reported).
 * Returns an error message (empty on success); after an error, the remaining runs are skipped.
 */
std::string runBatch(const std::vector<Job>& jobs, std::vector<Result>& results, int threads,
                     const EpochKernel& kernel, const std::atomic<bool>& cancel,
                     const std::function<void(size_t)>& onDone);

}  // namespace protomlp
