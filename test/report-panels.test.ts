// Reports over several input dimensions (and datasets): one panel per d, a claims table with a
// column per panel, claims.json per panel, faceted curves and the hull pictures (2-D as drawn, d > 2
// as a labelled projection), on constructed runs whose expulsion differs by d; and sweeps within
// panels: a tau sweep at d = 1 beside a d = 2 panel, a lambda sweep at every d.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  identityConfig,
  MASKS,
  maskTerms,
  resolveConfig,
  runId,
  type Mask,
} from '../src/config.js';
import { outsideHull } from '../src/eval/hull.js';
import { makeDataset } from '../src/data.js';
import type { RunRecord } from '../src/record.js';
import { analyseRecords, buildReport, claimLines, hullPicture } from '../src/report/index.js';
import { sizeCurveSpec } from '../src/render/plots.js';
import { fabricate, lcg } from './helpers/report-records.js';

/**
 * Runs at dimension d on the project's uniform data, whose prototypes are the inputs nudged (and,
 * for overlap masks when `expels`, pushed out by a factor 3), so the exact hull decides `outside`.
 * Prototype p is encoded as w = p, b = -|p|^2 (then -b w / (|w|^2 + eps) = p up to 1e-12). At a
 * lambda other than the default, `base` (which ignores lambda) is left out: it is the run at 0.1.
 */
function records(d: number, expels: boolean, lambda = 0.1): RunRecord[] {
  const out: RunRecord[] = [];
  for (const n of [10, 20]) {
    for (const mask of MASKS) {
      if (mask === 'base' && lambda !== 0.1) continue;
      for (let seed = 0; seed < 6; seed++) {
        const config = identityConfig(
          resolveConfig({ n, dim: d, mask: mask as Mask, seed, epochs: 100, lambda }),
        );
        const data = makeDataset(config);
        const rand = lcg(seed * 31 + n + MASKS.indexOf(mask) * 7 + d * 1000);
        const push = expels && maskTerms(mask).ovl;
        const protos = Float64Array.from(data.x, (v) =>
          push && rand() < 0.5 ? 3 * v : v * (1 - 0.05 * rand()),
        );
        const rows = (flat: Float64Array) =>
          Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, i * d + d)));
        const outside = outsideHull(data.x, protos, n, n, d);
        const noise = rand();
        out.push({
          id: runId(config),
          config,
          data: { x: rows(data.x), y: Array.from(data.y) },
          initial: { W: rows(data.x), b: rows(data.x).map(() => 0), v: new Array(n).fill(0), c: 0 },
          final: {
            W: rows(protos),
            b: rows(protos).map((p) => -p.reduce((s, v) => s + v * v, 0)),
            v: new Array(n).fill(0),
            c: 0,
          },
          metrics: {
            recon: (maskTerms(mask).cov ? 0.1 : 0.2) * (1 + noise) * (push ? 3 : 1),
            spec: 0.5 + (maskTerms(mask).cov ? 0.2 : 0) + 0.01 * noise,
            fit: 0.001 * noise,
            cov: 0,
            sep: 0,
            ovl: 0,
            outside: outside.fraction,
            outsideDist: outside.meanDist,
            outsideBox: 0,
            outsideBoxDist: 0,
            diverged: false,
          },
          backend: 'ts',
          isa: 'js',
          numerics: 'ts/1',
          wallMs: 1,
        });
      }
    }
  }
  return out;
}

const runs = [...records(1, true), ...records(2, true), ...records(3, false)];

t.test('one panel per d, each with its own claims', async (t) => {
  const analysis = analyseRecords(runs);
  t.same(
    analysis.panels.map((p) => [p.panel.key, p.panel.label, p.panel.runs]),
    [
      ['d1', 'd = 1', 96],
      ['d2', 'd = 2', 96],
      ['d3', 'd = 3', 96],
    ],
  );
  const c5 = analysis.panels.map((p) => p.claims.find((c) => c.id === 'C5')!.status);
  t.same(
    c5,
    ['held', 'held', 'not held'],
    'expulsion where the overlap runs were pushed out, not at d = 3',
  );
  t.same(
    claimLines(analysis).find((l) => l.startsWith('C5')),
    'C5: held (d = 1), held (d = 2), not held (d = 3)',
  );
  const single = analyseRecords(records(2, true));
  t.equal(single.panels.length, 1);
  t.same(claimLines(single)[5], 'C5: held', 'one panel: the plain lines');
});

t.test(
  'the report: a column per d, claims.json per panel, faceted curves, hull pictures',
  async (t) => {
    const out = join(t.testdir({}), 'report');
    const { files } = await buildReport(runs, { out, pngScale: 1 });
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    t.match(md, /\| claim \| d = 1 \| d = 2 \| d = 3 \|/);
    t.match(
      md,
      /\| \*\*C5\*\* Overlap expels prototypes[^|]*\| \*\*held\*\* \(4\/4 pairs higher; Δoutside [^)|]+\) \| \*\*held\*\* \([^)|]+\) \| \*\*not held\*\* \(0\/4 pairs higher; [^)|]+\) \|/,
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    t.match(
      html,
      /<td class="not-held" title="0\/4 pairs higher; Δoutside [^"]+"><strong>not held<\/strong><\/td>/,
      'the numbers on hover in HTML',
    );
    for (const label of ['d = 1', 'd = 2', 'd = 3'])
      t.match(
        md,
        `### Claims: ${label}\n\n| claim | status | numbers |`,
        `the full numbers of ${label}`,
      );
    t.match(
      md,
      /\| \*\*C5\*\* Overlap expels[^|]*\| \*\*not held\*\* \| 0 of 4 pairs significantly higher: ovl − base mean /,
    );
    const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
    t.same(
      claims.panels.map((p: { key: string; dim: number; claims: unknown[] }) => [
        p.key,
        p.dim,
        p.claims.length,
      ]),
      [
        ['d1', 1, 7],
        ['d2', 2, 7],
        ['d3', 3, 7],
      ],
    );
    for (const f of [
      'plots/recon-vs-n.svg',
      'plots/outside-vs-n.png',
      'plots/positions-n20-d1.svg',
      'plots/hull-d2-n20.svg',
      'plots/hull-d2-n20.png',
      'plots/hull-d3-n20.svg',
      'tables/outside-d2.csv',
      'tables/recon-d3.md',
    ]) {
      t.ok(files.includes(f) && existsSync(join(out, f)), f);
    }
    const facets = readFileSync(join(out, 'plots/outside-vs-n.svg'), 'utf8');
    for (const label of ['d = 1', 'd = 2', 'd = 3']) t.match(facets, label, `a chart for ${label}`);
    const flat = readFileSync(join(out, 'plots/hull-d2-n20.svg'), 'utf8');
    t.match(flat, /Inputs, their convex hull and the prototypes \(d = 2, N = 20, seed 0\)/);
    t.match(flat, /x1/);
    const projected = readFileSync(join(out, 'plots/hull-d3-n20.svg'), 'utf8');
    t.match(
      projected,
      /Projection onto the first two principal components of the inputs \(d = 3, N = 20, seed 0\)/,
    );
    t.match(projected, /PC1 \(\d+% of variance\)/);
    t.match(
      md,
      /\| ovl \| 0 \| 20 \| \d+ \| 0 \|/,
      "the hull picture's table counts the expelled prototypes of the exact hull",
    );
  },
);

t.test(
  "report.html: the panels' curves with a point per run in its panel, the hull pictures with tooltips",
  async (t) => {
    type Datum = Record<string, unknown>;
    type Spec = {
      data: { values: Datum[] };
      spec: { layer: { encoding: { tooltip?: { title: string }[] } }[] };
    };
    const analysis = analyseRecords(runs);
    const panels = analysis.panels.map((p) => ({
      label: p.panel.label,
      tables: p.tables!,
      records: p.main!.records,
    }));
    const live = sizeCurveSpec(panels, 'outside') as unknown as Spec;
    const points = live.data.values.filter((d) => d.kind === 'run');
    t.equal(
      points.length,
      panels.reduce((a, p) => a + p.records.length, 0),
      'one point per run of every panel',
    );
    const byId = new Map(runs.map((r) => [r.id, r]));
    t.ok(
      points.every((d) => d.panel === `d = ${byId.get(d.id as string)!.config.dim}`),
      'each in the chart of its own panel',
    );
    t.notOk(
      (
        sizeCurveSpec(
          panels.map(({ records: _, ...p }) => p),
          'outside',
        ) as unknown as Spec
      ).data.values.some((d) => d.kind === 'run'),
      'without runs, none (the static picture)',
    );

    for (const d of [2, 3]) {
      const picture = hullPicture(
        runs.filter((r) => r.config.dim === d),
        20,
      )!;
      const spec = picture.spec as unknown as Spec;
      const titles = spec.spec.layer.map((l) => (l.encoding.tooltip ?? []).map((f) => f.title));
      t.same(titles[0], [], `d = ${d}: the hull line has no tooltip`);
      t.same(titles[1].slice(-3), ['mask', 'seed', 'run id'], `d = ${d}: each input names its run`);
      t.same(
        titles[2],
        [
          'mark',
          'where',
          `position (${d === 2 ? 'x1, x2' : 'PC1, PC2'})`,
          `distance to the ${d}-d hull`,
          'mask',
          'seed',
          'run id',
        ],
        `d = ${d}: each prototype its distance to the exact hull`,
      );
      const protos = spec.data.values.filter((v) => String(v.item).startsWith('prototype'));
      const expelled = protos.filter((v) => v.kind === 'prototype (expelled)');
      t.equal(
        expelled.length,
        picture.rows.reduce((a, r) => a + r.expelled, 0),
        `d = ${d}: the expelled as counted`,
      );
      t.ok(
        expelled.every((v) => (v.distance as number) > 0) &&
          protos.every((v) => v.kind === 'prototype (expelled)' || v.distance === 0),
        `d = ${d}: distance > 0 exactly for the expelled`,
      );
    }
    const out = join(t.testdir({}), 'report');
    await buildReport(runs, { out, png: false });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const id of [
      'recon-vs-n',
      'outside-vs-n',
      'positions-n20-d1',
      'hull-d2-n20',
      'hull-d3-n20',
    ]) {
      t.match(
        html,
        new RegExp(
          `<figure class="figure" id="figure-${id}"><div class="figure-view"><img [^>]+></div><script type="application/json" class="figure-spec">`,
        ),
        `${id} drawn live in report.html`,
      );
    }
  },
);

t.test(
  'a tau sweep at d = 1 beside a d = 2 panel: C6 and its grid where the sweep is',
  async (t) => {
    const paper = fabricate({
      masks: MASKS,
      sizes: [10, 20],
      seeds: 6,
      epochs: 100,
      metrics: (c, u) => ({
        recon: (maskTerms(c.mask).cov ? 0.1 : 0.2) * (1 + u),
        outside: 0.1 * u,
      }),
    });
    const taus = fabricate({
      masks: ['sep'],
      sizes: [10, 20],
      seeds: 6,
      epochs: 100,
      taus: [1e-4, 0.01, 1],
      metrics: (c, u) => ({ outside: Math.min(1, c.tau + 0.05 * u) }),
    });
    const analysis = analyseRecords([...paper, ...taus, ...records(2, true)]);
    t.same(
      analysis.panels.map((p) => p.panel.label),
      ['d = 1', 'd = 2'],
    );
    const [d1, d2] = analysis.panels;
    t.same(d1.sweeps.tau!.sweep.values, [1e-4, 0.001, 0.01, 1], 'the paper tau joins the sweep');
    t.equal(d1.claims.find((c) => c.id === 'C6')!.status, 'held');
    t.same(Object.keys(d2.sweeps), [], 'no sweep at d = 2');
    t.equal(d2.claims.find((c) => c.id === 'C6')!.status, 'not testable with these runs');
    t.same(
      d1.sweeps.tau!.grid.rows.find((r) => r.id === 'sep-expels')!.cells.map((c) => c.status),
      ['not held', 'not held', 'not held', 'held'],
    );

    const out = join(t.testdir({}), 'report');
    const { files } = await buildReport([...paper, ...taus, ...records(2, true)], {
      out,
      png: false,
    });
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    t.match(md, '**d = 1** — Tau sweep: ');
    t.match(md, '**d = 2** — No tau sweep among the runs (C6 not testable).');
    t.match(
      md,
      /### Claims at each tau \(d = 1\)\n\n[^\n]*\n\n\| claim \| tau 0\.0001 \| tau 0\.001 \| tau 0\.01 \| tau 1 \|/,
    );
    t.notMatch(md, /Claims at each tau \(d = 2\)/);
    for (const f of [
      'plots/tau-outside-d1.svg',
      'plots/tau-recon-d1.svg',
      'tables/tau-sweep-d1.csv',
      'plots/hull-d2-n20.svg',
    ])
      t.ok(files.includes(f), f);
    t.notOk(
      files.some((f) => /tau-.*-d2/.test(f)),
      'nothing of a tau sweep at d = 2',
    );
    const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
    t.same(
      claims.panels.map((p: { grids: object }) => Object.keys(p.grids)),
      [['tau'], []],
    );
    t.same(claims.panels[0].grids.tau.values, [1e-4, 0.001, 0.01, 1]);
  },
);

t.test('a lambda sweep at every d: a claims x lambda grid per panel', async (t) => {
  // overlap expels at lambda 0.01 and 0.1, not at 1, in both panels
  const lambdaRuns = [0.01, 0.1, 1].flatMap((lambda) =>
    [1, 2].flatMap((d) => records(d, lambda !== 1, lambda)),
  );
  t.equal(lambdaRuns.length, 2 * (2 * 6 + 3 * 7 * 2 * 6), 'base once per d, N and seed');
  const analysis = analyseRecords(lambdaRuns);
  t.same(
    analysis.panels.map((p) => p.panel.label),
    ['d = 1', 'd = 2'],
  );
  for (const p of analysis.panels) {
    const grid = p.sweeps.lambda!.grid;
    t.same(grid.values, [0.01, 0.1, 1], `${p.panel.label}: the lambdas`);
    t.same(
      grid.rows.find((r) => r.id === 'C5')!.cells.map((c) => c.status),
      ['held', 'held', 'not held'],
      `${p.panel.label}: C5 per lambda`,
    );
    t.equal(
      p.main!.setting.lambda,
      0.1,
      `${p.panel.label}: the main setting at the default lambda`,
    );
    t.equal(
      p.main!.records.filter((r) => r.config.mask === 'base').length,
      12,
      'the base runs in the main slice',
    );
  }
  const out = join(t.testdir({}), 'report');
  const { files } = await buildReport(lambdaRuns, { out, png: false });
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  for (const label of ['d = 1', 'd = 2']) {
    t.match(
      md,
      new RegExp(
        `### Claims at each lambda \\(${label}\\)\\n\\n[^\\n]*\\n\\n\\| claim \\| lambda 0\\.01 \\| lambda 0\\.1 \\| lambda 1 \\|`,
      ),
    );
    t.match(md, `### Lambda sweep (${label})`);
  }
  for (const f of [
    'plots/lambda-recon-d1.svg',
    'plots/lambda-outside-d2.svg',
    'tables/lambda-sweep-d1.csv',
    'tables/lambda-sweep-d2.md',
  ])
    t.ok(files.includes(f), f);
  const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
  t.same(
    claims.panels.map((p: { grids: { lambda: { values: number[] } } }) => p.grids.lambda.values),
    [
      [0.01, 0.1, 1],
      [0.01, 0.1, 1],
    ],
  );
});
