// NEON variant (arm64): 2 doubles per step (q registers); NEON is part of the arm64 baseline, so no
// flags are needed. Compiled only for aarch64 targets; an empty file elsewhere.
#if defined(__aarch64__)
#include "epoch_impl.h"

namespace protomlp {
const EpochKernel kEpochNeon = {"neon", 2, &epochImpl<2>, &expImpl<2>, &adamStep};
}
#endif
