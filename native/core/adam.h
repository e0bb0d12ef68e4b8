// One Adam step on contiguous arrays, element-wise and never fused. Internal linkage, no STL.
#pragma once

#include "numerics.h"

namespace protomlp {
namespace {

/**
 * One Adam step on contiguous arrays, PyTorch semantics:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   p -= lr (m / bc1) / (sqrt(v / bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t.
 * A plain element-wise loop the compiler vectorizes with each file's instruction set; never fused
 * (-ffp-contract=off), and sqrt is correctly rounded everywhere: the same bits on every width.
 */
void adamStep(double* __restrict p, const double* __restrict g, double* __restrict m,
              double* __restrict v, int count, double lr, double bc1, double bc2) {
  const double beta1 = kAdamBeta1, beta2 = kAdamBeta2, eps = kAdamEps;
  for (int i = 0; i < count; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    p[i] -= (lr * (m[i] / bc1)) / (__builtin_sqrt(v[i] / bc2) + eps);
  }
}

}  // namespace
}  // namespace protomlp
