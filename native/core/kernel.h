// The per-epoch kernel interface: one function per instruction set computes the loss terms and the
// gradient of a weighted sum of them, on a padded, transposed layout. Chosen once, by cpu.cc.
#pragma once

namespace protomlp {

/**
 * The bias and every prototype coordinate of a padding neuron (j >= h; its w and v are 0): far
 * from any data, so that padding adds exactly +0 to every sum and never wins a min. 1e200 is finite
 * but its square overflows to +inf (1e400 > DBL_MAX): z = 1e200 gives h = exp(-inf) = 0 exactly,
 * and every squared distance to a padding prototype is +inf (so its separation exp is 0 too). Being
 * finite, it keeps the products with those exact zeros at 0 (dL/dz = dh * z * h = 0, where an
 * infinite z would give inf * 0 = NaN). Data and real prototypes are assumed far below 1e200.
 */
constexpr double kPaddingFar = 1e200;

/** A neuron's geometry (Job::unit, EpochArgs::unit): z = w . x + b, or z = s |x - p|. */
enum Unit : int { kUnitRidge = 0, kUnitRadial = 1 };

/** A neuron's activation (Job::activation): exp(-z^2), 1 / (1 + z^2), exp(-|z|). */
enum Activation : int { kGaussian = 0, kCauchy = 1, kLaplace = 2 };

/**
 * A radial padding neuron's centre coordinates and scale (its v is 0; its prototype is still
 * kPaddingFar): |x - p|^2 is about 1e200 (finite, even summed over kMaxDim coordinates) and
 * s^2 |x - p|^2 overflows to +inf, so its h is exactly 0 for every activation, and every product
 * of the backward pass (by s, s^2, |x - p|^2, p - x) stays a finite number times an exact 0.
 */
constexpr double kRadialPaddingCentre = 1e100, kRadialPaddingScale = 1e100;

/**
 * One epoch's inputs and scratch. Neuron arrays have stride `ha` (= hp + 8, hp = h rounded up to
 * the virtual width 8, the same for every kernel); entries j >= h are padding. Matrices over
 * neurons are transposed: wT[k * ha + j] = W[j][k], so the j loop is contiguous for every k.
 */
struct EpochArgs {
  int n, h, d, hp, ha;
  int unit, activation;  // Unit, Activation
  const double* x;       // n*d, row-major
  const double* y;       // n
  const double* wT;      // d*ha (radial: the centres P; padding kRadialPaddingCentre)
  const double* b;  // ha (padding: kPaddingFar; radial: the scales s, padding kRadialPaddingScale)
  const double* v;  // ha (padding: 0)
  double c;
  // weight of each term in the differentiated objective (0: no gradient for it)
  double wFit, wCov, wSep, wOvl;
  // which terms to compute at all
  bool doCov, doSep, doOvl;
  double tau, tauCov;
  // outputs
  double* gWT;  // d*ha
  double* gb;   // ha
  double* gv;   // ha
  double gc;
  double fit, cov, sep, ovl;
  // scratch
  double* pT;       // d*ha prototypes (padding: kPaddingFar)
  double* gpT;      // d*ha
  double* gpSelfT;  // d*ha: separation's dL/dp of each row from its own pairs (sorted positions)
  double* pS;       // d*ha: prototypes in sorted order (padding: kPaddingFar)
  double* gpS;      // d*ha: separation's dL/dp in sorted order
  // h: neuron indices sorted by the prototypes' first coordinate; kept between epochs (the
  // workspace starts it at 0..h-1) because it changes little from one to the next
  int* order;
  int* bandEnd;  // h: per sorted position a, the first b > a whose pair is beyond exp's range
  double* norm;  // ha: |w_j|^2 + kPrototypeEps
  double* zRow;  // 2*ha: z of two rows (radial: |x - p|^2, laplace |x - p|)
  double* hRow;  // 2*ha: h of two rows
  double* aRow;  // ha
};

struct EpochKernel {
  const char* isa;
  /** doubles per register (the virtual width of reductions is 8 for every variant) */
  int lanes;
  void (*epoch)(EpochArgs& args);
  /** the kernel's exp on n values (accuracy tests) */
  void (*exp)(const double* in, double* out, int n);
  /** one Adam step on `count` contiguous parameters (PyTorch semantics; adamStep in adam.h) */
  void (*adam)(double* p, const double* g, double* m, double* v, int count, double lr, double bc1,
               double bc2);
};

extern const EpochKernel kEpochScalar;
#if defined(__x86_64__) || defined(_M_X64)
extern const EpochKernel kEpochAvx2;
extern const EpochKernel kEpochAvx512;
#endif
#if defined(__aarch64__)
extern const EpochKernel kEpochNeon;
#endif

}  // namespace protomlp
