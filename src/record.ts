// The run record: the JSON shape `protomlp run --json` prints and `runs.jsonl` stores, one per run.
// Conversions between it and the typed arrays backends use live here, nowhere else.

import { DEFAULTS, resolveConfig, type RunConfig, type Unit } from './config.js';
import { ValidationError } from './errors.js';
import type { DataSource } from './datasets/index.js';
import type { Dataset, Params } from './model/types.js';

/**
 * Parameters as JSON (a record's `initial` and `final`): `W`, `b` for a ridge unit, `P`, `s` for
 * a radial one (`config.unit`), one row per neuron; `v` and `c` for both.
 *
 * @example
 * ```ts
 * const final: ParamsJson = (await trainRun({ n: 10 })).final;
 * 'W' in final ? final.W.length : final.P.length; // H = 10
 * ```
 */
export type ParamsJson = RidgeParamsJson | RadialParamsJson;

/**
 * A ridge unit's parameters (SPEC §1): W (one row w_j per neuron), b, v, c.
 *
 * @example
 * ```ts
 * const final = (await trainRun({ n: 10 })).final as RidgeParamsJson;
 * final.W.length; // H = 10
 * ```
 */
export interface RidgeParamsJson {
  W: number[][];
  b: number[];
  v: number[];
  c: number;
}

/**
 * A radial unit's parameters (SPEC §1b): P (one centre p_j per neuron, H x d), s (H scales), v, c.
 *
 * @example
 * ```ts
 * const final = (await trainRun({ n: 10, unit: 'radial' })).final;
 * if ('P' in final) final.P[0]; // neuron 0's prototype
 * ```
 */
export interface RadialParamsJson {
  P: number[][];
  s: number[];
  v: number[];
  c: number;
}

/**
 * Metrics of SPEC §4 at the end of training. A value that is not finite (a diverged run) is
 * `null`. `outside`/`outsideDist` use the exact convex hull in every dimension (src/eval/hull.ts);
 * `outsideBox`/`outsideBoxDist` use the bounding box and are present only for d > 1. The scorecard
 * (`reconUntrained` .. `reconGreedy`, src/eval/scorecard.ts, docs/model.md) is absent from records
 * made before it; reports compute it from such a record's data and parameters. Distances are in
 * training units (after any scaling of a data file).
 *
 * @example
 * ```ts
 * const { recon, spec, diverged }: Metrics = (await trainRun({ n: 20, mask: 'cov' })).metrics;
 * ```
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
  /** recon (the same optimal assignment) of the initial prototypes: the untrained network */
  reconUntrained?: number | null;
  /**
   * recon of H random prototypes uniform in the inputs' bounding box (seeded from the run's seed on
   * its own stream), averaged over 8 draws in 1-D, min(8, ceil(4000 / min(N, H))) for d > 1
   */
  reconRandom?: number | null;
  /** recon with all H prototypes at the data mean */
  reconMean?: number | null;
  /** median of the min(N, H) matched distances |x_i - p_j| of recon's optimal assignment */
  matchedMedian?: number | null;
  /** 90th percentile (linear interpolation, numpy's default) of the same matched distances */
  matchedP90?: number | null;
  /** fraction of the inputs whose nearest prototype has them as its nearest input (ties: lowest index) */
  bestBuddies?: number | null;
  /** mean cost of the greedy nearest matching (globally closest unmatched pair first; ties: lowest indices) */
  reconGreedy?: number | null;
  diverged: boolean;
}

/**
 * One finished run, exactly as stored (one line of a study's runs.jsonl, `protomlp run --json`).
 *
 * @example
 * ```ts
 * const record: RunRecord = await trainRun({ n: 20, mask: 'cov+sep' });
 * JSON.stringify(record); // what a store writes
 * ```
 */
export interface RunRecord {
  id: string;
  config: RunConfig;
  /** the training data (scaled, for a data file); `source` says where real data came from */
  data: { x: number[][]; y: number[]; source?: DataSource };
  initial: ParamsJson;
  final: ParamsJson;
  metrics: Metrics;
  backend: 'ts' | 'native';
  isa: string;
  /** the numerics that made its bits (`native/2`, `ts/2`; absent in records of protomlp 0.1.0) */
  numerics: string;
  wallMs: number;
}

/**
 * Drops records with a repeated id (the same run found in two places: shards given twice, studies
 * that share runs), keeping the first. Equal ids mean equal configs, so nothing is lost.
 */
export function uniqueRecords(records: readonly RunRecord[]): RunRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

/** Splits a row-major array into rows of `width` (JSON non-finite numbers become null there). */
export function toRows(flat: Float64Array, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += width) rows.push(Array.from(flat.subarray(i, i + width)));
  return rows;
}

/** Params to their JSON shape: `W`, `b` for a ridge unit, `P`, `s` for a radial one (see Params). */
export function paramsToJson(p: Params, dim: number, unit: Unit = DEFAULTS.unit): ParamsJson {
  const v = Array.from(p.v);
  return unit === 'radial'
    ? { P: toRows(p.W, dim), s: Array.from(p.b), v, c: p.c }
    : { W: toRows(p.W, dim), b: Array.from(p.b), v, c: p.c };
}

/**
 * JSON params back to typed arrays (shapes must already be validated, as a record's are).
 *
 * @example
 * ```ts
 * const record = await trainRun({ n: 10, mask: 'cov' });
 * const protos = prototypes(paramsFromJson(record.final), record.config.dim);
 * ```
 */
export function paramsFromJson(p: ParamsJson): Params {
  const [rows, second] = 'P' in p ? [p.P, p.s] : [p.W, p.b];
  return {
    W: Float64Array.from(rows.flat()),
    b: Float64Array.from(second),
    v: Float64Array.from(p.v),
    c: p.c,
  };
}

/** Dataset to its JSON shape. */
export function dataToJson(d: Dataset, dim: number): RunRecord['data'] {
  return { x: toRows(d.x, dim), y: Array.from(d.y) };
}

/**
 * JSON dataset back to typed arrays (shapes must already be validated, as a record's are).
 *
 * @example
 * ```ts
 * const record = await trainRun({ n: 10, mask: 'cov' });
 * const terms = computeTerms(record.config, dataFromJson(record.data), paramsFromJson(record.final));
 * ```
 */
export function dataFromJson(d: RunRecord['data']): Dataset {
  return { x: Float64Array.from(d.x.flat()), y: Float64Array.from(d.y) };
}

/** The start of a run read back from a record: its config, data and initial parameters. */
export interface RecordStart {
  config: RunConfig;
  data: Dataset;
  initial: Params;
  /** where the record's real data came from (absent for synthetic data) */
  source?: DataSource;
}

function checkRows(field: string, rows: unknown, count: number, width: number): void {
  if (!Array.isArray(rows) || rows.length !== count) {
    throw new ValidationError(field, rows, `an array of ${count} rows`);
  }
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== width)
      throw new ValidationError(`${field}[${i}]`, row, `an array of ${width} finite numbers`);
    row.forEach((value, k) => {
      if (!Number.isFinite(value))
        throw new ValidationError(`${field}[${i}][${k}]`, value, 'a finite number');
    });
  });
}

function checkVector(field: string, values: unknown, count: number): void {
  if (!Array.isArray(values) || values.length !== count)
    throw new ValidationError(field, values, `an array of ${count} finite numbers`);
  values.forEach((value, i) => {
    if (!Number.isFinite(value))
      throw new ValidationError(`${field}[${i}]`, value, 'a finite number');
  });
}

function checkObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(field, value, 'an object');
  return value as Record<string, unknown>;
}

/**
 * Reads the start of a run (config, data, initial parameters) from a parsed run record, checking
 * every field and every size against the config. `source` prefixes field names in messages.
 *
 * @example
 * ```ts
 * const start = recordStart(JSON.parse(text), 'run.json: ');
 * ```
 */
export function recordStart(value: unknown, source = ''): RecordStart {
  const record = checkObject(`${source}record`, value);
  const configJson = checkObject(`${source}config`, record.config);
  const config = resolveConfig(
    configJson as Partial<Record<keyof RunConfig, unknown>>,
    (k) => k,
    `${source}config.`,
  );
  const { n, hidden, dim } = config;
  const data = checkObject(`${source}data`, record.data);
  checkRows(`${source}data.x`, data.x, n, dim);
  checkVector(`${source}data.y`, data.y, n);
  const initial = checkObject(`${source}initial`, record.initial);
  const [rows, second] = config.unit === 'radial' ? ['P', 's'] : ['W', 'b'];
  checkRows(`${source}initial.${rows}`, initial[rows], hidden, dim);
  checkVector(`${source}initial.${second}`, initial[second], hidden);
  checkVector(`${source}initial.v`, initial.v, hidden);
  checkVector(`${source}initial.c`, [initial.c], 1);
  return {
    config,
    data: dataFromJson(data as RunRecord['data']),
    initial: paramsFromJson(initial as unknown as ParamsJson),
    ...(data.source !== undefined ? { source: data.source as DataSource } : {}),
  };
}
