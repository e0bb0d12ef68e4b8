// A correctly rounded fused multiply-add in integer arithmetic, for targets whose libm fma() is
// not (mingw-w64's, used by the Windows prebuild's scalar kernel: measured under wine, its scalar
// digest differed from every other instruction set). fma(a, b, c) = round-to-nearest-even of the
// exact a * b + c, the same bits as the hardware instruction; scalarFma picks it where needed.
// Header-only, no STL (the kernel files include it).
#pragma once

#include <cstdint>

namespace protomlp {
namespace {

using u128 = unsigned __int128;

inline uint64_t bitsOf(double x) {
  uint64_t u;
  __builtin_memcpy(&u, &x, sizeof u);
  return u;
}

inline double fromBits(uint64_t u) {
  double x;
  __builtin_memcpy(&x, &u, sizeof x);
  return x;
}

inline int bitLength(u128 x) {
  const uint64_t hi = (uint64_t)(x >> 64);
  if (hi) return 128 - __builtin_clzll(hi);
  const uint64_t lo = (uint64_t)x;
  return lo ? 64 - __builtin_clzll(lo) : 0;
}

/** A finite nonzero double as mantissa * 2^exponent (mantissa an integer below 2^53). */
inline void splitDouble(double x, uint64_t& mantissa, int& exponent) {
  const uint64_t u = bitsOf(x);
  const int biased = (int)((u >> 52) & 0x7ff);
  mantissa = u & ((1ull << 52) - 1);
  if (biased) mantissa |= 1ull << 52;
  exponent = (biased ? biased : 1) - 1075;
}

/** m * 2^e with m shifted so that its top bit is bit 125 (the exponent adjusted). */
inline void normalize(u128& m, int& e) {
  const int shift = 126 - bitLength(m);
  m <<= shift;
  e -= shift;
}

/** The double nearest to (-1)^negative * r * 2^e (ties to even), r > 0. */
inline double roundToDouble(bool negative, u128 r, int e) {
  const int top = e + bitLength(r) - 1;  // the exponent of r's leading bit
  if (top > 1023) return negative ? -__builtin_inf() : __builtin_inf();
  // bits dropped below the last kept one: 53 kept for a normal result, fewer for a subnormal
  int drop = top >= -1022 ? bitLength(r) - 53 : -1074 - e;
  uint64_t q;
  if (drop <= 0) {
    q = (uint64_t)(r << -drop);
  } else if (drop > 127) {
    q = 0;
  } else {
    q = (uint64_t)(r >> drop);
    const u128 rest = r & (((u128)1 << drop) - 1);
    const u128 half = (u128)1 << (drop - 1);
    if (rest > half || (rest == half && (q & 1))) q++;
  }
  const int qe = e + drop;  // the result is q * 2^qe, q <= 2^53
  const uint64_t sign = negative ? 1ull << 63 : 0;
  if (q == 0) return fromBits(sign);
  // q * 2^qe as bits: a normal number when q's leading bit lands at exponent >= -1022
  const int lead = 63 - __builtin_clzll(q);
  const int exponent = qe + lead;
  if (exponent > 1023) return negative ? -__builtin_inf() : __builtin_inf();
  if (exponent < -1022) return fromBits(sign | (q << (qe + 1074)));  // subnormal: qe >= -1074
  const uint64_t mantissa = (q << (52 - lead)) & ((1ull << 52) - 1);
  return fromBits(sign | ((uint64_t)(exponent + 1023) << 52) | mantissa);
}

/** a * b + c with one rounding (round to nearest, ties to even). */
inline double softFma(double a, double b, double c) {
  if (__builtin_isfinite(a) && __builtin_isfinite(b) && __builtin_isinf(c))
    return c;  // a finite product (which a * b might round to infinity) plus an infinity
  if (!__builtin_isfinite(a) || !__builtin_isfinite(b) || !__builtin_isfinite(c) || a == 0 ||
      b == 0)
    return a * b + c;  // exact product (zero) or special values: the plain expression is exact
  if (c == 0) return a * b;  // one rounding of the exact product; its sign is the product's
  uint64_t ma, mb, mc;
  int ea, eb, ec;
  splitDouble(a, ma, ea);
  splitDouble(b, mb, eb);
  splitDouble(c, mc, ec);
  const bool np = __builtin_signbit(a) != __builtin_signbit(b), nc = __builtin_signbit(c);
  u128 x = (u128)ma * mb, y = mc;
  int ex = ea + eb, ey = ec;
  normalize(x, ex);
  normalize(y, ey);
  bool nx = np, ny = nc;
  if (ex < ey) {
    const u128 t = x;
    x = y;
    y = t;
    const int te = ex;
    ex = ey;
    ey = te;
    const bool tn = nx;
    nx = ny;
    ny = tn;
  }
  // align the smaller onto the larger, keeping a sticky bit for what falls off
  const int d = ex - ey;
  if (d >= 128) {
    y = 1;
  } else if (d > 0) {
    const bool sticky = (y & (((u128)1 << d) - 1)) != 0;
    y = (y >> d) | (u128)sticky;
  }
  if (nx == ny) return roundToDouble(nx, x + y, ex);
  if (x == y) return 0.0;  // exact cancellation: +0 when rounding to nearest
  return x > y ? roundToDouble(nx, x - y, ex) : roundToDouble(ny, y - x, ex);
}

/**
 * The scalar fused multiply-add of the kernels: the compiler's (an instruction, or a correctly
 * rounded libm fma) everywhere but Windows without FMA instructions, where it is softFma.
 */
inline double scalarFma(double a, double b, double c) {
#if defined(_WIN32) && !defined(__FMA__)
  return softFma(a, b, c);
#else
  return __builtin_fma(a, b, c);
#endif
}

}  // namespace
}  // namespace protomlp
