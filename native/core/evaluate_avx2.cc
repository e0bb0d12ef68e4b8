// The evaluator's exp on AVX2 (4 lanes). Compiled with the AVX2 kernel's flags (-mavx2 -mfma
// -ffp-contract=off: nothing is fused); used only where cpu.cc finds AVX2.
#include "evaluate.h"
#include "fdlibm_simd.h"

#if !defined(__AVX2__)
#error "evaluate_avx2.cc must be compiled with -mavx2"
#endif

namespace protomlp {
void expArrayAvx2(const double* in, double* out, int count) {
  fdlibm::expArrayImpl<4>(in, out, count);
}
}  // namespace protomlp
