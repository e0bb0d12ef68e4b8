import t from 'tap';
import { assignment, type Assignment } from '../src/eval/hungarian.js';
import { mulberry32 } from './helpers/random.js';

// Totals agree to 1e-12 relative: the same number of costs is summed, but a brute-force optimum
// may sum them in another order, or (under ties) be a different, equally cheap set of pairs.
const REL = 1e-12;
const close = (a: number, b: number, scale: number, rel = REL) =>
  Math.abs(a - b) <= rel * Math.max(1, scale);

const distributions: Record<string, (rand: () => number) => number> = {
  uniform: (rand) => rand(),
  'small integers (ties)': (rand) => Math.floor(rand() * 4),
  'all equal': () => 5,
  'wide range 1e-9..1e8': (rand) => Math.exp(rand() * 40 - 20),
  'negative and positive': (rand) => (rand() * 2 - 1) * 100,
};

/** Least total over every injective map of the shorter side into the longer one. */
function bruteForce(cost: Float64Array, rows: number, cols: number): number {
  const short = Math.min(rows, cols);
  const long = Math.max(rows, cols);
  const at = (s: number, l: number) => (rows <= cols ? cost[s * cols + l] : cost[l * cols + s]);
  const used = new Uint8Array(long);
  let best = Infinity;
  const walk = (s: number, sum: number) => {
    if (s === short) {
      if (sum < best) best = sum;
      return;
    }
    for (let l = 0; l < long; l++) {
      if (used[l]) continue;
      used[l] = 1;
      walk(s + 1, sum + at(s, l));
      used[l] = 0;
    }
  };
  walk(0, 0);
  return best;
}

/** Problems with the result as an assignment (empty when it is a valid one), whatever its cost. */
function invalidity(a: Assignment, cost: Float64Array, rows: number, cols: number): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  let matched = 0;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const j = a.rowToCol[i];
    if (j === -1) continue;
    if (j < 0 || j >= cols) problems.push(`row ${i} -> column ${j} out of range`);
    if (seen.has(j)) problems.push(`column ${j} used twice`);
    if (a.colToRow[j] !== i) problems.push(`colToRow[${j}] = ${a.colToRow[j]}, expected ${i}`);
    seen.add(j);
    matched++;
    sum += cost[i * cols + j];
  }
  if (matched !== Math.min(rows, cols))
    problems.push(`${matched} pairs, expected ${Math.min(rows, cols)}`);
  if (a.colToRow.filter((i) => i >= 0).length !== matched)
    problems.push('colToRow has extra pairs');
  if (sum !== a.total) problems.push(`total ${a.total} is not the sum of its pairs ${sum}`);
  return problems;
}

t.test('the documented example', async (t) => {
  const a = assignment(Float64Array.of(4, 1, 6, 2, 0, 5), 2, 3);
  t.same(Array.from(a.rowToCol), [1, 0]);
  t.same(Array.from(a.colToRow), [1, 0, -1]);
  t.equal(a.total, 3);
});

t.test('1 x 1, and empty sides', async (t) => {
  const one = assignment(Float64Array.of(-2.5), 1, 1);
  t.same(Array.from(one.rowToCol), [0]);
  t.equal(one.total, -2.5);
  const none = assignment(new Float64Array(0), 0, 3);
  t.same(Array.from(none.colToRow), [-1, -1, -1]);
  t.equal(none.total, 0);
});

t.test('against brute force over all permutations, every shape up to 7 x 7', async (t) => {
  for (const [name, draw] of Object.entries(distributions)) {
    const rand = mulberry32(name.length * 7919 + 1);
    const failures: string[] = [];
    let cases = 0;
    for (let rows = 1; rows <= 7; rows++) {
      for (let cols = 1; cols <= 7; cols++) {
        for (let trial = 0; trial < 3; trial++) {
          const cost = Float64Array.from({ length: rows * cols }, () => draw(rand));
          const a = assignment(cost, rows, cols);
          const expected = bruteForce(cost, rows, cols);
          const scale = cost.reduce((s, c) => s + Math.abs(c), 0);
          const where = `${rows}x${cols} trial ${trial}`;
          for (const p of invalidity(a, cost, rows, cols)) failures.push(`${where}: ${p}`);
          if (!close(a.total, expected, scale))
            failures.push(`${where}: total ${a.total}, brute force ${expected}`);
          cases++;
        }
      }
    }
    t.equal(cases, 147, `${name}: every shape checked`);
    t.same(failures, [], `${name}: optimal and valid`);
  }
});

t.test('1-D |x - p| with N = H: sorted-to-sorted matching is optimal', async (t) => {
  for (const n of [300, 1000]) {
    const rand = mulberry32(n);
    const x = Float64Array.from({ length: n }, () => rand() * 2 - 1);
    // prototypes from a different distribution, some outside [-1, 1]
    const p = Float64Array.from({ length: n }, () => (rand() * 2 - 1) ** 3 * 1.5);
    const cost = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cost[i * n + j] = Math.abs(x[i] - p[j]);
    const sx = Float64Array.from(x).sort();
    const sp = Float64Array.from(p).sort();
    let expected = 0;
    for (let k = 0; k < n; k++) expected += Math.abs(sx[k] - sp[k]);
    const a = assignment(cost, n, n);
    t.same(invalidity(a, cost, n, n), [], `n = ${n}: a valid assignment`);
    // n terms summed in a different order: allow n ulps of the total
    t.ok(
      close(a.total, expected, expected, n * 2.3e-16),
      `n = ${n}: total ${a.total} vs sorted ${expected}`,
    );
  }
});

/** Optimal 1-D |x - p| matching of every x to a distinct p (N <= H): monotone, so a DP on sorted values. */
function sortedDp(x: Float64Array, p: Float64Array): number {
  const sx = Float64Array.from(x).sort();
  const sp = Float64Array.from(p).sort();
  const n = sx.length;
  const h = sp.length;
  let prev = new Float64Array(h + 1); // prev[j]: first i inputs matched within the first j prototypes
  for (let i = 1; i <= n; i++) {
    const cur = new Float64Array(h + 1).fill(Infinity);
    for (let j = i; j <= h; j++)
      cur[j] = Math.min(cur[j - 1], prev[j - 1] + Math.abs(sx[i - 1] - sp[j - 1]));
    prev = cur;
  }
  return prev[h];
}

t.test('rectangular, 1-D: H > N and H < N against the monotone DP', async (t) => {
  const rand = mulberry32(42);
  for (const [n, h] of [
    [60, 150],
    [150, 60],
    [1, 40],
    [40, 1],
    [99, 100],
  ]) {
    const x = Float64Array.from({ length: n }, () => rand() * 2 - 1);
    const p = Float64Array.from({ length: h }, () => rand() * 3 - 1.5);
    const cost = new Float64Array(n * h);
    for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) cost[i * h + j] = Math.abs(x[i] - p[j]);
    const expected = n <= h ? sortedDp(x, p) : sortedDp(p, x);
    const a = assignment(cost, n, h);
    t.same(invalidity(a, cost, n, h), [], `${n} x ${h}: a valid assignment`);
    t.ok(
      close(a.total, expected, expected, 1e-13 * Math.min(n, h)),
      `${n} x ${h}: total ${a.total} vs DP ${expected}`,
    );
  }
});

t.test('a matrix and its transpose have the same optimum', async (t) => {
  const rand = mulberry32(7);
  const rows = 50;
  const cols = 80;
  const cost = Float64Array.from({ length: rows * cols }, () => rand());
  const transposed = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) transposed[j * rows + i] = cost[i * cols + j];
  const a = assignment(cost, rows, cols);
  const b = assignment(transposed, cols, rows);
  t.ok(close(a.total, b.total, a.total), `${a.total} vs ${b.total}`);
  t.same(invalidity(b, transposed, cols, rows), []);
});

t.test('bad input', async (t) => {
  t.throws(() => assignment(Float64Array.of(1, NaN), 1, 2), {
    message: 'cost[1]: got NaN, expected a finite number',
  });
  t.throws(() => assignment(Float64Array.of(Infinity), 1, 1), {
    message: 'cost[0]: got Infinity, expected a finite number',
  });
  t.throws(() => assignment(new Float64Array(5), 2, 3), {
    message: 'cost.length: got 5, expected rows * cols = 6',
  });
  t.throws(() => assignment(new Float64Array(0), -1, 0), {
    message: 'rows: got -1, expected an integer >= 0',
  });
  t.throws(() => assignment(new Float64Array(0), 0, 1.5), {
    message: 'cols: got 1.5, expected an integer >= 0',
  });
});
