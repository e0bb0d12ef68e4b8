// Evaluation of a finished run, every figure measured in this one run: at N = H in {1000, 4000,
// 10000}, d = 1, after one epoch of native training, (1) what the backend's worker now computes
// (the four loss terms and the winning neurons) in TS (computeTerms + winningNeurons) and in the
// native evaluator (the same bits; native/core/evaluate.h), their ratio, and every metric of the
// record as buildRecord computes it with the native terms (the rest: recon, hull, spec); (2) the
// whole `protomlp run --n 10000 --epochs 1`, wall time. Goal: every metric at N = H = 10000 < 1 s.
// Wall times are the machine's threads at the time; the native CPU time (all threads) is what
// other load disturbs least: with idle cores the wall time is about it divided by the threads.
// Run: npm run build && npm run bench:evaluate [-- --quick]   (--quick: TS only up to N = 4000)

import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config.js';
import { createNativeBackend, loadNative, toNativeProblem } from '../src/backend/native.js';
import { evaluateRun, winningNeurons } from '../src/eval/index.js';
import { computeTerms } from '../src/model/losses.js';
import { prepareJob } from '../src/train.js';

const quick = process.argv.includes('--quick');
const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const value = f();
  return [value, performance.now() - t0];
};

const { binding, error } = loadNative();
if (!binding?.evaluate) {
  console.log(
    `protomlp evaluate bench: the native evaluator is not loaded (${error ?? 'an older binary'}); npm run build:native`,
  );
  process.exit(1);
}
const evaluate = binding.evaluate.bind(binding);
const threads = availableParallelism();
const info = binding.info();
console.log(
  `protomlp evaluate bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ISA ${info.isa} (supported: ${info.supported.join(', ')}), ${threads} threads, load average ${loadavg()[0].toFixed(1)} at the start`,
);
console.log(
  '\n1. one run after 1 epoch, d = 1: loss terms + winning neurons (TS vs native), then every metric',
);
console.log(
  '   N = H    TS terms+winners   native (same bits; CPU)  TS / native   every metric (native terms)',
);
for (const n of [1000, 4000, 10000]) {
  const config = resolveConfig({ n, hidden: n, dim: 1, epochs: 1, mask: 'cov+sep+ovl' });
  const job = prepareJob(config);
  const [result] = await createNativeBackend(binding).trainBatch([job], { threads });
  const { data } = job;
  const final = result.final;
  const cpu0 = process.cpuUsage();
  const [native, nativeMs] = time(() => evaluate(toNativeProblem(config, data, final), threads));
  const cpu = process.cpuUsage(cpu0);
  const nativeCpuMs = (cpu.user + cpu.system) / 1000;
  let tsMs = NaN;
  if (!quick || n <= 4000) {
    const [terms, ms] = time(
      () => [computeTerms(config, data, final), winningNeurons(config, data, final)] as const,
    );
    tsMs = ms;
    const same = (['fit', 'cov', 'sep', 'ovl'] as const).every((k) =>
      Object.is(terms[0][k], native.terms[k]),
    );
    if (!same || !terms[1].every((w, i) => w === native.winners[i]))
      throw new Error(`N = ${n}: TS and native differ`);
  }
  const [, restMs] = time(() =>
    evaluateRun(config, data, final, result.diverged, native.terms, native.winners),
  );
  const ratio = Number.isNaN(tsMs) ? '-' : `${(tsMs / nativeMs).toFixed(1)}x`;
  console.log(
    `   ${String(n).padEnd(8)} ${(Number.isNaN(tsMs) ? '(skipped)' : fmt(tsMs)).padEnd(18)} ${`${fmt(nativeMs)} (CPU ${fmt(nativeCpuMs)})`.padEnd(24)} ${ratio.padEnd(13)} ${fmt(nativeMs + restMs)} (${fmt(restMs)} for recon, hull, spec)`,
  );
}

console.log(
  '\n2. the whole `protomlp run --n 10000 --epochs 1` (a fresh process: load, data, training, every metric)',
);
{
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [main, 'run', '--n', '10000', '--epochs', '1'], {
    encoding: 'utf8',
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
  console.log(`   wall time ${fmt(wall)} (load average ${loadavg()[0].toFixed(1)} at the end)`);
}
