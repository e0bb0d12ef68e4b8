// The upper bounds of a job, the one C++ copy of LIMITS in src/config.ts (info().constants.limits;
// test/native-constants.test.ts checks they agree). The binding refuses anything outside them and
// the kernels size their stack arrays by kMaxDim. No STL: the kernel files include it.
#pragma once

namespace protomlp {

constexpr int kMaxN = 10000;
constexpr int kMaxHidden = 10000;
constexpr int kMaxDim = 64;
constexpr double kMaxEpochs = 10000000;

}  // namespace protomlp
