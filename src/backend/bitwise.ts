// The native backend's promise (SPEC §10): one config, the same bits with every instruction set,
// thread count, CPU and libm. This module defines the slices of the `paper` study that check it,
// the digest of a batch's trained results, and the first difference between two results; the
// digests this package's numerics give are in bitwise-reference.ts (scripts/bitwise-digests.mjs
// writes them), and every machine must reproduce them.

import { createHash } from 'node:crypto';
import { ACTIVATIONS, UNITS, resolveConfig, type Mask, type RunConfig } from '../config.js';
import type { TrainResult } from '../model/types.js';

/** A named list of runs whose trained bits are pinned. */
export interface BitwiseSlice {
  name: 'paper' | 'small' | 'neurons';
  description: string;
  configs: RunConfig[];
}

const CHAOTIC_MASKS: readonly Mask[] = ['base', 'cov', 'sep', 'cov+sep'];

function slice(
  name: BitwiseSlice['name'],
  description: string,
  sizes: number[],
  seeds: number[],
  epochs: number,
): BitwiseSlice {
  const configs = sizes.flatMap((n) =>
    CHAOTIC_MASKS.flatMap((mask) => seeds.map((seed) => resolveConfig({ n, mask, seed, epochs }))),
  );
  return { name, description, configs };
}

/** Every neuron but the paper's (SPEC §1b): 5 (unit, activation) pairs, d = 1 and 3, two masks. */
function neuronsSlice(): BitwiseSlice {
  const configs = UNITS.flatMap((unit) =>
    ACTIVATIONS.filter((activation) => unit !== 'ridge' || activation !== 'gaussian').flatMap(
      (activation) =>
        [1, 3].flatMap((dim) =>
          (['cov', 'cov+sep+ovl'] as const).map((mask) =>
            resolveConfig({ n: 20, dim, mask, unit, activation, seed: 0, epochs: 300 }),
          ),
        ),
    ),
  );
  return {
    name: 'neurons',
    description:
      'the 5 other units x activations; N = 20, d = 1 and 3; cov, cov+sep+ovl; 300 epochs',
    configs,
  };
}

/**
 * `paper`: the cells of the `paper` study where one ulp anywhere gives another run (hard-min
 * coverage, separation at tau = 1e-3, N >= 20), trained for the full 2000 epochs; `small`: a
 * smaller one for emulated CPUs and `protomlp selftest`; `neurons`: every other (unit, activation)
 * pair, as small (their bits are pinned like the paper neuron's, SPEC §10).
 */
export const BITWISE_SLICES: Readonly<Record<BitwiseSlice['name'], BitwiseSlice>> = {
  paper: slice(
    'paper',
    'N = 50 and 100; base, cov, sep, cov+sep; seeds 0 and 1; 2000 epochs',
    [50, 100],
    [0, 1],
    2000,
  ),
  small: slice('small', 'N = 20; base, cov, sep, cov+sep; seed 0; 300 epochs', [20], [0], 300),
  neurons: neuronsSlice(),
};

/** SHA-256 (hex) over every result's bytes in order: W, b, v, c, diverged and epochsRun. */
export function resultsDigest(results: readonly TrainResult[]): string {
  const hash = createHash('sha256');
  for (const r of results) {
    for (const a of [r.final.W, r.final.b, r.final.v, Float64Array.of(r.final.c)])
      hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    hash.update(`${r.diverged ? 1 : 0}:${r.epochsRun};`);
  }
  return hash.digest('hex');
}

/** The first field where two results differ in any bit (`b[17]: 0.25 vs 0.25000000000000006`), or undefined. */
export function firstDifference(a: TrainResult, b: TrainResult): string | undefined {
  if (a.diverged !== b.diverged) return `diverged: ${a.diverged} vs ${b.diverged}`;
  if (a.epochsRun !== b.epochsRun) return `epochsRun: ${a.epochsRun} vs ${b.epochsRun}`;
  for (const field of ['W', 'b', 'v'] as const) {
    const x = a.final[field];
    const y = b.final[field];
    for (let i = 0; i < y.length; i++)
      if (!Object.is(x[i], y[i])) return `${field}[${i}]: ${x[i]} vs ${y[i]}`;
  }
  return Object.is(a.final.c, b.final.c) ? undefined : `c: ${a.final.c} vs ${b.final.c}`;
}
