// Import cost of the library against bare node: `import('protomlp')`, `import('protomlp/study')` and
// `import('protomlp/report')` in fresh processes (the package's own name, resolved through its
// "exports" by self-reference from the package folder, as an app resolves it from node_modules),
// beside `node -e 0`; median of BENCH_ROUNDS (default 7) runs each, interleaved so that load changes
// hit every case alike, and the ratios from this one run. BENCH_PACKAGE=<folder> measures another
// checkout (its dist/ built); a subpath that checkout does not export is reported as such.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (dist/bench/../.. of this checkout unless BENCH_PACKAGE names another). */
const ROOT = path.resolve(
  process.env.BENCH_PACKAGE ?? fileURLToPath(new URL('../..', import.meta.url)),
);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const W = 34;

interface Case {
  label: string;
  args: string[];
}

const exportsOf =
  (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      exports?: Record<string, unknown>;
    }
  ).exports ?? {};
const importCase = (specifier: string): Case => ({
  label: `import('${specifier}')`,
  args: ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`],
});
const subpaths = ['.', './study', './report'];
const missing = subpaths.filter((s) => !(s in exportsOf));
const cases: Case[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  ...subpaths
    .filter((s) => s in exportsOf)
    .map((s) => importCase(s === '.' ? 'protomlp' : `protomlp${s.slice(1)}`)),
  { label: "require('protomlp')", args: ['-e', "require('protomlp')"] },
];

/** Wall time of one process, start to exit, in ms; a failed import is reported, not timed. */
function timeOnce(c: Case): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, c.args, { encoding: 'utf8', cwd: ROOT });
  const ms = performance.now() - start;
  return r.status === 0 ? ms : Number.NaN;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(
  `import cost of ${ROOT}, median of ${ROUNDS} fresh processes (interleaved); ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const c of cases) timeOnce(c); // warm the file cache
const samples = cases.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => samples[i].push(timeOnce(c)));
const medians = samples.map((s) => (s.some(Number.isNaN) ? Number.NaN : median(s)));
console.log(
  `${''.padEnd(W)} ${'median'.padStart(10)} ${'ratio'.padStart(7)} ${'minus node'.padStart(12)}`,
);
cases.forEach((c, i) => {
  if (Number.isNaN(medians[i])) {
    console.log(`${c.label.padEnd(W)} fails (exit status not 0)`);
    return;
  }
  const extra = i === 0 ? '' : `${(medians[i] - medians[0]).toFixed(1).padStart(9)} ms`;
  console.log(
    `${c.label.padEnd(W)} ${medians[i].toFixed(1).padStart(7)} ms ${(medians[i] / medians[0]).toFixed(2).padStart(6)}x ${extra}`,
  );
});
for (const s of missing)
  console.log(`${`protomlp${s.slice(1)}`.padEnd(W)} not exported by this package`);
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
