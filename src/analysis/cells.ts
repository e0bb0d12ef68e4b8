// Groups run records into the cells a report talks about: per mask and N within one setting of
// the other run fields (a "slice"), paired across masks by seed. No statistics, no I/O here.

import {
  ACTIVATIONS,
  DEFAULTS,
  IGNORABLE_FIELDS,
  MASKS,
  UNITS,
  usesField,
  type Activation,
  type Mask,
  type RunConfig,
  type Unit,
} from '../config.js';
import { compareData, dataLabel } from '../data-spec.js';
import type { Metrics, RunRecord } from '../record.js';
import { formatNumber } from '../render/format.js';

/** The metrics the tables and tests cover, and which direction is better for each. */
export const REPORT_METRICS = ['recon', 'spec', 'fit', 'outside'] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];
export const LOWER_IS_BETTER: Record<ReportMetric, boolean> = {
  recon: true,
  spec: false,
  fit: true,
  outside: true,
};
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
export const SLICE_FIELDS = [
  'data',
  'hidden',
  'dim',
  'target',
  'init',
  'lambda',
  'tau',
  'tauCov',
  'lr',
  'epochs',
] as const;
export type SliceField = (typeof SLICE_FIELDS)[number];
/** The fixed settings of a slice, `hidden` as `'N'` or a number. */
export type SliceSetting = Record<SliceField, string | number>;

/**
 * The setting of one run: every slice field it uses (`hidden` as `'N'` when H = N, as `'2N'` when
 * `byRatio` and H = 2N); a field the run ignores ({@link usesField}) is absent, since the run
 * belongs to a slice at any value of it.
 */
export function runSetting(config: RunConfig, byRatio = false): Partial<SliceSetting> {
  const out: Partial<SliceSetting> = {};
  for (const f of SLICE_FIELDS) {
    if (!usesField(config, f)) continue;
    out[f] =
      f === 'hidden' && config.hidden === config.n
        ? 'N'
        : f === 'hidden' && byRatio
          ? `${formatNumber(config.hidden / config.n)}N`
          : f === 'data'
            ? dataLabel(config.data)
            : config[f];
  }
  return out;
}

/**
 * Whether records hold one width ratio H / N != 1 over several N (a panel of a study that varies
 * the width, see {@link panels}): then a slice is that ratio at every N, not one H.
 */
function oneRatioOverSizes(records: readonly RunRecord[]): boolean {
  if (records.length === 0) return false;
  const ratio = records[0].config.hidden / records[0].config.n;
  return (
    ratio !== 1 &&
    new Set(records.map((r) => r.config.n)).size > 1 &&
    records.every((r) => r.config.hidden / r.config.n === ratio)
  );
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

/** A slice of records (masks and sizes read off them). */
export function makeSlice(setting: SliceSetting, records: RunRecord[]): Slice {
  const masks = MASKS.filter((m) => records.some((r) => r.config.mask === m));
  const sizes = [...new Set(records.map((r) => r.config.n))].sort((a, b) => a - b);
  return { setting, records, masks, sizes };
}

/** How many of a setting's fields sit at the SPEC §3 default (ties between slices go to the paper's setting). */
function defaultFields(setting: SliceSetting): number {
  return (['lambda', 'tau', 'tauCov', 'lr', 'epochs'] as const).filter(
    (f) => setting[f] === DEFAULTS[f],
  ).length;
}

/**
 * Every slice of the records, largest first (ties: the setting with more SPEC defaults, then first
 * seen). A run that ignores a field (`base` and lambda, a mask without `sep` and tau, one without
 * `cov` and tauCov) is in every slice that the other runs make at any value of that field, so a
 * lambda sweep's slice at each lambda holds the one `base` run of each N and seed. Slices that
 * would hold the same runs (they differ only in a field none of their runs uses) are one.
 */
export function slices(records: readonly RunRecord[]): Slice[] {
  // runs agree exactly on the fields every run uses; the ignorable ones take each value seen
  const groups = new Map<string, { records: RunRecord[]; settings: Partial<SliceSetting>[] }>();
  const byRatio = oneRatioOverSizes(records);
  for (const r of records) {
    const setting = runSetting(r.config, byRatio);
    const fixed = keyOf(
      Object.fromEntries(
        Object.entries(setting).filter(([f]) => !(IGNORABLE_FIELDS as string[]).includes(f)),
      ),
    );
    const g = groups.get(fixed) ?? { records: [], settings: [] };
    g.records.push(r);
    g.settings.push(setting);
    groups.set(fixed, g);
  }
  const out: Slice[] = [];
  for (const g of groups.values()) {
    let candidates: Partial<SliceSetting>[] = [{ ...g.settings[0] }];
    for (const f of IGNORABLE_FIELDS) {
      const seen = [
        ...new Set(g.settings.map((s) => s[f]).filter((v) => v !== undefined)),
      ] as number[];
      const values = seen.length ? seen.sort((a, b) => a - b) : [DEFAULTS[f]];
      candidates = candidates.flatMap((c) => values.map((v) => ({ ...c, [f]: v })));
    }
    const bySet = new Map<string, Slice>();
    for (const candidate of candidates) {
      const setting = Object.fromEntries(
        SLICE_FIELDS.map((f) => [f, candidate[f]]),
      ) as SliceSetting;
      const members = g.records.filter((_, i) =>
        Object.entries(g.settings[i]).every(([f, v]) => setting[f as SliceField] === v),
      );
      if (!members.length) continue;
      const key = members.map((r) => r.id).join();
      const held = bySet.get(key);
      if (!held || defaultFields(setting) > defaultFields(held.setting))
        bySet.set(key, makeSlice(setting, members));
    }
    out.push(...bySet.values());
  }
  return out
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        b.s.records.length - a.s.records.length ||
        defaultFields(b.s.setting) - defaultFields(a.s.setting) ||
        a.i - b.i,
    )
    .map(({ s }) => s);
}

/**
 * The main slice: the one holding most runs (for the paper study plus a tau sweep, the paper's
 * defaults; for a lambda sweep, whose slices are all alike, the one at the default lambda).
 * Tables, paired tests and claims C0-C5 use it. Undefined for no records.
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
export function pairedDifferences(
  slice: Slice,
  a: Mask,
  b: Mask,
  n: number,
  metric: ReportMetric,
): { seeds: number[]; diffs: number[]; a: number[]; b: number[] } {
  const bySeed = new Map<number, number>();
  for (const r of cellRecords(slice, b, n)) {
    const v = metricValue(r, metric);
    if (v !== null) bySeed.set(r.config.seed, v);
  }
  const out = {
    seeds: [] as number[],
    diffs: [] as number[],
    a: [] as number[],
    b: [] as number[],
  };
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

/** The fields a report sweeps: claims per value, and metrics against the value per mask. */
export const SWEEP_FIELDS = ['lambda', 'tau'] as const;
export type SweepField = (typeof SWEEP_FIELDS)[number];

/** A sweep found in the records: one setting of the other fields, several values of one field. */
export interface Sweep {
  field: SweepField;
  /** the fixed fields (the swept one omitted) */
  setting: Partial<SliceSetting>;
  /** the swept values, ascending */
  values: number[];
  /** `slices[i]`: the runs at `values[i]` (runs that ignore the field are in each) */
  slices: Slice[];
  /**
   * (mask, N) combinations drawn against the field: those whose runs use it and reach at least
   * two values, and `base` at the same sizes (when it ignores the field) as the reference
   */
  series: { mask: Mask; n: number; values: number[] }[];
  /** the runs of the series, each once */
  records: RunRecord[];
}

/**
 * The sweep of `field` in the records: among the groups of slices that differ only in that field,
 * the one whose series hold most runs. Undefined when no run that uses the field takes two values.
 * `all` is {@link slices} of the records, for a caller that has it already.
 */
export function findSweep(
  records: readonly RunRecord[],
  field: SweepField,
  all: readonly Slice[] = slices(records),
): Sweep | undefined {
  const groups = new Map<string, { setting: Partial<SliceSetting>; slices: Slice[] }>();
  for (const slice of all) {
    const setting: Partial<SliceSetting> = { ...slice.setting };
    delete setting[field];
    const key = keyOf(setting);
    const g = groups.get(key) ?? { setting, slices: [] as Slice[] };
    g.slices.push(slice);
    groups.set(key, g);
  }
  let best: Sweep | undefined;
  for (const g of groups.values()) {
    const ordered = [...g.slices].sort(
      (a, b) => (a.setting[field] as number) - (b.setting[field] as number),
    );
    const values = ordered.map((s) => s.setting[field] as number);
    // the values at which a mask has runs at N: a series when there are at least two
    const valuesWith = (mask: Mask, n: number): number[] =>
      values.filter((_, i) => cellRecords(ordered[i], mask, n).length > 0);
    const series: Sweep['series'] = [];
    const sizes = [...new Set(ordered.flatMap((s) => s.sizes))].sort((a, b) => a - b);
    for (const mask of MASKS.filter((m) => usesField({ mask: m }, field))) {
      for (const n of sizes) {
        const at = valuesWith(mask, n);
        if (at.length >= 2) series.push({ mask, n, values: at });
      }
    }
    if (!series.length) continue;
    if (!usesField({ mask: 'base' }, field)) {
      for (const n of [...new Set(series.map((s) => s.n))].sort((a, b) => a - b)) {
        const at = valuesWith('base', n);
        if (at.length >= 2) series.unshift({ mask: 'base', n, values: at });
      }
      series.sort((a, b) => MASKS.indexOf(a.mask) - MASKS.indexOf(b.mask) || a.n - b.n);
    }
    const kept = new Map<string, RunRecord>();
    for (const s of series)
      for (const slice of ordered)
        for (const r of cellRecords(slice, s.mask, s.n)) kept.set(r.id, r);
    if (!best || kept.size > best.records.length)
      best = {
        field,
        setting: g.setting,
        values,
        slices: ordered,
        series,
        records: [...kept.values()],
      };
  }
  return best;
}

/** Describes a slice setting in words for captions, e.g. `lambda 0.1, tau 0.001, 2000 epochs`. */
export function describeSetting(setting: Partial<SliceSetting>): string {
  const parts: string[] = [];
  if (setting.data !== undefined && setting.data !== 'uniform') parts.push(`data ${setting.data}`);
  if (setting.hidden !== undefined)
    parts.push(setting.hidden === 'N' ? 'H = N' : `H = ${setting.hidden}`);
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
 * The runs of one dataset at one input dimension with one neuron (unit and activation), and one
 * width ratio H / N when the study varies the width at some N. The
 * claims, tables and plots are made per panel: a study over several d, datasets or architectures
 * gets a column per panel in its claims table.
 */
export interface Panel {
  /**
   * for file names: `d2` for the uniform data and the paper's neuron, else the dataset's name (and
   * the file's), the unit and activation when not the paper's, and d: `iris-d4`, `radial-cauchy-d2`
   */
  key: string;
  /** for tables and plots: `d = 2`, `iris (d = 4)`, `radial cauchy, d = 2` */
  label: string;
  /** the dataset's label (a name, or `file PATH`) */
  data: string;
  dim: number;
  unit: Unit;
  activation: Activation;
  /** H / N of its runs when the study varies the width (then each panel has one); else its first run's */
  widthRatio: number;
  records: RunRecord[];
}

/** `radial cauchy` (or `ridge laplace`, `radial`): the neuron when it is not the paper's, else ''. */
export function neuronLabel(c: Pick<RunRecord['config'], 'unit' | 'activation'>): string {
  const parts = [c.unit !== 'ridge' ? c.unit : '', c.activation !== 'gaussian' ? c.activation : ''];
  const named = parts.filter(Boolean);
  return named.length === 0
    ? ''
    : c.unit === 'ridge'
      ? `ridge ${named.join(' ')}`
      : named.join(' ');
}

/** `H = 2N` for a run whose width is not N (panels split by width only when a study varies it). */
function widthLabel(c: Pick<RunRecord['config'], 'n' | 'hidden'>): string {
  const ratio = c.hidden / c.n;
  return ratio === 1 ? 'H = N' : `H = ${formatNumber(ratio)}N`;
}

function newPanel(r: RunRecord, byWidth: boolean): Panel {
  const { dim, unit, activation } = r.config;
  const data = dataLabel(r.config.data);
  const neuron = neuronLabel(r.config);
  const slug = (text: string) => text.replace(/[^\w.+-]+/g, '-');
  const prefix = [data === 'uniform' ? '' : slug(data), slug(neuron)].filter(Boolean).join('-');
  const width = byWidth ? widthLabel(r.config) : '';
  const at = data === 'uniform' ? `d = ${dim}` : `${data} (d = ${dim})`;
  const where = width ? `${at}, ${width}` : at;
  const widthKey = width ? `-h${formatNumber(r.config.hidden / r.config.n)}n` : '';
  return {
    key: (prefix ? `${prefix}-d${dim}` : `d${dim}`) + widthKey,
    label: neuron ? `${neuron}, ${where}` : where,
    data,
    dim,
    unit,
    activation,
    widthRatio: r.config.hidden / r.config.n,
    records: [],
  };
}

/** Whether some N has runs of more than one width (then panels are split by H / N). */
function variesWidth(records: readonly RunRecord[]): boolean {
  const widths = new Map<number, number>();
  for (const { config } of records) {
    const seen = widths.get(config.n);
    if (seen !== undefined && seen !== config.hidden) return true;
    widths.set(config.n, config.hidden);
  }
  return false;
}

/**
 * The records grouped into panels, in dataset order (named datasets first, uniform first), then
 * neuron (the paper's first, then units and activations in their declared order), then d ascending.
 */
export function panels(records: readonly RunRecord[]): Panel[] {
  const groups = new Map<string, Panel>();
  const byWidth = variesWidth(records);
  for (const r of records) {
    const fresh = newPanel(r, byWidth);
    let panel = groups.get(fresh.key);
    if (!panel) {
      panel = fresh;
      groups.set(fresh.key, panel);
    }
    panel.records.push(r);
  }
  const neuronOrder = (p: Panel) =>
    UNITS.indexOf(p.unit) * ACTIVATIONS.length + ACTIVATIONS.indexOf(p.activation);
  return [...groups.values()].sort(
    (a, b) =>
      compareData(a.records[0].config.data, b.records[0].config.data) ||
      neuronOrder(a) - neuronOrder(b) ||
      a.dim - b.dim ||
      a.widthRatio - b.widthRatio,
  );
}
