// Other architectures (SPEC §1b): the run fields `unit` and `activation`, their ids, the radial
// initial parameters from the ridge draw, radial records (P and s), --init-from, and which backend
// trains them. The formulas themselves are held to the golden values (conformance, eval-metrics)
// and to finite differences (model-gradients).

import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig, runId } from '../src/config.js';
import { makeDataset, makeInitialParams } from '../src/data.js';
import { prototypes } from '../src/eval/prototypes.js';
import { phi, preActivation } from '../src/model/activation.js';
import { dataFromJson, paramsFromJson, type RadialParamsJson } from '../src/record.js';
import { computeTerms } from '../src/model/losses.js';
import { loadNative } from '../src/backend/native.js';
import { trainRun } from '../src/train.js';
import { resolveStudy } from '../src/study/index.js';
import { cli } from './helpers/cli.js';

t.test('unit and activation count in a run id only when not the default', async (t) => {
  const base = resolveConfig({ n: 10, mask: 'cov' });
  t.equal(
    runId(resolveConfig({ n: 10, mask: 'cov', unit: 'ridge', activation: 'gaussian' })),
    runId(base),
  );
  const ids = new Set(
    (['gaussian', 'cauchy', 'laplace'] as const).flatMap((activation) =>
      (['ridge', 'radial'] as const).map((unit) =>
        runId(resolveConfig({ n: 10, mask: 'cov', unit, activation })),
      ),
    ),
  );
  t.equal(ids.size, 6, 'six neurons, six ids');
  t.equal(resolveStudy('paper').studyId, '50f61c1ad8d10848', "the paper study's id has not moved");
});

t.test('radial initial parameters come from the ridge draw', async (t) => {
  for (const dim of [1, 2, 3]) {
    const ridgeConfig = resolveConfig({ n: 12, dim, seed: 4 });
    const ridge = makeInitialParams(ridgeConfig);
    const radial = makeInitialParams({ ...ridgeConfig, unit: 'radial' });
    t.same(radial.v, ridge.v, `d = ${dim}: v and c are the same draw`);
    t.equal(radial.c, ridge.c);
    for (let j = 0; j < 12; j++) {
      const w = ridge.W.subarray(j * dim, (j + 1) * dim);
      const norm = Math.sqrt(w.reduce((sum, e) => sum + e * e, 0));
      t.equal(radial.b[j], norm, `d = ${dim}: s_${j} = |w_${j}|`);
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += w[k] * radial.W[j * dim + k];
      t.ok(Math.abs(-dot - ridge.b[j]) < 1e-15, `b_${j} = -w_${j} . q_${j} with q_${j} = p_${j}`);
    }
    const torch = { ...ridgeConfig, init: 'torch' as const };
    const torchRadial = makeInitialParams({ ...torch, unit: 'radial' });
    t.same(
      torchRadial.W,
      prototypes(makeInitialParams(torch), dim),
      'torch: p_j = the ridge prototype',
    );
  }
  // in 1-D the untrained networks are the same function (up to rounding)
  const config = resolveConfig({ n: 30, seed: 2 });
  const data = makeDataset(config);
  const ridge = makeInitialParams(config);
  const radial = makeInitialParams({ ...config, unit: 'radial' });
  let worst = 0;
  for (let i = 0; i < 30; i++)
    for (let j = 0; j < 30; j++) {
      const a = phi('gaussian', preActivation('ridge', ridge.W, ridge.b, data.x, i, j, 1));
      const b = phi('gaussian', preActivation('radial', radial.W, radial.b, data.x, i, j, 1));
      worst = Math.max(worst, Math.abs(a - b));
    }
  t.ok(
    worst < 1e-14,
    `1-D: the same h at every sample and neuron (worst ${worst.toExponential(1)})`,
  );
});

t.test('a radial record holds P and s, and re-trains as radial', async (t) => {
  const record = await trainRun({ n: 8, dim: 2, unit: 'radial', activation: 'cauchy', epochs: 30 });
  t.equal(
    record.backend,
    loadNative().binding ? 'native' : 'ts',
    'native trains it where it loads',
  );
  t.same(Object.keys(record.final), ['P', 's', 'v', 'c']);
  const final = record.final as RadialParamsJson;
  t.equal(final.P.length, 8);
  t.equal(final.P[0].length, 2);
  t.same(
    Array.from(prototypes(paramsFromJson(record.final), 2, 'radial')),
    final.P.flat(),
    'its prototypes are its centres',
  );
  const dir = t.testdir({});
  const file = join(dir, 'radial.json');
  writeFileSync(file, JSON.stringify(record));
  const again = cli(['run', '--init-from', file, '--mask', 'ovl', '--epochs', '20', '--json']);
  t.equal(again.status, 0, again.stderr);
  const retrained = JSON.parse(again.stdout) as typeof record;
  t.equal(retrained.config.unit, 'radial');
  t.equal(retrained.config.activation, 'cauchy');
  t.same(retrained.initial, record.initial, 'from the same start');
  const ridge = cli(['run', '--init-from', file, '--unit', 'ridge']);
  t.equal(ridge.status, 2);
  t.match(ridge.stderr, /--unit: got "ridge", expected no value with --init-from/);
});

t.test('bad values: the one message format, exit 2', async (t) => {
  const unit = cli(['run', '--unit', 'ball']);
  t.equal(unit.status, 2);
  t.equal(unit.stderr.trim(), 'error: --unit: got "ball", expected one of ridge, radial');
  const act = cli(['sweep', '--sizes', '5', '--activation', 'relu', '--dry-run']);
  t.equal(act.status, 2);
  t.match(
    act.stderr,
    /--activation(\[0\])?: got "relu", expected one of gaussian, cauchy, laplace/,
  );
});

t.test('which backend trains another neuron: native, under auto and native', async (t) => {
  if (!loadNative().binding) return void t.skip('no native addon here');
  for (const backend of ['auto', 'native'] as const) {
    const record = await trainRun(
      { unit: 'radial', activation: 'cauchy', dim: 2, n: 6, epochs: 20 },
      { backend },
    );
    t.equal(record.backend, 'native', `${backend}: radial cauchy trains natively`);
    t.match(record.numerics, /^native\//);
    // the native evaluator ports the paper's neuron only: this record's terms are TS's
    const terms = computeTerms(
      record.config,
      dataFromJson(record.data),
      paramsFromJson(record.final),
    );
    t.same(
      [record.metrics.fit, record.metrics.cov, record.metrics.sep, record.metrics.ovl],
      [terms.fit, terms.cov, terms.sep, terms.ovl],
      'its terms are the radial cauchy terms of its final parameters',
    );
  }
});

t.test('widths: a grid of H / N ratios', async (t) => {
  const study = resolveStudy({ n: [10, 20], widthRatio: [0.5, 2], mask: 'cov' });
  t.same(
    study.runs.map((r) => [r.n, r.hidden]),
    [
      [10, 5],
      [10, 20],
      [20, 10],
      [20, 40],
    ],
  );
  t.equal(resolveStudy('widths').runs.length, 1280);
  t.throws(() => resolveStudy({ n: [3], widthRatio: 0.5 }), {
    message: 'hidden (widthRatio 0.5 at n = 3): got 1.5, expected an integer from 2 to 10000',
  });
  t.throws(() => resolveStudy({ n: [10], widthRatio: [2], hidden: 5 }), {
    message: /^widthRatio: got \[2\], expected nothing when `hidden` is given/,
  });
  t.throws(() => resolveStudy({ widthRatio: [0] }), {
    message: 'widthRatio[0]: got 0, expected a finite number > 0 (H = ratio * N)',
  });
});

t.test('the report: one panel per neuron and, when a study varies it, per H / N', async (t) => {
  const { trainRuns } = await import('../src/train.js');
  const { panels, slices } = await import('../src/analysis/cells.js');
  const widths = resolveStudy({
    n: [10, 20],
    widthRatio: [0.5, 2],
    mask: ['base', 'cov'],
    epochs: 5,
  });
  const records = await trainRuns(widths.runs, { backend: 'ts' });
  const byWidth = panels(records);
  t.same(
    byWidth.map((p) => [p.key, p.label, p.records.length]),
    [
      ['d1-h0.5n', 'd = 1, H = 0.5N', 4],
      ['d1-h2n', 'd = 1, H = 2N', 4],
    ],
  );
  const [main] = slices(byWidth[0].records);
  t.equal(main.setting.hidden, '0.5N', 'a ratio panel is one slice over every N');
  t.equal(main.records.length, 4);
  const neurons = await trainRuns(
    (['ridge', 'radial'] as const).map((unit) => resolveConfig({ n: 6, unit, epochs: 5 })),
    { backend: 'ts' },
  );
  t.same(
    panels(neurons).map((p) => [p.key, p.label]),
    [
      ['d1', 'd = 1'],
      ['radial-d1', 'radial, d = 1'],
    ],
  );
});
