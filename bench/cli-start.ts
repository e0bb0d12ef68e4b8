// Start time of the CLI against Node's own (`node -e 0`): `protomlp --help`, `protomlp info` and a
// refused `protomlp run --n 1`, median of 5 runs each, interleaved so that load changes hit every
// command alike; then what each dependency kept off the start path would cost at import.
// Prints ratios measured in this run (the goal: every command within 2x `node -e 0`).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * CPU time (user + sys) of this process's finished children so far, in ms, from /proc/self/stat
 * (Linux; clock ticks of 10 ms, so only sums over many runs mean anything). Less disturbed by
 * other load than wall time; undefined elsewhere.
 */
function childrenCpuMs(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields from the 3rd on: cutime and cstime are the 16th and 17th of the whole line
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** CPU ms of the children, per case, summed over the rounds. */
const cpu = new Map<string, number>();

/** Wall time of one process start to exit, in ms (and its CPU time added to `cpu`). */
function timeOnce(args: string[], status: number): number {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
  const ms = performance.now() - start;
  if (r.status !== status) throw new Error(`node ${args.join(' ')}: exit ${r.status ?? r.signal}, expected ${status}\n${r.stderr}`);
  const cpuAfter = childrenCpuMs();
  if (cpuBefore !== undefined && cpuAfter !== undefined) cpu.set(args.join(' '), (cpu.get(args.join(' ')) ?? 0) + cpuAfter - cpuBefore);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Every case's samples, rounds interleaved. */
function measure(list: Case[]): number[][] {
  for (const c of list) timeOnce(c.args, c.status); // warm the file cache
  const samples = list.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) list.forEach((c, i) => samples[i].push(timeOnce(c.args, c.status)));
  return samples;
}

console.log(`CLI start time, median of ${ROUNDS} (interleaved); ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const samples = measure(cases);
const medians = samples.map(median);
// the fastest run of each is the one least disturbed by other load on the machine: shown beside
const mins = samples.map((s) => Math.min(...s));
let worst = 0;
console.log(`${''.padEnd(30)} ${'median'.padStart(10)} ${'ratio'.padStart(7)}   ${'fastest'.padStart(10)} ${'ratio'.padStart(7)}`);
cases.forEach((c, i) => {
  const ratio = medians[i] / medians[0];
  if (i > 0) worst = Math.max(worst, ratio);
  console.log(`${c.label.padEnd(30)} ${medians[i].toFixed(1).padStart(7)} ms ${ratio.toFixed(2).padStart(6)}x   ${mins[i].toFixed(1).padStart(7)} ms ${(mins[i] / mins[0]).toFixed(2).padStart(6)}x`);
});
console.log(`worst median ratio ${worst.toFixed(2)}x node -e 0 (goal <= ${GOAL}x): ${worst <= GOAL ? 'met' : 'NOT met'}`);
const baseCpu = cpu.get(cases[0].args.join(' '));
if (baseCpu) {
  console.log(`CPU time (user + sys, mean of ${ROUNDS + 1} runs incl. the warm-up; 10 ms ticks):`);
  for (const c of cases) {
    const total = cpu.get(c.args.join(' ')) ?? 0;
    console.log(`${c.label.padEnd(30)} ${(total / (ROUNDS + 1)).toFixed(1).padStart(7)} ms ${(total / baseCpu).toFixed(2).padStart(6)}x`);
  }
}

// What a command would pay at start if it imported these; only report/reproduce (plots,
// statistics), a YAML study file, a sweep on a terminal, or training/info (the addon) load them.
const deps = ['vega', 'vega-lite', '@resvg/resvg-js', 'jstat', 'simple-statistics', 'yaml', 'cli-progress', 'node-gyp-build', 'commander'];
const depCases: Case[] = [cases[0], ...deps.map((d) => ({ label: d, args: ['--input-type=module', '-e', `await import(${JSON.stringify(d)})`], status: 0 }))];
const depMedians = measure(depCases).map(median);
console.log(`\nimport cost of a dependency (median of ${ROUNDS}, minus node -e 0 measured alongside: ${depMedians[0].toFixed(1)} ms)`);
deps.forEach((d, i) => console.log(`${d.padEnd(30)} ${(depMedians[i + 1] - depMedians[0]).toFixed(1).padStart(7)} ms   ${(depMedians[i + 1] / depMedians[0]).toFixed(2)}x node -e 0`));
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
