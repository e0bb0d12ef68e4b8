// The dataset and the initial parameters of a run, from its seed alone (SPEC §3). Every backend
// trains from these arrays; no other code draws random numbers for a run.

import type { RunConfig } from './config.js';
import type { Dataset, Params } from './model/types.js';
import { Rng, STREAMS } from './rng.js';

/**
 * The training data of a run: x_i uniform on [-1, 1]^d (row-major, sample after sample), then
 * for `random` targets y_i uniform on [-1, 1]; `sine` targets are y = sin(pi * sum_k x_ik).
 * Depends only on (seed, n, dim, target): every mask of a seed sees the same data.
 *
 * @example
 * ```ts
 * const { x, y } = makeDataset(resolveConfig({ n: 5 }));
 * ```
 */
export function makeDataset(config: Pick<RunConfig, 'n' | 'dim' | 'target' | 'seed'>): Dataset {
  const { n, dim, target, seed } = config;
  const rng = new Rng(seed, STREAMS.data);
  const x = new Float64Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (target === 'random') {
      y[i] = rng.uniform(-1, 1);
    } else {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x[i * dim + k];
      y[i] = Math.sin(Math.PI * s);
    }
  }
  return { x, y };
}

/**
 * The initial parameters of a run (SPEC §3), drawn in this order from the seed's init stream:
 * - `centers`: W (H x d, each U(-1/sqrt d, 1/sqrt d)), then start prototypes q (H x d, each
 *   U(-1, 1)), b_j = -w_j . q_j; then v (H, each U(-1/sqrt H, 1/sqrt H)), then c (same range).
 * - `torch`: W as above, then b (H, each U(-1/sqrt d, 1/sqrt d)), then v, then c.
 * Depends only on (seed, hidden, dim, init).
 */
export function makeInitialParams(config: Pick<RunConfig, 'hidden' | 'dim' | 'init' | 'seed'>): Params {
  const { hidden: h, dim, init, seed } = config;
  const rng = new Rng(seed, STREAMS.init);
  const wBound = 1 / Math.sqrt(dim);
  const W = new Float64Array(h * dim);
  for (let i = 0; i < W.length; i++) W[i] = rng.uniform(-wBound, wBound);
  const b = new Float64Array(h);
  if (init === 'centers') {
    for (let j = 0; j < h; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += W[j * dim + k] * rng.uniform(-1, 1);
      b[j] = -dot;
    }
  } else {
    for (let j = 0; j < h; j++) b[j] = rng.uniform(-wBound, wBound);
  }
  const vBound = 1 / Math.sqrt(h);
  const v = new Float64Array(h);
  for (let j = 0; j < h; j++) v[j] = rng.uniform(-vBound, vBound);
  const c = rng.uniform(-vBound, vBound);
  return { W, b, v, c };
}
