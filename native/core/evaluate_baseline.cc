// The evaluator's exp on the baseline instruction set: the scalar fdlibm::exp, one value at a time
// (measured: on 2 SSE2 lanes the selects cost more than the lanes save).
#include "evaluate.h"
#include "fdlibm.h"

namespace protomlp {
void expArrayBaseline(const double* in, double* out, int count) {
  for (int i = 0; i < count; i++) out[i] = fdlibm::exp(in[i]);
}
}  // namespace protomlp
