// The native LAPJV of the recon matching (native/core/lap.cc) against the TS Hungarian and brute
// force: small problems (rectangular both ways, ties, duplicate inputs and prototypes, d = 2..5),
// larger random ones, the fallbacks of matchInputs (PROTOMLP_BACKEND=ts, a binary without the
// export, a sum of squares that overflows) and the C++ guards on malformed calls.

import t from 'tap';
import { loadNative, type NativeBinding } from '../src/backend/native.js';
import { assignment } from '../src/eval/hungarian.js';
import { distance, matchInputs, reconstructionError } from '../src/eval/metrics.js';
import { mulberry32 } from './helpers/random.js';

const native = loadNative();
if (!native.binding?.matchInputs) {
  t.fail(
    `native matchInputs unavailable: ${native.error ?? 'a binary without it'} (npm run build:native)`,
  );
  process.exit(1);
}
const binding = native.binding;
const lap = (x: Float64Array, p: Float64Array, n: number, h: number, d: number) =>
  binding.matchInputs!(x, p, n, h, d);

/** The total distance of a matching, summed in input order (as recon sums it). */
function total(x: Float64Array, p: Float64Array, d: number, rowToCol: Int32Array): number {
  let sum = 0;
  rowToCol.forEach((j, i) => (sum += j >= 0 ? distance(x, i, p, j, d) : 0));
  return sum;
}

/** What is wrong with a matching (empty when it is min(n, h) distinct, in-range pairs). */
function invalidity(rowToCol: Int32Array | null, n: number, h: number): string[] {
  if (!rowToCol) return ['no matching'];
  if (rowToCol.length !== n) return [`length ${rowToCol.length}, expected ${n}`];
  const seen = new Set<number>();
  for (const j of rowToCol) {
    if (j === -1) continue;
    if (!(j >= 0 && j < h)) return [`column ${j} out of range`];
    if (seen.has(j)) return [`column ${j} twice`];
    seen.add(j);
  }
  return seen.size === Math.min(n, h) ? [] : [`${seen.size} pairs, expected ${Math.min(n, h)}`];
}

/** Least total over every injective map of the shorter side into the longer one. */
function bruteForce(x: Float64Array, p: Float64Array, n: number, h: number, d: number): number {
  const cost = (i: number, j: number) => distance(x, i, p, j, d);
  const short = Math.min(n, h);
  const long = Math.max(n, h);
  const used = new Uint8Array(long);
  let best = Infinity;
  const walk = (s: number, sum: number) => {
    if (s === short) {
      best = Math.min(best, sum);
      return;
    }
    for (let l = 0; l < long; l++) {
      if (used[l]) continue;
      used[l] = 1;
      walk(s + 1, sum + (n <= h ? cost(s, l) : cost(l, s)));
      used[l] = 0;
    }
  };
  walk(0, 0);
  return best;
}

/** The TS Hungarian's matching on the same costs. */
function hungarian(x: Float64Array, p: Float64Array, n: number, h: number, d: number): Int32Array {
  const cost = new Float64Array(n * h);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) cost[i * h + j] = distance(x, i, p, j, d);
  return assignment(cost, n, h).rowToCol;
}

/** Runs f with PROTOMLP_BACKEND set to `value` (or unset), restoring it after. */
function withBackendEnv<T>(value: string | undefined, f: () => T): T {
  const saved = process.env.PROTOMLP_BACKEND;
  if (value === undefined) delete process.env.PROTOMLP_BACKEND;
  else process.env.PROTOMLP_BACKEND = value;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.PROTOMLP_BACKEND;
    else process.env.PROTOMLP_BACKEND = saved;
  }
}

type Kind = 'uniform' | 'grid (ties)' | 'duplicate inputs' | 'duplicate prototypes';
const KINDS: Kind[] = ['uniform', 'grid (ties)', 'duplicate inputs', 'duplicate prototypes'];

function problem(rand: () => number, kind: Kind, n: number, h: number, d: number) {
  const value = () => (kind === 'grid (ties)' ? Math.round(rand() * 4) / 2 - 1 : rand() * 2 - 1);
  const x = Float64Array.from({ length: n * d }, value);
  const p = Float64Array.from({ length: h * d }, value);
  const copies = (a: Float64Array, rows: number) => {
    for (let r = 1; r < rows; r++) if (rand() < 0.5) a.copyWithin(r * d, 0, d);
  };
  if (kind === 'duplicate inputs') copies(x, n);
  if (kind === 'duplicate prototypes') copies(p, h);
  return { x, p };
}

t.test('small problems: native = TS Hungarian = brute force (n, h <= 7, d = 2..5)', async (t) => {
  const rand = mulberry32(20);
  let cases = 0;
  const failures: string[] = [];
  for (const kind of KINDS) {
    for (let n = 1; n <= 7; n++) {
      for (let h = 1; h <= 7; h++) {
        const d = 2 + ((n + h) % 4);
        const { x, p } = problem(rand, kind, n, h, d);
        const ours = lap(x, p, n, h, d);
        const problems = invalidity(ours, n, h);
        const best = bruteForce(x, p, n, h, d);
        const tsTotal = total(x, p, d, hungarian(x, p, n, h, d));
        const ourTotal = ours ? total(x, p, d, ours) : NaN;
        const tol = 1e-12 * Math.max(1, best);
        if (!(Math.abs(ourTotal - best) <= tol)) problems.push(`total ${ourTotal}, best ${best}`);
        if (!(Math.abs(tsTotal - best) <= tol)) problems.push(`TS total ${tsTotal}, best ${best}`);
        if (problems.length) failures.push(`${kind} ${n}x${h} d=${d}: ${problems.join('; ')}`);
        cases++;
      }
    }
  }
  t.same(failures, [], `${cases} problems, every one optimal and valid`);
});

t.test(
  'random larger problems: the optimal total of the TS Hungarian, valid matchings',
  async (t) => {
    const rand = mulberry32(300);
    for (const [n, h, d] of [
      [300, 300, 2],
      [200, 350, 2],
      [350, 200, 2],
      [300, 300, 5],
      [250, 260, 3],
    ]) {
      const { x, p } = problem(rand, 'uniform', n, h, d);
      const ours = lap(x, p, n, h, d);
      t.same(invalidity(ours, n, h), [], `${n} x ${h}, d = ${d}: a valid matching`);
      const ref = total(x, p, d, hungarian(x, p, n, h, d));
      const got = total(x, p, d, ours!);
      t.ok(Math.abs(got - ref) <= 1e-9 * ref, `${n} x ${h}, d = ${d}: total ${got} = TS ${ref}`);
    }
  },
);

t.test('matchInputs: native by default, the TS Hungarian under PROTOMLP_BACKEND=ts', async (t) => {
  const rand = mulberry32(7);
  const { x, p } = problem(rand, 'uniform', 120, 90, 3);
  const nativeMatch = withBackendEnv(undefined, () => matchInputs(x, p, 120, 90, 3));
  const tsMatch = withBackendEnv('ts', () => matchInputs(x, p, 120, 90, 3));
  t.same(nativeMatch, lap(x, p, 120, 90, 3), 'the default path is the addon');
  t.same(tsMatch, hungarian(x, p, 120, 90, 3), 'PROTOMLP_BACKEND=ts: the TS Hungarian');
  t.same(nativeMatch, tsMatch, 'a unique optimum: the same matching');
  const nativeRecon = withBackendEnv(undefined, () => reconstructionError(x, p, 120, 90, 3));
  const tsRecon = withBackendEnv('ts', () => reconstructionError(x, p, 120, 90, 3));
  t.equal(nativeRecon, tsRecon, 'and recon has the same bits');
});

t.test('a binary without matchInputs: matchInputs falls back to TS silently', async (t) => {
  const rand = mulberry32(8);
  const { x, p } = problem(rand, 'uniform', 40, 50, 2);
  const exports = binding as Partial<NativeBinding>;
  const saved = exports.matchInputs;
  delete exports.matchInputs;
  try {
    t.same(
      withBackendEnv(undefined, () => matchInputs(x, p, 40, 50, 2)),
      hungarian(x, p, 40, 50, 2),
    );
  } finally {
    exports.matchInputs = saved;
  }
});

t.test('a sum of squares that overflows: native cannot, TS decides with Math.hypot', async (t) => {
  const x = Float64Array.of(1e200, 1e200, -1e200, 0, 0, 1e200);
  const p = Float64Array.of(-1e200, -1e200, 1e200, 0, 0, -1e200);
  t.equal(lap(x, p, 3, 3, 2), null, 'the addon leaves it to TS');
  const match = withBackendEnv(undefined, () => matchInputs(x, p, 3, 3, 2));
  t.same(invalidity(match ?? null, 3, 3), [], 'matchInputs still matches (TS, hypot)');
  t.same(match, hungarian(x, p, 3, 3, 2));
  t.equal(lap(Float64Array.of(NaN, 0), Float64Array.of(0, 0), 1, 1, 2), null, 'NaN: cannot');
});

t.test('every instruction set gives the same matching', async (t) => {
  const { supported, isa } = binding.info();
  const rand = mulberry32(9);
  const { x, p } = problem(rand, 'grid (ties)', 203, 201, 2);
  const reference = lap(x, p, 203, 201, 2);
  try {
    for (const variant of supported) {
      binding.setIsa(variant);
      t.same(lap(x, p, 203, 201, 2), reference, variant);
    }
  } finally {
    binding.setIsa(isa);
  }
});

t.test('guards: malformed calls throw, none crashes', async (t) => {
  const x = new Float64Array(6);
  const p = new Float64Array(4);
  const call =
    (...args: unknown[]) =>
    () =>
      (binding.matchInputs as unknown as (...a: unknown[]) => unknown)(...args);
  t.throws(call(x, p, 3, 2), { name: 'RangeError', message: /^dim: got undefined/ });
  t.throws(call([0, 0], p, 1, 2, 2), { name: 'TypeError', message: 'x: expected a Float64Array' });
  t.throws(call(x, new Float32Array(4), 3, 2, 2), { name: 'TypeError', message: /^protos:/ });
  t.throws(call(x, p, 0, 2, 2), { name: 'RangeError', message: /^n: got 0, expected an integer/ });
  t.throws(call(x, p, 1.5, 2, 2), { name: 'RangeError', message: /^n: got 1.5/ });
  t.throws(call(x, p, NaN, 2, 2), { name: 'RangeError', message: /^n: got NaN/ });
  t.throws(call(x, p, 3, 2 ** 40, 2), { name: 'RangeError', message: /^hidden: got/ });
  t.throws(call(x, p, 4, 2, 2), {
    name: 'RangeError',
    message: 'x.length: got 6, expected n * dim = 8',
  });
  t.throws(call(x, p, 3, 3, 2), {
    name: 'RangeError',
    message: 'protos.length: got 4, expected hidden * dim = 6',
  });
  const big = new Float64Array(10001 * 2);
  t.equal(lap(big, new Float64Array(10000 * 2), 10001, 10000, 2), null, 'over 10^8 pairs: cannot');
});
