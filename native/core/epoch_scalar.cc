// Scalar variant: one double per step, compiled for baseline x86-64 (or any target) with
// -ffp-contract=off, so its operations are those of src/model/losses.ts one for one. It is the
// reference the SIMD variants are tested against, and the fallback on every CPU.
#include "epoch_impl.h"

namespace protomlp {
const EpochKernel kEpochScalar = {"scalar", 1, &epochImpl<1>, &expImpl<1>, &adamStep};
}
