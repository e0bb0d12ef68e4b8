// AVX-512 variant: 8 doubles per step (zmm), masks in k registers, 64-bit shifts and integer adds
// for the exp's 2^k scaling in one instruction each, vpermpd for its table; the virtual width of 8
// is one register. Compiled with -mavx512f -mavx512dq -mavx2 -mfma -ffp-contract=off for this file
// only; used only when cpu.cc finds AVX-512F/DQ and OS support for zmm and opmask state.
// _mm512_fmadd_pd only where madd/nmadd say: the same bits as scalar (docs/native.md).
#include "epoch_impl.h"

#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "epoch_avx512.cc must be compiled with -mavx512f -mavx512dq"
#endif

namespace protomlp {
const EpochKernel kEpochAvx512 = {"avx512", 8, &epochImpl<8>, &expImpl<8>, &adamStep};
}
