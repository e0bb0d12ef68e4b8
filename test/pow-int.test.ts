// powInt: whole powers by binary exponentiation, the same operations on every engine and in the
// native kernels (numerics.h), never the engine's `**`.

import t from 'tap';
import { powInt } from '../src/numerics/pow-int.js';

/** The same binary exponentiation written out as a list of roundings, for a second opinion. */
function byBits(base: number, e: number): number {
  let result = 1;
  let square = base;
  for (const bit of e.toString(2).split('').reverse()) {
    if (bit === '1') result = result * square;
    square = square * square;
  }
  return result;
}

t.test('exact cases', async (t) => {
  t.equal(powInt(2, 10), 1024);
  t.equal(powInt(0.5, 1074), 5e-324, 'down to the least subnormal');
  t.equal(powInt(-3, 3), -27);
  t.equal(powInt(0.9, 0), 1);
  t.equal(powInt(0.9, 3), 0.9 * 0.81, '0.9^3 = 0.9 * (0.9 * 0.9)');
});

t.test(
  "Adam's bias corrections: the binary exponentiation's bits at every step of a run",
  async (t) => {
    for (const beta of [0.9, 0.999]) {
      let differs = 0;
      for (let e = 1; e <= 5000; e++) if (!Object.is(powInt(beta, e), byBits(beta, e))) differs++;
      t.equal(differs, 0, `beta = ${beta}, t = 1..5000`);
    }
  },
);

t.test('a fractional or negative exponent is a bug', async (t) => {
  t.throws(() => powInt(0.9, 1.5), /not an integer >= 0/);
  t.throws(() => powInt(0.9, -1), /not an integer >= 0/);
});
