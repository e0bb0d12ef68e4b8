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
  const data = dataFromJson(runs[0].data);
  const hull = new ConvexHull(data.x, n, dim);
  const perRun = runs.map((run) => {
    const flat = recordPrototypes(run);
    const rows: number[][] = [];
    const expelled: boolean[] = [];
    /** per shown prototype: its neuron j and its distance to the exact hull (for tooltips) */
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
  });
  const { project, explained } = planar(x, dim);
  const xs = project(x);
  const polygon =
    polygonHull(xs.map(([a, b]) => [a, b] as [number, number])) ??
    xs.map(([a, b]) => [a, b] as [number, number]);
  const lo = [Math.min(...xs.map((p) => p[0])), Math.min(...xs.map((p) => p[1]))];
  const hi = [Math.max(...xs.map((p) => p[0])), Math.max(...xs.map((p) => p[1]))];
  const span = Math.max(hi[0] - lo[0], hi[1] - lo[1]) || 1;
  // the same scale on both axes (no distortion of the hull), wide enough to show expulsion
  const mid = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2];
  const half = span; // the inputs fill the middle half of each axis
  const domain = [
    [mid[0] - half, mid[0] + half],
    [mid[1] - half, mid[1] + half],
  ];
  const clamp = (v: number, k: number) => Math.min(domain[k][1], Math.max(domain[k][0], v));

  // `at` (the true position in the plane; u and v are clamped to the frame), `item` (input i or
  // prototype j), `distance` (to the exact hull in d dimensions) and the run are for tooltips
  type Value = {
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
  const values: Value[] = [];
  const rows: HullPictureRow[] = [];
  const at = (u: number, v: number) => `(${u.toPrecision(4)}, ${v.toPrecision(4)})`;
  for (const { run, rows: protoRows, expelled, marks } of perRun) {
    const mask = run.config.mask;
    const of = { seed, id: run.id };
    polygon
      .concat([polygon[0]])
      .forEach(([u, v], order) => values.push({ mask, u, v, kind: MARK_KINDS[3], order }));
    xs.forEach(([u, v], i) =>
      values.push({ mask, u, v, kind: MARK_KINDS[0], at: at(u, v), item: `input ${i}`, ...of }),
    );
    const ps = project(protoRows);
    let clipped = 0;
    ps.forEach(([u, v], k) => {
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
    rows.push({
      mask,
      seed,
      n,
      prototypes: protoRows.length,
      expelled: expelled.filter(Boolean).length,
      clipped,
    });
  }

  const pct = (f: number) => `${(100 * f).toFixed(0)}% of variance`;
  const axisTitles = explained
    ? [`PC1 (${pct(explained[0])})`, `PC2 (${pct(explained[1])})`]
    : ['x1', 'x2'];
  const masks = rows.map((r) => r.mask);
  // one domain for color and shape, so Vega-Lite draws one legend
  const color = {
    field: 'kind',
    type: 'nominal',
    title: 'marks',
    scale: { domain: [...MARK_KINDS], range: ['#333333', '#4c78a8', '#e45756', '#999999'] },
  };
  const shape = {
    field: 'kind',
    type: 'nominal',
    title: 'marks',
    scale: { domain: [...MARK_KINDS], range: [...MARK_SHAPES] },
  };
  const u = {
    field: 'u',
    type: 'quantitative',
    title: axisTitles[0],
    scale: { domain: domain[0], nice: false, zero: false },
  };
  const v = {
    field: 'v',
    type: 'quantitative',
    title: axisTitles[1],
    scale: { domain: domain[1], nice: false, zero: false },
  };
  const place = `position (${explained ? 'PC1, PC2' : 'x1, x2'})`;
  const runTooltip = RUN_TOOLTIP;
  const inputTooltip = [
    { field: 'item', title: 'mark' },
    { field: 'at', title: place },
    ...runTooltip,
  ];
  const protoTooltip = [
    { field: 'item', title: 'mark' },
    { field: 'kind', title: 'where' },
    { field: 'at', title: place },
    { field: 'distance', title: `distance to the ${dim}-d hull`, format: '.4~g' },
    ...runTooltip,
  ];
  const title = explained
    ? `Projection onto the first two principal components of the inputs (d = ${dim}, N = ${n}, seed ${seed})`
    : `Inputs, their convex hull and the prototypes (d = 2, N = ${n}, seed ${seed})`;
  const subtitle = explained
    ? 'a projection: expelled = outside the exact d-dimensional hull, so an expelled prototype can fall inside the projected polygon'
    : 'expelled = outside the exact convex hull; prototypes beyond the frame are drawn at its edge';
  const spec = {
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
  return { spec, rows, explained, n, dim };
}
