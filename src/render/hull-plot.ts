// The hull picture of a panel with d >= 2: per mask, the inputs, their convex hull and the
// prototypes (inside / expelled), for one run per mask. d = 2 is drawn as it is; d > 2 on the first
// two principal components of the inputs (ml-pca), labelled as a projection. Builds a Vega-Lite spec.

import { polygonHull } from 'd3-polygon';
import { PCA } from 'ml-pca';
import type { TopLevelSpec } from 'vega-lite';
import { MASKS, type Mask } from '../config.js';
import { ConvexHull } from '../eval/hull.js';
import { recordPrototypes } from '../eval/prototypes.js';
import { dataFromJson, type RunRecord } from '../record.js';
import { MARK_KINDS, MARK_SHAPES, RUN_TOOLTIP } from './plots.js';

/** What the hull picture shows for one mask, also reported in the text beside it. */
export interface HullPictureRow {
  mask: Mask;
  seed: number;
  n: number;
  prototypes: number;
  /** outside the exact d-dimensional hull */
  expelled: number;
  /** beyond the plotted area, drawn at its edge */
  clipped: number;
}

/** The picture and what it shows. */
export interface HullPicture {
  spec: TopLevelSpec;
  rows: HullPictureRow[];
  /** d > 2: the share of the inputs' variance on each of the two axes */
  explained?: [number, number];
  n: number;
  dim: number;
}

/**
 * The map to the picture's plane: the identity for d = 2, else the projection onto the first two
 * principal components of the inputs (centered, not scaled), with their shares of the variance.
 */
function planar(
  x: number[][],
  dim: number,
): { project: (rows: number[][]) => number[][]; explained?: [number, number] } {
  if (dim === 2) return { project: (rows) => rows };
  const pca = new PCA(x, { center: true, scale: false });
  const variance = pca.getExplainedVariance();
  return {
    project: (rows) => (rows.length ? pca.predict(rows, { nComponents: 2 }).to2DArray() : []),
    explained: [variance[0] ?? 0, variance[1] ?? 0],
  };
}

/** One run's prototypes for the picture: finite ones only, each with its neuron and hull distance. */
interface RunMarks {
  run: RunRecord;
  rows: number[][];
  expelled: boolean[];
  /** per shown prototype: its neuron j and its distance to the exact hull (for tooltips) */
  marks: { j: number; distance: number }[];
}

function runMarks(run: RunRecord, hull: ConvexHull, dim: number): RunMarks {
  const flat = recordPrototypes(run);
  const rows: number[][] = [];
  const expelled: boolean[] = [];
  const marks: { j: number; distance: number }[] = [];
  for (let j = 0; j < run.config.hidden; j++) {
    const p = Array.from(flat.subarray(j * dim, j * dim + dim));
    if (!p.every(Number.isFinite)) continue;
    rows.push(p);
    const d = hull.distance(flat, j * dim);
    expelled.push(!d.inside);
    marks.push({ j, distance: d.inside ? 0 : d.distance });
  }
  return { run, rows, expelled, marks };
}

/**
 * The plotted square: the same scale on both axes (no distortion of the hull), wide enough to
 * show expulsion (the inputs fill its middle half), and the clamp of a coordinate to it.
 */
function frame(xs: number[][]): { domain: number[][]; clamp: (v: number, k: number) => number } {
  const lo = [Math.min(...xs.map((p) => p[0])), Math.min(...xs.map((p) => p[1]))];
  const hi = [Math.max(...xs.map((p) => p[0])), Math.max(...xs.map((p) => p[1]))];
  const span = Math.max(hi[0] - lo[0], hi[1] - lo[1]) || 1;
  const mid = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2];
  const half = span;
  const domain = [
    [mid[0] - half, mid[0] + half],
    [mid[1] - half, mid[1] + half],
  ];
  return { domain, clamp: (v, k) => Math.min(domain[k][1], Math.max(domain[k][0], v)) };
}

// `at` (the true position in the plane; u and v are clamped to the frame), `item` (input i or
// prototype j), `distance` (to the exact hull in d dimensions) and the run are for tooltips
type MarkValue = {
  mask: Mask;
  u: number;
  v: number;
  kind: string;
  order?: number;
  at?: string;
  item?: string;
  distance?: number;
  seed?: number;
  id?: string;
};

/** The plane's marks of one run (hull outline, inputs, prototypes) and its row of the text. */
function planeMarks(
  one: RunMarks,
  plane: { polygon: [number, number][]; xs: number[][]; ps: number[][] },
  clamp: (v: number, k: number) => number,
  seed: number,
  n: number,
): { values: MarkValue[]; row: HullPictureRow } {
  const { run, rows: protoRows, expelled, marks } = one;
  const mask = run.config.mask;
  const of = { seed, id: run.id };
  const at = (u: number, v: number) => `(${u.toPrecision(4)}, ${v.toPrecision(4)})`;
  const values: MarkValue[] = [];
  plane.polygon
    .concat([plane.polygon[0]])
    .forEach(([u, v], order) => values.push({ mask, u, v, kind: MARK_KINDS[3], order }));
  plane.xs.forEach(([u, v], i) =>
    values.push({ mask, u, v, kind: MARK_KINDS[0], at: at(u, v), item: `input ${i}`, ...of }),
  );
  let clipped = 0;
  plane.ps.forEach(([u, v], k) => {
    if (u !== clamp(u, 0) || v !== clamp(v, 1)) clipped++;
    values.push({
      mask,
      u: clamp(u, 0),
      v: clamp(v, 1),
      kind: expelled[k] ? MARK_KINDS[2] : MARK_KINDS[1],
      at: at(u, v),
      item: `prototype ${marks[k].j}`,
      distance: marks[k].distance,
      ...of,
    });
  });
  const expelledCount = expelled.filter(Boolean).length;
  const row = { mask, seed, n, prototypes: protoRows.length, expelled: expelledCount, clipped };
  return { values, row };
}

/** The encodings every layer of the picture shares: one legend for color and shape, square axes. */
function encodings(domain: number[][], axisTitles: string[]) {
  const kind = { field: 'kind', type: 'nominal', title: 'marks' };
  const axis = (field: string, k: number) => ({
    field,
    type: 'quantitative',
    title: axisTitles[k],
    scale: { domain: domain[k], nice: false, zero: false },
  });
  return {
    color: {
      ...kind,
      scale: { domain: [...MARK_KINDS], range: ['#333333', '#4c78a8', '#e45756', '#999999'] },
    },
    shape: { ...kind, scale: { domain: [...MARK_KINDS], range: [...MARK_SHAPES] } },
    u: axis('u', 0),
    v: axis('v', 1),
  };
}

/** The facet spec: per mask, the hull outline, the inputs and the prototypes with tooltips. */
function hullSpec(
  values: MarkValue[],
  masks: Mask[],
  view: { domain: number[][]; explained?: [number, number]; dim: number; n: number; seed: number },
): TopLevelSpec {
  const { domain, explained, dim, n, seed } = view;
  const pct = (f: number) => `${(100 * f).toFixed(0)}% of variance`;
  const axisTitles = explained
    ? [`PC1 (${pct(explained[0])})`, `PC2 (${pct(explained[1])})`]
    : ['x1', 'x2'];
  const { color, shape, u, v } = encodings(domain, axisTitles);
  const place = `position (${explained ? 'PC1, PC2' : 'x1, x2'})`;
  const inputTooltip = [
    { field: 'item', title: 'mark' },
    { field: 'at', title: place },
    ...RUN_TOOLTIP,
  ];
  const protoTooltip = [
    { field: 'item', title: 'mark' },
    { field: 'kind', title: 'where' },
    { field: 'at', title: place },
    { field: 'distance', title: `distance to the ${dim}-d hull`, format: '.4~g' },
    ...RUN_TOOLTIP,
  ];
  const title = explained
    ? `Projection onto the first two principal components of the inputs (d = ${dim}, N = ${n}, seed ${seed})`
    : `Inputs, their convex hull and the prototypes (d = 2, N = ${n}, seed ${seed})`;
  const subtitle = explained
    ? 'a projection: expelled = outside the exact d-dimensional hull, so an expelled prototype can fall inside the projected polygon'
    : 'expelled = outside the exact convex hull; prototypes beyond the frame are drawn at its edge';
  return {
    title: { text: title, subtitle },
    data: { values },
    facet: {
      field: 'mask',
      type: 'nominal',
      title: null,
      sort: masks,
      header: { labelFontSize: 13 },
    },
    columns: 4,
    spec: {
      width: 190,
      height: 190,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'convex hull of inputs'" }],
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x: u, y: v, order: { field: 'order', type: 'quantitative' }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'training input'" }],
          mark: { type: 'point', filled: true, size: 14, opacity: 0.7 },
          encoding: { x: u, y: v, color, shape, tooltip: inputTooltip },
        },
        {
          transform: [
            { filter: "datum.kind !== 'training input' && datum.kind !== 'convex hull of inputs'" },
          ],
          mark: { type: 'point', filled: true, size: 30, opacity: 0.85 },
          encoding: { x: u, y: v, color, shape, tooltip: protoTooltip },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}

/**
 * The hull picture of runs with d >= 2: the lowest seed at size `n`, one panel per mask. Prototypes
 * are marked expelled by the exact hull in d dimensions ({@link ConvexHull}); for d > 2 such a
 * prototype can still fall inside the projected polygon, and the caption says so.
 *
 * @example
 * ```ts
 * const picture = hullPicture(records.filter((r) => r.config.dim === 2), 100);
 * await renderSvg(picture.spec);
 * ```
 */
export function hullPicture(records: readonly RunRecord[], n: number): HullPicture | undefined {
  const atN = records.filter((r) => r.config.n === n && r.config.dim >= 2);
  if (!atN.length) return undefined;
  const dim = atN[0].config.dim;
  const seed = Math.min(...atN.map((r) => r.config.seed));
  const runs = MASKS.map((mask) =>
    atN.find((r) => r.config.mask === mask && r.config.seed === seed && r.config.dim === dim),
  ).filter((r): r is RunRecord => r !== undefined);
  const x = runs[0].data.x;
  const hull = new ConvexHull(dataFromJson(runs[0].data).x, n, dim);
  const perRun = runs.map((run) => runMarks(run, hull, dim));
  const { project, explained } = planar(x, dim);
  const xs = project(x);
  const pairs = xs.map(([a, b]) => [a, b] as [number, number]);
  const polygon = polygonHull(pairs) ?? pairs;
  const { domain, clamp } = frame(xs);
  const values: MarkValue[] = [];
  const rows: HullPictureRow[] = [];
  for (const one of perRun) {
    const plane = { polygon, xs, ps: project(one.rows) };
    const { values: own, row } = planeMarks(one, plane, clamp, seed, n);
    for (const value of own) values.push(value);
    rows.push(row);
  }
  const masks = rows.map((r) => r.mask);
  const spec = hullSpec(values, masks, { domain, explained, dim, n, seed });
  return { spec, rows, explained, n, dim };
}
