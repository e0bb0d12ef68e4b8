// `protomlp reproduce` at the tiny scale, end to end through the CLI (the same code path as the
// full study, smaller grids), then `protomlp report` on its folders, the README snippet, and the
// bad-input messages. In-process (the same program, output and exit code captured); one refusal
// also in a real process.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPRODUCE_SCALES } from '../src/pipelines/reproduce.js';
import { resultsSnippet } from '../src/readme/results.js';
import { cli, cliInProcess } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'protomlp-reproduce-'));
const out = join(tmp, 'results');

t.test('reproduce --scale tiny: studies, report, timings; a second call resumes', async (t) => {
  const first = await cliInProcess([
    'reproduce',
    '--out',
    out,
    '--scale',
    'tiny',
    '--backend',
    'ts',
  ]);
  t.equal(first.status, 0, first.stderr);
  t.match(
    first.stdout,
    /^C0 (held|not held|not testable with these runs): .+\nC1 (held|not held|not testable with these runs): .+\nC2 /,
    'each claim with its status and numbers',
  );
  t.match(first.stdout, /C6 (held|not held|not testable with these runs): .+\n/);
  t.match(
    first.stderr,
    /reproduce positions: 0\/0 runs to train \(0 already done, 16 copied from the earlier studies\)/,
  );
  for (const f of [
    'paper/runs.jsonl',
    'tau-sweep/runs.jsonl',
    'positions/runs.jsonl',
    'reproduce.json',
    'report/report.md',
    'report/report.html',
    'report/claims.json',
    'report/plots/recon-vs-n.png',
    'report/plots/tau-outside.svg',
    'report/plots/positions-n5.png',
  ]) {
    t.ok(existsSync(join(out, f)), f);
  }
  const runs = (dir: string) =>
    readFileSync(join(out, dir, 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n').length;
  // tiny: paper 2 sizes x 8 masks x 4 seeds; tau-sweep 1 size x 2 masks x 3 taus x 4 seeds; positions 8 masks x 2 seeds
  t.equal(runs('paper'), 64);
  t.equal(runs('tau-sweep'), 24);
  t.equal(runs('positions'), 16);
  const log = JSON.parse(readFileSync(join(out, 'reproduce.json'), 'utf8'));
  t.equal(log.scale, 'tiny');
  // the tau-sweep runs at the default tau (2 masks x 4 seeds) and all positions runs are paper runs: copied, not retrained
  t.same(
    log.studies.map((s: { study: string; trained: number; reused: number }) => [
      s.study,
      s.trained,
      s.reused,
    ]),
    [
      ['paper', 64, 0],
      ['tau-sweep', 16, 8],
      ['positions', 0, 16],
    ],
  );
  const claims = JSON.parse(readFileSync(join(out, 'report/claims.json'), 'utf8'));
  t.equal(
    claims.runs,
    64 + 24 - 8,
    'duplicates dropped: the tau-sweep runs at the default tau (2 masks x 4 seeds) and all positions runs are paper runs',
  );
  t.equal(
    claims.claims.find((c: { id: string }) => c.id === 'C6').status ===
      'not testable with these runs',
    false,
    'the sweep (3 taus) is tested',
  );

  const again = await cliInProcess([
    'reproduce',
    '--out',
    out,
    '--scale',
    'tiny',
    '--backend',
    'ts',
  ]);
  t.equal(again.status, 0, again.stderr);
  t.match(again.stderr, /reproduce paper: 0\/0 runs to train \(64 already done\)/);
  const log2 = JSON.parse(readFileSync(join(out, 'reproduce.json'), 'utf8'));
  t.same(
    log2.studies.map((s: { trained: number; skipped: number }) => [s.trained, s.skipped]),
    [
      [64, 64],
      [16, 24],
      [0, 16],
    ],
    'timings describe the whole study',
  );
});

t.test('the environment variable picks the scale (same code path)', async (t) => {
  const r = await cliInProcess(['reproduce', '--out', join(tmp, 'env'), '--backend', 'ts'], {
    PROTOMLP_REPRODUCE_SCALE: 'tiny',
  });
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(readFileSync(join(tmp, 'env', 'reproduce.json'), 'utf8')).scale, 'tiny');
  t.same(Object.keys(REPRODUCE_SCALES), ['full', 'tiny']);
});

t.test('report on study folders', async (t) => {
  const r = await cliInProcess(['report', join(out, 'paper'), join(out, 'tau-sweep')]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /C1: .*\n[\s\S]*report\.md, report\.html, claims\.json/);
  t.ok(
    existsSync(join(out, 'paper', 'report', 'report.html')),
    'default --out is <first dir>/report',
  );
  const only = await cliInProcess([
    'report',
    join(out, 'positions'),
    '--out',
    join(tmp, 'pos-report'),
    '--no-png',
  ]);
  t.equal(only.status, 0, only.stderr);
  t.ok(existsSync(join(tmp, 'pos-report', 'plots', 'positions-n5.svg')));
  t.notOk(existsSync(join(tmp, 'pos-report', 'plots', 'positions-n5.png')));
  t.match(only.stdout, /C6: not testable with these runs/);
});

t.test('README snippet from the reproduction', async (t) => {
  const file = join(tmp, 'docs', 'results.md');
  const md = await resultsSnippet(out, { file, imagesDir: join(tmp, 'docs', 'results') });
  t.equal(readFileSync(file, 'utf8'), md);
  t.match(md, /trained 80 runs \(24 more are shared between studies and were copied\) in [\d.]+ s/);
  t.match(md, /\| \*\*C1\*\* /);
  t.match(md, /!\[Reconstruction error vs N per mask\]\(docs\/results\/recon-vs-n\.png\)/);
  t.ok(existsSync(join(tmp, 'docs', 'results', 'positions-n5.png')));
  await t.rejects(resultsSnippet(join(tmp, 'nothing')), {
    message:
      /^reproduction folder: got ".*nothing", expected a folder written by `protomlp reproduce`/,
  });
});

t.test('bad input: exit 2 and one clear message', async (t) => {
  const cases: [string[], string][] = [
    [
      ['reproduce', '--out', join(tmp, 'x'), '--scale', 'huge'],
      'error: --scale: got "huge", expected one of full, tiny\n',
    ],
    [
      ['reproduce', '--out', join(tmp, 'x'), '--workers', '0'],
      'error: --workers: got 0, expected an integer from 1 to 1024\n',
    ],
    [
      ['report', join(out, 'paper'), '--alpha', '2'],
      'error: --alpha: got 2, expected a number > 0 and <= 0.5\n',
    ],
    [
      ['report', join(out, 'paper'), '--fit-margin', 'x'],
      'error: --fit-margin: got "x", expected a finite number > 0\n',
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cliInProcess(args);
    t.equal(r.status, 2, args.join(' '));
    t.equal(r.stderr, message);
  }
  const missing = await cliInProcess(['report', join(tmp, 'no-such-study')]);
  t.equal(missing.status, 2);
  t.match(
    missing.stderr,
    /^error: study folder: got ".*no-such-study", expected a folder holding study.json and runs.jsonl/,
  );
  const spawned = cli(['report', join(tmp, 'no-such-study')]);
  t.equal(spawned.status, 2, 'a real process exits 2');
  t.equal(spawned.stderr, missing.stderr, 'with the same message');
});
