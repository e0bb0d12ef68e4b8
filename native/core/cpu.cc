// CPU feature detection and the choice of kernel variant. An instruction set counts as supported
// only when the CPU reports it (cpuid) and the OS saves its registers on context switches
// (OSXSAVE + xgetbv): a kernel that passed cpuid alone could still fault under an OS without it.
#include "cpu.h"

#include <atomic>
#include <cstdlib>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace protomlp {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
struct X86Features {
  bool avx2 = false;
  bool avx512 = false;
};

unsigned long long readXcr0() {
  unsigned eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

X86Features detectX86() {
  X86Features f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27);
  const bool avx = ecx & (1u << 28);
  const bool fma = ecx & (1u << 12);
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = readXcr0();
  const bool ymmState = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
  const bool zmmState = (xcr0 & 0xE6) == 0xE6;  // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16);
  const bool avx512dq = ebx & (1u << 17);
  f.avx2 = avx2 && fma && ymmState;
  f.avx512 = f.avx2 && avx512f && avx512dq && zmmState;
  return f;
}
#endif

std::atomic<const EpochKernel*> active{nullptr};

}  // namespace

std::vector<const EpochKernel*> compiledKernels() {
  std::vector<const EpochKernel*> out{&kEpochScalar};
#if defined(__x86_64__) || defined(_M_X64)
  out.push_back(&kEpochAvx2);
  out.push_back(&kEpochAvx512);
#endif
#if defined(__aarch64__)
  out.push_back(&kEpochNeon);
#endif
  return out;
}

std::vector<const EpochKernel*> supportedKernels() {
  std::vector<const EpochKernel*> out{&kEpochScalar};
#if defined(__x86_64__) || defined(_M_X64)
  static const X86Features f = detectX86();
  if (f.avx2) out.push_back(&kEpochAvx2);
  if (f.avx512) out.push_back(&kEpochAvx512);
#endif
#if defined(__aarch64__)
  out.push_back(&kEpochNeon);
#endif
  return out;
}

const EpochKernel* findKernel(const std::string& isa, std::string& error) {
  for (const EpochKernel* k : supportedKernels())
    if (isa == k->isa) return k;
  std::string compiled, supported;
  for (const EpochKernel* k : compiledKernels())
    compiled += std::string(compiled.empty() ? "" : ", ") + k->isa;
  for (const EpochKernel* k : supportedKernels())
    supported += std::string(supported.empty() ? "" : ", ") + k->isa;
  bool known = false;
  for (const EpochKernel* k : compiledKernels()) known = known || isa == k->isa;
  error = known ? "instruction set '" + isa +
                      "' is not supported by this CPU/OS (supported here: " + supported + ")"
                : "unknown instruction set '" + isa + "' (this binary has: " + compiled +
                      "; supported here: " + supported + ")";
  return nullptr;
}

const EpochKernel& activeKernel() {
  const EpochKernel* k = active.load();
  if (k == nullptr) {
    k = supportedKernels().back();
    active.store(k);
  }
  return *k;
}

std::string setActiveIsa(const std::string& isa) {
  std::string error;
  const EpochKernel* k = findKernel(isa, error);
  if (k != nullptr) active.store(k);
  return error;
}

std::string applySimdEnvironment() {
  const char* forced = std::getenv("PROTOMLP_SIMD");
  if (forced == nullptr || *forced == '\0') return "";
  std::string error = setActiveIsa(forced);
  return error.empty() ? "" : "PROTOMLP_SIMD: " + error;
}

}  // namespace protomlp
