// Independent ways to measure the distance of a point to the convex hull of a point set, for
// checking Wolfe's algorithm (src/eval/hull.ts) against: brute force over simplices (any d, small
// N) and, in 2-D, the hull polygon (d3-polygon) with point-in-polygon and segment distances.
// Plain arrays and Gaussian elimination: nothing shared with the code under test.

import { polygonHull } from 'd3-polygon';

/** Solves A z = b by Gaussian elimination with partial pivoting; null when A is (near) singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  const scale = Math.max(1e-300, ...a.flat().map(Math.abs));
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (Math.abs(m[pivot][c]) < 1e-12 * scale) return null;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * Distance from p to conv(points) by brute force: the nearest point of the hull lies in the
 * relative interior of a simplex of at most d + 1 of the points (Caratheodory), where it is the
 * orthogonal projection of p onto the simplex's affine hull. So: for every subset of at most
 * d + 1 points whose projection has barycentric weights all >= 0, the distance to that projection;
 * the least of these. Affinely dependent subsets are skipped (a smaller subset covers them).
 */
export function bruteForceDistance(points: number[][], p: number[]): number {
  const d = p.length;
  let best = Infinity;
  const visit = (start: number, subset: number[]): void => {
    if (subset.length) {
      const base = points[subset[0]];
      const diffs = subset.slice(1).map((i) => points[i].map((v, k) => v - base[k]));
      let beta: number[] | null = [];
      if (diffs.length) {
        const gram = diffs.map((a) => diffs.map((b) => a.reduce((s, v, k) => s + v * b[k], 0)));
        const rhs = diffs.map((a) => a.reduce((s, v, k) => s + v * (p[k] - base[k]), 0));
        beta = solve(gram, rhs);
      }
      if (beta) {
        const first = 1 - beta.reduce((s, v) => s + v, 0);
        if (first >= -1e-12 && beta.every((v) => v >= -1e-12)) {
          let dist2 = 0;
          for (let k = 0; k < d; k++) {
            let y = base[k];
            beta.forEach((w, c) => (y += w * diffs[c][k]));
            dist2 += (p[k] - y) ** 2;
          }
          best = Math.min(best, Math.sqrt(dist2));
        }
      }
    }
    if (subset.length === d + 1) return;
    for (let i = start; i < points.length; i++) visit(i + 1, [...subset, i]);
  };
  visit(0, []);
  return best;
}

/** Distance from p to the segment [a, b] in 2-D. */
function segmentDistance(p: [number, number], a: [number, number], b: [number, number]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const len2 = dx * dx + dy * dy;
  const t =
    len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/**
 * Distance from p to the hull of 2-D points by the hull polygon: 0 when p is inside the polygon
 * (the sign of every edge's cross product; the polygon of d3-polygon is counterclockwise),
 * else the least distance to an edge. A hull with fewer than 3 corners (equal or collinear
 * points) is the segment between its extreme points.
 */
export function polygonDistance(points: [number, number][], p: [number, number]): number {
  const polygon = polygonHull(points);
  if (!polygon) {
    // fewer than 3 points: the segment between the extremes (or the single point)
    const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return segmentDistance(p, sorted[0], sorted[sorted.length - 1]);
  }
  const edges = polygon.map((a, i) => [a, polygon[(i + 1) % polygon.length]] as const);
  const area = polygon.reduce(
    (s, a, i) =>
      s + a[0] * polygon[(i + 1) % polygon.length][1] - polygon[(i + 1) % polygon.length][0] * a[1],
    0,
  );
  if (Math.abs(area) < 1e-14) {
    const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return segmentDistance(p, sorted[0], sorted[sorted.length - 1]);
  }
  const sign = Math.sign(area);
  const inside = edges.every(
    ([a, b]) => sign * ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])) >= 0,
  );
  return inside ? 0 : Math.min(...edges.map(([a, b]) => segmentDistance(p, a, b)));
}
