// The native LAPJV beyond 2^25 pairs, where (d <= 4) it computes each row of costs from the points
// instead of reading a matrix (native/core/lap.cc, kStoredMaxCells): on a problem whose optimum is
// known exactly (the prototypes are the inputs, shuffled), in d = 2 and d = 4, both ways of
// transposition (the shorter side is the solver's rows).

import t from 'tap';
import { loadNative } from '../../src/backend/native.js';
import { mulberry32 } from '../helpers/random.js';

const { binding, error } = loadNative();
if (!binding?.matchInputs) {
  t.fail(`native matchInputs unavailable: ${error ?? 'a binary without it'}`);
  process.exit(1);
}

for (const [n, h, d] of [
  [5800, 5800, 2],
  [5900, 5800, 4],
]) {
  t.test(`${n} inputs, ${h} prototypes (the inputs shuffled), d = ${d}`, async (t) => {
    const rand = mulberry32(n + d);
    const x = Float64Array.from({ length: n * d }, () => rand() * 2 - 1);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      [order[i], order[k]] = [order[k], order[i]];
    }
    const p = new Float64Array(h * d); // prototype j is input order[j]
    for (let j = 0; j < h; j++) p.set(x.subarray(order[j] * d, order[j] * d + d), j * d);
    const match = binding.matchInputs!(x, p, n, h, d);
    t.ok(match, 'a matching');
    const expected = new Int32Array(n).fill(-1);
    for (let j = 0; j < h; j++) expected[order[j]] = j;
    const wrong = match ? match.findIndex((j, i) => j !== expected[i]) : 0;
    t.equal(wrong, -1, 'every input to its own copy (the inputs without a copy unmatched)');
  });
}
