// Fast start, by what each command loads (bench/cli-start.ts measures the time): the CLI run as a
// user runs it, every npm package it loads listed by a preloaded trace (test/fixtures/module-trace).
// Refused and --help commands, the data flags, presets' dry runs, tune and reproduce --beyond load
// none of the heavy dependencies; a data file loads its own parser only, `info` the addon's loader.

import { join } from 'node:path';
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { CLI, cli } from './helpers/cli.js';
import { HEAVY, TRACE, tracedPackages } from './helpers/trace.js';

/** The packages `protomlp ...args` loads, and its exit status. */
function packagesOf(args: string[]): { status: number | null; packages: string[]; stderr: string } {
  const r = cli(args, { NODE_OPTIONS: `--import=${TRACE}` });
  return { status: r.status, packages: tracedPackages(r.stderr), stderr: r.stderr };
}

t.test('the trace sees what a command loads', async (t) => {
  // the control: a YAML study file needs the YAML parser, loaded through createRequire
  const dir = t.testdir({ 'study.yaml': 'n: [3]\nmask: [base]\n' });
  const dry = packagesOf(['sweep', '--config', join(dir, 'study.yaml'), '--dry-run']);
  t.equal(dry.status, 0, dry.stderr);
  t.same(
    dry.packages.filter((p) => HEAVY.includes(p)),
    ['yaml'],
    'a YAML study file loads yaml',
  );
  t.ok(dry.packages.includes('commander'), 'and the CLI its argument parser');
});

t.test('commands load only what their work needs', async (t) => {
  const dir = t.testdir({
    'data.csv': 'x1,x2,y\n0,0,1\n1,0,2\n0,1,3\n',
    'data.json': '{"x": [[0, 0], [1, 0], [0, 1]], "y": [1, 2, 3]}',
  });
  const cases: [string[], number, string[]][] = [
    [['--help'], 0, []],
    [['run', '--n', '1'], 2, []],
    [['run', '--dataset', 'iris', '--n', '3'], 2, []],
    [['run', '--data', join(dir, 'data.csv'), '--n', '5'], 2, ['csv-parse']],
    [['run', '--data', join(dir, 'data.json'), '--n', '5'], 2, ['jsonc-parser']],
    [['sweep', '--preset', 'dims', '--dry-run'], 0, []],
    [['sweep', '--preset', 'iris', '--dry-run'], 0, []],
    [
      [
        'sweep',
        '--dataset',
        'moons,iris',
        '--data',
        join(dir, 'data.csv'),
        '--masks',
        'base,cov',
        '--dry-run',
      ],
      0,
      ['csv-parse'],
    ],
    [['tune', '--sizes', '10', '--masks', 'cov', '--lambda', '0.01,0.1'], 2, []],
    [['reproduce', '--beyond', '--workers', '0'], 2, []],
    [['report', join(dir, 'no-such-study')], 2, []],
    [['merge', join(dir, 'a')], 2, []],
    [['export', join(dir, 'a')], 2, []],
    [['info'], 0, ['node-gyp-build']],
  ];
  for (const [args, status, expected] of cases) {
    const r = packagesOf(args);
    t.equal(r.status, status, `${args.join(' ')}: exit ${status}`);
    t.same(
      r.packages.filter((p) => HEAVY.includes(p)),
      expected,
      `${args.join(' ')}: ${expected.length ? expected.join(', ') : 'no heavy package'}`,
    );
  }
});

t.test('output into a closed pipe ends quietly (protomlp --help | head)', async (t) => {
  // the reader closes its end before node has started, so every write meets EPIPE
  for (const args of ['--help', 'run --help', 'info']) {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `node "${CLI}" ${args} | { exec 0<&-; sleep 1; }; echo "status \${PIPESTATUS[0]}" >&2`,
      ],
      {
        encoding: 'utf8',
      },
    );
    t.match(r.stderr, /^status 0\n$/, `${args}: exit 0 and nothing on stderr`);
  }
});
