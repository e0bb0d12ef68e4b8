// `protomlp run` as a user runs it: the summary, the --json record shape, --init-from, and every
// bad-input branch with its exact message and exit code 2 (no stack trace). In-process (the same
// program, output and exit code captured); one refusal also in a real process.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cli, cliInProcess } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'protomlp-run-'));

t.test('summary and --json record', async (t) => {
  const text = await cliInProcess([
    'run',
    '--n',
    '6',
    '--epochs',
    '50',
    '--mask',
    'cov',
    '--backend',
    'ts',
  ]);
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /reconstruction error [\d.e-]+ +specialization [\d.]+/);
  t.match(
    text.stdout,
    /\n  yardsticks: random prototypes [\d.e-]+  untrained [\d.e-]+  all at the mean [\d.e-]+\n  matched distances: median [\d.e-]+  90th percentile [\d.e-]+; best buddies [\d.]+; greedy recon [\d.e-]+\n/,
  );
  t.match(text.stdout, /mask=cov/);
  const json = await cliInProcess([
    'run',
    '--n',
    '6',
    '--hidden',
    '8',
    '--epochs',
    '50',
    '--mask',
    'sep+cov',
    '--seed',
    '3',
    '--json',
    '--backend',
    'ts',
  ]);
  t.equal(json.status, 0, json.stderr);
  const record = JSON.parse(json.stdout);
  t.same(Object.keys(record), [
    'id',
    'config',
    'data',
    'initial',
    'final',
    'metrics',
    'backend',
    'isa',
    'numerics',
    'wallMs',
  ]);
  t.equal(record.numerics, 'ts/2', 'the numerics that made it');
  t.same(Object.keys(record.config), [
    'data',
    'n',
    'hidden',
    'dim',
    'target',
    'init',
    'unit',
    'activation',
    'mask',
    'lambda',
    'tau',
    'tauCov',
    'lr',
    'epochs',
    'seed',
  ]);
  t.same(record.config, {
    data: 'uniform',
    n: 6,
    hidden: 8,
    dim: 1,
    target: 'sine',
    init: 'centers',
    unit: 'ridge',
    activation: 'gaussian',
    mask: 'cov+sep',
    lambda: 0.1,
    tau: 0.001,
    tauCov: 0,
    lr: 0.01,
    epochs: 50,
    seed: 3,
  });
  t.same(Object.keys(record.metrics), [
    'recon',
    'spec',
    'fit',
    'cov',
    'sep',
    'ovl',
    'outside',
    'outsideDist',
    'reconUntrained',
    'reconRandom',
    'reconMean',
    'matchedMedian',
    'matchedP90',
    'bestBuddies',
    'reconGreedy',
    'diverged',
  ]);
  t.equal(record.data.x.length, 6);
  t.equal(record.initial.W.length, 8);
  t.equal(record.final.b.length, 8);
  t.equal(record.backend, 'ts');
  t.equal(record.isa, 'js');
  t.match(record.id, /^[0-9a-f]{16}$/);

  const file = join(tmp, 'run.json');
  writeFileSync(file, json.stdout);
  const again = JSON.parse(
    (await cliInProcess(['run', '--init-from', file, '--json', '--backend', 'ts'])).stdout,
  );
  t.same(
    again.final,
    record.final,
    '--init-from with the same settings re-trains to the same parameters',
  );
  t.equal(again.id, record.id);
  const other = JSON.parse(
    (await cliInProcess(['run', '--init-from', file, '--mask', 'ovl', '--json', '--backend', 'ts']))
      .stdout,
  );
  t.same(other.initial, record.initial, 'another mask from the same start');
  t.equal(other.config.mask, 'ovl');
  t.not(other.final.b[0], record.final.b[0]);
});

t.test('d > 1: the exact hull, and the bounding box under its own name', async (t) => {
  const record = JSON.parse(
    (
      await cliInProcess([
        'run',
        '--n',
        '5',
        '--dim',
        '2',
        '--epochs',
        '20',
        '--json',
        '--backend',
        'ts',
      ])
    ).stdout,
  );
  t.type(record.metrics.outside, 'number');
  t.type(record.metrics.outsideBox, 'number');
  t.ok(
    record.metrics.outside >= record.metrics.outsideBox,
    'outside the box implies outside the hull',
  );
  t.equal(record.data.x[0].length, 2);
  const text = await cliInProcess([
    'run',
    '--dim',
    '3',
    '--n',
    '12',
    '--epochs',
    '50',
    '--mask',
    'ovl',
    '--backend',
    'ts',
  ]);
  t.equal(text.status, 0, text.stderr);
  t.match(
    text.stdout,
    /outside the convex hull \(exact, Wolfe\): [\d.]+ of prototypes, mean distance [\d.e-]+\n/,
  );
});

const bad: [string[], string][] = [
  [['--n', '1'], '--n: got 1, expected an integer from 2 to 10000'],
  [['--n', 'ten'], '--n: got "ten", expected an integer from 2 to 10000'],
  [['--n', '2.5'], '--n: got 2.5, expected an integer from 2 to 10000'],
  [['--hidden', '1'], '--hidden: got 1, expected an integer from 2 to 10000'],
  [['--dim', '0'], '--dim: got 0, expected an integer from 1 to 64'],
  [['--target', 'cosine'], '--target: got "cosine", expected one of sine, random'],
  [['--init', 'zeros'], '--init: got "zeros", expected one of centers, torch'],
  [
    ['--mask', 'cov+foo'],
    '--mask: got "cov+foo", expected one of base, cov, sep, ovl, cov+sep, cov+ovl, sep+ovl, cov+sep+ovl',
  ],
  [['--lambda', '-1'], '--lambda: got -1, expected a finite number >= 0'],
  [['--tau', '0'], '--tau: got 0, expected a finite number > 0'],
  [['--tau-cov', 'NaN'], '--tau-cov: got "NaN", expected a finite number >= 0'],
  [['--lr', '0'], '--lr: got 0, expected a finite number > 0'],
  [['--lr', '1e999'], '--lr: got Infinity, expected a finite number > 0'],
  [['--epochs', '0'], '--epochs: got 0, expected an integer from 1 to 10000000'],
  [['--seed', '-1'], '--seed: got -1, expected an integer from 0 to 4294967295'],
  [['--backend', 'gpu'], '--backend: got "gpu", expected one of auto, native, ts'],
  [
    ['--dataset', 'mnist'],
    '--dataset: got "mnist", expected one of uniform, gaussian-blobs, moons, iris (a file of your own: --data FILE)',
  ],
  [['--dataset', 'iris', '--n', '40'], '--n: got 40, expected 150 or nothing (iris has 150 rows)'],
  [
    ['--dataset', 'moons', '--dim', '3'],
    '--dim: got 3, expected 2 or nothing (moons has 2 input columns)',
  ],
  [
    ['--dataset', 'iris', '--target', 'random'],
    '--target: got "random", expected nothing (y comes from iris)',
  ],
  [
    ['--scale', 'standard'],
    '--scale: got "standard", expected nothing without --data (it chooses the columns and the scaling of a data file)',
  ],
  [
    ['--x-cols', 'a,b'],
    '--x-cols: got "a,b", expected nothing without --data (it chooses the columns and the scaling of a data file)',
  ],
  [
    ['--y-col', 'y'],
    '--y-col: got "y", expected nothing without --data (it chooses the columns and the scaling of a data file)',
  ],
];

t.test('every bad flag: one message, exit 2, no stack trace', async (t) => {
  for (const [args, message] of bad) {
    const r = await cliInProcess(['run', ...args]);
    t.equal(r.status, 2, args.join(' '));
    t.equal(r.stderr, `error: ${message}\n`, args.join(' '));
  }
  const unknown = await cliInProcess(['run', '--bogus']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /unknown option '--bogus'/);
  const env = await cliInProcess(['run', '--n', '3', '--epochs', '1'], {
    PROTOMLP_BACKEND: 'cuda',
  });
  t.equal(env.stderr, 'error: PROTOMLP_BACKEND: got "cuda", expected one of auto, native, ts\n');
  t.equal(env.status, 2);
});

t.test('a refused run in a real process: exit status 2, the message alone on stderr', async (t) => {
  const r = cli(['run', '--n', '1']);
  t.equal(r.status, 2);
  t.equal(r.stderr, 'error: --n: got 1, expected an integer from 2 to 10000\n');
  t.equal(r.stdout, '');
});

t.test('bad --init-from files', async (t) => {
  const good = JSON.parse(
    (
      await cliInProcess([
        'run',
        '--n',
        '3',
        '--hidden',
        '4',
        '--epochs',
        '5',
        '--json',
        '--backend',
        'ts',
      ])
    ).stdout,
  );
  const write = (name: string, content: string): string => {
    const file = join(tmp, name);
    writeFileSync(file, content);
    return file;
  };
  const missing = join(tmp, 'missing.json');
  const notJson = write('not.json', 'hello');
  const array = write('array.json', '[1, 2]');
  const noData = write('nodata.json', JSON.stringify({ ...good, data: undefined }));
  const shortX = write(
    'shortx.json',
    JSON.stringify({ ...good, data: { ...good.data, x: [[0.1], [0.2]] } }),
  );
  const wideW = write(
    'widew.json',
    JSON.stringify({ ...good, initial: { ...good.initial, W: [[1, 2], [1], [1], [1]] } }),
  );
  const strB = write(
    'strb.json',
    JSON.stringify({ ...good, initial: { ...good.initial, b: [0, 'x', 0, 0] } }),
  );
  const badConfig = write(
    'badconfig.json',
    JSON.stringify({ ...good, config: { ...good.config, mask: 'all' } }),
  );
  const extra = write(
    'extra.json',
    JSON.stringify({ ...good, config: { ...good.config, width: 3 } }),
  );
  const cases: [string[], string][] = [
    [
      ['--init-from', missing],
      `--init-from: got ${JSON.stringify(missing)}, expected a readable run record file (ENOENT)`,
    ],
    [
      ['--init-from', notJson],
      `--init-from: got ${JSON.stringify(notJson)}, expected a JSON run record (Unexpected token 'h', "hello" is not valid JSON)`,
    ],
    [['--init-from', array], `${array}: record: got [1,2], expected an object`],
    [['--init-from', noData], `${noData}: data: got nothing, expected an object`],
    [['--init-from', shortX], `${shortX}: data.x: got [[0.1],[0.2]], expected an array of 3 rows`],
    [
      ['--init-from', wideW],
      `${wideW}: initial.W[0]: got [1,2], expected an array of 1 finite numbers`,
    ],
    [['--init-from', strB], `${strB}: initial.b[1]: got "x", expected a finite number`],
    [
      ['--init-from', badConfig],
      `${badConfig}: config.mask: got "all", expected one of base, cov, sep, ovl, cov+sep, cov+ovl, sep+ovl, cov+sep+ovl`,
    ],
    [
      ['--init-from', extra],
      `${extra}: config.width: got 3, expected no such field (run fields: data, n, hidden, dim, target, init, unit, activation, mask, lambda, tau, tauCov, lr, epochs, seed)`,
    ],
    [
      ['--init-from', write('ok.json', JSON.stringify(good)), '--n', '4'],
      '--n: got 4, expected no value with --init-from (the record fixes data, n, hidden, dim, target, init, unit, seed)',
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cliInProcess(['run', ...args]);
    t.equal(r.stderr, `error: ${message}\n`, args.join(' '));
    t.equal(r.status, 2);
  }
});
