// The evaluator's exp on AVX-512 (8 lanes). Compiled with the AVX-512 kernel's flags (-mavx512f
// -mavx512dq -ffp-contract=off: nothing is fused); used only where cpu.cc finds AVX-512F/DQ.
#include "evaluate.h"
#include "fdlibm_simd.h"

#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "evaluate_avx512.cc must be compiled with -mavx512f -mavx512dq"
#endif

namespace protomlp {
void expArrayAvx512(const double* in, double* out, int count) {
  fdlibm::expArrayImpl<8>(in, out, count);
}
}  // namespace protomlp
