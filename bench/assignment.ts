// Assignment benchmark, every figure measured in this one run, in CPU time (user + system; other
// load on a shared machine disturbs it less than wall time): protomlp's recon assignment against
// scipy's linear_sum_assignment (python3 via child_process, the same cost matrix, only the solver
// timed) at n inputs = n prototypes, in 1-D (protomlp: exact sorted matching / DP,
// src/eval/assign1d.ts) and d = 2: the native LAPJV (native/core/lap.cc, timed with its own cost
// computation from the points: what matchInputs runs) and the TS Hungarian (src/eval/hungarian.ts,
// on the cost matrix; --no-ts skips it). Then whole runs, each process timed end to end with every
// metric (hull included): `run --n 4000 --dim 2 --epochs 1` beside scipy's assignment alone on that
// run's own data (its inputs and final prototypes), and every metric at N = H = 10000, d = 1.
// Run: npm run build:native && npm run build && npm run bench:assignment [-- --sizes 500,1000]
// [--no-ts]

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignmentTotal1d } from '../src/eval/assign1d.js';
import { assignment } from '../src/eval/hungarian.js';
import { distance } from '../src/eval/metrics.js';
import { prototypes } from '../src/eval/prototypes.js';
import { loadNative } from '../src/backend/native.js';
import { dataFromJson, paramsFromJson, type RunRecord } from '../src/record.js';
import { Rng } from '../src/rng.js';

const sizesArg = process.argv.indexOf('--sizes');
const sizes =
  sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [500, 1000, 2000, 4000];
const withTs = !process.argv.includes('--no-ts');
const { binding, error: nativeError } = loadNative();
const tmp = mkdtempSync(join(tmpdir(), 'protomlp-assign-'));

const SCIPY = `
import sys, time, numpy as np
from scipy.optimize import linear_sum_assignment
n, m = int(sys.argv[2]), int(sys.argv[3]); c = np.fromfile(sys.argv[1], dtype='<f8').reshape(n, m)
t0 = time.process_time(); r, k = linear_sum_assignment(c); ms = (time.process_time() - t0) * 1e3
print(ms, repr(float(c[r, k].sum())))
`;

/** scipy's time (ms) and total on this n x m cost matrix. */
function scipy(cost: Float64Array, n: number, m = n): { ms: number; total: number } {
  const file = join(tmp, 'cost.f64');
  writeFileSync(file, new Uint8Array(cost.buffer, cost.byteOffset, cost.byteLength));
  const out = execFileSync('python3', ['-c', SCIPY, file, String(n), String(m)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const [ms, total] = out.trim().split(' ').map(Number);
  return { ms, total };
}

function points(rng: Rng, count: number, d: number): Float64Array {
  return Float64Array.from({ length: count * d }, () => rng.uniform(-1, 1));
}

/** The n x m matrix of TS distance() between the rows of x and of p. */
function costOf(x: Float64Array, p: Float64Array, n: number, m: number, d: number): Float64Array {
  const cost = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) cost[i * m + j] = distance(x, i, p, j, d);
  return cost;
}

/** The total cost of a matching (rowToCol[i] = -1: unmatched), summed in row order. */
function totalOf(cost: Float64Array, m: number, rowToCol: Int32Array): number {
  let total = 0;
  rowToCol.forEach((j, i) => (total += j >= 0 ? cost[i * m + j] : 0));
  return total;
}

/** The CPU time (ms) of f, which runs on this thread only. */
function timed<T>(f: () => T): { ms: number; value: T } {
  const t0 = process.cpuUsage();
  const value = f();
  const { user, system } = process.cpuUsage(t0);
  return { ms: (user + system) / 1e3, value };
}

function bench1d(): void {
  console.log(
    '\nd = 1: n, protomlp (sorted matching) ms, scipy ms, scipy / protomlp, |total difference| / total',
  );
  for (const n of sizes) {
    const rng = new Rng(n * 10 + 1, 0);
    const x = points(rng, n, 1);
    const p = points(rng, n, 1);
    const ours = timed(() => assignmentTotal1d(x, p));
    const ref = scipy(costOf(x, p, n, n, 1), n);
    const rel = Math.abs(ours.value - ref.total) / ref.total;
    console.log(
      `${n}, ${ours.ms.toFixed(1)}, ${ref.ms.toFixed(1)}, ${(ref.ms / ours.ms).toFixed(2)}x, ${rel.toExponential(1)}`,
    );
  }
}

/** The native LAPJV's time (ms, its cost computation included) and total, or undefined without it. */
function nativeLap(
  x: Float64Array,
  p: Float64Array,
  n: number,
  m: number,
  d: number,
  cost: Float64Array,
) {
  if (typeof binding?.matchInputs !== 'function') return undefined;
  const run = timed(() => binding.matchInputs!(x, p, n, m, d));
  if (!run.value) throw new Error('the native LAPJV could not decide a finite problem');
  return { ms: run.ms, total: totalOf(cost, m, run.value) };
}

function bench2d(): void {
  const d = 2;
  console.log(
    `\nd = ${d}: n, native LAPJV ms (with its costs), TS Hungarian ms (on the costs), scipy ms (on the costs), native / scipy, scipy / native, max |total - scipy total| / total`,
  );
  if (typeof binding?.matchInputs !== 'function')
    console.log(`   (native LAPJV unavailable: ${nativeError ?? 'a binary without matchInputs'})`);
  for (const n of sizes) {
    const rng = new Rng(n * 10 + d, 0);
    const x = points(rng, n, d);
    const p = points(rng, n, d);
    const cost = costOf(x, p, n, n, d);
    const ours = nativeLap(x, p, n, n, d, cost);
    const ts = withTs ? timed(() => assignment(cost, n, n).total) : undefined;
    const ref = scipy(cost, n);
    const totals = [ours?.total, ts?.value].filter((v): v is number => v !== undefined);
    const rel = Math.max(0, ...totals.map((t) => Math.abs(t - ref.total) / ref.total));
    const cell = (ms: number | undefined): string => (ms === undefined ? '-' : ms.toFixed(1));
    const ratio = ours
      ? `${(ours.ms / ref.ms).toFixed(3)}, ${(ref.ms / ours.ms).toFixed(2)}x`
      : '-, -';
    console.log(
      `${n}, ${cell(ours?.ms)}, ${cell(ts?.ms)}, ${ref.ms.toFixed(1)}, ${ratio}, ${rel.toExponential(1)}`,
    );
  }
}

/** The CPU time (ms, user + system) of one whole `protomlp run` process (its shell's `times`),
 * its wall time, and its record (--json). */
function cliRun(args: string[]): { ms: number; wallMs: number; record: RunRecord } {
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const out = join(tmp, 'record.json');
  const t0 = performance.now();
  const script = `"$0" "$@" > "${out}" && times`;
  const r = spawnSync('sh', ['-c', script, process.execPath, cli, 'run', ...args, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(r.stderr);
  const children = r.stdout.trim().split('\n').at(-1)!.split(/\s+/).map(seconds);
  return { ms: children[0] + children[1], wallMs, record: JSON.parse(readFileSync(out, 'utf8')) };
}

/** `times` output (e.g. 1m2.345s) in ms. */
function seconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  if (!m) throw new Error(`unexpected times output: ${text}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 1e3;
}

/** scipy's assignment alone on a run's own inputs and final prototypes, and the native LAPJV's
 * (with its costs) on the same points. */
function onRecord(record: RunRecord) {
  const { n, hidden, dim } = record.config;
  const x = dataFromJson(record.data).x;
  const p = prototypes(paramsFromJson(record.final), dim);
  const cost = costOf(x, p, n, hidden, dim);
  return { scipy: scipy(cost, n, hidden), native: nativeLap(x, p, n, hidden, dim, cost) };
}

console.log(
  `protomlp assignment bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, one thread, CPU times; load average ${loadavg()[0].toFixed(1)} at the start`,
);
bench1d();
bench2d();
console.log('\nwhole runs (one process each, every metric, the hull included; --json to a file)');
{
  const { ms, wallMs, record } = cliRun(['--n', '4000', '--dim', '2', '--epochs', '1']);
  const { scipy: ref, native: ours } = onRecord(record);
  console.log(
    `protomlp run --n 4000 --dim 2 --epochs 1: ${(ms / 1e3).toFixed(2)} s CPU (${(wallMs / 1e3).toFixed(2)} s wall)`,
  );
  console.log(
    `scipy's assignment alone on that run's data: ${(ref.ms / 1e3).toFixed(2)} s; run / scipy = ${(ms / ref.ms).toFixed(3)} (goal < 0.5)`,
  );
  if (ours)
    console.log(
      `the native LAPJV alone on that run's data (with its costs): ${(ours.ms / 1e3).toFixed(2)} s; scipy / native = ${(ref.ms / ours.ms).toFixed(2)}x, |total - scipy total| / total = ${(Math.abs(ours.total - ref.total) / ref.total).toExponential(1)}`,
    );
}
{
  const { ms, wallMs } = cliRun(['--n', '10000', '--epochs', '1']);
  console.log(
    `protomlp run --n 10000 --epochs 1: ${(ms / 1e3).toFixed(2)} s CPU (${(wallMs / 1e3).toFixed(2)} s wall)`,
  );
}
rmSync(tmp, { recursive: true, force: true });
