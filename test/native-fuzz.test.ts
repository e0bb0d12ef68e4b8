// Random calls into the addon, well-formed and not: random sizes (including the padding edge cases
// around the vector widths), wrong lengths, wrong types, non-finite and huge values. Every call
// either throws a TypeError/RangeError or returns finite-shaped results; under the sanitizer build
// (npm run test:sanitize) any out-of-bounds access aborts the process instead.

import t from 'tap';
import { loadNative, type NativeJob } from '../src/backend/native.js';

const native = loadNative();
if (!native.binding) {
  t.fail(`native addon did not load: ${native.error} (build it with npm run build:native)`);
  process.exit(1);
}
const binding = native.binding;

let state = 20261129;
const rand = (): number => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
const SPECIAL = [0, -0, 1e-310, -1e-310, 1e300, -1e300, 1e154, Infinity, -Infinity, NaN];
const value = (): number =>
  rand() < 0.1 ? pick(SPECIAL) : (rand() - 0.5) * (rand() < 0.2 ? 200 : 4);
const array = (length: number): Float64Array => Float64Array.from({ length }, value);

function randomJob(): NativeJob {
  const n = int(2, 21);
  const h = pick([2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 33]);
  const d = int(1, 4);
  const off = (): number => (rand() < 0.08 ? pick([-1, 1, -d, d]) : 0);
  return {
    n,
    h,
    d,
    maskBits: int(0, 7),
    lambda: rand() < 0.05 ? pick(SPECIAL) : rand(),
    tau: rand() < 0.05 ? pick(SPECIAL) : pick([1e-4, 1e-3, 0.1, 1, 1e3]),
    tauCov: rand() < 0.5 ? 0 : pick([1e-3, 0.05, 1, 1e-300]),
    lr: rand() < 0.05 ? pick(SPECIAL) : pick([1e-3, 0.01, 1, 1e6]),
    epochs: int(1, 40),
    x: array(Math.max(0, n * d + off())),
    y: array(Math.max(0, n + off())),
    W: array(Math.max(0, h * d + off())),
    b: array(Math.max(0, h + off())),
    v: array(Math.max(0, h + off())),
    c: value(),
    unit: int(0, 1),
    activation: int(0, 2),
  };
}

t.test(
  'about 600 random jobs: a clear refusal or a well-shaped result, never a crash',
  async (t) => {
    let refused = 0;
    let trained = 0;
    let bad = 0;
    const isas = binding.info().supported;
    for (let round = 0; round < 300; round++) {
      const jobs = Array.from({ length: int(1, 3) }, randomJob);
      for (const job of jobs) {
        try {
          const tg = binding.termsAndGrads(job, pick(isas));
          if (tg.grads.cov.W.length !== job.h * job.d || tg.grads.ovl.b.length !== job.h) bad++;
        } catch (error) {
          if (!(error instanceof TypeError || error instanceof RangeError)) bad++;
        }
      }
      try {
        const results: unknown[] = [];
        const { promise } = binding.trainBatch(
          jobs,
          int(1, 3),
          (i, r) => (results[i] = r),
          pick(isas),
        );
        await promise;
        trained += results.length;
      } catch (error) {
        if (error instanceof TypeError || error instanceof RangeError) refused++;
        else bad++;
      }
    }
    t.equal(
      bad,
      0,
      `every call refused with a TypeError/RangeError or answered in shape (${trained} runs trained, ${refused} batches refused)`,
    );
  },
);
