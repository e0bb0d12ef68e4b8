// The exact hull metrics (src/eval/hull.ts) against independent methods: the 2-D hull polygon
// with point-in-polygon and segment distances, brute force over simplices in 3-D to 6-D, on
// random and degenerate inputs (N <= d, repeated, collinear, coplanar points, prototypes on a
// vertex or a facet); the tolerance; 1-D exactly as the interval [min x, max x]; certificates.

import t from 'tap';
import { ConvexHull, HULL_ACCURACY, HULL_TOLERANCE, outsideHull } from '../src/eval/hull.js';
import { Rng } from '../src/rng.js';
import { bruteForceDistance, polygonDistance } from './helpers/hull-reference.js';

/**
 * Agreement with a reference method. The references solve their own small systems, so they agree
 * to ~1e-14 of the data's scale, not bit for bit; 1e-11 leaves room and is far below the 1e-9
 * membership tolerance.
 */
const AGREE = 1e-11;

type Layout = 'random' | 'collinear' | 'repeated' | 'flat' | 'few';

/** N points in R^d laid out one of the degenerate ways (or not). */
function points(rng: Rng, n: number, d: number, layout: Layout): number[][] {
  const u = () => rng.uniform(-1, 1);
  const base = Array.from({ length: d }, u);
  const dir = Array.from({ length: d }, u);
  return Array.from({ length: n }, (_, i) => {
    if (layout === 'collinear') {
      const s = u();
      return base.map((b, k) => b + s * dir[k]);
    }
    if (layout === 'repeated' && i % 2 === 1) return null as unknown as number[];
    const p = Array.from({ length: d }, u);
    if (layout === 'flat') p[d - 1] = 0.25; // all on one hyperplane
    return p;
  }).map((p, i, all) => p ?? all[i - 1]);
}

/** Query points: random near and far, the first input (a vertex), a midpoint (an edge or inside). */
function queries(rng: Rng, x: number[][], count: number): number[][] {
  const d = x[0].length;
  const out = [x[0], x[0].map((v, k) => (v + x[x.length - 1][k]) / 2)];
  for (let i = 0; i < count; i++) out.push(Array.from({ length: d }, () => rng.uniform(-1.5, 1.5)));
  out.push(Array.from({ length: d }, () => rng.uniform(-40, 40)));
  return out;
}

function check(t: Tap.Test, x: number[][], query: number[], expected: number, label: string): void {
  const d = x[0].length;
  const hull = new ConvexHull(Float64Array.from(x.flat()), x.length, d);
  const r = hull.distance(query);
  const scale =
    hull.scale +
    Math.max(
      ...query.map((v, k) =>
        Math.abs(v - (Math.min(...x.map((p) => p[k])) + Math.max(...x.map((p) => p[k]))) / 2),
      ),
    );
  if (Math.abs(r.distance - expected) > AGREE * Math.max(1, scale))
    t.fail(`${label}: Wolfe ${r.distance} vs reference ${expected}`);
  if (r.inside !== expected <= hull.tolerance && Math.abs(expected - hull.tolerance) > AGREE)
    t.fail(`${label}: inside ${r.inside}, reference distance ${expected}`);
  if (
    !r.inside &&
    !(r.lowerBound <= r.distance && r.distance - r.lowerBound <= HULL_ACCURACY * scale * 1.01)
  ) {
    t.fail(
      `${label}: certificate [${r.lowerBound}, ${r.distance}] wider than ${HULL_ACCURACY} x ${scale}`,
    );
  }
}

t.test('2-D: the hull polygon, point in polygon and segment distances agree', async (t) => {
  const rng = new Rng(1, 10);
  let cases = 0;
  for (const layout of ['random', 'collinear', 'repeated', 'few'] as const) {
    for (let trial = 0; trial < 60; trial++) {
      const n = layout === 'few' ? 1 + (trial % 3) : 3 + (trial % 25);
      const x = points(rng, n, 2, layout);
      for (const q of queries(rng, x, 8)) {
        check(
          t,
          x,
          q,
          polygonDistance(x as [number, number][], q as [number, number]),
          `${layout} n=${n} q=${q}`,
        );
        cases++;
      }
    }
  }
  t.pass(`${cases} cases`);
});

t.test('3-D to 6-D: brute force over simplices agrees, degenerate inputs included', async (t) => {
  const rng = new Rng(2, 10);
  let cases = 0;
  for (const [n, d] of [
    [4, 3],
    [7, 3],
    [2, 3],
    [3, 3],
    [6, 4],
    [8, 5],
    [4, 5],
    [7, 6],
  ] as const) {
    for (const layout of ['random', 'collinear', 'repeated', 'flat'] as const) {
      for (let trial = 0; trial < 12; trial++) {
        const x = points(rng, n, d, layout);
        for (const q of queries(rng, x, 5)) {
          check(t, x, q, bruteForceDistance(x, q), `${layout} n=${n} d=${d}`);
          cases++;
        }
      }
    }
  }
  t.pass(`${cases} cases`);
});

t.test(
  'on a vertex, an edge, a facet: inside; just off a facet: outside by that much',
  async (t) => {
    // the unit simplex in 3-D and a flat (coplanar) square
    const simplex = [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const hull = new ConvexHull(Float64Array.from(simplex.flat()), 4, 3);
    for (const p of [
      [0, 0, 0],
      [1, 0, 0],
      [0.5, 0.5, 0],
      [1 / 3, 1 / 3, 1 / 3],
      [0.25, 0.25, 0.25],
    ])
      t.ok(hull.distance(p).inside, `${p} inside`);
    const off = 1e-6;
    const r = hull.distance([1 / 3 + off, 1 / 3 + off, 1 / 3 + off]);
    t.notOk(r.inside);
    t.ok(Math.abs(r.distance - off * Math.sqrt(3)) < 1e-15, `distance ${r.distance}`);
    const square = [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
    ];
    const flat = new ConvexHull(Float64Array.from(square.flat()), 4, 3);
    t.ok(flat.distance([0.5, 0.5, 0]).inside, 'on the flat square');
    t.equal(flat.distance([0.5, 0.5, 0.25]).distance, 0.25, 'above it: its height');
    t.ok(
      Math.abs(flat.distance([2, 0.5, -1]).distance - Math.SQRT2) < 1e-15,
      'beside it: to the edge',
    );
  },
);

t.test('the tolerance: 1e-9 of the bounding-box diagonal', async (t) => {
  const x = Float64Array.of(0, 0, 4, 0, 0, 3); // a right triangle; diagonal of its box: 5
  const hull = new ConvexHull(x, 3, 2);
  t.equal(hull.scale, 5);
  t.equal(hull.tolerance, 5 * HULL_TOLERANCE);
  t.ok(hull.distance([-2e-9, 1]).inside, '2e-9 outside the edge x = 0: within 5e-9, inside');
  const beyond = hull.distance([-1e-8, 1]);
  t.notOk(beyond.inside, '1e-8 outside: outside');
  t.ok(Math.abs(beyond.distance - 1e-8) < 1e-15);
  const single = new ConvexHull(Float64Array.of(0.5, 0.5, 0.5, 0.5), 2, 2);
  t.equal(single.tolerance, 0, 'a hull of one repeated point has no extent, so no tolerance');
  t.ok(single.distance([0.5, 0.5]).inside);
  t.notOk(single.distance([0.5, 0.5 + 1e-15]).inside);
});

t.test('1-D: exactly the interval [min x, max x], bit for bit as before', async (t) => {
  const rng = new Rng(3, 10);
  for (let trial = 0; trial < 50; trial++) {
    const n = 2 + (trial % 9);
    const x = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
    const protos = Float64Array.from({ length: 12 }, (_, j) =>
      j < 2 ? x[j] : j === 2 ? Math.max(...x) + 1e-17 : rng.uniform(-1.5, 1.5),
    );
    const lo = Math.min(...x);
    const hi = Math.max(...x);
    const out = Array.from(protos).filter((p) => p < lo || p > hi);
    const expected = {
      fraction: out.length / 12,
      meanDist: out.length
        ? out.reduce((s, p) => s + (p < lo ? lo - p : p - hi), 0) / out.length
        : 0,
    };
    t.same(outsideHull(x, protos, n, 12, 1), expected);
  }
});

t.test('outsideHull: fraction and mean distance, far points, non-finite values', async (t) => {
  const triangle = Float64Array.of(0, 0, 1, 0, 0, 1);
  const r = outsideHull(triangle, Float64Array.of(0.75, 0.75, 0.25, 0.25, 0, 0, -3, -4), 3, 4, 2);
  t.equal(r.fraction, 0.5);
  t.ok(Math.abs(r.meanDist - (0.25 * Math.SQRT2 + 5) / 2) < 1e-14, `${r.meanDist}`);
  const far = outsideHull(triangle, Float64Array.of(1e200, 1e200), 3, 1, 2);
  t.equal(far.fraction, 1);
  t.ok(
    Math.abs(far.meanDist / (Math.SQRT2 * 1e200 - Math.SQRT1_2) - 1) < 1e-12,
    'no overflow: the distance of a point at 1e200',
  );
  t.same(outsideHull(triangle, Float64Array.of(NaN, 0), 3, 1, 2), { fraction: NaN, meanDist: NaN });
  t.same(outsideHull(Float64Array.of(0, Infinity, 1, 0, 0, 1), Float64Array.of(0, 0), 3, 1, 2), {
    fraction: NaN,
    meanDist: NaN,
  });
  t.throws(() => outsideHull(triangle, Float64Array.of(0, 0, 0), 3, 1, 2), {
    message: 'protos.length: got 3, expected hidden * dim = 2',
  });
});

t.test('N = H = 100 at d = 5 and 10: every answer certified, within the step bound', async (t) => {
  const rng = new Rng(4, 10);
  for (const d of [5, 10]) {
    const x = Float64Array.from({ length: 100 * d }, () => rng.uniform(-1, 1));
    const hull = new ConvexHull(x, 100, d);
    let inside = 0;
    let steps = 0;
    for (let j = 0; j < 100; j++) {
      const p = Array.from({ length: d }, (_, k) => x[(j % 100) * d + k] * rng.uniform(0.3, 1.3));
      const r = hull.distance(p);
      if (r.inside) inside++;
      else if (!(r.distance - r.lowerBound <= HULL_ACCURACY * (hull.scale + 3)))
        t.fail(`d=${d} j=${j}: gap ${r.distance - r.lowerBound}`);
      steps = Math.max(steps, r.steps);
    }
    t.ok(steps < 50 * (d + 1) + 100, `d=${d}: at most ${steps} steps, none stopped by the bound`);
    t.ok(inside > 0 && inside < 100, `d=${d}: ${inside} of 100 inside`);
  }
});
