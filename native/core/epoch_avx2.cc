// AVX2 + FMA variant: 4 doubles per step (ymm). Compiled with -mavx2 -mfma -ffp-contract=off for
// this file only; used only when cpu.cc finds AVX2, FMA and OS support for ymm state. What matters:
// vfmadd/vfnmadd (_mm256_fmadd_pd) only where madd/nmadd say, never by contraction, and vpermd for
// the exp's 4-entry table; the virtual width of 8 sits in two registers. Same bits as scalar
// (docs/native.md, "One result on every CPU"; test/native-bitwise.test.ts).
#include "epoch_impl.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "epoch_avx2.cc must be compiled with -mavx2 -mfma"
#endif

namespace protomlp {
const EpochKernel kEpochAvx2 = {"avx2", 4, &epochImpl<4>, &expImpl<4>, &adamStep};
}
