// Scalar variant: one double per step (W = 1), compiled for baseline x86-64 (or any target) with
// -ffp-contract=off. What matters: madd/nmadd call scalarFma (soft_fma.h: __builtin_fma, i.e.
// libm's correctly rounded fma where the CPU has no FMA instruction, slow; on Windows, whose
// mingw-w64 fma is not correctly rounded, an integer one), at the same places as the SIMD variants,
// and the virtual width of 8 is kept in 8 partial sums, so it gives the same bits as AVX2, AVX-512
// and NEON (SPEC §10). It is not src/model/losses.ts op for op (that fuses nothing and uses V8's
// exp): the two agree within src/backend/agreement.ts's tolerances. The fallback on every CPU.
#include "epoch_impl.h"

namespace protomlp {
const EpochKernel kEpochScalar = {"scalar", 1, &epochImpl<1>, &expImpl<1>, &adamStep};
}
