// Start time of the CLI against Node's own (`node -e 0`): `protomlp --help`, `protomlp info` and a
// refused `protomlp run --n 1`, median of 5 runs each, interleaved so that load changes hit every
// command alike; then what each dependency kept off the start path would cost at import.
// Prints ratios measured in this run (the goal: every command within 2x `node -e 0`).

import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** The package root (dist/bench/../..), where the dependencies resolve from. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const GOAL = 2;

interface Case {
  label: string;
  args: string[];
  /** the exit status the command must end with (so a crash is not timed as a fast start) */
  status: number;
}

const cases: Case[] = [
  { label: 'node -e 0', args: ['-e', '0'], status: 0 },
  { label: 'protomlp --help', args: [CLI, '--help'], status: 0 },
  { label: 'protomlp info', args: [CLI, 'info'], status: 0 },
  { label: 'protomlp run --n 1 (refused)', args: [CLI, 'run', '--n', '1'], status: 2 },
];

/** Wall time of one process start to exit, in ms. */
function timeOnce(args: string[], status: number): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
  const ms = performance.now() - start;
  if (r.status !== status) throw new Error(`node ${args.join(' ')}: exit ${r.status ?? r.signal}, expected ${status}\n${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure(list: Case[]): number[] {
  for (const c of list) timeOnce(c.args, c.status); // warm the file cache
  const samples = list.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) list.forEach((c, i) => samples[i].push(timeOnce(c.args, c.status)));
  return samples.map(median);
}

console.log(`CLI start time, median of ${ROUNDS} (interleaved); ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const medians = measure(cases);
const base = medians[0];
let worst = 0;
cases.forEach((c, i) => {
  const ratio = medians[i] / base;
  if (i > 0) worst = Math.max(worst, ratio);
  console.log(`${c.label.padEnd(30)} ${medians[i].toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}x node -e 0`);
});
console.log(`worst ratio ${worst.toFixed(2)}x (goal <= ${GOAL}x): ${worst <= GOAL ? 'met' : 'NOT met'}`);

// What a command would pay at start if it imported these; only report/reproduce (plots,
// statistics), a YAML study file, a sweep on a terminal, or training/info (the addon) load them.
const deps = ['vega', 'vega-lite', '@resvg/resvg-js', 'jstat', 'simple-statistics', 'yaml', 'cli-progress', 'node-gyp-build', 'commander'];
const depCases: Case[] = [cases[0], ...deps.map((d) => ({ label: d, args: ['--input-type=module', '-e', `await import(${JSON.stringify(d)})`], status: 0 }))];
const depMedians = measure(depCases);
console.log(`\nimport cost of a dependency (median of ${ROUNDS}, minus node -e 0 measured alongside: ${depMedians[0].toFixed(1)} ms)`);
deps.forEach((d, i) => console.log(`${d.padEnd(30)} ${(depMedians[i + 1] - depMedians[0]).toFixed(1).padStart(7)} ms   ${(depMedians[i + 1] / depMedians[0]).toFixed(2)}x node -e 0`));
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
