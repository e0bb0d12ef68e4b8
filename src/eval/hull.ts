// The convex-hull metrics of SPEC §4 in every dimension: is a prototype inside conv{x_i}, and how
// far is it from it. Pure arithmetic on arrays; no I/O, no training, no validation of meaning.
//
// Why a specialized algorithm here and not an LP/QP solver from npm: the distance from p to the
// hull is the QP min |p - X^T l|^2 over the simplex, and HiGHS's WebAssembly build (npm `highs`,
// 3.5 MB of wasm, asynchronous load of ~120 ms) solves it in 10-70 ms a point at N = 1000, d = 10
// on this machine, 10-70 s for the 1000 prototypes of one run, and only to its feasibility
// tolerance (1e-7). Wolfe's nearest-point algorithm (P. Wolfe, "Finding the nearest point in a
// polytope", Math. Programming 11, 1976) is an active-set method made for exactly this problem:
// finite, it ends on an exact optimality test, works on any point set (repeated, collinear,
// N <= d), and costs O(N d) per major step, a few milliseconds for the same point. Every answer
// carries its own certificate (a point of the hull: an upper bound; a separating plane: a lower
// bound), so a result is checked, not trusted.

import { allFinite, boundingBox, checkLength, checkSizes } from './checks.js';

/**
 * Fraction of prototypes outside a region and their mean distance to it.
 *
 * @example
 * ```ts
 * const { fraction, meanDist }: Outside = outsideHull(Float64Array.of(0, 1), Float64Array.of(2), 2, 1, 1);
 * // fraction = 1, meanDist = 1: the prototype 2 lies 1 beyond the hull [0, 1]
 * ```
 */
export interface Outside {
  /** outside prototypes / H */
  fraction: number;
  /** mean Euclidean distance of the outside prototypes to the region; 0 when none is outside */
  meanDist: number;
}

/**
 * Hull membership tolerance, relative to the scale of the data: a point whose distance to the hull
 * is at most `HULL_TOLERANCE` x the diagonal of the inputs' bounding box is inside. 1e-9 sits far
 * above the algorithm's certified accuracy (~1e-12 of the same scale, checked on every answer) and
 * far below any distance the metrics care about (expelled prototypes sit ~1e-2 and more outside).
 * In 1-D the hull [min x, max x] is compared exactly, without tolerance (its ends are inputs).
 */
export const HULL_TOLERANCE = 1e-9;

/** Certified accuracy of a distance, relative to the scale of the computation (see {@link HullDistance}). */
export const HULL_ACCURACY = 1e-12;

/** The distance of one point to the hull, with the bounds that certify it. */
export interface HullDistance {
  /** |p - y| for a point y of the hull (a convex combination of inputs): an upper bound of the distance */
  distance: number;
  /**
   * A lower bound of the distance: <u, p> - max_i <u, x_i> for the unit vector u from y to p (the
   * separating plane); equal to `distance` at the optimum; -Infinity when the point is inside
   */
  lowerBound: number;
  /** distance <= the tolerance ({@link HULL_TOLERANCE} x the data's bounding-box diagonal) */
  inside: boolean;
  /** major steps of Wolfe's algorithm (points added to the corral) */
  steps: number;
}

/** Dot product of two length-d rows of flat arrays. */
function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[ai + k] * b[bi + k];
  return s;
}

/**
 * The convex hull of N points in R^d, ready to measure the distance of any point to it. Built once
 * per dataset (it keeps the inputs and work buffers); {@link ConvexHull.distance} then answers one
 * point at a time, in O(N d) per major step of Wolfe's algorithm.
 *
 * @example
 * ```ts
 * const hull = new ConvexHull(Float64Array.of(0, 0, 1, 0, 0, 1), 3, 2); // a triangle
 * hull.distance(Float64Array.of(1, 1)); // { distance: 0.7071..., inside: false, ... }
 * hull.distance(Float64Array.of(0.25, 0.25)).inside; // true
 * ```
 */
export class ConvexHull {
  readonly n: number;
  readonly d: number;
  /** absolute membership tolerance: HULL_TOLERANCE x the bounding-box diagonal of the inputs */
  readonly tolerance: number;
  /** the bounding-box diagonal of the inputs */
  readonly scale: number;
  private readonly x: Float64Array;
  private readonly center: Float64Array;
  // work buffers, reused for every point
  private readonly q: Float64Array; // (x_i - p) / sigma, N x d
  private readonly point: Float64Array; // the current point of the corral's hull, d
  private readonly corral: Int32Array; // indices of the corral's inputs
  private readonly lambda: Float64Array; // their convex weights
  private readonly alpha: Float64Array; // the affine minimizer's weights
  private readonly basis: Float64Array; // orthonormal columns of the corral's differences, column c at c*d
  private readonly r: Float64Array; // the triangular factor, (d+1) x (d+1) row-major
  private readonly column: Float64Array;
  private size = 0;

  constructor(x: Float64Array, n: number, d: number) {
    this.x = x;
    this.n = n;
    this.d = d;
    const { lo, hi } = boundingBox(x, n, d);
    this.center = new Float64Array(d);
    let diag = 0;
    for (let k = 0; k < d; k++) {
      this.center[k] = lo[k] + (hi[k] - lo[k]) / 2;
      const side = hi[k] - lo[k];
      diag += side * side;
    }
    this.scale = Math.sqrt(diag);
    this.tolerance = HULL_TOLERANCE * this.scale;
    this.q = new Float64Array(n * d);
    this.point = new Float64Array(d);
    const slots = d + 2; // an affinely independent corral has at most d + 1 points, plus the one being added
    this.corral = new Int32Array(slots);
    this.lambda = new Float64Array(slots);
    this.alpha = new Float64Array(slots);
    this.basis = new Float64Array(slots * d);
    this.r = new Float64Array(slots * slots);
    this.column = new Float64Array(d);
  }

  /**
   * The distance of point `p` (d coordinates starting at `offset`) to the hull, by Wolfe's
   * algorithm on the points q_i = (x_i - p) / sigma, whose hull's nearest point to the origin is
   * the answer. sigma (the bounding-box diagonal plus the point's distance from the box's center)
   * keeps every number near 1, so no square overflows for any finite p. The result is certified:
   * `distance - lowerBound <= HULL_ACCURACY * sigma` unless the point is inside.
   */
  distance(p: ArrayLike<number>, offset = 0): HullDistance {
    const { n, d } = this;
    let far = 0;
    for (let k = 0; k < d; k++) far = Math.max(far, Math.abs(p[offset + k] - this.center[k]));
    const sigma = this.scale + far;
    if (sigma === 0) return { distance: 0, lowerBound: 0, inside: true, steps: 0 };
    const tol = this.tolerance / sigma;
    const gapTol = HULL_ACCURACY;

    // start from the input nearest to p
    const { best, bestNorm } = this.scaleAround(p, offset, 1 / sigma);
    this.size = 1;
    this.corral[0] = best;
    this.lambda[0] = 1;
    this.setPoint();

    let norm2 = bestNorm;
    let steps = 0;
    const maxSteps = 50 * (d + 1) + n;
    for (;;) {
      if (Math.sqrt(norm2) <= tol)
        return { distance: Math.sqrt(norm2) * sigma, lowerBound: -Infinity, inside: true, steps };
      // the input most opposed to the current point: if none is below the point's plane, it is optimal
      const { j, m } = this.mostOpposed();
      const norm = Math.sqrt(norm2);
      const lowerBound = (m / norm) * sigma;
      if (norm2 - m <= gapTol * norm || steps >= maxSteps || this.inCorral(j)) {
        return this.result(norm * sigma, lowerBound, steps);
      }
      steps++;
      this.corral[this.size] = j;
      this.lambda[this.size] = 0;
      this.size++;
      if (!this.minorCycle()) {
        // the new input is (numerically) in the corral's affine hull: no further progress possible
        return this.result(norm * sigma, lowerBound, steps);
      }
      const next = dot(this.point, 0, this.point, 0, d);
      if (!(next < norm2)) {
        // Wolfe's point strictly decreases in exact arithmetic; no decrease means rounding has won
        return this.result(Math.sqrt(Math.min(next, norm2)) * sigma, lowerBound, steps);
      }
      norm2 = next;
    }
  }

  /** q_i = (x_i - p) * inverse for every input; returns the input nearest to p and its |q|^2. */
  private scaleAround(
    p: ArrayLike<number>,
    offset: number,
    inverse: number,
  ): { best: number; bestNorm: number } {
    const { n, d, q, x } = this;
    let best = 0;
    let bestNorm = Infinity;
    for (let i = 0, row = 0; i < n; i++, row += d) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const v = (x[row + k] - p[offset + k]) * inverse;
        q[row + k] = v;
        s += v * v;
      }
      if (s < bestNorm) {
        bestNorm = s;
        best = i;
      }
    }
    return { best, bestNorm };
  }

  /**
   * The input j with the least <point, q_j> and that value m (the O(N d) cost of a step: written
   * out, not through dot(), for speed).
   */
  private mostOpposed(): { j: number; m: number } {
    const { n, d, q, point } = this;
    let j = -1;
    let m = Infinity;
    for (let i = 0, row = 0; i < n; i++, row += d) {
      let s = 0;
      for (let k = 0; k < d; k++) s += point[k] * q[row + k];
      if (s < m) {
        m = s;
        j = i;
      }
    }
    return { j, m };
  }

  /** A finished search: the distance found, the lower bound (never above it), inside or not. */
  private result(distance: number, lowerBound: number, steps: number): HullDistance {
    return {
      distance,
      lowerBound: Math.min(lowerBound, distance),
      inside: distance <= this.tolerance,
      steps,
    };
  }

  private inCorral(j: number): boolean {
    for (let c = 0; c < this.size; c++) if (this.corral[c] === j) return true;
    return false;
  }

  /** point = sum_c lambda_c q_{corral_c} */
  private setPoint(): void {
    const { d, q, point, corral, lambda } = this;
    point.fill(0);
    for (let c = 0; c < this.size; c++) {
      const w = lambda[c];
      const row = corral[c] * d;
      for (let k = 0; k < d; k++) point[k] += w * q[row + k];
    }
  }

  /**
   * Wolfe's minor cycle: move to the affine minimizer of the corral if it lies inside the corral's
   * simplex, else step towards it to the simplex's boundary, drop the inputs whose weight reaches
   * 0, and repeat. Returns false when the newly added input is affinely dependent on the others.
   */
  private minorCycle(): boolean {
    const { corral, lambda, alpha } = this;
    for (;;) {
      if (!this.affineMinimizer()) {
        // drop the dependent input (the last one added) and keep the point
        this.size--;
        return false;
      }
      let allPositive = true;
      for (let c = 0; c < this.size; c++) if (!(alpha[c] > 0)) allPositive = false;
      if (allPositive) {
        for (let c = 0; c < this.size; c++) lambda[c] = alpha[c];
        this.setPoint();
        return true;
      }
      // the largest step from lambda towards alpha that keeps every weight >= 0 (at most 1: alpha has
      // a weight <= 0 where lambda's is >= 0); the weight that reaches 0 first leaves the corral
      let theta = Infinity;
      let hit = 0;
      for (let c = 0; c < this.size; c++) {
        if (alpha[c] > 0) continue;
        const denominator = lambda[c] - alpha[c];
        const t = denominator > 0 ? lambda[c] / denominator : 0;
        if (t < theta) {
          theta = t;
          hit = c;
        }
      }
      let sum = 0;
      let kept = 0;
      for (let c = 0; c < this.size; c++) {
        const w = c === hit ? 0 : (1 - theta) * lambda[c] + theta * alpha[c];
        if (w > 0) {
          corral[kept] = corral[c];
          lambda[kept] = w;
          sum += w;
          kept++;
        }
      }
      this.size = kept;
      for (let c = 0; c < kept; c++) lambda[c] /= sum;
      this.setPoint();
    }
  }

  /**
   * The point of the corral's affine hull nearest to the origin, as weights alpha (summing to 1):
   * q_0 + D beta with D's columns q_c - q_0, from a QR factorization of D (modified Gram-Schmidt,
   * each column orthogonalized twice) and R beta = -Q^T q_0. Returns false when a column's part
   * orthogonal to the others is below 1e-12 of its length (affinely dependent inputs).
   */
  private affineMinimizer(): boolean {
    const { d, q, corral, basis, r, alpha, column } = this;
    const k = this.size - 1; // columns of D
    const slots = d + 2;
    const base = corral[0] * d;
    for (let c = 0; c < k; c++) {
      const row = corral[c + 1] * d;
      let length2 = 0;
      for (let t = 0; t < d; t++) {
        column[t] = q[row + t] - q[base + t];
        length2 += column[t] * column[t];
      }
      for (let e = 0; e < c; e++) r[e * slots + c] = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (let e = 0; e < c; e++) {
          const proj = dot(basis, e * d, column, 0, d);
          r[e * slots + c] += proj;
          for (let t = 0; t < d; t++) column[t] -= proj * basis[e * d + t];
        }
      }
      const rest2 = dot(column, 0, column, 0, d);
      if (!(rest2 > 1e-24 * length2) || length2 === 0) return false;
      const rest = Math.sqrt(rest2);
      r[c * slots + c] = rest;
      for (let t = 0; t < d; t++) basis[c * d + t] = column[t] / rest;
    }
    // R beta = -Q^T q_0, back substitution; alpha_0 = 1 - sum beta
    let sumBeta = 0;
    for (let c = k - 1; c >= 0; c--) {
      let s = -dot(basis, c * d, q, base, d);
      for (let e = c + 1; e < k; e++) s -= r[c * slots + e] * alpha[e + 1];
      alpha[c + 1] = s / r[c * slots + c];
      sumBeta += alpha[c + 1];
    }
    alpha[0] = 1 - sumBeta;
    return true;
  }
}

/**
 * Prototypes outside the convex hull of the inputs (SPEC §4 `outside`, `outsideDist`): their
 * fraction of H and their mean Euclidean distance to the hull (0 when none is outside). In 1-D the
 * hull is [min x, max x], compared exactly; for d > 1 the distance is Wolfe's ({@link ConvexHull}),
 * and a prototype is outside when it is farther than the tolerance ({@link HULL_TOLERANCE} x the
 * inputs' bounding-box diagonal). Degenerate hulls (N <= d, repeated, collinear or coplanar inputs)
 * are hulls like any other: a prototype off their flat is outside. Both values are NaN when an
 * input or a prototype is not finite. `x` is N x d and `protos` H x d, both row-major.
 *
 * @example
 * ```ts
 * // the triangle (0,0), (1,0), (0,1): (0.75, 0.75) is outside (by 0.25 sqrt 2), (0.25, 0.25) inside
 * outsideHull(Float64Array.of(0, 0, 1, 0, 0, 1), Float64Array.of(0.75, 0.75, 0.25, 0.25), 3, 2, 2);
 * // { fraction: 0.5, meanDist: 0.3535... }
 * ```
 */
export function outsideHull(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): Outside {
  checkSizes(n, h, d);
  checkLength('x.length', x.length, 'n * dim', n * d);
  checkLength('protos.length', protos.length, 'hidden * dim', h * d);
  if (!allFinite(x) || !allFinite(protos)) return { fraction: NaN, meanDist: NaN };
  let count = 0;
  let sumDist = 0;
  if (d === 1) {
    const {
      lo: [lo],
      hi: [hi],
    } = boundingBox(x, n, 1);
    for (let j = 0; j < h; j++) {
      const p = protos[j];
      if (p < lo || p > hi) {
        count++;
        sumDist += p < lo ? lo - p : p - hi;
      }
    }
  } else {
    const hull = new ConvexHull(x, n, d);
    for (let j = 0; j < h; j++) {
      const r = hull.distance(protos, j * d);
      if (!r.inside) {
        count++;
        sumDist += r.distance;
      }
    }
  }
  return { fraction: count / h, meanDist: count === 0 ? 0 : sumDist / count };
}
