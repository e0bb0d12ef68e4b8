// The evaluator's exp on the baseline instruction set (2 lanes: SSE2 on x86-64, NEON on arm64).
#include "evaluate.h"
#include "fdlibm_simd.h"

namespace protomlp {
void expArrayBaseline(const double* in, double* out, int count) {
  fdlibm::expArrayImpl<2>(in, out, count);
}
}  // namespace protomlp
