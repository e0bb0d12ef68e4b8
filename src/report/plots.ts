// The report's plots: Vega-Lite specs built from the tables, rendered to SVG by Vega in Node
// (renderer 'none', no canvas needed) and to PNG by resvg with the DejaVu fonts loaded from the
// dejavu-fonts-ttf package, so PNG text never depends on the fonts of the machine.

import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { MASKS, type Mask } from '../config.js';
import { prototypes } from '../eval/prototypes.js';
import { paramsFromJson, type RunRecord } from '../record.js';
import { LOWER_IS_BETTER, METRIC_LABELS, type ReportMetric } from './cells.js';
import type { SweepField } from './cells.js';
import type { SummaryTables, SweepMetric, SweepPoint } from './tables.js';

/** The font family every plot names; the same family is loaded into resvg for PNGs. */
export const PLOT_FONT = 'DejaVu Sans';

/** One color per mask, fixed by the mask's canonical index, so a mask looks the same everywhere. */
const MASK_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#eeca3b'];
const maskColorScale = (masks: readonly Mask[]) => ({ domain: [...masks], range: masks.map((m) => MASK_COLORS[MASKS.indexOf(m)]) });

const BASE_CONFIG = {
  font: PLOT_FONT,
  background: 'white',
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 13, labelLimit: 320 },
  title: { fontSize: 15 },
};

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
  const compiled = compile({ config: BASE_CONFIG, ...spec } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The TTF files loaded into resvg: DejaVu Sans regular and bold (vega titles are bold). */
export function fontFiles(): string[] {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
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
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: PLOT_FONT, sansSerifFamily: PLOT_FONT },
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
}

/**
 * How a curve is split into charts side by side (three a row): per panel (one dataset at one d,
 * points carry `panel`; a shared y axis, so the panels compare) or per N (points carry `n`; each
 * chart its own y scale, as a metric's range changes with N).
 */
type Facet = { field: 'panel'; order: readonly string[] } | { field: 'n'; order: readonly number[] };

/**
 * A line chart of means with 95% interval bars, one colored series per mask; with `facet`, one
 * chart per panel or per N.
 */
function curveSpec(opts: {
  title: string; subtitle: string; points: SeriesPoint[]; masks: readonly Mask[]; xTitle: string; yTitle: string;
  logY: boolean; xValues?: number[]; facet?: Facet;
}): TopLevelSpec {
  const values = opts.points.map((p) => ({
    ...p,
    // a log axis cannot show an interval end at or below 0: the bar then stops at the mean
    lo: opts.logY && (p.lo === null || p.lo <= 0) ? p.mean : p.lo ?? p.mean,
    hi: p.hi ?? p.mean,
  }));
  const x = { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { type: 'log', nice: false, padding: 14 }, axis: opts.xValues ? { values: opts.xValues, labelOverlap: false } : {} } as const;
  const color = { field: 'mask', type: 'nominal', title: 'mask', scale: maskColorScale(opts.masks), sort: [...opts.masks] } as const;
  const layer = [
    {
      mark: { type: 'rule', opacity: 0.7 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: opts.logY ? { type: 'log' } : { zero: false } }, y2: { field: 'hi' }, color, detail: { field: 'series' } },
    },
    {
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x, y: { field: 'mean', type: 'quantitative', title: opts.yTitle, scale: opts.logY ? { type: 'log' } : { zero: false } },
        color, detail: { field: 'series' },
      },
    },
  ];
  const title = { text: opts.title, subtitle: opts.subtitle };
  const facet = opts.facet;
  if (!facet) return { title, width: 460, height: 300, data: { values }, layer } as unknown as TopLevelSpec;
  return {
    title,
    data: { values },
    facet: { field: facet.field, type: 'ordinal', title: null, sort: [...facet.order], header: { labelFontSize: 13, ...(facet.field === 'n' ? { labelExpr: "'N = ' + datum.value" } : {}) } },
    columns: Math.min(facet.order.length, 3),
    spec: { width: 300, height: 240, layer },
    ...(facet.field === 'n' ? { resolve: { scale: { y: 'independent' } } } : {}),
  } as unknown as TopLevelSpec;
}

/**
 * Metric vs N, one line per mask, 95% intervals as bars; log y for recon and fit. Given several
 * panels (one per d or dataset), one chart per panel side by side, on a shared y axis.
 */
export function sizeCurveSpec(tables: SummaryTables | readonly { label: string; tables: SummaryTables }[], metric: ReportMetric): TopLevelSpec {
  const panels = Array.isArray(tables) ? tables : [{ label: '', tables: tables as SummaryTables }];
  const points: SeriesPoint[] = [];
  for (const { label, tables: t } of panels) {
    for (const c of t.cells) {
      const s = c.stats[metric];
      if (s.mean === null) continue;
      points.push({ series: c.mask, panel: label, mask: c.mask, x: c.n, mean: s.mean, lo: s.ciLow, hi: s.ciHigh });
    }
  }
  const logY = metric === 'recon' || metric === 'fit';
  const better = LOWER_IS_BETTER[metric] ? 'lower is better' : 'higher is better';
  const masks = MASKS.filter((m) => panels.some((p) => p.tables.masks.includes(m)));
  const sizes = [...new Set(panels.flatMap((p) => p.tables.sizes))].sort((a, b) => a - b);
  return curveSpec({
    title: `${METRIC_LABELS[metric]} vs N`,
    subtitle: `mean over seeds, bars: 95% t-interval; ${better}`,
    points, masks, xTitle: 'N = H (log scale)',
    yTitle: `${metric}${logY ? ' (log scale)' : ''}`,
    logY, xValues: sizes,
    facet: Array.isArray(tables) ? { field: 'panel', order: panels.map((p) => p.label) } : undefined,
  });
}

/** How a swept field is named on an axis. */
const FIELD_LABELS: Record<SweepField, string> = { lambda: 'structural loss weight lambda', tau: 'separation temperature tau' };

/**
 * A sweep's curve: the mean of `metric` against the swept field (log x), one line per mask, one
 * panel per N; masks that ignore the field (`base`) are flat reference lines.
 */
export function sweepCurveSpec(field: SweepField, points: readonly SweepPoint[], metric: SweepMetric): TopLevelSpec {
  const masks = MASKS.filter((m) => points.some((p) => p.mask === m));
  const series: SeriesPoint[] = [];
  for (const p of points) {
    const s = p.stats[metric];
    if (s.mean === null) continue;
    series.push({ series: `${p.mask}, N=${p.n}`, mask: p.mask, x: p.value, mean: s.mean, lo: s.ciLow, hi: s.ciHigh, n: p.n });
  }
  const logY = metric === 'recon';
  const better = LOWER_IS_BETTER[metric] ? 'lower is better' : 'higher is better';
  return curveSpec({
    title: `${METRIC_LABELS[metric]} vs ${FIELD_LABELS[field]}`,
    subtitle: `mean over seeds, bars: 95% t-interval; ${better}`,
    points: series, masks, xTitle: `${field} (log scale)`,
    yTitle: `${metric}${logY ? ' (log scale)' : ''}`,
    logY, xValues: [...new Set(points.map((p) => p.value))].sort((a, b) => a - b),
    facet: { field: 'n', order: [...new Set(points.map((p) => p.n))].sort((a, b) => a - b) },
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
export function paretoSpec(points: readonly ParetoPoint[], bounds: readonly { n: number; maxFit: number }[]): TopLevelSpec {
  const masks = MASKS.filter((m) => points.some((p) => p.mask === m));
  const values = [
    ...points.map((p) => ({ ...p, kind: p.chosen ? 'chosen' : 'candidate' })),
    ...bounds.map((b) => ({ n: b.n, maxFit: b.maxFit, kind: 'bound' })),
  ];
  const color = { field: 'mask', type: 'nominal', title: 'mask', scale: maskColorScale(masks), sort: [...masks] };
  const x = { field: 'fit', type: 'quantitative', title: 'mean fit (MSE, log scale)', scale: { type: 'log', nice: false, padding: 10 } };
  const y = { field: 'recon', type: 'quantitative', title: 'mean recon (log scale)', scale: { type: 'log', nice: false, padding: 10 } };
  const only = (kind: string) => ({ filter: `datum.kind === '${kind}'` });
  return {
    title: { text: 'Tuning: fit against reconstruction error', subtitle: ['every candidate at the full epochs, mean over seeds', 'diamond: chosen; dashed: fit bound; lower left is better'] },
    data: { values },
    facet: { column: { field: 'n', type: 'ordinal', title: null, sort: 'ascending', header: { labelExpr: "'N = ' + datum.value", labelFontSize: 13 } } },
    spec: {
      width: 300,
      height: 260,
      layer: [
        { transform: [only('bound')], mark: { type: 'rule', strokeDash: [6, 4], color: '#777777' }, encoding: { x: { ...x, field: 'maxFit' } } },
        { transform: [only('candidate')], mark: { type: 'point', filled: true, size: 40, opacity: 0.75 }, encoding: { x, y, color, tooltip: [{ field: 'label' }] } },
        { transform: [only('chosen')], mark: { type: 'point', shape: 'diamond', filled: true, size: 220, stroke: '#000000', strokeWidth: 1.5 }, encoding: { x, y, color, tooltip: [{ field: 'label' }] } },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** What the positions plot shows for one mask, also reported in the text beside it. */
export interface PositionsRow {
  mask: Mask;
  seed: number;
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
    const runs = records.filter((r) => r.config.mask === mask && r.config.n === n && r.config.dim === 1).sort((a, b) => a.config.seed - b.config.seed);
    const run = runs[0];
    if (!run) continue;
    const xs = run.data.x.map((row) => row[0]);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const protos = Array.from(prototypes(paramsFromJson(run.final), 1)).filter(Number.isFinite);
    rows.push({ mask, seed: run.config.seed, n, hull: [lo, hi], prototypes: protos, expelled: protos.filter((p) => p < lo || p > hi).length, clipped: 0 });
  }
  return rows;
}

/** The positions picture: per mask a line with the inputs, the hull interval and the prototypes. */
export function positionsSpec(records: readonly RunRecord[], n: number): { spec: TopLevelSpec; rows: PositionsRow[] } {
  const rows = positionsRows(records, n);
  const lo = Math.min(...rows.map((r) => r.hull[0]));
  const hi = Math.max(...rows.map((r) => r.hull[1]));
  const width = hi - lo || 1;
  // wide enough to show expulsion, narrow enough that the inputs stay readable
  const domain: [number, number] = [lo - 0.75 * width, hi + 0.75 * width];
  const values: { row: number; pos: number; kind: string }[] = [];
  const hulls: { row: number; lo: number; hi: number; kind: string }[] = [];
  const masks = rows.map((r) => r.mask);
  rows.forEach((r, i) => {
    hulls.push({ row: i, lo: r.hull[0], hi: r.hull[1], kind: 'convex hull of inputs' });
    for (const x of records.find((rec) => rec.config.mask === r.mask && rec.config.n === n && rec.config.seed === r.seed)!.data.x) {
      values.push({ row: i - 0.18, pos: x[0], kind: 'training input' });
    }
    for (const p of r.prototypes) {
      const inside = p >= r.hull[0] && p <= r.hull[1];
      if (p < domain[0] || p > domain[1]) r.clipped++;
      values.push({ row: i + 0.18, pos: Math.min(domain[1], Math.max(domain[0], p)), kind: inside ? 'prototype (inside hull)' : 'prototype (expelled)' });
    }
  });
  const kinds = ['training input', 'prototype (inside hull)', 'prototype (expelled)', 'convex hull of inputs'];
  const color = { field: 'kind', type: 'nominal', title: 'marks', scale: { domain: kinds, range: ['#333333', '#4c78a8', '#e45756', '#bbbbbb'] } };
  const y = {
    field: 'row', type: 'quantitative', title: 'mask',
    scale: { domain: [masks.length - 0.5, -0.5], nice: false, zero: false },
    axis: { values: masks.map((_, i) => i), labelExpr: `${JSON.stringify(masks)}[datum.value]`, grid: false, tickCount: masks.length },
  };
  const x = { field: 'pos', type: 'quantitative', title: 'position (input x, prototype p_j); prototypes beyond the axis are drawn at its edge', scale: { domain, clamp: true, nice: false } };
  const seeds = [...new Set(rows.map((r) => r.seed))];
  const spec = {
    title: { text: `Prototype positions at N = ${n}`, subtitle: `one run per mask (seed ${seeds.join(', ')}); expelled = outside [min x, max x]` },
    width: 560,
    height: Math.max(160, 44 * masks.length),
    layer: [
      { data: { values: hulls }, mark: { type: 'rule', strokeWidth: 12, opacity: 0.45, strokeCap: 'butt' }, encoding: { y: { ...y, field: 'row' }, x: { ...x, field: 'lo' }, x2: { field: 'hi' }, color } },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 28, opacity: 0.85 },
        encoding: {
          x, y, color,
          shape: { field: 'kind', type: 'nominal', title: 'marks', scale: { domain: kinds, range: ['circle', 'diamond', 'cross', 'stroke'] } },
        },
      },
    ],
  } as unknown as TopLevelSpec;
  return { spec, rows };
}
