// The report's plots: Vega-Lite specs built from the tables, rendered to SVG by Vega in Node
// (renderer 'none', no canvas needed) and to PNG by resvg with the DejaVu fonts loaded from the
// dejavu-fonts-ttf package, so PNG text never depends on the fonts of the machine. The same specs,
// compiled to Vega, are drawn live in report.html (tooltips; curves add one point per run there).

import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { MASKS, type Mask } from '../config.js';
import { recordPrototypes } from '../eval/prototypes.js';
import type { RunRecord } from '../record.js';
import {
  cellRecords,
  LOWER_IS_BETTER,
  METRIC_LABELS,
  metricValue,
  type ReportMetric,
  type Sweep,
  type SweepField,
} from '../analysis/cells.js';
import { formatNumber } from './format.js';
import { type SummaryTables, type SweepMetric, type SweepPoint } from './tables.js';

/** The font family every plot names; the same family is loaded into resvg for PNGs. */
export const PLOT_FONT = 'DejaVu Sans';

/** One color per mask, fixed by the mask's canonical index, so a mask looks the same everywhere. */
const MASK_COLORS = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#9d755d',
  '#eeca3b',
];
const maskColorScale = (masks: readonly Mask[]) => ({
  domain: [...masks],
  range: masks.map((m) => MASK_COLORS[MASKS.indexOf(m)]),
});

const BASE_CONFIG = {
  font: PLOT_FONT,
  background: 'white',
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 13, labelLimit: 320 },
  title: { fontSize: 15 },
};

/**
 * A Vega-Lite spec compiled to a Vega spec with the report's look (what report.html draws live).
 * Async because vega-lite is loaded on first use: it imports vega, whose canvas module has a
 * top-level await, which `require('protomlp/report')` could not load.
 */
export async function compileVega(spec: TopLevelSpec): Promise<vega.Spec> {
  const { compile } = await import('vega-lite');
  return compile({ config: BASE_CONFIG, ...spec } as TopLevelSpec).spec;
}

/** The browser build of the Vega runtime (one self-contained script), which report.html inlines. */
export function vegaRuntimeFile(): string {
  // vega's package exports only its module entry; the UMD build sits beside it
  return path.join(path.dirname(createRequire(import.meta.url).resolve('vega')), 'vega.min.js');
}

/**
 * Renders a Vega-Lite spec to an SVG string (headless Vega, no canvas).
 *
 * @example
 * ```ts
 * const svg = await renderSvg({ data: { values: [{ a: 1, b: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } });
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return renderCompiledSvg(await compileVega(spec));
}

/** {@link renderSvg} of a spec already compiled to Vega (vega.parse leaves it as it is). */
export async function renderCompiledSvg(compiled: vega.Spec): Promise<string> {
  const { View, parse } = await import('vega');
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The TTF files loaded into resvg: DejaVu Sans regular and bold (vega titles are bold). */
export function fontFiles(): string[] {
  const dir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
    'ttf',
  );
  return [path.join(dir, 'DejaVuSans.ttf'), path.join(dir, 'DejaVuSans-Bold.ttf')];
}

/** A rasterized plot: the PNG file and its raw RGBA pixels. */
export interface Raster {
  png: Buffer;
  width: number;
  height: number;
  /** RGBA, row-major, 4 bytes a pixel */
  pixels: Buffer;
}

/**
 * Rasterizes an SVG with resvg, with the DejaVu fonts loaded and system fonts ignored (the output
 * is the same on every machine). `scale` multiplies the SVG's size (default 2).
 */
export function rasterize(svg: string, scale = 2): Raster {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: fontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: PLOT_FONT,
      sansSerifFamily: PLOT_FONT,
    },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height, pixels: image.pixels };
}

/** {@link rasterize}, the PNG only. */
export function svgToPng(svg: string, scale = 2): Buffer {
  return rasterize(svg, scale).png;
}

interface SeriesPoint {
  series: string;
  /** the chart of a faceted curve: a panel (dataset and d) or N */
  panel?: string;
  n?: number;
  mask: Mask;
  x: number;
  mean: number;
  lo: number | null;
  hi: number | null;
  /** runs with a finite value behind the mean */
  runs: number;
}

/** One run behind a curve's point: what its tooltip shows in report.html. */
export interface RunPoint {
  series: string;
  mask: Mask;
  x: number;
  value: number;
  seed: number;
  id: string;
  /** the chart of a faceted curve: N, and the panel (dataset and d) where the curve has panels */
  n: number;
  panel?: string;
}

/**
 * One {@link RunPoint} per run of `records` with a finite `metric`, at `x(record)`, in the series
 * `series(record)`.
 */
export function runPoints(
  records: readonly RunRecord[],
  metric: ReportMetric,
  x: (r: RunRecord) => number,
  series: (r: RunRecord) => string,
): RunPoint[] {
  const points: RunPoint[] = [];
  for (const r of records) {
    const value = metricValue(r, metric);
    if (value === null) continue;
    points.push({
      series: series(r),
      mask: r.config.mask,
      x: x(r),
      value,
      seed: r.config.seed,
      id: r.id,
      n: r.config.n,
    });
  }
  return points;
}

/**
 * How a curve is split into charts side by side (three a row): per panel (one dataset at one d,
 * points carry `panel`; a shared y axis, so the panels compare) or per N (points carry `n`; each
 * chart its own y scale, as a metric's range changes with N).
 */
type Facet =
  { field: 'panel'; order: readonly string[] } | { field: 'n'; order: readonly number[] };

/** A reference line of a curve: recon of random prototypes at one N (its panel's, with panels). */
export interface BaselinePoint {
  x: number;
  value: number;
  /** the legend's entry */
  label: string;
  panel?: string;
}

/** The label of the random baseline in a curve's legend. */
export const RANDOM_BASELINE_LABEL = 'random prototypes (mean recon)';

/**
 * The dashed grey reference line under a curve's means (chance: recon of random prototypes), with
 * its own legend (`baseline`) beside the masks' colors.
 */
function baselineLayer(x: object, yScale: object, filter: object): object {
  const labels = [RANDOM_BASELINE_LABEL];
  return {
    ...filter,
    mark: { type: 'line', color: '#555555', strokeWidth: 1.5 },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', scale: yScale },
      strokeDash: {
        field: 'label',
        type: 'nominal',
        title: 'baseline',
        scale: { domain: labels, range: [[6, 4]] },
        legend: { symbolStrokeColor: '#555555', symbolType: 'stroke', symbolSize: 300 },
      },
      tooltip: [
        { field: 'label', title: 'baseline' },
        { field: 'x', title: 'N' },
        { field: 'value', title: 'recon', format: '.4~g' },
      ],
    },
  };
}

/** What {@link curveSpec} draws. */
interface CurveOptions {
  title: string;
  subtitle: string;
  points: SeriesPoint[];
  masks: readonly Mask[];
  xTitle: string;
  yTitle: string;
  logY: boolean;
  xValues?: number[];
  facet?: Facet;
  runs?: RunPoint[];
  baseline?: BaselinePoint[];
}

/** The chart's one data set: the means (interval ends made drawable), the runs, the baseline. */
function curveValues(opts: CurveOptions): object[] {
  const means = opts.points.map((p) => ({
    ...p,
    kind: 'mean',
    // a log axis cannot show an interval end at or below 0: the bar then stops at the mean
    lo: opts.logY && (p.lo === null || p.lo <= 0) ? p.mean : (p.lo ?? p.mean),
    hi: p.hi ?? p.mean,
    // for tooltips: the interval as computed (the bar above may be cut at the mean)
    interval:
      p.lo === null || p.hi === null
        ? 'none (fewer than 2 runs)'
        : `[${formatNumber(p.lo)}, ${formatNumber(p.hi)}]`,
  }));
  return [
    ...means,
    ...(opts.runs ?? []).map((r) => ({ ...r, kind: 'run' })),
    ...(opts.baseline ?? []).map((b) => ({ ...b, kind: 'baseline' })),
  ];
}

/** The layer of one point per run (report.html): faint, with the run's id, seed and value. */
function runsLayer(
  opts: CurveOptions,
  enc: { x: object; yScale: object; color: object },
  only: object,
): object {
  return {
    ...only,
    mark: { type: 'point', filled: true, size: 14 },
    encoding: {
      // faint through an encoding, not the mark's opacity, which the shared legend would take on
      x: enc.x,
      y: { field: 'value', type: 'quantitative', scale: enc.yScale },
      color: enc.color,
      opacity: { value: 0.35 },
      tooltip: [
        { field: 'id', title: 'run id' },
        { field: 'seed', title: 'seed' },
        { field: 'mask', title: 'mask' },
        { field: 'x', title: opts.xTitle },
        { field: 'value', title: opts.yTitle, format: '.4~g' },
      ],
    },
  };
}

/** The layers: baseline, interval bars, lines, the runs (when given), the means' points. */
function curveLayers(opts: CurveOptions): object[] {
  const x = {
    field: 'x',
    type: 'quantitative',
    title: opts.xTitle,
    scale: { type: 'log', nice: false, padding: 14 },
    axis: opts.xValues ? { values: opts.xValues, labelOverlap: false } : {},
  } as const;
  const color = {
    field: 'mask',
    type: 'nominal',
    title: 'mask',
    scale: maskColorScale(opts.masks),
    sort: [...opts.masks],
  } as const;
  const yScale = opts.logY ? { type: 'log' } : { zero: false };
  const mean = { field: 'mean', type: 'quantitative', title: opts.yTitle, scale: yScale };
  // the runs share the data (a faceted chart has one data set): each layer keeps its kind
  const only = (kind: string) =>
    opts.runs || opts.baseline ? { transform: [{ filter: `datum.kind === '${kind}'` }] } : {};
  return [
    ...(opts.baseline?.length ? [baselineLayer(x, yScale, only('baseline'))] : []),
    {
      ...only('mean'),
      mark: { type: 'rule', opacity: 0.7 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', scale: yScale },
        y2: { field: 'hi' },
        color,
        detail: { field: 'series' },
      },
    },
    {
      ...only('mean'),
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: mean, color, detail: { field: 'series' } },
    },
    // above the bars and lines (so that each run can be pointed at), under the means
    ...(opts.runs ? [runsLayer(opts, { x, yScale, color }, only('run'))] : []),
    {
      // the points of the lines (vega-lite's `point: true`), drawn as their own layer so that the
      // tooltip belongs to a point, not to the whole line
      ...only('mean'),
      mark: { type: 'point', filled: true, opacity: 1 },
      encoding: {
        x,
        y: mean,
        color,
        detail: { field: 'series' },
        tooltip: [
          { field: 'series', title: 'series' },
          { field: 'x', title: opts.xTitle },
          { field: 'mean', title: 'mean', format: '.4~g' },
          { field: 'interval', title: '95% interval' },
          { field: 'runs', title: 'runs' },
        ],
      },
    },
  ];
}

/**
 * A line chart of means with 95% interval bars, one colored series per mask; with `facet`, one
 * chart per panel or per N. The means' tooltips give their numbers. With `runs` (report.html), a
 * layer of small points, one per run (tooltip: run id, seed, value).
 */
function curveSpec(opts: CurveOptions): TopLevelSpec {
  const values = curveValues(opts);
  const layer = curveLayers(opts);
  const title = { text: opts.title, subtitle: opts.subtitle };
  const facet = opts.facet;
  if (!facet)
    return { title, width: 460, height: 300, data: { values }, layer } as unknown as TopLevelSpec;
  return {
    title,
    data: { values },
    facet: {
      field: facet.field,
      type: 'ordinal',
      title: null,
      sort: [...facet.order],
      header: {
        labelFontSize: 13,
        ...(facet.field === 'n' ? { labelExpr: "'N = ' + datum.value" } : {}),
      },
    },
    columns: Math.min(facet.order.length, 3),
    spec: { width: 300, height: 240, layer },
    ...(facet.field === 'n' ? { resolve: { scale: { y: 'independent' } } } : {}),
  } as unknown as TopLevelSpec;
}

/** One chart of a size curve with panels: its label, its tables and (report.html) its runs. */
export interface CurvePanel {
  label: string;
  tables: SummaryTables;
  /** the runs behind the tables: one point each in report.html */
  records?: readonly RunRecord[];
}

/**
 * Metric vs N, one line per mask, 95% intervals as bars; log y for recon and fit; for recon a dashed
 * reference line at the random baseline (the scorecard's `reconRandom`), labelled in its own legend. Given several
 * panels (one per d or dataset), one chart per panel side by side, on a shared y axis. `records`
 * (the runs of the tables, for report.html) adds one point per run; panels carry their own.
 */
export function sizeCurveSpec(
  tables: SummaryTables | readonly CurvePanel[],
  metric: ReportMetric,
  records?: readonly RunRecord[],
): TopLevelSpec {
  const panels: readonly CurvePanel[] = Array.isArray(tables)
    ? tables
    : [{ label: '', tables: tables as SummaryTables, records }];
  const points: SeriesPoint[] = [];
  for (const { label, tables: t } of panels) {
    for (const c of t.cells) {
      const s = c.stats[metric];
      if (s.mean === null) continue;
      points.push({
        series: c.mask,
        panel: label,
        mask: c.mask,
        x: c.n,
        mean: s.mean,
        lo: s.ciLow,
        hi: s.ciHigh,
        runs: s.n,
      });
    }
  }
  const logY = metric === 'recon' || metric === 'fit';
  const better = LOWER_IS_BETTER[metric] ? 'lower is better' : 'higher is better';
  const masks = MASKS.filter((m) => panels.some((p) => p.tables.masks.includes(m)));
  const baseline = metric === 'recon' ? randomBaseline(panels, Array.isArray(tables)) : [];
  const sizes = [...new Set(panels.flatMap((p) => p.tables.sizes))].sort((a, b) => a - b);
  return curveSpec({
    title: `${METRIC_LABELS[metric]} vs N`,
    subtitle: `mean over seeds, bars: 95% t-interval; ${better}${baseline.length ? '; dashed: random prototypes (chance)' : ''}`,
    points,
    masks,
    baseline: baseline.length ? baseline : undefined,
    xTitle: 'N = H (log scale)',
    yTitle: `${metric}${logY ? ' (log scale)' : ''}`,
    logY,
    xValues: sizes,
    facet: Array.isArray(tables)
      ? { field: 'panel', order: panels.map((p) => p.label) }
      : undefined,
    runs: panels.some((p) => p.records)
      ? panels.flatMap((p) =>
          runPoints(
            p.records ?? [],
            metric,
            (r) => r.config.n,
            (r) => r.config.mask,
          ).map((r) => (Array.isArray(tables) ? { ...r, panel: p.label } : r)),
        )
      : undefined,
  });
}

/** The random baseline of each panel's sizes (none where the records have no scorecard). */
function randomBaseline(panels: readonly CurvePanel[], faceted: boolean): BaselinePoint[] {
  return panels.flatMap((p) =>
    p.tables.baselines.flatMap((b) => {
      const value = b.stats.random.mean;
      if (value === null) return [];
      const point = { x: b.n, value, label: RANDOM_BASELINE_LABEL };
      return [faceted ? { ...point, panel: p.label } : point];
    }),
  );
}

/** How a swept field is named on an axis. */
const FIELD_LABELS: Record<SweepField, string> = {
  lambda: 'structural loss weight lambda',
  tau: 'separation temperature tau',
};

/**
 * A sweep's curve: the mean of `metric` against the swept field (log x), one line per mask, one
 * panel per N; masks that ignore the field (`base`) are flat reference lines. `sweep` (its runs,
 * for report.html) adds one point per run at each value it counts for.
 */
export function sweepCurveSpec(
  field: SweepField,
  points: readonly SweepPoint[],
  metric: SweepMetric,
  sweep?: Sweep,
): TopLevelSpec {
  const masks = MASKS.filter((m) => points.some((p) => p.mask === m));
  const series: SeriesPoint[] = [];
  for (const p of points) {
    const s = p.stats[metric];
    if (s.mean === null) continue;
    series.push({
      series: `${p.mask}, N=${p.n}`,
      mask: p.mask,
      x: p.value,
      mean: s.mean,
      lo: s.ciLow,
      hi: s.ciHigh,
      runs: s.n,
      n: p.n,
    });
  }
  const logY = metric === 'recon';
  const better = LOWER_IS_BETTER[metric] ? 'lower is better' : 'higher is better';
  const runs = sweep?.series.flatMap((s) =>
    s.values.flatMap((value) =>
      runPoints(
        cellRecords(sweep.slices[sweep.values.indexOf(value)], s.mask, s.n),
        metric,
        () => value,
        (r) => `${r.config.mask}, N=${r.config.n}`,
      ),
    ),
  );
  return curveSpec({
    title: `${METRIC_LABELS[metric]} vs ${FIELD_LABELS[field]}`,
    subtitle: `mean over seeds, bars: 95% t-interval; ${better}`,
    points: series,
    masks,
    xTitle: `${field} (log scale)`,
    yTitle: `${metric}${logY ? ' (log scale)' : ''}`,
    logY,
    xValues: [...new Set(points.map((p) => p.value))].sort((a, b) => a - b),
    facet: { field: 'n', order: [...new Set(points.map((p) => p.n))].sort((a, b) => a - b) },
    runs,
  });
}

/** One candidate on the Pareto plot: its means over seeds at the full epochs. */
export interface ParetoPoint {
  n: number;
  mask: Mask;
  fit: number;
  recon: number;
  /** the candidate tune chose for its (N, mask) */
  chosen: boolean;
  /** its weights in words, for the tooltip */
  label: string;
}

/**
 * The Pareto plot of a tune: mean fit against mean recon (both log) of every candidate that
 * reached the full epochs, one color per mask, one panel per N; the chosen candidate of each
 * (N, mask) as a large outlined diamond; the fit bound of each N as a dashed vertical rule.
 */
export function paretoSpec(
  points: readonly ParetoPoint[],
  bounds: readonly { n: number; maxFit: number }[],
): TopLevelSpec {
  const masks = MASKS.filter((m) => points.some((p) => p.mask === m));
  const values = [
    ...points.map((p) => ({ ...p, kind: p.chosen ? 'chosen' : 'candidate' })),
    ...bounds.map((b) => ({ n: b.n, maxFit: b.maxFit, kind: 'bound' })),
  ];
  const color = {
    field: 'mask',
    type: 'nominal',
    title: 'mask',
    scale: maskColorScale(masks),
    sort: [...masks],
  };
  const x = {
    field: 'fit',
    type: 'quantitative',
    title: 'mean fit (MSE, log scale)',
    scale: { type: 'log', nice: false, padding: 10 },
  };
  const y = {
    field: 'recon',
    type: 'quantitative',
    title: 'mean recon (log scale)',
    scale: { type: 'log', nice: false, padding: 10 },
  };
  const only = (kind: string) => ({ filter: `datum.kind === '${kind}'` });
  return {
    title: {
      text: 'Tuning: fit against reconstruction error',
      subtitle: [
        'every candidate at the full epochs, mean over seeds',
        'diamond: chosen; dashed: fit bound; lower left is better',
      ],
    },
    data: { values },
    facet: {
      column: {
        field: 'n',
        type: 'ordinal',
        title: null,
        sort: 'ascending',
        header: { labelExpr: "'N = ' + datum.value", labelFontSize: 13 },
      },
    },
    spec: {
      width: 300,
      height: 260,
      layer: [
        {
          transform: [only('bound')],
          mark: { type: 'rule', strokeDash: [6, 4], color: '#777777' },
          encoding: { x: { ...x, field: 'maxFit' } },
        },
        {
          transform: [only('candidate')],
          mark: { type: 'point', filled: true, size: 40, opacity: 0.75 },
          encoding: { x, y, color, tooltip: [{ field: 'label' }] },
        },
        {
          transform: [only('chosen')],
          mark: {
            type: 'point',
            shape: 'diamond',
            filled: true,
            size: 220,
            stroke: '#000000',
            strokeWidth: 1.5,
          },
          encoding: { x, y, color, tooltip: [{ field: 'label' }] },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** What the positions plot shows for one mask, also reported in the text beside it. */
export interface PositionsRow {
  mask: Mask;
  seed: number;
  /** the run's id */
  id: string;
  n: number;
  hull: [number, number];
  prototypes: number[];
  expelled: number;
  /** prototypes beyond the plotted range, drawn at its edge */
  clipped: number;
}

/**
 * Prototype positions of one run per mask (the lowest seed at size `n`, d = 1): the inputs, the
 * prototypes p_j = -b_j w_j / (w_j^2 + eps) of the final parameters, and the hull [min x, max x].
 */
export function positionsRows(records: readonly RunRecord[], n: number): PositionsRow[] {
  const rows: PositionsRow[] = [];
  for (const mask of MASKS) {
    const runs = records
      .filter((r) => r.config.mask === mask && r.config.n === n && r.config.dim === 1)
      .sort((a, b) => a.config.seed - b.config.seed);
    const run = runs[0];
    if (!run) continue;
    const xs = run.data.x.map((row) => row[0]);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const protos = Array.from(recordPrototypes(run)).filter(Number.isFinite);
    rows.push({
      mask,
      seed: run.config.seed,
      id: run.id,
      n,
      hull: [lo, hi],
      prototypes: protos,
      expelled: protos.filter((p) => p < lo || p > hi).length,
      clipped: 0,
    });
  }
  return rows;
}

/** The marks of the prototype pictures (positions here, hulls in hull-plot.ts): one legend domain and its shapes. */
export const MARK_KINDS = [
  'training input',
  'prototype (inside hull)',
  'prototype (expelled)',
  'convex hull of inputs',
] as const;
export const MARK_SHAPES = ['circle', 'diamond', 'cross', 'stroke'] as const;
/** What a mark's tooltip says of its run. */
export const RUN_TOOLTIP = [
  { field: 'mask', title: 'mask' },
  { field: 'seed', title: 'seed' },
  { field: 'id', title: 'run id' },
];

/** The positions picture: per mask a line with the inputs, the hull interval and the prototypes. */
export function positionsSpec(
  records: readonly RunRecord[],
  n: number,
): { spec: TopLevelSpec; rows: PositionsRow[] } {
  const rows = positionsRows(records, n);
  const lo = Math.min(...rows.map((r) => r.hull[0]));
  const hi = Math.max(...rows.map((r) => r.hull[1]));
  const width = hi - lo || 1;
  // wide enough to show expulsion, narrow enough that the inputs stay readable
  const domain: [number, number] = [lo - 0.75 * width, hi + 0.75 * width];
  const { values, hulls } = positionMarks(records, rows, domain);
  const masks = rows.map((r) => r.mask);
  const seeds = [...new Set(rows.map((r) => r.seed))];
  const spec = {
    title: {
      text: `Prototype positions at N = ${n}`,
      subtitle: `one run per mask (seed ${seeds.join(', ')}); expelled = outside [min x, max x]`,
    },
    width: 560,
    height: Math.max(160, 44 * masks.length),
    layer: positionLayers(values, hulls, masks, domain),
  } as unknown as TopLevelSpec;
  return { spec, rows };
}

// `at` is the true position (`pos` is clamped to the axis); mask, seed and id are for tooltips
type PositionMark = {
  row: number;
  pos: number;
  at: number;
  kind: string;
  mask: Mask;
  seed: number;
  id: string;
};
type HullMark = {
  row: number;
  lo: number;
  hi: number;
  kind: string;
  mask: Mask;
  seed: number;
  id: string;
};

/** Each row's inputs and prototypes (clamped to `domain`, counting the clipped ones) and its hull. */
function positionMarks(
  records: readonly RunRecord[],
  rows: PositionsRow[],
  domain: [number, number],
): { values: PositionMark[]; hulls: HullMark[] } {
  const values: PositionMark[] = [];
  const hulls: HullMark[] = [];
  rows.forEach((r, i) => {
    const run = { mask: r.mask, seed: r.seed, id: r.id };
    hulls.push({ row: i, lo: r.hull[0], hi: r.hull[1], kind: 'convex hull of inputs', ...run });
    for (const x of records.find((rec) => rec.id === r.id)!.data.x) {
      values.push({ row: i - 0.18, pos: x[0], at: x[0], kind: 'training input', ...run });
    }
    for (const p of r.prototypes) {
      const inside = p >= r.hull[0] && p <= r.hull[1];
      if (p < domain[0] || p > domain[1]) r.clipped++;
      values.push({
        row: i + 0.18,
        pos: Math.min(domain[1], Math.max(domain[0], p)),
        at: p,
        kind: inside ? 'prototype (inside hull)' : 'prototype (expelled)',
        ...run,
      });
    }
  });
  return { values, hulls };
}

/** The hull bars and the marks of the positions picture, one row per mask. */
function positionLayers(
  values: PositionMark[],
  hulls: HullMark[],
  masks: Mask[],
  domain: [number, number],
): object[] {
  const kinds = [...MARK_KINDS];
  const color = {
    field: 'kind',
    type: 'nominal',
    title: 'marks',
    scale: { domain: kinds, range: ['#333333', '#4c78a8', '#e45756', '#bbbbbb'] },
  };
  const y = {
    field: 'row',
    type: 'quantitative',
    title: 'mask',
    scale: { domain: [masks.length - 0.5, -0.5], nice: false, zero: false },
    axis: {
      values: masks.map((_, i) => i),
      labelExpr: `${JSON.stringify(masks)}[datum.value]`,
      grid: false,
      tickCount: masks.length,
    },
  };
  const x = {
    field: 'pos',
    type: 'quantitative',
    title: 'position (input x, prototype p_j); prototypes beyond the axis are drawn at its edge',
    scale: { domain, clamp: true, nice: false },
  };
  return [
    {
      data: { values: hulls },
      mark: { type: 'rule', strokeWidth: 12, opacity: 0.45, strokeCap: 'butt' },
      encoding: {
        y: { ...y, field: 'row' },
        x: { ...x, field: 'lo' },
        x2: { field: 'hi' },
        color,
        tooltip: [
          { field: 'kind', title: 'mark' },
          { field: 'lo', title: 'min x', format: '.4~g' },
          { field: 'hi', title: 'max x', format: '.4~g' },
          ...RUN_TOOLTIP,
        ],
      },
    },
    {
      data: { values },
      mark: { type: 'point', filled: true, size: 28, opacity: 0.85 },
      encoding: {
        x,
        y,
        color,
        shape: {
          field: 'kind',
          type: 'nominal',
          title: 'marks',
          scale: { domain: kinds, range: [...MARK_SHAPES] },
        },
        tooltip: [
          { field: 'kind', title: 'mark' },
          { field: 'at', title: 'position', format: '.4~g' },
          ...RUN_TOOLTIP,
        ],
      },
    },
  ];
}
