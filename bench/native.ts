// Native backend benchmarks (SPEC §9), every figure a ratio measured in this one run: per-epoch
// cost native vs TS over N, each SIMD variant vs scalar, 2 threads vs 1, the 480-run `paper`
// grid at 2000 epochs on every core, and that grid's CPU time against protomlp 0.1.0's prebuild
// per instruction set; first, the cost of every neuron (unit x activation) per instruction set and
// against a binary of the sources before them. Run: npm run build && node dist/bench/native.js
// [--quick] [--baseline FILE] [--before FILE] [--neurons-only]

import { availableParallelism, loadavg } from 'node:os';
import { MASKS, resolveConfig, type Mask, type RunConfig } from '../src/config.js';
import { createNativeBackend, loadNative } from '../src/backend/native.js';
import { trainRunSync } from '../src/model/train.js';
import type { TrainJob } from '../src/model/types.js';
import { prepareJob } from '../src/train.js';
import { loadBaseline, paperConfigs, paperJobs, sideBySide } from './paper-cpu.js';
import { loadBefore, neuronSpeedTable } from './neuron-speed.js';

const quick = process.argv.includes('--quick');
const { binding, error, path } = loadNative();
if (!binding) {
  console.error(`native addon did not load: ${error}`);
  process.exit(1);
}
const info = binding.info();
const native = createNativeBackend(binding);

function job(n: number, epochs: number, over: Partial<RunConfig> = {}): TrainJob {
  return prepareJob(resolveConfig({ n, mask: 'cov+sep+ovl', epochs, ...over }));
}

/** Native per-epoch time in microseconds: a whole run on one thread divided by its epochs. */
async function nativeEpochUs(n: number, isa?: string): Promise<number> {
  const epochs = Math.max(20, Math.min(20000, Math.round(4e8 / (n * n))));
  const backend = isa ? createNativeBackend(binding!, isa) : native;
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const [r] = await backend.trainBatch([job(n, epochs)], { threads: 1 });
    best = Math.min(best, r.wallMs / r.epochsRun);
  }
  return best * 1000;
}

/** TS per-epoch time in microseconds, in this thread (no worker hand-off). */
function tsEpochUs(n: number): number {
  const epochs = Math.max(3, Math.min(3000, Math.round(2e7 / (n * n))));
  trainRunSync(job(n, Math.max(1, Math.round(epochs / 5)))); // warm up the JIT
  let best = Infinity;
  for (let rep = 0; rep < 2; rep++) {
    const r = trainRunSync(job(n, epochs));
    best = Math.min(best, r.wallMs / r.epochsRun);
  }
  return best * 1000;
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);

console.log(
  `protomlp native bench: ${info.isa} kernels (supported: ${info.supported.join(', ')}), ${availableParallelism()} cores, binary ${path}`,
);

console.log(
  '\n0. every neuron (issue 17): CPU time per sample-neuron pair-epoch, ratios (--before FILE: the paper neuron on a binary of the earlier sources)',
);
{
  const at = process.argv.indexOf('--before');
  const before = at > 0 ? loadBefore(process.argv[at + 1]) : null;
  for (const isa of info.supported.filter((i) => i !== 'scalar'))
    await neuronSpeedTable(binding, isa, { before, rounds: quick ? 3 : 7 });
  if (process.argv.includes('--neurons-only')) process.exit(0);
}

console.log('\n1. per-epoch cost, H = N, d = 1, mask cov+sep+ovl, one thread');
console.log('   N      TS us/epoch   native us/epoch   native ns/pair   native/TS speedup');
for (const n of quick ? [3, 10, 100] : [3, 10, 30, 100, 300, 1000]) {
  const ts = tsEpochUs(n);
  const nat = await nativeEpochUs(n);
  console.log(
    `   ${String(n).padEnd(6)} ${fmt(ts).padStart(11)}   ${fmt(nat, 2).padStart(15)}   ${fmt((nat * 1000) / (n * n), 2).padStart(14)}   ${fmt(ts / nat).padStart(10)}x`,
  );
}

console.log('\n2. SIMD vs scalar, per epoch (same runs, one thread)');
for (const n of quick ? [100] : [10, 100, 1000]) {
  const scalar = await nativeEpochUs(n, 'scalar');
  const cells = [`scalar ${fmt(scalar, 2)} us`];
  for (const isa of info.supported.filter((i) => i !== 'scalar')) {
    const t = await nativeEpochUs(n, isa);
    cells.push(`${isa} ${fmt(t, 2)} us (${fmt(scalar / t, 2)}x)`);
  }
  console.log(`   N = ${String(n).padEnd(5)} ${cells.join('   ')}`);
}

console.log('\n3. 2 threads vs 1: a batch of 40 runs (N = 50, 2000 epochs, every mask)');
{
  const jobs = MASKS.flatMap((mask) =>
    [0, 1, 2, 3, 4].map((seed) =>
      prepareJob(resolveConfig({ n: 50, mask: mask as Mask, epochs: quick ? 500 : 2000, seed })),
    ),
  );
  const wall = async (threads: number): Promise<[number, number]> => {
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await native.trainBatch(jobs, { threads });
    const cpu = process.cpuUsage(cpu0);
    return [performance.now() - started, (cpu.user + cpu.system) / 1000];
  };
  const [one, oneCpu] = await wall(1);
  const [two, twoCpu] = await wall(2);
  console.log(
    `   1 thread ${fmt(one)} ms (cpu ${fmt(oneCpu)} ms), 2 threads ${fmt(two)} ms (cpu ${fmt(twoCpu)} ms): ${fmt(one / two, 2)}x`,
  );
  console.log(
    `   (load average before this run: ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores; the machine is shared)`,
  );
}

console.log(
  `\n4. the paper grid: sizes 3,5,10,20,50,100 x 8 masks x 10 seeds = 480 runs, 2000 epochs, ${availableParallelism()} threads`,
);
{
  const configs = paperConfigs(quick ? 200 : 2000);
  const t0 = performance.now();
  const jobs = configs.map(prepareJob);
  const t1 = performance.now();
  let done = 0;
  const load = loadavg()[0];
  const cpu0 = process.cpuUsage();
  await native.trainBatch(jobs, { onResult: () => done++ });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const pairs = configs.reduce((s, c) => s + c.n * c.hidden * c.epochs, 0);
  console.log(`   data + initial parameters (TS): ${fmt(t1 - t0)} ms`);
  console.log(
    `   training ${done} runs: ${fmt((t2 - t1) / 1000, 3)} s (${fmt(((t2 - t1) * 1e6 * availableParallelism()) / pairs, 2)} ns per sample-neuron pair-epoch per core)`,
  );
  console.log(
    `   cpu time ${fmt(cpuSeconds, 3)} s over ${availableParallelism()} threads: ${fmt(cpuSeconds / availableParallelism(), 3)} s of wall time on idle cores (load average was ${load.toFixed(1)})`,
  );
  console.log(
    `   vs SPEC anchors: ${fmt(200 / ((t2 - t0) / 1000))}x the per-run PyTorch loop (200 s), ${fmt(38 / ((t2 - t0) / 1000))}x the batched PyTorch program (38 s)`,
  );
}

console.log(
  "\n5. against protomlp 0.1.0: the paper grid's CPU time, same jobs, median of 5 rounds interleaved, every core",
);
{
  const at = process.argv.indexOf('--baseline');
  const baseline = loadBaseline(at > 0 ? process.argv[at + 1] : undefined);
  const jobs = paperJobs(quick ? 200 : 2000);
  const load = loadavg()[0];
  for (const isa of ['avx2', 'avx512', 'neon'].filter((i) => info.supported.includes(i))) {
    const [now, old] = await sideBySide([binding, baseline.binding], jobs, isa, quick ? 1 : 5);
    console.log(
      `   ${isa.padEnd(7)} this build ${fmt(now, 2)} s, 0.1.0 ${fmt(old, 2)} s: this build takes ${fmt(now / old, 3)}x the CPU time of 0.1.0 (${fmt(old / now, 2)}x faster)`,
    );
  }
  console.log(
    `   (0.1.0 binary: ${baseline.path}; load average before: ${load.toFixed(1)} on ${availableParallelism()} cores)`,
  );
}
