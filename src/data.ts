// The dataset and the initial parameters of a run (SPEC §3): synthetic data and the parameters
// from its seed alone, real data from its file or package. Every backend trains from these arrays;
// no other code draws random numbers for a run.

import type { RunConfig } from './config.js';
import { dataLabel } from './data-spec.js';
import { realData, type DataSource } from './datasets/index.js';
import { gaussianBlobs, moons } from './datasets/synthetic.js';
import { ValidationError } from './errors.js';
import type { Dataset, Params } from './model/types.js';
import { Rng, STREAMS } from './rng.js';
import { sin } from './numerics/fdlibm.js';
import { prototypes } from './eval/prototypes.js';
import { rowNorm } from './model/activation.js';

/**
 * The training data of a run. Synthetic datasets come from the seed's data stream and depend only
 * on (data, seed, n, dim, target), so every mask of a seed sees the same data:
 * - `uniform` (the default): x_i uniform on [-1, 1]^d (row-major, sample after sample);
 * - `gaussian-blobs`, `moons` (d = 2): see src/datasets/synthetic.ts;
 * then, for `random` targets, y_i uniform on [-1, 1]; `sine` targets are y = sin(pi * sum_k x_ik).
 * Real data (`iris`, a data file) is the same for every seed, scaled per its spec
 * ({@link realData}); y comes from it.
 *
 * @example
 * ```ts
 * const { x, y } = makeDataset(resolveConfig({ n: 5 }));
 * const moons = makeDataset(resolveConfig({ data: 'moons', n: 40 }));
 * ```
 */
export function makeDataset(
  config: Pick<RunConfig, 'n' | 'dim' | 'target' | 'seed'> & Partial<Pick<RunConfig, 'data'>>,
): Dataset {
  const { n, dim, target, seed } = config;
  const data = config.data ?? 'uniform';
  if (data === 'iris' || typeof data === 'object') {
    const real = realData(data).data;
    if (real.y.length !== n || real.x.length !== n * dim) {
      throw new ValidationError(
        'n, dim',
        `${n}, ${dim}`,
        `${real.y.length}, ${real.x.length / real.y.length} (the shape of ${dataLabel(data)})`,
      );
    }
    return real;
  }
  const rng = new Rng(seed, STREAMS.data);
  let x: Float64Array;
  if (data === 'moons') {
    if (dim !== 2) throw new ValidationError('dim', dim, '2 for the moons dataset');
    x = moons(rng, n);
  } else if (data === 'gaussian-blobs') {
    x = gaussianBlobs(rng, n, dim);
  } else {
    x = new Float64Array(n * dim);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (target === 'random') {
      y[i] = rng.uniform(-1, 1);
    } else {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x[i * dim + k];
      y[i] = sin(Math.PI * s);
    }
  }
  return { x, y };
}

/** Where a run's data comes from when not from the seed (a record's `data.source`); undefined for synthetic data. */
export function dataSource(config: Pick<RunConfig, 'data'>): DataSource | undefined {
  const data = config.data;
  return data === 'iris' || typeof data === 'object' ? realData(data).source : undefined;
}

/**
 * The initial parameters of a run (SPEC §3), drawn in this order from the seed's init stream:
 * - `centers`: W (H x d, each U(-1/sqrt d, 1/sqrt d)), then start prototypes q (H x d, each
 *   U(-1, 1)), b_j = -w_j . q_j; then v (H, each U(-1/sqrt H, 1/sqrt H)), then c (same range).
 * - `torch`: W as above, then b (H, each U(-1/sqrt d, 1/sqrt d)), then v, then c.
 * A radial unit (SPEC §1b) takes the very same draw: centres p_j = q_j (`centers`) or the ridge
 * prototype -b_j w_j / (|w_j|^2 + eps) (`torch`), scales s_j = |w_j|; in Params, W holds P and b
 * holds s. Depends only on (seed, hidden, dim, init, unit).
 */
export function makeInitialParams(
  config: Pick<RunConfig, 'hidden' | 'dim' | 'init' | 'seed'> & Partial<Pick<RunConfig, 'unit'>>,
): Params {
  const { hidden: h, dim, init, seed } = config;
  const rng = new Rng(seed, STREAMS.init);
  const wBound = 1 / Math.sqrt(dim);
  const W = new Float64Array(h * dim);
  for (let i = 0; i < W.length; i++) W[i] = rng.uniform(-wBound, wBound);
  const b = new Float64Array(h);
  const q = new Float64Array(init === 'centers' ? h * dim : 0);
  if (init === 'centers') {
    for (let j = 0; j < h; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) {
        q[j * dim + k] = rng.uniform(-1, 1);
        dot += W[j * dim + k] * q[j * dim + k];
      }
      b[j] = -dot;
    }
  } else {
    for (let j = 0; j < h; j++) b[j] = rng.uniform(-wBound, wBound);
  }
  const vBound = 1 / Math.sqrt(h);
  const v = new Float64Array(h);
  for (let j = 0; j < h; j++) v[j] = rng.uniform(-vBound, vBound);
  const c = rng.uniform(-vBound, vBound);
  const ridge = { W, b, v, c };
  if (config.unit !== 'radial') return ridge;
  const scales = Float64Array.from({ length: h }, (_, j) => rowNorm(W, j, dim));
  return { W: init === 'centers' ? q : prototypes(ridge, dim), b: scales, v, c };
}
