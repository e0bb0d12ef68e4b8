// The synthetic named datasets besides `uniform` (src/data.ts): `gaussian-blobs` and `moons`. Inputs
// only, drawn from the seed's data stream; the targets come from the run's `target` (src/data.ts).

import type { Rng } from '../rng.js';
import { cos, sin } from '../numerics/fdlibm.js';

/** Number of blobs, the half-width of the box their centers are drawn in, and their spread. */
export const BLOBS = { count: 3, centerRange: 0.6, sd: 0.15 } as const;
/** Noise of the moons (sklearn's make_moons with noise 0.1) and the map onto about [-1, 1] x [-0.5, 0.5]. */
export const MOONS = { noise: 0.1, scale: 1.5 } as const;

/**
 * `gaussian-blobs`: 3 centers c_b, each coordinate U(-0.6, 0.6) (drawn first, center after
 * center); sample i belongs to blob i mod 3 and is x_i = c_b + 0.15 z with z standard normal per
 * coordinate ({@link Rng.normal}). N x d, row-major.
 */
export function gaussianBlobs(rng: Rng, n: number, d: number): Float64Array {
  const centers = Float64Array.from({ length: BLOBS.count * d }, () =>
    rng.uniform(-BLOBS.centerRange, BLOBS.centerRange),
  );
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const b = i % BLOBS.count;
    for (let k = 0; k < d; k++) x[i * d + k] = centers[b * d + k] + BLOBS.sd * rng.normal();
  }
  return x;
}

/**
 * `moons` (d = 2): two interleaved half circles as sklearn's make_moons draws them, at random
 * angles: the first ceil(N/2) samples on the upper moon (cos t, sin t), the others on the lower
 * (1 - cos t, 0.5 - sin t), t ~ U(0, pi), plus 0.1 z noise per coordinate; then mapped by
 * ((u - 0.5) / 1.5, (v - 0.25) / 1.5) onto about [-1, 1] x [-0.5, 0.5] (aspect ratio kept).
 * Per sample: t, then the two noise draws.
 */
export function moons(rng: Rng, n: number): Float64Array {
  const x = new Float64Array(n * 2);
  const upper = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    const t = rng.uniform(0, Math.PI);
    const [u, v] = i < upper ? [cos(t), sin(t)] : [1 - cos(t), 0.5 - sin(t)];
    x[2 * i] = (u + MOONS.noise * rng.normal() - 0.5) / MOONS.scale;
    x[2 * i + 1] = (v + MOONS.noise * rng.normal() - 0.25) / MOONS.scale;
  }
  return x;
}
