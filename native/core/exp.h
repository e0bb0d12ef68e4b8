// The kernels' exp (vexp), one for every width: the same reduction, table, polynomial and
// operation order; only the table lookup is per width. expImpl applies it to an array.
// Internal linkage, no STL.
#pragma once

#include "lanes.h"

namespace protomlp {
namespace {

/**
 * 2^(i/4), i = 0..3, each correctly rounded. Four entries, not more: on AVX2 a 4-entry lookup is
 * one register permute (vpermd) where 8 entries take two and a blend, and a wider table would save
 * AVX-512 one fused multiply-add per exp at AVX2's expense.
 */
constexpr double kExpTable[4] = {0x1p+0, 0x1.306fe0a31b715p+0, 0x1.6a09e667f3bcdp+0,
                                 0x1.ae89f995ad3adp+0};

/** Below this argument the kernels' exp returns exactly 0 (e^-708 = 3.3e-308). */
constexpr double kExpMinArg = -708.0;

/**
 * kExpTable[K mod 4] per lane, from the low bits of t's bit pattern. The only width-specific part
 * of the exp: a register permute where GCC has one (vpermpd on AVX-512, vpermd on AVX2), one load
 * per lane otherwise; the values are the same either way.
 */
template <int W>
inline typename Lanes<W>::D expTableLookup(typename Lanes<W>::D t) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  typedef typename L::I I;
#if !defined(__clang__)
  if constexpr (W == 8) {
    const D table = {kExpTable[0], kExpTable[1], kExpTable[2], kExpTable[3],
                     kExpTable[0], kExpTable[1], kExpTable[2], kExpTable[3]};
    return __builtin_shuffle(table, (I)t & 3);
  } else if constexpr (W == 4) {
    const D table = {kExpTable[0], kExpTable[1], kExpTable[2], kExpTable[3]};
    return __builtin_shuffle(table, (I)t);  // the index is taken mod 4
  }
#endif
  const I index = (I)t & 3;
  D out;
  for (int l = 0; l < W; l++) out[l] = kExpTable[index[l]];
  return out;
}

/**
 * exp(x), lane-wise, for x <= 709 (every caller passes x <= 0: -z^2, -d/tau, -(a - min)/tauCov).
 * x = (K/4) ln2 + r with K = round(4x/ln2) from the "shifter" trick (t = 4x/ln2 + 1.5*2^52 holds K
 * in its low mantissa bits) and |r| <= ln2/8 by a Cody-Waite reduction (ln2/4 split into a 32-bit
 * high part, so K*hi is exact, and a low part); e^r - 1 = q by its Taylor polynomial of degree 9
 * (truncation < 7e-18 relative); then T = 2^((K mod 4)/4) from a 4-entry table, y = T q + T (the
 * last step rounds once) and y * 2^(K div 4), the power of two built in the exponent field.
 * Multiply-adds are fused or not as madd/nmadd say, the same at every width.
 * x < -708 gives exactly 0: no subnormal is ever computed (each costs a microcode assist on x86,
 * 20% of an epoch measured) and every result is a normal number; exp(NaN) = NaN.
 */
template <int W>
inline typename Lanes<W>::D vexp(typename Lanes<W>::D x) {
  typedef Lanes<W> L;
  typedef typename L::D D;
  typedef typename L::U U;
  // Lanes below -708 are computed on without a clamp (their 2^(K div 4) wraps to garbage, never to
  // a subnormal) and replaced by 0 at the end; NaN passes (comparisons are false).
  const auto under = x < L::splat(kExpMinArg);
  const D shifter = L::splat(0x1.8p52);
  const D t = L::madd(x, L::splat(0x1.71547652b82fep+2), shifter);  // 4/ln2
  const D kd = t - shifter;
  D r = L::nmadd(kd, L::splat(0x1.62e42feep-3), x);      // ln2/4, high 32 bits
  r = L::nmadd(kd, L::splat(0x1.a39ef35793c76p-35), r);  // ln2/4, the rest
  D p = L::splat(1.0 / 362880);
  p = L::madd(p, r, L::splat(1.0 / 40320));
  p = L::madd(p, r, L::splat(1.0 / 5040));
  p = L::madd(p, r, L::splat(1.0 / 720));
  p = L::madd(p, r, L::splat(1.0 / 120));
  p = L::madd(p, r, L::splat(1.0 / 24));
  p = L::madd(p, r, L::splat(1.0 / 6));
  p = L::madd(p, r, L::splat(0.5));
  p = L::madd(p, r, L::splat(1.0));
  const D q = p * r;
  const D frac = expTableLookup<W>(t);
  const D y = L::madd(frac, q, frac);
  // (t's bits >> 2) = const + K div 4; the constant's low 12 bits are 0, so after << 52 only the
  // exponent 1023 + K div 4 (in [1, 2046] for x in [-708, 709]) is left: an exact power of two
  // (below -708 its bits wrap to 0, -inf or a huge power: never a subnormal, and replaced by 0)
  const D scale = (D)((((U)t >> 2) + 1023) << 52);
  return under ? L::splat(0.0) : y * scale;
}

template <int W>
void expImpl(const double* in, double* out, int n) {
  typedef Lanes<W> L;
  int i = 0;
  for (; i + W <= n; i += W) L::store(out + i, vexp<W>(L::load(in + i)));
  if (i < n) {
    double buf[W];
    for (int l = 0; l < W; l++) buf[l] = i + l < n ? in[i + l] : 0.0;
    L::store(buf, vexp<W>(L::load(buf)));
    for (int l = 0; i + l < n; l++) out[i + l] = buf[l];
  }
}
}  // namespace
}  // namespace protomlp
