// Random test points for the model: configs, data and parameters from the project generator,
// including prototypes far outside the data (|p| up to ~6) so no branch is only seen near it.

import { resolveConfig, type Mask, type RunConfig } from '../../src/config.js';
import { Rng } from '../../src/rng.js';
import type { Dataset, Params } from '../../src/model/types.js';

export function randomPoint(
  over: Partial<RunConfig> & { n: number; hidden: number; dim: number },
  seed: number,
): { config: RunConfig; data: Dataset; params: Params } {
  const config = resolveConfig({ tau: 0.05, tauCov: 0, mask: 'cov+sep+ovl' as Mask, ...over });
  const rng = new Rng(seed, 99);
  const { n, hidden: h, dim: d } = config;
  const x = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const y = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
  const W = Float64Array.from({ length: h * d }, () => rng.uniform(-1.5, 1.5));
  // prototypes spread to +-6: b_j = -w_j . q_j puts neuron j's prototype at q_j
  const b = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += W[j * d + k] * rng.uniform(-6, 6);
    b[j] = -dot;
  }
  const v = Float64Array.from({ length: h }, () => rng.uniform(-1, 1));
  const c = rng.uniform(-1, 1);
  if (config.unit === 'radial') {
    // centres P (in W) within +-3 and scales s (in b) of either sign, some near 0 (SPEC §1b)
    for (let i = 0; i < h * d; i++) W[i] = rng.uniform(-3, 3);
    for (let j = 0; j < h; j++) b[j] = rng.uniform(-2.5, 2.5);
  }
  return { config, data: { x, y }, params: { W, b, v, c } };
}

/** A small seeded generator for tests where the project generator is not what is under test. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = a;
    r = Math.imul(r ^ (r >>> 15), r | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
