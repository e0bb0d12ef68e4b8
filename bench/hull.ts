// Hull metric benchmarks, every figure measured in this one run: (1) the exact hull metric at
// N = H = 1000, d = 10, beside the other metrics of a run (recon, the bounding box) on the same
// data, and the hull alone at N = H = 10000, d = 10; (2) the evaluation of the whole `dims` study
// (every metric of every run) against its training time on the native backend (the goal:
// evaluation <= 10% of training).
// Run: npm run build && node dist/bench/hull.js [--quick]

import { availableParallelism, cpus, loadavg } from 'node:os';
import { computeTerms } from '../src/model/losses.js';
import {
  evaluateRun,
  outsideBoundingBox,
  outsideHull,
  reconstructionError,
} from '../src/eval/index.js';
import { prototypes } from '../src/eval/prototypes.js';
import { Rng } from '../src/rng.js';
import { resolveStudy } from '../src/study/grid.js';
import { createNativeBackend, loadNative } from '../src/backend/native.js';
import { prepareJob } from '../src/train.js';
import type { TrainResult } from '../src/model/types.js';

const quick = process.argv.includes('--quick');
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const isa = process.env.PROTOMLP_SIMD;
const best = (f: () => void, reps: number): number => {
  let ms = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
};

console.log(
  `protomlp hull bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the start`,
);

/** One run's metrics at N = H = n, d = 10 (inputs U[-1, 1]^10; prototypes: half near inputs,
 * half spread); recon (matchInputs: the native LAPJV when the addon loads) only when asked. */
function oneRun(n: number, withRecon: boolean): void {
  const d = 10;
  const rng = new Rng(1, 77);
  const x = Float64Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const protos = new Float64Array(n * d);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < d; k++)
      protos[j * d + k] =
        j % 2 === 0 ? x[j * d + k] * rng.uniform(0.5, 1.1) : rng.uniform(-1.5, 1.5);
  }
  let hull = outsideHull(x, protos, n, n, d);
  const reps = quick || n > 1000 ? 1 : 3;
  const hullMs = best(() => (hull = outsideHull(x, protos, n, n, d)), reps);
  const boxMs = best(() => outsideBoundingBox(x, protos, n, n, d), reps);
  console.log(
    `   exact hull (Wolfe):   ${fmt(hullMs)} ms  (${fmt((hullMs * 1000) / n, 1)} us per prototype; outside ${fmt(hull.fraction * 100)}%, mean distance ${hull.meanDist.toFixed(4)})`,
  );
  console.log(`   bounding box:         ${fmt(boxMs, 2)} ms`);
  if (!withRecon) return;
  const reconMs = best(() => reconstructionError(x, protos, n, n, d), reps);
  console.log(`   recon (matchInputs):  ${fmt(reconMs)} ms`);
  console.log(`   hull / recon:         ${fmt(hullMs / reconMs, 2)}x`);
}

console.log("\n1. one run's metrics at N = H = 1000, d = 10");
oneRun(1000, true);
console.log('\n1b. the exact hull at N = H = 10000, d = 10 (the same construction)');
oneRun(10000, false);

console.log(
  `\n2. the dims study (d in {1, 2, 3, 5} x N in {10, 20, 50, 100} x 8 masks x ${quick ? 2 : 10} seeds): evaluation vs training`,
);
{
  const { binding, error } = loadNative();
  if (!binding) {
    console.log(`   native addon did not load (${error}); skipped`);
  } else {
    const native = createNativeBackend(binding, isa);
    const study = resolveStudy({ preset: 'dims', ...(quick ? { seed: [0, 1] } : {}) });
    const jobs = study.runs.map(prepareJob);
    const results: TrainResult[] = new Array(jobs.length);
    const load = loadavg()[0];
    const t0 = performance.now();
    await native.trainBatch(jobs, { onResult: (i, r) => (results[i] = r) });
    const trainWall = performance.now() - t0;
    const trainCpu = results.reduce((s, r) => s + r.wallMs, 0);
    // evaluation as buildRecord does it, on one thread: terms, then every metric
    let hullMs = 0;
    const e0 = performance.now();
    jobs.forEach((job, i) => {
      const terms = computeTerms(job.config, job.data, results[i].final);
      evaluateRun(job.config, job.data, results[i].final, results[i].diverged, terms);
    });
    const evalMs = performance.now() - e0;
    jobs.forEach((job, i) => {
      const { n, hidden, dim } = job.config;
      const p = prototypes(results[i].final, dim);
      const h0 = performance.now();
      outsideHull(job.data.x, p, n, hidden, dim);
      hullMs += performance.now() - h0;
    });
    console.log(
      `   ${jobs.length} runs, native ${native.isa}, ${availableParallelism()} threads (load average ${load.toFixed(1)} before training)`,
    );
    console.log(
      `   training:   ${fmt(trainWall / 1000, 2)} s wall, ${fmt(trainCpu / 1000, 2)} s summed over runs (one thread each)`,
    );
    console.log(
      `   evaluation: ${fmt(evalMs / 1000, 2)} s on one thread (every metric and loss term), of which the exact hull ${fmt(hullMs / 1000, 2)} s`,
    );
    console.log(
      `   evaluation / training: ${fmt((100 * evalMs) / trainCpu, 2)}% of the training's thread time, ${fmt((100 * evalMs) / trainWall, 2)}% of its wall time (goal: <= 10%)`,
    );
  }
}
