// Batch runner over std::threads. A shared atomic counter hands out runs in descending cost
// (job.cost, runCost in src/config.ts, passed in by the TS side); no locks on the hot path, one
// mutex only for the first error. Each finished run is evaluated (evaluate.h) on its thread.
#include "batch.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "evaluate.h"

namespace protomlp {

std::string runBatch(const std::vector<Job>& jobs, std::vector<Result>& results, int threads,
                     const EpochKernel& kernel, const std::atomic<bool>& cancel,
                     const std::function<void(size_t)>& onDone) {
  results.assign(jobs.size(), Result{});
  std::vector<size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].cost > jobs[b].cost; });

  const int count = std::max(1, std::min<int>(threads, (int)jobs.size()));
  // threads the batch does not train on (fewer runs than threads) help evaluate
  const int evalThreads = std::max(1, threads / count);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex errorMutex;
  std::string error;
  auto work = [&] {
    for (;;) {
      if (cancel.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed)) return;
      const size_t slot = next.fetch_add(1);
      if (slot >= order.size()) return;
      const size_t index = order[slot];
      try {
        results[index] = trainRun(jobs[index], kernel, &cancel);
        if (results[index].cancelled) continue;
        evaluateResult(jobs[index], results[index], evalThreads);
        onDone(index);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (error.empty()) error = std::string("run ") + std::to_string(index) + ": " + e.what();
        failed.store(true);
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(count - 1);
  for (int t = 1; t < count; t++) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return error;
}

}  // namespace protomlp
