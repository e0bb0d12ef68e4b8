// Epochs per second of the pure-TS backend over N (H = N, d = 1, mask cov+sep+ovl), one thread,
// so the O(N*H) growth of the per-epoch cost is visible. Prints numbers measured in this run.

import { resolveConfig } from '../src/config.js';
import { makeDataset, makeInitialParams } from '../src/data.js';
import { trainRunSync } from '../src/model/train.js';

const sizes = [3, 10, 30, 100, 300];
const budgetMs = Number(process.env.BENCH_MS ?? 1500);

console.log('pure-TS backend, one thread, d = 1, H = N, mask cov+sep+ovl');
console.log('    N    epochs/s    us/epoch    ns per sample-neuron pair');
let previous: number | undefined;
for (const n of sizes) {
  // calibrate the epoch count so each size runs about budgetMs
  let epochs = 10;
  let ms = 0;
  for (;;) {
    const config = resolveConfig({ n, mask: 'cov+sep+ovl', epochs });
    const job = { config, data: makeDataset(config), initial: makeInitialParams(config) };
    const start = performance.now();
    trainRunSync(job);
    ms = performance.now() - start;
    if (ms > budgetMs / 4 || epochs >= 1e6) break;
    epochs *= 4;
  }
  const perEpochUs = (ms * 1000) / epochs;
  const growth =
    previous === undefined
      ? ''
      : `   (x${(perEpochUs / previous).toFixed(1)} per-epoch cost vs the previous N)`;
  console.log(
    `${String(n).padStart(5)} ${(1e6 / perEpochUs).toFixed(0).padStart(11)} ${perEpochUs.toFixed(2).padStart(11)} ${((perEpochUs * 1000) / (n * n)).toFixed(2).padStart(14)}${growth}`,
  );
  previous = perEpochUs;
}
