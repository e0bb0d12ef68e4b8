// Which kernel variants this binary holds, which of them this CPU and OS can run (cpuid + xgetbv),
// and the active one (best at load, or forced by PROTOMLP_SIMD / setActiveIsa).
#pragma once

#include <string>
#include <vector>

#include "kernel.h"

namespace protomlp {

/** Variants compiled into this binary, scalar first. */
std::vector<const EpochKernel*> compiledKernels();

/** Variants this CPU and OS can run, scalar first, best last. */
std::vector<const EpochKernel*> supportedKernels();

/**
 * The kernel named `isa` if this machine can run it; otherwise nullptr and `error` says why
 * (unknown name, not compiled in, or missing from this CPU/OS).
 */
const EpochKernel* findKernel(const std::string& isa, std::string& error);

/** The kernel used when a call does not name one. */
const EpochKernel& activeKernel();

/** Makes `isa` the active kernel; returns an error message (empty on success). */
std::string setActiveIsa(const std::string& isa);

/**
 * Applies PROTOMLP_SIMD if it is set (once per process); returns an error message when it names a
 * variant this machine cannot run.
 */
std::string applySimdEnvironment();

}  // namespace protomlp
