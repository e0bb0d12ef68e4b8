// Assignment benchmark, every figure measured in this one run: protomlp's recon assignment against
// scipy's linear_sum_assignment (python3 via child_process, the same cost matrix, only the solver
// timed) at n inputs = n prototypes, in 1-D (protomlp: exact sorted matching / DP,
// src/eval/assign1d.ts) and d = 2 (the TS Hungarian, src/eval/hungarian.ts); then a whole
// `run --n 4000 --dim 2 --epochs 1` and every metric of one run at N = H = 10000, d = 1.
// Run: npm run build:ts && npm run bench:assignment [-- --sizes 500,1000]

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignmentTotal1d } from '../src/eval/assign1d.js';
import { assignment } from '../src/eval/hungarian.js';
import { Rng } from '../src/rng.js';

const sizesArg = process.argv.indexOf('--sizes');
const sizes =
  sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [500, 1000, 2000, 4000];
const tmp = mkdtempSync(join(tmpdir(), 'protomlp-assign-'));

const SCIPY = `
import sys, time, numpy as np
from scipy.optimize import linear_sum_assignment
n = int(sys.argv[2]); c = np.fromfile(sys.argv[1], dtype='<f8').reshape(n, n)
t0 = time.perf_counter(); r, k = linear_sum_assignment(c); ms = (time.perf_counter() - t0) * 1e3
print(ms, repr(float(c[r, k].sum())))
`;

/** scipy's time (ms) and total on this n x n cost matrix. */
function scipy(cost: Float64Array, n: number): { ms: number; total: number } {
  const file = join(tmp, 'cost.f64');
  writeFileSync(file, new Uint8Array(cost.buffer, cost.byteOffset, cost.byteLength));
  const out = execFileSync('python3', ['-c', SCIPY, file, String(n)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const [ms, total] = out.trim().split(' ').map(Number);
  return { ms, total };
}

function points(rng: Rng, count: number, d: number): Float64Array {
  return Float64Array.from({ length: count * d }, () => rng.uniform(-1, 1));
}

function costOf(x: Float64Array, p: Float64Array, n: number, d: number): Float64Array {
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (x[i * d + k] - p[j * d + k]) ** 2;
      cost[i * n + j] = d === 1 ? Math.abs(x[i] - p[j]) : Math.sqrt(s);
    }
  return cost;
}

function timed<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

function benchSolvers(): void {
  console.log('n, d, protomlp ms, scipy ms, scipy / protomlp, |total difference| / total');
  for (const d of [1, 2]) {
    for (const n of sizes) {
      const rng = new Rng(n * 10 + d, 0);
      const x = points(rng, n, d);
      const p = points(rng, n, d);
      const cost = costOf(x, p, n, d);
      const ours =
        d === 1 ? timed(() => assignmentTotal1d(x, p)) : timed(() => assignment(cost, n, n).total);
      const ref = scipy(cost, n);
      const rel = Math.abs(ours.value - ref.total) / ref.total;
      console.log(
        `${n}, ${d}, ${ours.ms.toFixed(1)}, ${ref.ms.toFixed(1)}, ${(ref.ms / ours.ms).toFixed(2)}x, ${rel.toExponential(1)}`,
      );
    }
  }
}

function cliRun(args: string[]): number {
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return performance.now() - t0;
}

console.log(
  `protomlp assignment bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, one thread`,
);
benchSolvers();
for (const args of [
  ['--n', '10000', '--epochs', '1'],
  ['--n', '4000', '--dim', '2', '--epochs', '1'],
]) {
  console.log(
    `protomlp run ${args.join(' ')} (whole process, every metric): ${(cliRun(args) / 1e3).toFixed(2)} s`,
  );
}
rmSync(tmp, { recursive: true, force: true });
