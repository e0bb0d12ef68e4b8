// The plots: each SVG is well-formed XML with the expected series, labels and legend; the PNG
// renders with its text (the DejaVu fonts are loaded, not taken from the machine).

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Resvg } from '@resvg/resvg-js';
import t from 'tap';
import { MASKS, maskTerms } from '../src/config.js';
import { findSweep, mainSlice } from '../src/analysis/cells.js';
import {
  compileVega,
  positionsSpec,
  rasterize,
  renderSvg,
  RANDOM_BASELINE_LABEL,
  runPoints,
  sizeCurveSpec,
  sweepCurveSpec,
  type RunPoint,
} from '../src/render/plots.js';
import { toHtml } from '../src/render/document.js';
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber } from '../src/render/format.js';
import { summaryTables, sweepPoints } from '../src/render/tables.js';
import { fabricate } from './helpers/report-records.js';
import { recordWithScorecard } from '../src/eval/scorecard.js';

const paper = fabricate({
  masks: MASKS,
  sizes: [3, 10, 100],
  seeds: 4,
  metrics: (c, u) => ({
    recon: (maskTerms(c.mask).cov ? 0.01 : 0.05) * (1 + u),
    spec: 0.5 + 0.1 * u,
    outside: maskTerms(c.mask).ovl ? 0.3 : 0,
  }),
  // overlap masks: every 4th prototype pushed to 1.5 (outside [min x, max x] within [-1, 1]), one far out at 40
  prototypes: (c, x) =>
    x.map((v, i) => (maskTerms(c.mask).ovl ? (i === 0 ? 40 : i % 4 === 0 ? 1.5 : v) : v)),
});
const sweep = fabricate({
  masks: ['sep', 'cov+sep'],
  sizes: [20, 100],
  seeds: 3,
  taus: [1e-4, 1e-2, 1],
  metrics: (c, u) => ({ recon: 0.01 + u, outside: c.tau }),
});

/** Every text node of a parsed SVG (vega writes labels as <text> elements). */
function texts(svg: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown, inText: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inText));
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '#text' && inText) out.push(String(v));
        else if (k !== ':@') walk(v, inText || k === 'text' || k === 'tspan');
      }
    }
  };
  walk(new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(svg), false);
  return out;
}

/** The line series drawn: vega puts each in its own line-mark group, its path labelled `series: name`. */
const lineSeries = (svg: string): string[] =>
  [
    ...svg.matchAll(
      /<g class="mark-line role-mark[^"]*"[^>]*><path aria-label="[^"]*series: ([^";]+)"/g,
    ),
  ].map((m) => m[1]);

t.test('metric vs N plots: well-formed, one series per mask, labelled', async (t) => {
  const tables = summaryTables(mainSlice(paper)!);
  for (const metric of ['recon', 'spec', 'outside', 'fit'] as const) {
    const svg = await renderSvg(sizeCurveSpec(tables, metric));
    t.equal(XMLValidator.validate(svg), true, `${metric}: well-formed XML`);
    t.doesNotThrow(() => new Resvg(svg), 'resvg parses it too');
    const words = texts(svg);
    t.ok(words.includes('N = H (log scale)'), 'x axis title');
    t.ok(
      words.some((w) => w.startsWith(metric)),
      'y axis title',
    );
    t.ok(words.includes('mask'), 'legend title');
    for (const m of MASKS) t.ok(words.includes(m), `legend entry ${m}`);
    for (const n of ['3', '10', '100']) t.ok(words.includes(n), `x tick ${n}`);
    t.same(lineSeries(svg), [...MASKS], 'one line per mask');
  }
  const recon = texts(await renderSvg(sizeCurveSpec(tables, 'recon')));
  t.ok(recon.includes('recon (log scale)'));
  t.ok(recon.includes('0.01'), 'log axis ticks at decades');
});

t.test('sweep plots: a panel per N, a series per mask, log axis of the swept field', async (t) => {
  const points = sweepPoints(findSweep(sweep, 'tau')!);
  for (const metric of ['outside', 'recon', 'spec'] as const) {
    const svg = await renderSvg(sweepCurveSpec('tau', points, metric));
    t.equal(XMLValidator.validate(svg), true);
    const words = texts(svg);
    t.ok(words.includes('tau (log scale)'));
    for (const w of ['sep', 'cov+sep', 'N = 20', 'N = 100', '0.0001', '0.01', '1'])
      t.ok(words.includes(w), w);
    t.same(
      lineSeries(svg).sort(),
      ['cov+sep, N=100', 'cov+sep, N=20', 'sep, N=100', 'sep, N=20'],
      'sep and cov+sep at N = 20 and N = 100',
    );
  }
  // a lambda sweep: base ignores lambda, so it is one run per N and seed, drawn flat at every lambda
  const lambda = fabricate({
    masks: ['base', 'cov', 'cov+ovl'],
    sizes: [10, 50],
    seeds: 3,
    lambdas: [0.01, 0.1, 1],
    metrics: (c, u) => ({ recon: 0.01 * (1 + u) * (c.mask === 'base' ? 5 : 1 / c.lambda) }),
  });
  t.equal(lambda.length, 2 * 3 * (1 + 2 * 3), 'base once per N and seed');
  const found = findSweep(lambda, 'lambda')!;
  t.same(found.values, [0.01, 0.1, 1]);
  const svg = await renderSvg(sweepCurveSpec('lambda', sweepPoints(found), 'recon'));
  t.ok(texts(svg).includes('lambda (log scale)'));
  t.same(lineSeries(svg).sort(), [
    'base, N=10',
    'base, N=50',
    'cov+ovl, N=10',
    'cov+ovl, N=50',
    'cov, N=10',
    'cov, N=50',
  ]);
});

t.test('prototype positions: inputs, prototypes, hull and expelled marked per mask', async (t) => {
  const { spec, rows } = positionsSpec(paper, 100);
  t.same(
    rows.map((r) => r.mask),
    [...MASKS],
  );
  for (const r of rows) {
    t.equal(r.seed, 0);
    t.equal(r.prototypes.length, 100);
    // 25 of 100 prototypes moved (i % 4 === 0): 24 to 1.5 and one to 40
    t.equal(r.expelled, maskTerms(r.mask).ovl ? 25 : 0, `${r.mask} expelled`);
    t.equal(r.clipped, maskTerms(r.mask).ovl ? 1 : 0, `${r.mask} beyond the axis`);
  }
  const svg = await renderSvg(spec);
  t.equal(XMLValidator.validate(svg), true);
  const words = texts(svg);
  for (const w of [
    'Prototype positions at N = 100',
    'training input',
    'prototype (inside hull)',
    'prototype (expelled)',
    'convex hull of inputs',
    ...MASKS,
  ]) {
    t.ok(words.includes(w), w);
  }
  // symbols: 8 masks x (100 inputs + 100 prototypes), one path each
  const symbols = /<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/
    .exec(svg)![1]
    .match(/<path/g)!.length;
  t.equal(symbols, 8 * 200);
});

/** Dark pixels (any channel below 128) in rows [y0, y1) of a raster. */
function darkPixels(r: { width: number; pixels: Buffer }, y0: number, y1: number): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < r.width; x++) {
      const i = 4 * (y * r.width + x);
      if (r.pixels[i] < 128 || r.pixels[i + 1] < 128 || r.pixels[i + 2] < 128) count++;
    }
  }
  return count;
}

t.test('PNG renders, with its text', async (t) => {
  const svg = await renderSvg(sizeCurveSpec(summaryTables(mainSlice(paper)!), 'recon'));
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  const raster = rasterize(svg, 2);
  t.same(
    [...raster.png.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    'PNG signature',
  );
  t.equal(raster.width, 2 * width);
  // the title sits in the top band, above the plot area: ink there is text and nothing else
  const band = 2 * 24;
  const withText = darkPixels(raster, 0, band);
  const withoutText = darkPixels(rasterize(svg.replace(/<text[\s\S]*?<\/text>/g, ''), 2), 0, band);
  t.ok(withText > 500, `title drawn: ${withText} dark pixels`);
  t.equal(withoutText, 0, 'no ink in the band without text');
  // and the text comes from the fonts rasterize loads: with no font at all, resvg draws none
  const noFonts = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: false, fontFiles: [] },
  }).render();
  t.equal(
    darkPixels({ width: noFonts.width, pixels: noFonts.pixels }, 0, band),
    0,
    'without fonts the title is lost',
  );
  // the whole picture: removing text removes a lot of ink (axis labels, legend, titles)
  const all = (r: typeof raster) => darkPixels(r, 0, r.pixels.length / 4 / r.width);
  t.ok(
    all(raster) - all(rasterize(svg.replace(/<text[\s\S]*?<\/text>/g, ''), 2)) > 3000,
    'labels and legend drawn',
  );
});

/** The layers of a spec, faceted or not. */
const layers = (
  spec: TopLevelSpec,
): { transform?: { filter: string }[]; encoding?: { tooltip?: { title: string }[] } }[] => {
  const s = spec as unknown as { layer?: unknown[]; spec?: { layer: unknown[] } };
  return (s.layer ?? s.spec!.layer) as ReturnType<typeof layers>;
};
/** The tooltip fields (titles) of every layer that has them. */
const tooltipTitles = (spec: TopLevelSpec): string[][] =>
  layers(spec)
    .filter((l) => l.encoding?.tooltip)
    .map((l) => l.encoding!.tooltip!.map((f) => f.title));
type Datum = RunPoint & { kind: string; interval?: string; mean?: number };
const data = (spec: TopLevelSpec): Datum[] =>
  (spec as unknown as { data: { values: Datum[] } }).data.values;

t.test(
  'report.html specs: tooltips on points; with the runs, one point per run naming its id and seed',
  async (t) => {
    const slice = mainSlice(paper)!;
    const tables = summaryTables(slice);
    const still = sizeCurveSpec(tables, 'recon');
    const live = sizeCurveSpec(tables, 'recon', slice.records);
    t.same(
      tooltipTitles(still),
      [['series', 'N = H (log scale)', 'mean', '95% interval', 'runs']],
      'means: their numbers',
    );
    const cell = tables.cells.find((c) => c.mask === 'cov' && c.n === 10)!;
    t.equal(
      data(still).find((d) => d.mask === 'cov' && d.x === 10)!.interval,
      `[${formatNumber(cell.stats.recon.ciLow)}, ${formatNumber(cell.stats.recon.ciHigh)}]`,
      'the interval as computed, also where the log axis cuts the bar',
    );
    t.same(
      tooltipTitles(live)[0],
      ['run id', 'seed', 'mask', 'N = H (log scale)', 'recon (log scale)'],
      'runs: id, seed, value',
    );
    const runs = data(live).filter((d) => d.kind === 'run');
    t.equal(runs.length, slice.records.length, 'one point per run');
    const first = slice.records[0];
    t.same(runs[0], {
      series: first.config.mask,
      mask: first.config.mask,
      x: first.config.n,
      value: first.metrics.recon,
      seed: first.config.seed,
      id: first.id,
      n: first.config.n,
      kind: 'run',
    });
    t.ok(
      layers(live).every((l) => l.transform?.[0].filter.startsWith('datum.kind')),
      'each layer draws its own kind of datum',
    );
    t.notOk(
      data(still).some((d) => d.kind === 'run'),
      'the static picture (SVG, PNG) has no runs',
    );
    t.equal(
      runPoints(
        [{ ...first, metrics: { ...first.metrics, recon: null } }],
        'recon',
        (r) => r.config.n,
        (r) => r.config.mask,
      ).length,
      0,
      'a run without a value has no point',
    );

    const tau = findSweep(sweep, 'tau')!;
    const tauLive = sweepCurveSpec('tau', sweepPoints(tau), 'outside', tau);
    t.same(
      tooltipTitles(tauLive)[0],
      ['run id', 'seed', 'mask', 'tau (log scale)', 'outside'],
      'sweep runs: id, seed, value',
    );
    const tauRuns = data(tauLive).filter((d) => d.kind === 'run');
    t.equal(
      tauRuns.length,
      tau.series.reduce(
        (a, s) =>
          a +
          s.values.reduce(
            (b, v) =>
              b +
              tau.slices[tau.values.indexOf(v)].records.filter(
                (r) => r.config.mask === s.mask && r.config.n === s.n,
              ).length,
            0,
          ),
        0,
      ),
      'one point per run at each value it counts for',
    );
    t.ok(
      tauRuns.every((d) => d.n !== undefined),
      'each in its panel (N)',
    );
    const { spec } = positionsSpec(paper, 100);
    for (const fields of tooltipTitles(spec))
      t.same(fields.slice(-3), ['mask', 'seed', 'run id'], 'positions: each mark names its run');
    const compiled = (await compileVega(tauLive)) as { $schema: string };
    t.match(compiled.$schema, /vega\/v\d/, 'compiled to Vega for the page');
  },
);

t.test('report.html: figure specs and the runtime cannot close their <script> early', async (t) => {
  const figure = {
    kind: 'figure' as const,
    file: 'plots/a.svg',
    svg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    caption: 'a',
    vega: { description: '</script><b>' },
  };
  const html = toHtml([figure], 'x', { vegaRuntime: 'var vega = "</script>";' });
  t.equal(html.match(/<\/script>/g)!.length, 3, 'only the three script elements close');
  t.match(html, '{"description":"\\u003c/script>\\u003cb>"}');
  t.match(html, 'var vega = "<\\/script>";');
  t.notMatch(
    toHtml([figure], 'x'),
    /<script/,
    'without a runtime, no script at all (the static images)',
  );
});

t.test('recon vs N: the random baseline as a dashed reference line with its legend', async (t) => {
  const slice = mainSlice(paper.map(recordWithScorecard))!;
  const tables = summaryTables(slice);
  const spec = sizeCurveSpec(tables, 'recon');
  const base = data(spec).filter((d) => d.kind === 'baseline');
  t.same(
    base.map((d) => d.x),
    [3, 10, 100],
    'one point per N',
  );
  for (const d of base) {
    const seeds = new Map(
      slice.records.filter((r) => r.config.n === d.x).map((r) => [r.config.seed, r]),
    );
    const mean = [...seeds.values()].reduce((a, r) => a + r.metrics.reconRandom!, 0) / seeds.size;
    t.ok(Math.abs((d.value as number) - mean) < 1e-15, `N = ${d.x}: the mean over seeds`);
  }
  const svg = await renderSvg(spec);
  t.equal(XMLValidator.validate(svg), true);
  const words = texts(svg);
  t.ok(words.includes('baseline'), 'its legend title');
  t.ok(words.includes(RANDOM_BASELINE_LABEL), 'its legend entry');
  t.match(words.join(' '), /dashed: random prototypes \(chance\)/, 'the subtitle says so');
  t.match(svg, /stroke-dasharray="6,4"/, 'drawn dashed');
  t.same(lineSeries(svg), [...MASKS], 'the masks still one line each');
  // every mean's layer ignores the baseline's rows
  t.ok(layers(spec).every((l) => l.transform?.[0].filter.startsWith('datum.kind')));
  // no baseline for other metrics, nor for records without a scorecard
  t.notOk(data(sizeCurveSpec(tables, 'spec')).some((d) => d.kind === 'baseline'));
  t.notOk(
    data(sizeCurveSpec(summaryTables(mainSlice(paper)!), 'recon')).some(
      (d) => d.kind === 'baseline',
    ),
  );
  // panels: each panel its own baseline
  const panelled = sizeCurveSpec(
    [
      { label: 'd = 1', tables },
      { label: 'd = 2', tables },
    ],
    'recon',
  );
  t.same(
    data(panelled)
      .filter((d) => d.kind === 'baseline')
      .map((d) => d.panel),
    ['d = 1', 'd = 1', 'd = 1', 'd = 2', 'd = 2', 'd = 2'],
  );
});
