// Grids, presets, canonical order, shards, study files and every bad study field or sweep flag
// (exact messages). Nothing here trains.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, identityConfig, MASKS, resolveConfig, runId, usesField } from '../src/config.js';
import { legacyRunId, legacyStudyId } from '../src/study/legacy.js';
import { loadStudyFile, parseShard, resolveStudy, shardFromEnv } from '../src/study/index.js';
import { shardPositions } from '../src/study/shard.js';
import { parseSeeds, shardFromFlags, studyFromFlags } from '../src/cli/sweep.js';
import { cliInProcess } from './helpers/cli.js';

t.test('presets have the sizes of SPEC §5', async (t) => {
  const paper = resolveStudy('paper');
  t.equal(paper.runs.length, 480);
  t.equal(resolveStudy('tau-sweep').runs.length, 2 * 9 * 2 * 10);
  const positions = resolveStudy('positions');
  t.equal(positions.runs.length, 80);
  t.ok(positions.runs.every((r) => r.n === 100 && r.hidden === 100));
  t.same(new Set(positions.runs.map((r) => r.mask)), new Set(MASKS));
  // positions is the N = 100 slice of paper: the same run ids
  const paperIds = new Set(paper.ids);
  t.ok(positions.ids.every((id) => paperIds.has(id)));
  t.ok(
    paper.runs.every(
      (r) => r.epochs === 2000 && r.lambda === 0.1 && r.tau === 0.001 && r.hidden === r.n,
    ),
  );
  const tau = resolveStudy('tau-sweep');
  t.same(
    [...new Set(tau.runs.map((r) => r.tau))],
    [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1],
  );
  t.same([...new Set(tau.runs.map((r) => r.mask))], ['sep', 'cov+sep']);
});

t.test('a run id hashes only the fields the run uses', async (t) => {
  const id = (c: Parameters<typeof resolveConfig>[0]) => runId(resolveConfig(c));
  t.equal(
    id({ mask: 'base', lambda: 1, tau: 0.5, tauCov: 0.2 }),
    id({ mask: 'base' }),
    'base ignores lambda, tau, tauCov',
  );
  t.equal(id({ mask: 'cov', tau: 0.5 }), id({ mask: 'cov' }), 'tau means nothing without sep');
  t.equal(
    id({ mask: 'sep+ovl', tauCov: 0.5 }),
    id({ mask: 'sep+ovl' }),
    'tauCov means nothing without cov',
  );
  t.not(id({ mask: 'cov', lambda: 1 }), id({ mask: 'cov' }));
  t.not(id({ mask: 'cov', tauCov: 0.5 }), id({ mask: 'cov' }));
  t.not(id({ mask: 'sep', tau: 0.5 }), id({ mask: 'sep' }));
  t.not(id({ mask: 'ovl', lambda: 1 }), id({ mask: 'ovl' }));
  t.not(id({ mask: 'base', lr: 0.1 }), id({ mask: 'base' }), 'every other field counts');
  t.same(
    identityConfig(resolveConfig({ mask: 'cov', lambda: 0.5, tau: 0.3, tauCov: 0.2 })),
    resolveConfig({ mask: 'cov', lambda: 0.5, tauCov: 0.2 }),
  );
  t.same(
    MASKS.filter((m) => usesField({ mask: m }, 'lambda')),
    MASKS.slice(1),
  );
  t.same(
    MASKS.filter((m) => usesField({ mask: m }, 'tau')),
    ['sep', 'cov+sep', 'sep+ovl', 'cov+sep+ovl'],
  );
  t.same(
    MASKS.filter((m) => usesField({ mask: m }, 'tauCov')),
    ['cov', 'cov+sep', 'cov+ovl', 'cov+sep+ovl'],
  );
  // a run whose ignored fields sit at their defaults keeps the id protomlp 0.1.0 gave it
  const paper = resolveStudy('paper');
  t.same(paper.runs.map(legacyRunId), paper.ids);
  t.equal(legacyStudyId(paper.grid), paper.studyId, 'a 0.1.0 paper folder is the same study');
});

t.test('a grid trains each distinct run once', async (t) => {
  // the example: 8 grid points, 3 distinct runs (base ignores lambda and tau, cov ignores tau)
  const small = resolveStudy({
    n: 10,
    mask: ['base', 'cov'],
    lambda: [0.01, 0.1],
    tau: [0.001, 0.01],
  });
  t.equal(small.points, 8);
  t.equal(small.runs.length, 3);
  t.same(
    small.runs.map((r) => [r.mask, r.lambda, r.tau]),
    [
      ['base', 0.1, 0.001],
      ['cov', 0.01, 0.001],
      ['cov', 0.1, 0.001],
    ],
  );
  t.same(small.ids, small.runs.map(runId));
  t.equal(new Set(small.ids).size, 3);
  const sweep = resolveStudy('lambda-sweep');
  t.equal(sweep.points, 7 * 3 * 8 * 10, '1680 grid points');
  t.equal(sweep.runs.length, 1500, 'base once per N and seed: 1680 - 6 x 30');
  t.equal(sweep.runs.filter((r) => r.mask === 'base').length, 30);
  t.ok(
    sweep.runs.filter((r) => r.mask === 'base').every((r) => r.lambda === DEFAULTS.lambda),
    'stored at the default lambda',
  );
  t.same(
    [...new Set(sweep.runs.filter((r) => r.mask === 'cov').map((r) => r.lambda))],
    [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
  );
  t.same(
    sweep.grid.lambda,
    [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
    'the grid keeps every listed value',
  );
  t.same(new Set(sweep.runs.map((r) => r.n)), new Set([10, 50, 100]));
  t.equal(resolveStudy('tau-sweep').runs.length, 360, 'tau-sweep: every run uses tau');
});

t.test('canonical order: config key order, last key fastest, axes sorted', async (t) => {
  const paper = resolveStudy('paper');
  t.match(paper.runs[0], { n: 3, mask: 'base', seed: 0 });
  t.match(paper.runs[1], { n: 3, mask: 'base', seed: 1 });
  t.match(paper.runs[10], { n: 3, mask: 'cov', seed: 0 });
  t.match(paper.runs[479], { n: 100, mask: 'cov+sep+ovl', seed: 9 });
  t.same(paper.ids, paper.runs.map(runId));
  const a = resolveStudy({ n: [10, 3], mask: ['sep+cov', 'base'], seed: [2, 0, 2] });
  const b = resolveStudy({ n: [3, 10], mask: ['base', 'cov+sep'], seed: '0..0' });
  t.not(a.studyId, b.studyId, 'seed 2 makes a different study');
  const c = resolveStudy({ n: [3, 10], mask: ['base', 'cov+sep'], seed: [0, 2] });
  t.equal(a.studyId, c.studyId, 'value order, aliases and repeats do not change the study');
  t.same(a.runs, c.runs);
  t.equal(a.runs.length, 8);
});

t.test('hidden is tied to n unless given, then crossed', async (t) => {
  t.same(
    resolveStudy({ n: [3, 5] }).runs.map((r) => [r.n, r.hidden]),
    [
      [3, 3],
      [5, 5],
    ],
  );
  t.same(
    resolveStudy({ n: [3, 5], hidden: [4, 2] }).runs.map((r) => [r.n, r.hidden]),
    [
      [3, 2],
      [3, 4],
      [5, 2],
      [5, 4],
    ],
  );
  t.equal(resolveStudy({ n: [3] }).grid.hidden, undefined);
});

t.test('a preset with overrides', async (t) => {
  const quick = resolveStudy({ preset: 'paper', epochs: 50, seed: '0..2' });
  t.equal(quick.name, 'paper');
  t.equal(quick.runs.length, 6 * 8 * 3);
  t.ok(quick.runs.every((r) => r.epochs === 50));
  t.equal(resolveStudy({ preset: 'paper', name: 'mine' }).name, 'mine');
  t.equal(
    resolveStudy({ preset: 'paper', name: 'mine' }).studyId,
    resolveStudy('paper').studyId,
    'the name is a label, not identity',
  );
});

t.test('shards take runs i, i+n, ... and cover the study once', async (t) => {
  t.same(shardPositions(7, { index: 1, count: 3 }), [1, 4]);
  t.same(shardPositions(3), [0, 1, 2]);
  const all = [0, 1, 2]
    .flatMap((index) => shardPositions(10, { index, count: 3 }))
    .sort((a, b) => a - b);
  t.same(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.same(parseShard('2/5'), { index: 2, count: 5 });
  t.same(shardFromEnv({}), undefined);
  t.same(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2' }), undefined, 'not an array job without a count');
  t.same(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3' }), {
    index: 2,
    count: 3,
  });
  t.same(
    shardFromEnv({
      SLURM_ARRAY_TASK_ID: '5',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_COUNT: '8',
    }),
    { index: 4, count: 8 },
  );
  t.same(
    shardFromEnv({
      SLURM_ARRAY_TASK_ID: '14',
      SLURM_ARRAY_TASK_MIN: '10',
      SLURM_ARRAY_TASK_STEP: '2',
      SLURM_ARRAY_TASK_COUNT: '3',
    }),
    { index: 2, count: 3 },
  );
  const env = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' };
  t.same(shardFromFlags(undefined, env), { index: 1, count: 3 }, 'SLURM picks the shard');
  t.same(shardFromFlags('0/2', env), { index: 0, count: 2 }, '--shard wins over SLURM');
});

t.test('--seeds: a count, a list or a range', async (t) => {
  t.same(parseSeeds('3'), [0, 1, 2]);
  t.same(parseSeeds('5,0,3'), [5, 0, 3]);
  t.same(parseSeeds('10..12'), [10, 11, 12]);
  t.same(parseSeeds('4..4'), [4]);
});

t.test('grid flags over a preset', async (t) => {
  const s = studyFromFlags({ preset: 'tau-sweep', sizes: '20', seeds: '2', epochs: '40' });
  t.equal(s.runs.length, 2 * 9 * 1 * 2);
  t.ok(s.runs.every((r) => r.epochs === 40 && r.n === 20));
  const g = studyFromFlags({
    sizes: '3,5',
    masks: 'cov,sep+cov',
    lambda: '0.01,1',
    tauCov: '0.1',
    hidden: '8',
    seeds: '0,3',
  });
  t.equal(g.runs.length, 2 * 2 * 2 * 2);
  t.ok(g.runs.every((r) => r.hidden === 8 && r.tauCov === 0.1));
  t.same([...new Set(g.runs.map((r) => r.mask))], ['cov', 'cov+sep']);
});

t.test('study files, JSON and YAML', async (t) => {
  const dir = t.testdir({
    'a.yaml':
      'name: lambda\nn: [10, 20]\nmask: [cov, cov+sep]\nlambda: [0.01, 0.1, 1]\nseed: 0..9\nepochs: 50\n',
    'a.json': JSON.stringify({
      name: 'lambda',
      n: [20, 10],
      mask: ['cov+sep', 'cov'],
      lambda: [1, 0.1, 0.01],
      seed: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
      epochs: [50],
    }),
    'p.yml': 'preset: paper\nepochs: 20\nseed: [0]\n',
  });
  const y = loadStudyFile(join(dir, 'a.yaml'));
  t.equal(y.runs.length, 120);
  t.equal(loadStudyFile(join(dir, 'a.json')).studyId, y.studyId);
  t.equal(loadStudyFile(join(dir, 'p.yml')).runs.length, 48);
  const viaFlags = studyFromFlags({ config: join(dir, 'a.yaml'), epochs: '30', seeds: '2' });
  t.equal(viaFlags.runs.length, 24, 'flags override the file');
  t.ok(viaFlags.runs.every((r) => r.epochs === 30));
});

t.test('every bad study file field has its message', async (t) => {
  const dir = t.testdir({});
  const cases: [string, string, string][] = [
    ['n.yaml', 'n: 1\n', 'n: got 1, expected an integer from 2 to 10000'],
    ['list.yaml', 'n: [3, 1]\n', 'n[1]: got 1, expected an integer from 2 to 10000'],
    [
      'empty.yaml',
      'n: []\n',
      'n: got [], expected a value or a non-empty list of values, each an integer from 2 to 10000',
    ],
    [
      'typo.yaml',
      'sizes: [3]\n',
      'sizes: got [3], expected a study field: name, preset, widthRatio, data, n, hidden, dim, target, init, unit, activation, mask, lambda, tau, tauCov, lr, epochs, seed',
    ],
    [
      'preset.yaml',
      'preset: papr\n',
      'preset: got "papr", expected one of paper, tau-sweep, positions, lambda-sweep, dims, iris, architectures, widths',
    ],
    [
      'name.yaml',
      'name: a b\n',
      'name: got "a b", expected a name of 1 to 64 letters, digits, or . _ + -',
    ],
    [
      'range.yaml',
      'seed: 9..3\n',
      'seed: got "9..3", expected a seed, a list of seeds or a range like "0..9"',
    ],
    [
      'mask.yaml',
      'mask: [cov, foo]\n',
      'mask[1]: got "foo", expected one of base, cov, sep, ovl, cov+sep, cov+ovl, sep+ovl, cov+sep+ovl',
    ],
    ['lr.json', '{"lr": 0}', 'lr: got 0, expected a finite number > 0'],
    ['tau.json', '{"tau": [0.1, "x"]}', 'tau[1]: got "x", expected a finite number > 0'],
    ['lambda.yaml', 'lambda: -1\n', 'lambda: got -1, expected a finite number >= 0'],
    ['target.yaml', 'target: cosine\n', 'target: got "cosine", expected one of sine, random'],
    ['init.yaml', 'init: [torch, zeros]\n', 'init[1]: got "zeros", expected one of centers, torch'],
    ['dim.yaml', 'dim: 0\n', 'dim: got 0, expected an integer from 1 to 64'],
    ['hidden.yaml', 'hidden: 1.5\n', 'hidden: got 1.5, expected an integer from 2 to 10000'],
    ['epochs.yaml', 'epochs: 0\n', 'epochs: got 0, expected an integer from 1 to 10000000'],
    ['seed.yaml', 'seed: -1\n', 'seed: got -1, expected an integer from 0 to 4294967295'],
    ['taucov.yaml', 'tauCov: .nan\n', 'tauCov: got NaN, expected a finite number >= 0'],
    [
      'big.yaml',
      'n: [2,3,4,5,6,7,8,9,10,11]\nseed: 0..999999\n',
      'grid: got "10000000 runs", expected at most 1000000 runs',
    ],
  ];
  for (const [file, text, message] of cases) {
    const path = join(dir, file);
    writeFileSync(path, text);
    t.throws(
      () => loadStudyFile(path),
      { name: 'ValidationError', message: `${path}: ${message}` },
      file,
    );
  }
  const whole: [string, string, string][] = [
    [
      'list.yaml',
      '- 3\n- 5\n',
      'got [3,5], expected an object of study fields (name, preset and run fields)',
    ],
    ['bad.yaml', 'n: [3\n', 'expected a valid YAML study file ('],
    ['bad.json', '{"n": ', 'expected a valid JSON study file ('],
  ];
  for (const [file, text, message] of whole) {
    const path = join(dir, file);
    writeFileSync(path, text);
    t.throws(() => loadStudyFile(path), { message: new RegExp(escape(message)) }, file);
  }
  t.chdir(dir);
  t.throws(() => loadStudyFile('bad.json'), {
    message:
      'file: got "bad.json", expected a valid JSON study file (Unexpected end of JSON input)',
  });
  t.throws(() => loadStudyFile('x.txt'), {
    message: 'file: got "x.txt", expected a .json, .yaml or .yml study file',
  });
  t.throws(() => loadStudyFile('none.yaml'), {
    message: 'file: got "none.yaml", expected an existing study file (no such file)',
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

t.test('every bad sweep/merge/export flag has its message', async (t) => {
  const seedsAllowed = 'a count K (seeds 0..K-1), a list like 0,3,5 or a range like 10..19';
  const cases: [string[], string][] = [
    [['sweep', '--sizes', '3,1'], '--sizes: got 1, expected an integer from 2 to 10000'],
    [
      ['sweep', '--sizes', '3,,5'],
      '--sizes: got "3,,5", expected a comma-separated list of values, each an integer from 2 to 10000',
    ],
    [['sweep', '--sizes', 'abc'], '--sizes: got "abc", expected an integer from 2 to 10000'],
    [['sweep', '--hidden', '1'], '--hidden: got 1, expected an integer from 2 to 10000'],
    [['sweep', '--dim', '65'], '--dim: got 65, expected an integer from 1 to 64'],
    [['sweep', '--target', 'sine,cos'], '--target: got "cos", expected one of sine, random'],
    [['sweep', '--init', 'zero'], '--init: got "zero", expected one of centers, torch'],
    [
      ['sweep', '--masks', 'cov,xyz'],
      '--masks: got "xyz", expected one of base, cov, sep, ovl, cov+sep, cov+ovl, sep+ovl, cov+sep+ovl',
    ],
    [['sweep', '--lambda', '-0.1'], '--lambda: got -0.1, expected a finite number >= 0'],
    [['sweep', '--tau', '0'], '--tau: got 0, expected a finite number > 0'],
    [['sweep', '--tau-cov', 'x'], '--tau-cov: got "x", expected a finite number >= 0'],
    [['sweep', '--lr', '0,1'], '--lr: got 0, expected a finite number > 0'],
    [['sweep', '--epochs', '2.5'], '--epochs: got 2.5, expected an integer from 1 to 10000000'],
    [['sweep', '--seeds', '0'], `--seeds: got "0", expected ${seedsAllowed}`],
    [['sweep', '--seeds', 'ten'], `--seeds: got "ten", expected ${seedsAllowed}`],
    [['sweep', '--seeds', '5..2'], `--seeds: got "5..2", expected ${seedsAllowed}`],
    [['sweep', '--seeds', '1,-2'], '--seeds: got -2, expected an integer from 0 to 4294967295'],
    [
      ['sweep', '--dry-run'],
      '--preset: got nothing, expected one of paper, tau-sweep, positions, lambda-sweep, dims, iris, architectures, widths (or --config FILE, or grid flags such as --sizes 3,5,10)',
    ],
    [
      ['sweep', '--preset', 'papers'],
      '--preset: got "papers", expected one of paper, tau-sweep, positions, lambda-sweep, dims, iris, architectures, widths',
    ],
    [
      ['sweep', '--preset', 'paper', '--config', 'a.yaml'],
      '--config: got "a.yaml", expected no --config together with --preset (a study file can say `preset: paper`)',
    ],
    [
      ['sweep', '--sizes', '3', '--name', 'a/b'],
      '--name: got "a/b", expected a name of 1 to 64 letters, digits, or . _ + -',
    ],
    [
      ['sweep', '--preset', 'paper', '--shard', '3/3'],
      '--shard: got "3/3", expected i/n with integers 0 <= i < n (e.g. 0/4)',
    ],
    [
      ['sweep', '--preset', 'paper', '--shard', '1-3'],
      '--shard: got "1-3", expected i/n with integers 0 <= i < n (e.g. 0/4)',
    ],
    [
      ['sweep', '--preset', 'paper', '--workers', '0'],
      '--workers: got 0, expected an integer from 1 to 1024',
    ],
    [
      ['sweep', '--preset', 'paper', '--backend', 'gpu'],
      '--backend: got "gpu", expected one of auto, native, ts',
    ],
    [
      ['sweep', '--preset', 'paper'],
      '--out: got nothing, expected a folder for the study (study.json and runs.jsonl)',
    ],
    [['merge', 'a'], '--out: got nothing, expected a folder for the merged study'],
    [['export', 'a'], 'format: got nothing, expected --csv (the only export format so far)'],
  ];
  for (const [args, message] of cases) {
    const r = await cliInProcess(args);
    t.equal(r.stderr, `error: ${message}\n`, args.join(' '));
    t.equal(r.status, 2, args.join(' '));
  }
  const slurm = await cliInProcess(['sweep', '--preset', 'paper', '--dry-run'], {
    SLURM_ARRAY_TASK_ID: '7',
    SLURM_ARRAY_TASK_COUNT: '4',
  });
  t.equal(
    slurm.stderr,
    'error: SLURM_ARRAY_TASK_ID: got "7", expected MIN + k * STEP with 0 <= k < COUNT (MIN 0, STEP 1, COUNT 4); give --shard i/n to override\n',
  );
  const count = await cliInProcess(['sweep', '--preset', 'paper', '--dry-run'], {
    SLURM_ARRAY_TASK_ID: '0',
    SLURM_ARRAY_TASK_COUNT: 'x',
  });
  t.equal(
    count.stderr,
    'error: SLURM_ARRAY_TASK_COUNT: got "x", expected an integer >= 1 (set by SLURM for an array job)\n',
  );
});
