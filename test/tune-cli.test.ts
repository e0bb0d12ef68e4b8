// `protomlp tune` as a user runs it: progress per rung on stderr, Ctrl-C (SIGINT) stops it with
// exit 130 and the command to resume, and the same command then finishes to the same tune.json as
// an uninterrupted tune. TS backend (slow enough to interrupt midway).

import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './helpers/cli.js';

const args = (out: string) => [
  'tune',
  '--sizes',
  '12',
  '--masks',
  'cov,cov+sep',
  '--lambda',
  '0.01,0.03,0.1,0.3,1',
  '--tau',
  '0.001,0.01,0.1',
  '--seeds',
  '3',
  '--epochs',
  '300',
  '--budget',
  '0.5',
  '--backend',
  'ts',
  '--workers',
  '2',
  '--no-png',
  '--out',
  out,
];
const lines = (dir: string): number =>
  existsSync(join(dir, 'runs.jsonl'))
    ? readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n').length - 1
    : 0;

function protomlp(
  argv: string[],
  stopAfter?: { lines: number; dir: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...argv], {
    env: { ...process.env, PROTOMLP_BACKEND: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const poll =
    stopAfter &&
    setInterval(() => {
      if (lines(stopAfter.dir) >= stopAfter.lines) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 20);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    }),
  );
}

const root = t.testdir({});

t.test(
  'SIGINT stops a tune; the same command resumes it to the uninterrupted result',
  async (t) => {
    const reference = join(root, 'reference');
    const whole = await protomlp(args(reference));
    t.equal(whole.code, 0, whole.stderr);
    t.match(
      whole.stderr,
      /^tune rung 1\/\d \(\d+ epochs x 1 seed\): \d+ runs to train, 0 already in /m,
      'each rung announced',
    );
    t.match(
      whole.stdout,
      /^tune done: \d+ runs trained, wall \d+s; \d+ run-epochs, 0\.\d+ of the exhaustive grid's 18900$/m,
      '(5 cov + 15 cov+sep + base) x 3 seeds x 300 epochs',
    );
    t.match(
      whole.stdout,
      /^  N=12 cov\+sep: lambda [\d.]+, tau [\d.]+, tauCov 0, lr 0\.01: recon [\d.]+, fit [\d.e-]+$/m,
    );

    const out = join(root, 'interrupted');
    const stopped = await protomlp(args(out), { lines: 8, dir: out });
    t.equal(stopped.code, 130, 'exit 130');
    t.match(
      stopped.stderr,
      new RegExp(
        `tune stopped by SIGINT in rung \\d: every finished run is in ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; resume with the same command`,
      ),
    );
    t.notOk(existsSync(join(out, 'tune.json')), 'no tune.json before the end');
    const kept = lines(out);
    t.ok(kept >= 8, `${kept} runs kept`);
    const resumed = await protomlp(args(out));
    t.equal(resumed.code, 0, resumed.stderr);
    t.match(resumed.stderr, `already in ${out}`);
    t.same(
      JSON.parse(readFileSync(join(out, 'tune.json'), 'utf8')),
      JSON.parse(readFileSync(join(reference, 'tune.json'), 'utf8')),
    );
  },
);
