// The run record: the JSON shape `protomlp run --json` prints and `runs.jsonl` stores, one per run.
// Conversions between it and the typed arrays backends use live here, nowhere else.

import type { RunConfig } from './config.js';
import type { Dataset, Params } from './model/types.js';

/** Parameters as JSON: W has one row per neuron. */
export interface ParamsJson {
  W: number[][];
  b: number[];
  v: number[];
  c: number;
}

/**
 * Metrics of SPEC §4 at the end of training. A value that is not finite (a diverged run) is
 * `null`. `outside`/`outsideDist` use the exact convex hull and exist for d = 1 (null for d > 1);
 * `outsideBox`/`outsideBoxDist` use the bounding box and are present only for d > 1.
 */
export interface Metrics {
  recon: number | null;
  spec: number | null;
  fit: number | null;
  cov: number | null;
  sep: number | null;
  ovl: number | null;
  outside: number | null;
  outsideDist: number | null;
  outsideBox?: number | null;
  outsideBoxDist?: number | null;
  diverged: boolean;
}

/** One finished run, exactly as stored. */
export interface RunRecord {
  id: string;
  config: RunConfig;
  data: { x: number[][]; y: number[] };
  initial: ParamsJson;
  final: ParamsJson;
  metrics: Metrics;
  backend: 'ts' | 'native';
  isa: string;
  wallMs: number;
}

/** Splits a row-major array into rows of `width` (JSON non-finite numbers become null there). */
export function toRows(flat: Float64Array, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += width) rows.push(Array.from(flat.subarray(i, i + width)));
  return rows;
}

/** Params to their JSON shape. */
export function paramsToJson(p: Params, dim: number): ParamsJson {
  return { W: toRows(p.W, dim), b: Array.from(p.b), v: Array.from(p.v), c: p.c };
}

/** JSON params back to typed arrays (shapes must already be validated). */
export function paramsFromJson(p: ParamsJson): Params {
  return { W: Float64Array.from(p.W.flat()), b: Float64Array.from(p.b), v: Float64Array.from(p.v), c: p.c };
}

/** Dataset to its JSON shape. */
export function dataToJson(d: Dataset, dim: number): RunRecord['data'] {
  return { x: toRows(d.x, dim), y: Array.from(d.y) };
}

/** JSON dataset back to typed arrays (shapes must already be validated). */
export function dataFromJson(d: RunRecord['data']): Dataset {
  return { x: Float64Array.from(d.x.flat()), y: Float64Array.from(d.y) };
}
