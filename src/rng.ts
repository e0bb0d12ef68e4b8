// The seeded generator: xoshiro128** seeded through splitmix32. It uses only 32-bit integer
// arithmetic (Math.imul, shifts), so it gives the same numbers on every platform. Changing any of
// it changes every dataset and initial parameter: that is a breaking change (SPEC §3). Its
// transcendentals (log, cos) are the package's own (numerics/fdlibm.ts), not the engine's.

import { cos, log } from './numerics/fdlibm.js';

/**
 * Independent streams of one seed: the dataset, the initial parameters and the random prototypes
 * of the scorecard's `reconRandom` (src/eval/scorecard.ts) never share draws.
 */
export const STREAMS = { data: 1, init: 2, random: 3 } as const;

/**
 * A seeded pseudo-random generator (xoshiro128**, Blackman & Vigna), one per (seed, stream).
 *
 * Seeding: a splitmix32 sequence starts at `seed ^ Math.imul(stream, 0x9e3779b9)` and its first
 * four outputs are the state words (an all-zero state cannot come out of splitmix32 for four
 * outputs in a row, but is guarded anyway). A double in [0, 1) takes 53 bits from two outputs:
 * `((a >>> 5) * 2^26 + (b >>> 6)) / 2^53`, as in MT19937's genrand_res53.
 *
 * @example
 * ```ts
 * const rng = new Rng(0, STREAMS.data);
 * const u = rng.uniform(-1, 1); // the first x of seed 0
 * ```
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, stream: number) {
    let x = (seed ^ Math.imul(stream, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A double uniform on [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A double uniform on [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextDouble();
  }

  /**
   * A standard normal double by the Box-Muller transform of two draws, u1 in (0, 1] and u2 in
   * [0, 1): sqrt(-2 ln u1) cos(2 pi u2). One draw per call (the sine twin is not kept), so the
   * sequence depends only on the order of calls.
   */
  normal(): number {
    const u1 = 1 - this.nextDouble();
    const u2 = this.nextDouble();
    return Math.sqrt(-2 * log(u1)) * cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
