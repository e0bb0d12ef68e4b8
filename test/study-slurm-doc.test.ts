// docs/slurm.md's sbatch scripts, run as SLURM would run them (array variables in the
// environment, no sbatch): two array tasks, one requeued, then the merge job. The docs cannot
// drift from what works. (test/full/slurm.test.ts submits them to a real one-node cluster.)

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../src/record.js';
import { readStudy, resolveStudy, runStudy } from '../src/study/index.js';
import { CLI } from './helpers/cli.js';
import { slurmDocScripts } from './helpers/slurm-doc.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const strip = (records: readonly RunRecord[]) => records.map(({ wallMs: _, ...rest }) => rest);

t.test('the sweep array and the merge job of docs/slurm.md', async (t) => {
  const { sweep: sweepScript, merge: mergeScript } = slurmDocScripts();
  t.match(mergeScript, /\$PROTOMLP merge /, 'the merge job merges');
  t.match(sweepScript, /#SBATCH --array=/);
  t.match(sweepScript, /#SBATCH --requeue/);
  const dir = t.testdir({});
  writeFileSync(join(dir, 'sweep.sbatch'), sweepScript);
  writeFileSync(join(dir, 'merge.sbatch'), mergeScript);
  const out = join(dir, 'results');
  const env = {
    ...process.env,
    PROTOMLP_BACKEND: '',
    OUT: out,
    STUDY_ARGS: '--preset paper --sizes 3,5 --epochs 20 --seeds 2 --backend ts',
    PROTOMLP: `${process.execPath} ${CLI}`,
  };
  const task = (id: number) =>
    spawnSync('bash', [join(dir, 'sweep.sbatch')], {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...env,
        SLURM_ARRAY_TASK_ID: String(id),
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_COUNT: '2',
        SLURM_CPUS_PER_TASK: '1',
      },
    });
  for (const id of [1, 2]) {
    const run = task(id);
    t.equal(run.status, 0, run.stderr);
    t.match(run.stdout, `sweep shard ${id - 1}/2 of paper done: 16 runs trained`);
  }
  const requeued = task(1);
  t.equal(requeued.status, 0, requeued.stderr);
  t.match(requeued.stdout, 'done: 0 runs trained, 16 skipped', 'a requeued task resumes');
  const merge = spawnSync('bash', [join(dir, 'merge.sbatch')], {
    cwd: repo,
    encoding: 'utf8',
    env,
  });
  t.equal(merge.status, 0, merge.stderr);
  t.match(merge.stdout, 'study paper, 32 of 32 runs, 0 duplicates dropped');
  t.equal(readFileSync(join(out, 'all/runs.csv'), 'utf8').trimEnd().split('\n').length, 33);

  const study = resolveStudy({ preset: 'paper', n: [3, 5], epochs: 20, seed: [0, 1] });
  await runStudy(study, { out: join(dir, 'reference'), backend: 'ts' });
  t.same(
    strip((await readStudy(join(out, 'all'))).records),
    strip((await readStudy(join(dir, 'reference'))).records),
  );
});
