// Datasets in run configs and studies: named datasets (uniform, gaussian-blobs, moons, iris) and
// data files; what they fix of a run (N, d, y); run ids (unchanged for uniform, by content for
// files); grids over datasets; the dims and iris presets; study files; a changed file refused.

import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { canonicalConfig, resolveConfig, runId, type RunConfig } from '../src/config.js';
import { makeDataset } from '../src/data.js';
import { dataFile, IRIS_COLUMNS } from '../src/datasets/index.js';
import { loadStudyFile, resolveStudy, runStudy } from '../src/study/index.js';
import { readStudyFile } from '../src/study/store.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

t.test('uniform runs keep the ids they had before datasets existed', async (t) => {
  const config = resolveConfig({ n: 20, mask: 'cov+sep', seed: 3 });
  t.equal(config.data, 'uniform');
  // the fields of 0.1.0's configs: no data, unit or activation (defaults do not enter the id)
  const { data: _, unit: _u, activation: _a, ...before } = canonicalConfig(config);
  t.equal(runId(config), sha(JSON.stringify(before)).slice(0, 16));
  t.not(
    runId(resolveConfig({ data: 'gaussian-blobs', n: 20, mask: 'cov+sep', seed: 3 })),
    runId(config),
  );
});

t.test('data files: N and d from the file; the id follows the content, not the path', async (t) => {
  const dir = t.testdir({ 'a.csv': 'x1,x2,x3,y\n1,2,3,4\n5,6,7,8\n9,1,2,3\n' });
  const a = dataFile(join(dir, 'a.csv'));
  copyFileSync(join(dir, 'a.csv'), join(dir, 'b.csv'));
  const b = dataFile(join(dir, 'b.csv'));
  const config = resolveConfig({ data: a, mask: 'cov' });
  t.same([config.n, config.hidden, config.dim], [3, 3, 3]);
  t.equal(
    runId(resolveConfig({ data: b, mask: 'cov' })),
    runId(config),
    'the same bytes elsewhere: the same run',
  );
  t.not(
    runId(resolveConfig({ data: { ...a, scale: 'none' }, mask: 'cov' })),
    runId(config),
    'another scaling: another run',
  );
  t.not(runId(resolveConfig({ data: a, mask: 'cov', hidden: 5 })), runId(config));
  writeFileSync(join(dir, 'b.csv'), 'x1,x2,x3,y\n1,2,3,4\n5,6,7,8\n9,1,2,4\n');
  t.not(
    runId(resolveConfig({ data: dataFile(join(dir, 'b.csv')), mask: 'cov' })),
    runId(config),
    'other content: another run',
  );
  t.throws(() => resolveConfig({ data: a, n: 4 }), {
    message: `n: got 4, expected 3 or nothing (file ${join(dir, 'a.csv')} has 3 rows)`,
  });
  t.throws(() => resolveConfig({ data: { ...a, sha256: 'abc' } }), {
    message:
      /^data: got an object, expected one of uniform, gaussian-blobs, moons, iris, or a data file read by dataFile\(\)$/,
  });
  t.throws(() => resolveConfig({ data: 'my.csv' }), {
    message:
      'data: got "my.csv", expected one of uniform, gaussian-blobs, moons, iris, or a data file read by dataFile()',
  });
});

t.test('named datasets: shapes, seeds, iris as the package ships it', async (t) => {
  const blobs = makeDataset(resolveConfig({ data: 'gaussian-blobs', n: 30, dim: 3, seed: 1 }));
  t.equal(blobs.x.length, 90);
  t.same(
    blobs,
    makeDataset(resolveConfig({ data: 'gaussian-blobs', n: 30, dim: 3, seed: 1 })),
    'the seed fixes the data',
  );
  t.notSame(blobs, makeDataset(resolveConfig({ data: 'gaussian-blobs', n: 30, dim: 3, seed: 2 })));
  const moonsConfig = resolveConfig({ data: 'moons', n: 200 });
  t.equal(moonsConfig.dim, 2, 'moons is 2-D');
  const moons = makeDataset(moonsConfig);
  const us = Array.from(moons.x).filter((_, i) => i % 2 === 0);
  const vs = Array.from(moons.x).filter((_, i) => i % 2 === 1);
  t.ok(
    Math.max(...us.map(Math.abs)) < 1.4 && Math.max(...vs.map(Math.abs)) < 0.9,
    'about [-1, 1] x [-0.5, 0.5]',
  );
  const iris = resolveConfig({ data: 'iris', mask: 'ovl', seed: 4 });
  t.same([iris.n, iris.hidden, iris.dim, iris.target], [150, 150, 4, 'sine']);
  const data = makeDataset(iris);
  t.same(
    makeDataset(resolveConfig({ data: 'iris', seed: 9 })),
    data,
    'real data: the same for every seed',
  );
  // row 0: 5.1, 3.5, 1.4, 0.2 (setosa); columns' ranges 4.3-7.9, 2.0-4.4, 1.0-6.9, 0.1-2.5
  const expected = [(5.1 - 6.1) / 1.8, (3.5 - 3.2) / 1.2, (1.4 - 3.95) / 2.95, (0.2 - 1.3) / 1.2];
  expected.forEach((v, k) =>
    t.ok(Math.abs(data.x[k] - v) < 1e-12, `${IRIS_COLUMNS[k]}: ${data.x[k]} vs ${v}`),
  );
  t.same([data.y[0], data.y[50], data.y[149]], [-1, 0, 1], 'setosa, versicolor, virginica');
  t.ok(
    Math.abs(Math.min(...data.x) + 1) < 1e-15 && Math.abs(Math.max(...data.x) - 1) < 1e-15,
    'minmax: every column spans [-1, 1]',
  );
});

t.test('grids over datasets: N, d and target apply where the data does not fix them', async (t) => {
  const study = resolveStudy({
    data: ['iris', 'uniform'],
    n: [10, 20],
    target: ['sine', 'random'],
    mask: 'base',
  });
  const shapes = study.runs.map((r) => `${r.data}:${r.n}:${r.dim}:${r.target}`);
  t.same(
    shapes,
    [
      'uniform:10:1:sine',
      'uniform:10:1:random',
      'uniform:20:1:sine',
      'uniform:20:1:random',
      'iris:150:4:sine',
    ],
    'iris once, the uniform runs crossed',
  );
  t.equal(new Set(study.ids).size, study.ids.length);
  const dims = resolveStudy('dims');
  t.equal(dims.runs.length, 1280);
  const paper = new Set(resolveStudy('paper').ids);
  t.equal(
    dims.runs.filter((r, i) => r.dim === 1 && paper.has(dims.ids[i])).length,
    320,
    "its d = 1 runs are the paper study's",
  );
  const irisStudy = resolveStudy('iris');
  t.equal(irisStudy.runs.length, 80);
  t.ok(irisStudy.runs.every((r: RunConfig) => r.data === 'iris' && r.n === 150 && r.dim === 4));
});

t.test('study files name datasets and files; a changed file stops the resumed study', async (t) => {
  const dir = t.testdir({
    'd.csv': 'x1,x2,y\n0,0,1\n1,0,2\n0,1,3\n0.2,0.2,0\n',
    'ok.yaml': 'data: [moons, d.csv, {file: d.csv, scale: none}]\nmask: [base, ovl]\nepochs: 5\n',
    'bad.yaml': 'data: [{file: d.csv, columns: 2}]\n',
    'stale.yaml':
      'data: [{file: d.csv, sha256: "0000000000000000000000000000000000000000000000000000000000000000"}]\n',
    'missing.yaml': 'data: nope.csv\n',
  });
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const study = loadStudyFile('ok.yaml');
  t.same(
    study.runs.map((r) => (typeof r.data === 'object' ? `${r.data.file}/${r.data.scale}` : r.data)),
    ['moons', 'moons', 'd.csv/minmax', 'd.csv/minmax', 'd.csv/none', 'd.csv/none'],
  );
  t.throws(() => loadStudyFile('bad.yaml'), {
    message:
      'bad.yaml: data[0].columns: got 2, expected a data entry field: file, xCols, yCol, scale',
  });
  t.throws(() => loadStudyFile('missing.yaml'), {
    message: 'missing.yaml: data: got "nope.csv", expected an existing data file (no such file)',
  });
  t.throws(() => loadStudyFile('stale.yaml'), {
    message:
      /^data file d\.csv: got "content with sha256 [0-9a-f]{16}\.\.\.", expected the content it had when the runs were made \(sha256 0000000000000000\.\.\.\): the file has changed since; restore it, or drop sha256 from the entry to use the new content$/,
  });

  const files = resolveStudy({ data: [dataFile('d.csv')], mask: 'base', epochs: 5, seed: [0, 1] });
  await runStudy(files, { out: 'study', backend: 'ts', workers: 1 });
  const before = readFileSync('study/runs.jsonl', 'utf8');
  t.equal(before.trim().split('\n').length, 2);
  t.same(
    readStudyFile('study')?.studyId,
    files.studyId,
    'study.json re-read without the file: its reference holds the hash',
  );
  writeFileSync('d.csv', 'x1,x2,y\n0,0,1\n1,0,2\n0,1,3\n0.2,0.2,9\n');
  const changed = resolveStudy({
    data: [dataFile('d.csv')],
    mask: 'base',
    epochs: 5,
    seed: [0, 1],
  });
  await t.rejects(runStudy(changed, { out: 'study', backend: 'ts' }), {
    message:
      /^out: got "study", expected a folder holding this study; it holds the same study made on other content of data file d\.csv \(sha256 [0-9a-f]{16}\.\.\. then, [0-9a-f]{16}\.\.\. now\): the file has changed since the study started; restore it to resume, or choose another `out` for the new content$/,
  });
  t.equal(readFileSync('study/runs.jsonl', 'utf8'), before, 'nothing written on refusal');
});

t.test('records written before the data field read back as uniform', async (t) => {
  const dir = t.testdir({});
  const out = join(dir, 'old');
  await runStudy(resolveStudy({ n: 3, mask: 'base', epochs: 3 }), {
    out,
    backend: 'ts',
    workers: 1,
  });
  const line = JSON.parse(readFileSync(join(out, 'runs.jsonl'), 'utf8'));
  delete line.config.data;
  writeFileSync(join(out, 'runs.jsonl'), `${JSON.stringify(line)}\n`);
  const { records } = await import('../src/study/index.js').then((m) => m.readStudy(out));
  t.equal(records.length, 1, 'the old id is still the id of its config');
  t.equal(records[0].config.data, 'uniform');
});
