import t from 'tap';
import { assignmentTotal1d } from '../src/eval/assign1d.js';
import { assignment } from '../src/eval/hungarian.js';
import { reconstructionError } from '../src/eval/metrics.js';
import { mulberry32 } from './helpers/random.js';

function costMatrix(x: Float64Array, p: Float64Array): Float64Array {
  const cost = new Float64Array(x.length * p.length);
  for (let i = 0; i < x.length; i++)
    for (let j = 0; j < p.length; j++) cost[i * p.length + j] = Math.abs(x[i] - p[j]);
  return cost;
}

/** Least total over every injective map of the shorter side into the longer one. */
function bruteForce(x: Float64Array, p: Float64Array): number {
  const [s, l] = x.length <= p.length ? [x, p] : [p, x];
  const used = new Uint8Array(l.length);
  let best = Infinity;
  const walk = (i: number, sum: number) => {
    if (i === s.length) {
      best = Math.min(best, sum);
      return;
    }
    for (let j = 0; j < l.length; j++) {
      if (used[j]) continue;
      used[j] = 1;
      walk(i + 1, sum + Math.abs(s[i] - l[j]));
      used[j] = 0;
    }
  };
  walk(0, 0);
  return best;
}

const draws: Record<string, (rand: () => number) => number> = {
  uniform: (rand) => rand() * 2 - 1,
  'small integers (ties, duplicates)': (rand) => Math.floor(rand() * 3),
  'all equal': () => 0.25,
  'wide range': (rand) => (rand() < 0.5 ? -1 : 1) * Math.exp(rand() * 30 - 15),
};

// totals of the same number of terms, possibly another (equally cheap) set of pairs
const close = (a: number, b: number, terms: number) =>
  Math.abs(a - b) <= terms * 4.5e-16 * Math.max(1, Math.abs(b));

t.test('1-D exact assignment against brute force, every shape up to 7 x 7', async (t) => {
  for (const [name, draw] of Object.entries(draws)) {
    const rand = mulberry32(name.length * 131 + 7);
    const failures: string[] = [];
    for (let n = 1; n <= 7; n++) {
      for (let h = 1; h <= 7; h++) {
        for (let trial = 0; trial < 3; trial++) {
          const x = Float64Array.from({ length: n }, () => draw(rand));
          const p = Float64Array.from({ length: h }, () => draw(rand));
          const got = assignmentTotal1d(x, p);
          const want = bruteForce(x, p);
          if (!close(got, want, Math.min(n, h)))
            failures.push(`${n}x${h} #${trial}: ${got} vs ${want}`);
        }
      }
    }
    t.same(failures, [], `${name}: optimal`);
  }
});

t.test('1-D exact assignment against the Hungarian, larger and unequal sizes', async (t) => {
  const rand = mulberry32(2026);
  for (const [n, h] of [
    [200, 200],
    [150, 300],
    [300, 120],
    [64, 65],
    [1, 400],
  ]) {
    for (const [name, draw] of Object.entries(draws)) {
      const x = Float64Array.from({ length: n }, () => draw(rand));
      const p = Float64Array.from({ length: h }, () => draw(rand) * 1.3);
      const want = assignment(costMatrix(x, p), n, h).total;
      const got = assignmentTotal1d(x, p);
      t.ok(close(got, want, Math.min(n, h)), `${n}x${h} ${name}: ${got} vs Hungarian ${want}`);
    }
  }
});

t.test('recon at dim 1 equals the Hungarian bit for bit where the optimum is unique', async (t) => {
  // strictly increasing inputs and prototypes interleaved so no two matchings cost the same:
  // prototype k sits just right of input k, closer to it than to any other input
  const n = 50;
  const x = Float64Array.from({ length: n }, (_, i) => i + Math.sin(i) * 0.1);
  const p = Float64Array.from({ length: n }, (_, i) => x[(i * 17) % n] + 0.001 * (1 + (i % 7)));
  const want = assignment(costMatrix(x, p), n, n).total / n;
  t.equal(reconstructionError(x, p, n, n, 1), want);
});

t.test('recon at dim 1: non-finite and overflowing inputs give NaN', async (t) => {
  t.ok(Number.isNaN(reconstructionError(Float64Array.of(0, NaN), Float64Array.of(0, 1), 2, 2, 1)));
  // the unmatched pair overflows: NaN, as with the full cost matrix
  const x = Float64Array.of(-1.7e308, 0);
  t.ok(Number.isNaN(reconstructionError(x, Float64Array.of(1.7e308), 2, 1, 1)));
});
