// AVX2 + FMA variant: 4 doubles per step (ymm). Compiled with -mavx2 -mfma for this file only and
// used only when cpu.cc finds AVX2, FMA and OS support for ymm state. FMA contraction is on here,
// which is why results differ from scalar in the last bits (docs/native.md, tolerances).
#include "epoch_impl.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "epoch_avx2.cc must be compiled with -mavx2 -mfma"
#endif

namespace protomlp {
const EpochKernel kEpochAvx2 = {"avx2", 4, &epochImpl<4>, &expImpl<4>, &adamStep};
}
