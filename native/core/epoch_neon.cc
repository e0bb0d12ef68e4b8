// NEON variant (arm64): 2 doubles per step (q registers); NEON is part of the arm64 baseline, so no
// flags but -ffp-contract=off are needed. vfmaq_f64 only where madd/nmadd say (the compiler would
// otherwise contract a*b+c into fmla), the virtual width of 8 in four registers: the same bits as
// scalar. Compiled only for aarch64 targets; an empty file elsewhere.
#if defined(__aarch64__)
#include "epoch_impl.h"

namespace protomlp {
const EpochKernel kEpochNeon = {"neon", 2, &epochImpl<2>, &expImpl<2>, &adamStep};
}
#endif
