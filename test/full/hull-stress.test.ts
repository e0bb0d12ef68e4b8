// Long: Wolfe's hull distance against brute force over simplices on many random and degenerate
// point sets (d = 2 to 7), and the certificate of every answer at N = 1000, d = 10.

import t from 'tap';
import { ConvexHull, HULL_ACCURACY } from '../../src/eval/hull.js';
import { Rng } from '../../src/rng.js';
import { bruteForceDistance } from '../helpers/hull-reference.js';

t.test('brute force over simplices: 30000 queries, d = 2..7, degenerate layouts', async (t) => {
  const rng = new Rng(11, 10);
  let cases = 0;
  let worst = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const d = 2 + (trial % 6);
    const n = 1 + Math.floor(rng.uniform(0, d + 4));
    const layout = trial % 5;
    const base = Array.from({ length: d }, () => rng.uniform(-1, 1));
    const dir = Array.from({ length: d }, () => rng.uniform(-1, 1));
    const x: number[][] = [];
    for (let i = 0; i < n; i++) {
      if (layout === 1)
        x.push(base.map((b, k) => b + rng.uniform(-1, 1) * dir[k])); // collinear
      else if (layout === 2 && i > 0 && i % 2 === 1)
        x.push([...x[i - 1]]); // repeated
      else if (layout === 3)
        x.push(Array.from({ length: d }, (_, k) => (k === d - 1 ? 0.5 : rng.uniform(-1, 1)))); // one hyperplane
      else if (layout === 4)
        x.push(Array.from({ length: d }, () => Math.round(rng.uniform(-2, 2)) / 2)); // a lattice: ties everywhere
      else x.push(Array.from({ length: d }, () => rng.uniform(-1, 1)));
    }
    const hull = new ConvexHull(Float64Array.from(x.flat()), n, d);
    for (let q = 0; q < 10; q++) {
      const p =
        q === 0
          ? x[0]
          : q === 1
            ? x[0].map((v, k) => (v + x[n - 1][k]) / 2)
            : Array.from({ length: d }, () => rng.uniform(-2, 2));
      const expected = bruteForceDistance(x, p);
      const r = hull.distance(p);
      const err = Math.abs(r.distance - expected);
      worst = Math.max(worst, err);
      if (err > 1e-11 * (1 + hull.scale))
        t.fail(`d=${d} n=${n} layout=${layout}: ${r.distance} vs ${expected}`);
      if (r.inside !== expected <= hull.tolerance && Math.abs(expected - hull.tolerance) > 1e-11)
        t.fail(`d=${d} n=${n} layout=${layout}: inside ${r.inside} at ${expected}`);
      cases++;
    }
  }
  t.ok(worst < 1e-11, `${cases} queries, largest difference ${worst}`);
});

t.test('N = 1000, d = 10: 2000 prototypes, every outside answer certified', async (t) => {
  const rng = new Rng(12, 10);
  const n = 1000;
  const d = 10;
  const x = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const hull = new ConvexHull(x, n, d);
  let inside = 0;
  let widest = 0;
  for (let j = 0; j < 2000; j++) {
    const p = Array.from({ length: d }, (_, k) =>
      j % 2 ? rng.uniform(-1.2, 1.2) : x[(j % n) * d + k] * rng.uniform(0.2, 1.05),
    );
    const r = hull.distance(p);
    if (r.inside) inside++;
    else widest = Math.max(widest, (r.distance - r.lowerBound) / (hull.scale + 2));
  }
  t.ok(widest <= HULL_ACCURACY, `widest certificate gap ${widest} of the scale`);
  t.ok(inside > 100 && inside < 1900, `${inside} of 2000 inside`);
});
