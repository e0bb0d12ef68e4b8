// The sweep, merge and export commands as a user runs them: a child process running the CLI is
// interrupted (SIGINT, SIGTERM) and resumed; a SLURM array variable picks the shard; bad flags
// exit 2 with the one message and no stack trace. TS backend.

import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../src/record.js';
import { CSV_COLUMNS } from '../src/study/csv.js';
import { readStudy, runStudy } from '../src/study/index.js';
import { studyFromFlags } from '../src/cli/sweep.js';
import { CLI } from './helpers/cli.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const strip = (records: readonly RunRecord[]) => records.map(({ wallMs: _, ...rest }) => rest);
const countLines = (dir: string): number => {
  const file = join(dir, 'runs.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
};

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `protomlp ...args` (the built CLI, as helpers/cli.ts does) in a child process. With
 * `stopAfter`, sends `signal` once that many records are in `watch`/runs.jsonl.
 */
function protomlp(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    stopAfter?: number;
    watch?: string;
    signal?: NodeJS.Signals;
  } = {},
): Promise<Child> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: repo,
    env: { ...process.env, PROTOMLP_BACKEND: '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let poll: NodeJS.Timeout | undefined;
  if (options.stopAfter !== undefined && options.watch !== undefined) {
    const { stopAfter, watch } = options;
    poll = setInterval(() => {
      if (countLines(watch) >= stopAfter) {
        clearInterval(poll);
        child.kill(options.signal ?? 'SIGINT');
      }
    }, 20);
  }
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

// 24 runs of N = 60: long enough (~0.1 s each on the TS backend, more under load) to interrupt midway.
const sweepArgs = (out: string) => [
  'sweep',
  '--sizes',
  '60',
  '--masks',
  'base,cov,sep,ovl,cov+sep,cov+ovl,sep+ovl,cov+sep+ovl',
  '--seeds',
  '3',
  '--epochs',
  '300',
  '--backend',
  'ts',
  '--workers',
  '2',
  '--out',
  out,
];
const study = studyFromFlags({
  sizes: '60',
  masks: 'base,cov,sep,ovl,cov+sep,cov+ovl,sep+ovl,cov+sep+ovl',
  seeds: '3',
  epochs: '300',
});
const root = t.testdir({});
const reference = join(root, 'reference');

t.before(async () => {
  await runStudy(study, { out: reference, backend: 'ts', workers: 2 });
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  t.test(
    `${signal} stops the sweep; the same command resumes it to the records of an uninterrupted sweep`,
    async (t) => {
      const out = join(root, `interrupted-${signal}`);
      const stopped = await protomlp(sweepArgs(out), { stopAfter: 3, watch: out, signal });
      t.equal(stopped.code, code, `exit ${code}`);
      const kept = countLines(out);
      t.ok(kept >= 3 && kept < 24, `stopped midway (${kept} of 24 runs on disk)`);
      t.match(
        stopped.stderr,
        `sweep stopped by ${signal}: ${kept} of 24 runs are in ${out}; resume with:\n  protomlp ${sweepArgs(out).join(' ')}\n`,
      );
      t.notMatch(stopped.stderr, /\n\s+at /, 'no stack trace');
      const partial = await readStudy(out);
      t.same(partial.notices, [], 'every line on disk is whole');
      t.equal(partial.records.length, kept);

      const resumed = await protomlp(sweepArgs(out));
      t.equal(resumed.code, 0, resumed.stderr);
      t.match(
        resumed.stdout,
        `sweep grid done: ${24 - kept} runs trained, ${kept} skipped (already in ${out}), 0 diverged`,
      );
      t.match(resumed.stdout, `${out}: 24 of 24 runs finished`);
      t.equal(countLines(out), 24, 'no run recorded twice');
      t.same(strip((await readStudy(out)).records), strip((await readStudy(reference)).records));
    },
  );
}

t.test(
  'SLURM array variables pick the shard; merge and export from the command line',
  async (t) => {
    const shard1 = join(root, 'slurm-1');
    const slurm = await protomlp(sweepArgs(shard1), {
      env: { SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3' },
    });
    t.equal(slurm.code, 0, slurm.stderr);
    t.match(slurm.stdout, 'sweep shard 1/3 of grid done: 8 runs trained');
    t.same(
      (await readStudy(shard1)).records.map((r) => r.id),
      [1, 4, 7, 10, 13, 16, 19, 22].map((i) => study.ids[i]),
    );

    const shards = [0, 2].map((index) => join(root, `slurm-${index}`));
    for (const [k, out] of shards.entries())
      await runStudy(study, { out, backend: 'ts', shard: { index: 2 * k, count: 3 } });
    const merged = join(root, 'merged');
    const merge = await protomlp(['merge', shards[0], shard1, shards[1], shard1, '--out', merged]);
    t.equal(merge.code, 0, merge.stderr);
    t.equal(
      merge.stdout,
      `merged 4 folders into ${merged}: study grid, 24 of 24 runs, 8 duplicates dropped\n`,
    );
    t.same(strip((await readStudy(merged)).records), strip((await readStudy(reference)).records));

    const exported = await protomlp(['export', merged, '--csv']);
    t.equal(exported.code, 0, exported.stderr);
    const rows = exported.stdout.trimEnd().split('\n');
    t.equal(rows[0], CSV_COLUMNS.join(','));
    t.same(
      rows.slice(1).map((r) => r.split(',')[0]),
      study.ids,
    );
  },
);

t.test('dry run: the count and the first runs, nothing written', async (t) => {
  const out = join(root, 'dry');
  const dry = await protomlp([
    'sweep',
    '--preset',
    'paper',
    '--shard',
    '2/3',
    '--out',
    out,
    '--dry-run',
  ]);
  t.equal(dry.code, 0, dry.stderr);
  const lines = dry.stdout.split('\n');
  t.match(lines[0], /^study paper \(id [0-9a-f]{16}\): 480 runs$/);
  t.equal(lines[1], 'shard 2/3: 160 runs');
  t.equal(lines[2], `${out}: 0 finished, 160 to run`);
  t.equal(lines[3], 'first runs to train (of 160, canonical order):');
  t.match(
    lines[4],
    /^ {2}#2 [0-9a-f]{16} data=uniform n=3 hidden=3 dim=1 target=sine init=centers unit=ridge activation=gaussian mask=base lambda=0.1 tau=0.001 tauCov=0 lr=0.01 epochs=2000 seed=2$/,
  );
  t.match(lines[5], /^ {2}#5 /);
  t.equal(lines[14], '  ... and 150 more');
  t.notOk(existsSync(out), 'a dry run creates nothing');
});

t.test('bad input exits 2 with the one message, no stack trace', async (t) => {
  const bad = await protomlp(['sweep', '--sizes', '3,1', '--out', join(root, 'bad')]);
  t.equal(bad.code, 2);
  t.equal(bad.stderr, 'error: --sizes: got 1, expected an integer from 2 to 10000\n');
  const foreign = await protomlp(['sweep', '--sizes', '3', '--epochs', '20', '--out', reference]);
  t.equal(foreign.code, 2);
  t.match(
    foreign.stderr,
    /^error: --out: got ".*", expected a new folder or one holding this study \("grid", 1 runs, id [0-9a-f]{16}\); it holds another \("grid", 24 runs, id [0-9a-f]{16}\): choose another --out\n$/,
  );
  const merge = await protomlp([
    'merge',
    reference,
    join(root, 'missing'),
    '--out',
    join(root, 'm'),
  ]);
  t.equal(merge.code, 2);
  t.match(
    merge.stderr,
    /^error: study folder: got ".*", expected a folder holding study.json and runs.jsonl \(written by protomlp sweep\)\n$/,
  );
});
