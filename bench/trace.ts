// What a trace costs on the TS backend (the one that records traces so far): one run of N = 100,
// H = N, d = 1, mask cov+sep+ovl, 2000 epochs, untraced and traced every K epochs, alternating in
// one process (the median of 5 of each), and the trace's size. Prints ratios measured in this run.

import { cpus, loadavg } from 'node:os';
import { resolveConfig } from '../src/config.js';
import { makeDataset, makeInitialParams } from '../src/data.js';
import { trainRunSync } from '../src/model/train.js';
import { snapshotBytes, snapshotCount, TraceRecorder } from '../src/trace/trace.js';

const config = resolveConfig({ n: 100, mask: 'cov+sep+ovl' });
const job = { config, data: makeDataset(config), initial: makeInitialParams(config) };
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const timed = (every?: number): number => {
  const recorder = every ? new TraceRecorder(config, job.data, every) : undefined;
  const start = performance.now();
  const result = trainRunSync(job, recorder);
  recorder?.finish(result.epochsRun, result.final);
  return performance.now() - start;
};

console.log(
  `trace cost, TS backend, one thread; ${cpus()[0]?.model.trim()}, load ${loadavg()[0].toFixed(1)}`,
);
console.log('N = 100, H = 100, d = 1, cov+sep+ovl, 2000 epochs; median of 5, alternating');
timed();
for (const every of [100, 10, 1]) {
  const plain: number[] = [];
  const traced: number[] = [];
  for (let k = 0; k < 5; k++) {
    plain.push(timed());
    traced.push(timed(every));
  }
  const bytes = snapshotCount(config.epochs, every) * snapshotBytes(100, 1);
  console.log(
    `K = ${every}: untraced ${median(plain).toFixed(0)} ms, traced ${median(traced).toFixed(0)} ms, ratio ${(median(traced) / median(plain)).toFixed(3)}; trace ${(bytes / 1024).toFixed(0)} KiB`,
  );
}
