// Groups run records into the cells a report talks about: per mask and N within one setting of
// the other run fields (a "slice"), paired across masks by seed. No statistics, no I/O here.

import { MASKS, type Mask, type RunConfig } from '../config.js';
import { compareData, dataLabel } from '../data-spec.js';
import type { Metrics, RunRecord } from '../record.js';

/** The metrics the tables and tests cover, and which direction is better for each. */
export const REPORT_METRICS = ['recon', 'spec', 'fit', 'outside'] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];
export const LOWER_IS_BETTER: Record<ReportMetric, boolean> = { recon: true, spec: false, fit: true, outside: true };
export const METRIC_LABELS: Record<ReportMetric, string> = {
  recon: 'reconstruction error',
  spec: 'specialization ratio',
  fit: 'fit loss (MSE)',
  outside: 'fraction of prototypes outside the hull',
};

/**
 * The run fields that make a slice: everything but mask, N and seed. `hidden` enters as `N` when
 * it equals n (the paper's H = N), as the number otherwise, so a size sweep with H = N is one slice;
 * `data` enters as its label (a dataset name or `file PATH`).
 */
const SLICE_FIELDS = ['data', 'hidden', 'dim', 'target', 'init', 'lambda', 'tau', 'tauCov', 'lr', 'epochs'] as const;
export type SliceField = (typeof SLICE_FIELDS)[number];
/** The fixed settings of a slice, `hidden` as `'N'` or a number. */
export type SliceSetting = Record<SliceField, string | number>;

function sliceSetting(config: RunConfig, omit?: SliceField): SliceSetting {
  const out = {} as SliceSetting;
  for (const f of SLICE_FIELDS) {
    if (f === omit) continue;
    out[f] = f === 'hidden' && config.hidden === config.n ? 'N' : f === 'data' ? dataLabel(config.data) : config[f];
  }
  return out;
}

const keyOf = (setting: Partial<SliceSetting>): string => JSON.stringify(setting);

/** Records of one slice: one setting of the other fields, any masks, sizes and seeds. */
export interface Slice {
  setting: SliceSetting;
  records: RunRecord[];
  /** masks present, in canonical order */
  masks: Mask[];
  /** sizes present, ascending */
  sizes: number[];
}

function makeSlice(setting: SliceSetting, records: RunRecord[]): Slice {
  const masks = MASKS.filter((m) => records.some((r) => r.config.mask === m));
  const sizes = [...new Set(records.map((r) => r.config.n))].sort((a, b) => a - b);
  return { setting, records, masks, sizes };
}

/** Every slice of the records, largest first (ties: first seen). */
export function slices(records: readonly RunRecord[]): Slice[] {
  const groups = new Map<string, { setting: SliceSetting; records: RunRecord[] }>();
  for (const r of records) {
    const setting = sliceSetting(r.config);
    const key = keyOf(setting);
    const g = groups.get(key) ?? { setting, records: [] };
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => makeSlice(g.setting, g.records)).sort((a, b) => b.records.length - a.records.length);
}

/**
 * The main slice: the one holding most runs (for the paper study plus a tau sweep, the paper's
 * defaults). Tables, paired tests and claims C1-C5 use it. Undefined for no records.
 */
export function mainSlice(records: readonly RunRecord[]): Slice | undefined {
  return slices(records)[0];
}

/** Runs of one mask at one size in a slice. */
export function cellRecords(slice: Slice, mask: Mask, n: number): RunRecord[] {
  return slice.records.filter((r) => r.config.mask === mask && r.config.n === n);
}

/** A metric's value from a record, null when missing or not finite. */
export function metricValue(record: RunRecord, metric: keyof Metrics): number | null {
  const v = record.metrics[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Paired differences `metric(a) - metric(b)` over seeds at one size of a slice: runs of masks a
 * and b with the same seed share data and init (SPEC §3). Pairs where either value is null are
 * dropped; the seeds kept are returned beside them.
 */
export function pairedDifferences(slice: Slice, a: Mask, b: Mask, n: number, metric: ReportMetric): { seeds: number[]; diffs: number[]; a: number[]; b: number[] } {
  const bySeed = new Map<number, number>();
  for (const r of cellRecords(slice, b, n)) {
    const v = metricValue(r, metric);
    if (v !== null) bySeed.set(r.config.seed, v);
  }
  const out = { seeds: [] as number[], diffs: [] as number[], a: [] as number[], b: [] as number[] };
  const runsA = cellRecords(slice, a, n).sort((x, y) => x.config.seed - y.config.seed);
  for (const r of runsA) {
    const va = metricValue(r, metric);
    const vb = bySeed.get(r.config.seed);
    if (va === null || vb === undefined) continue;
    out.seeds.push(r.config.seed);
    out.diffs.push(va - vb);
    out.a.push(va);
    out.b.push(vb);
  }
  return out;
}

/** A tau sweep found in the records: one setting of the other fields, several tau values. */
export interface TauSweep {
  /** the fixed fields (tau omitted) */
  setting: Omit<SliceSetting, 'tau'>;
  /** (mask, N) combinations with at least two tau values */
  series: { mask: Mask; n: number; taus: number[] }[];
  records: RunRecord[];
}

/**
 * The tau sweep of the records: among the groups of runs that differ only in tau (and mask, N,
 * seed), the largest whose (mask, N) combinations reach at least two tau values; only those
 * combinations are kept. Undefined when no run is swept over tau.
 */
export function tauSweep(records: readonly RunRecord[]): TauSweep | undefined {
  const groups = new Map<string, { setting: Omit<SliceSetting, 'tau'>; records: RunRecord[] }>();
  for (const r of records) {
    const setting = sliceSetting(r.config, 'tau') as Omit<SliceSetting, 'tau'>;
    const key = keyOf(setting);
    const g = groups.get(key) ?? { setting, records: [] };
    g.records.push(r);
    groups.set(key, g);
  }
  let best: TauSweep | undefined;
  for (const g of groups.values()) {
    const taus = new Map<string, Set<number>>();
    for (const r of g.records) {
      const key = `${r.config.mask}|${r.config.n}`;
      (taus.get(key) ?? taus.set(key, new Set()).get(key)!).add(r.config.tau);
    }
    const series: TauSweep['series'] = [];
    for (const mask of MASKS) {
      const sizes = [...new Set(g.records.filter((r) => r.config.mask === mask).map((r) => r.config.n))].sort((a, b) => a - b);
      for (const n of sizes) {
        const set = taus.get(`${mask}|${n}`);
        if (set && set.size >= 2) series.push({ mask, n, taus: [...set].sort((a, b) => a - b) });
      }
    }
    if (!series.length) continue;
    const kept = g.records.filter((r) => series.some((s) => s.mask === r.config.mask && s.n === r.config.n));
    if (!best || kept.length > best.records.length) best = { setting: g.setting, series, records: kept };
  }
  return best;
}

/** Describes a slice setting in words for captions, e.g. `lambda 0.1, tau 0.001, 2000 epochs`. */
export function describeSetting(setting: Partial<SliceSetting>): string {
  const parts: string[] = [];
  if (setting.data !== undefined && setting.data !== 'uniform') parts.push(`data ${setting.data}`);
  if (setting.hidden !== undefined) parts.push(setting.hidden === 'N' ? 'H = N' : `H = ${setting.hidden}`);
  if (setting.dim !== undefined) parts.push(`d = ${setting.dim}`);
  if (setting.target !== undefined) parts.push(`target ${setting.target}`);
  if (setting.init !== undefined) parts.push(`init ${setting.init}`);
  if (setting.lambda !== undefined) parts.push(`lambda ${setting.lambda}`);
  if (setting.tau !== undefined) parts.push(`tau ${setting.tau}`);
  if (setting.tauCov !== undefined) parts.push(`tauCov ${setting.tauCov}`);
  if (setting.lr !== undefined) parts.push(`lr ${setting.lr}`);
  if (setting.epochs !== undefined) parts.push(`${setting.epochs} epochs`);
  return parts.join(', ');
}

/**
 * The runs of one dataset at one input dimension. The claims, tables and plots are made per panel:
 * a study over several d (or datasets) gets a column per panel in its claims table.
 */
export interface Panel {
  /** for file names: `d2` for the uniform data, else the dataset's name (and the file's) and d: `iris-d4` */
  key: string;
  /** for tables and plots: `d = 2`, `iris (d = 4)` */
  label: string;
  /** the dataset's label (a name, or `file PATH`) */
  data: string;
  dim: number;
  records: RunRecord[];
}

/** The records grouped into panels, in dataset order (named datasets first, uniform first), then d ascending. */
export function panels(records: readonly RunRecord[]): Panel[] {
  const groups = new Map<string, Panel>();
  for (const r of records) {
    const data = dataLabel(r.config.data);
    const key = data === 'uniform' ? `d${r.config.dim}` : `${data.replace(/[^\w.+-]+/g, '-')}-d${r.config.dim}`;
    let panel = groups.get(key);
    if (!panel) {
      panel = { key, label: data === 'uniform' ? `d = ${r.config.dim}` : `${data} (d = ${r.config.dim})`, data, dim: r.config.dim, records: [] };
      groups.set(key, panel);
    }
    panel.records.push(r);
  }
  return [...groups.values()].sort((a, b) => compareData(a.records[0].config.data, b.records[0].config.data) || a.dim - b.dim);
}
