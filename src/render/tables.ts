// Per mask and N: mean, sd and 95% interval of each metric over seeds, the best mask per N, and
// the paired Wilcoxon test against `base`; rendered as Markdown and CSV. Pure functions.

import type { Mask } from '../config.js';
import type { RunRecord } from '../record.js';
import { csvText } from '../csv.js';
import { formatNumber, formatP } from './format.js';
import {
  cellRecords,
  LOWER_IS_BETTER,
  metricValue,
  pairedDifferences,
  REPORT_METRICS,
  type ReportMetric,
  type Slice,
  type SliceSetting,
  type Sweep,
  type SweepField,
} from '../analysis/cells.js';
import type { TableBlock } from './document.js';
import {
  summarize,
  wilcoxonSignedRank,
  type Summary,
  type WilcoxonResult,
} from '../analysis/stats.js';

/** One mask at one size. */
export interface CellSummary {
  mask: Mask;
  n: number;
  runs: number;
  diverged: number;
  stats: Record<ReportMetric, Summary>;
  /** this mask has the best mean at this N (lowest; highest for spec); ties all marked */
  best: Record<ReportMetric, boolean>;
  /** paired Wilcoxon signed-rank of (mask - base) over seeds; null for base or without base */
  vsBase: Record<ReportMetric, WilcoxonResult | null>;
}

/** The tables of the main slice. */
export interface SummaryTables {
  setting: SliceSetting;
  masks: Mask[];
  sizes: number[];
  cells: CellSummary[];
  /** recon's baselines per N (mask-free: one value per seed) */
  baselines: BaselineSummary[];
}

/** The scorecard fields a recon table shows beside the masks, and their names there. */
export const RECON_BASELINES = [
  { field: 'reconRandom', label: 'random' },
  { field: 'reconUntrained', label: 'untrained' },
] as const;
export type ReconBaseline = (typeof RECON_BASELINES)[number]['label'];

/**
 * recon's baselines at one N: the scorecard's `reconRandom` and `reconUntrained` summarized over
 * seeds. They depend on the data, the init and the seed, never on the mask, so each seed counts
 * once (its first run in the slice).
 */
export interface BaselineSummary {
  n: number;
  /** seeds with a run at this N */
  seeds: number;
  stats: Record<ReconBaseline, Summary>;
}

/** The {@link BaselineSummary} of every size of a slice. */
export function baselineSummaries(slice: Slice): BaselineSummary[] {
  return slice.sizes.map((n) => {
    const bySeed = new Map<number, RunRecord>();
    for (const r of slice.records)
      if (r.config.n === n && !bySeed.has(r.config.seed)) bySeed.set(r.config.seed, r);
    const runs = [...bySeed.values()];
    const stats = {} as Record<ReconBaseline, Summary>;
    for (const b of RECON_BASELINES)
      stats[b.label] = summarize(runs.map((r) => metricValue(r, b.field)));
    return { n, seeds: runs.length, stats };
  });
}

/** Baselines that have a value somewhere (none for records without a scorecard). */
const shownBaselines = (tables: SummaryTables) =>
  RECON_BASELINES.filter((b) => tables.baselines.some((x) => x.stats[b.label].mean !== null));

/** Summaries, best marks and paired tests for every (mask, N) of a slice. */
export function summaryTables(slice: Slice): SummaryTables {
  const cells: CellSummary[] = [];
  for (const n of slice.sizes) {
    const row: CellSummary[] = [];
    for (const mask of slice.masks) {
      const records = cellRecords(slice, mask, n);
      if (!records.length) continue;
      const stats = {} as Record<ReportMetric, Summary>;
      const vsBase = {} as Record<ReportMetric, WilcoxonResult | null>;
      for (const metric of REPORT_METRICS) {
        stats[metric] = summarize(records.map((r) => metricValue(r, metric)));
        const hasBase = mask !== 'base' && cellRecords(slice, 'base', n).length > 0;
        vsBase[metric] = hasBase
          ? wilcoxonSignedRank(pairedDifferences(slice, mask, 'base', n, metric).diffs)
          : null;
      }
      const diverged = records.filter((r) => r.metrics.diverged).length;
      row.push({
        mask,
        n,
        runs: records.length,
        diverged,
        stats,
        vsBase,
        best: {} as Record<ReportMetric, boolean>,
      });
    }
    for (const metric of REPORT_METRICS) {
      const means = row.map((c) => c.stats[metric].mean).filter((m): m is number => m !== null);
      const target = means.length
        ? LOWER_IS_BETTER[metric]
          ? Math.min(...means)
          : Math.max(...means)
        : null;
      for (const c of row) c.best[metric] = target !== null && c.stats[metric].mean === target;
    }
    cells.push(...row);
  }
  return {
    setting: slice.setting,
    masks: slice.masks,
    sizes: slice.sizes,
    cells,
    baselines: baselineSummaries(slice),
  };
}

/**
 * CSV of one metric: one row per (N, mask) with the summary, the best mark and the test vs base;
 * for recon, after each N's masks, a row per baseline (mask `baseline:random`, `baseline:untrained`;
 * runs = seeds, no test).
 */
export function metricCsv(tables: SummaryTables, metric: ReportMetric): string {
  const header = [
    'n',
    'mask',
    'runs',
    'diverged',
    'mean',
    'sd',
    'ci95_low',
    'ci95_high',
    'best',
    'vs_base_pairs',
    'vs_base_mean_diff',
    'vs_base_median_diff',
    'vs_base_rank_biserial',
    'vs_base_p',
    'vs_base_method',
  ];
  const rows = rowsByN<unknown[]>(
    tables,
    metric,
    (c) => {
      const s = c.stats[metric];
      const t = c.vsBase[metric];
      return [
        c.n,
        c.mask,
        c.runs,
        c.diverged,
        s.mean,
        s.sd,
        s.ciLow,
        s.ciHigh,
        c.best[metric],
        t?.pairs,
        t?.meanDiff,
        t?.medianDiff,
        t?.effect,
        t?.p,
        t?.method,
      ];
    },
    (b, label) => {
      const s = b.stats[label];
      return [b.n, `baseline:${label}`, b.seeds, 0, s.mean, s.sd, s.ciLow, s.ciHigh, false];
    },
  );
  return csvText(header, rows);
}

/**
 * Table of one metric: per N and mask, the best mask per N in bold with a star; for recon each N
 * ends with its baselines (random prototypes, the untrained network) in italics.
 */
export function metricTable(tables: SummaryTables, metric: ReportMetric): TableBlock {
  const ci = (s: Summary) =>
    s.ciLow === null ? '–' : `[${formatNumber(s.ciLow)}, ${formatNumber(s.ciHigh)}]`;
  const rows = rowsByN(
    tables,
    metric,
    (c) => {
      const s = c.stats[metric];
      const t = c.vsBase[metric];
      return [
        String(c.n),
        c.best[metric] ? `**${c.mask}** ★` : c.mask,
        c.diverged ? `${c.runs} (${c.diverged} diverged)` : String(c.runs),
        c.best[metric] ? `**${formatNumber(s.mean)}**` : formatNumber(s.mean),
        formatNumber(s.sd),
        ci(s),
        t ? formatNumber(t.meanDiff) : '–',
        t ? formatNumber(t.effect) : '–',
        t ? formatP(t.p) : '–',
      ];
    },
    (b, label) => {
      const s = b.stats[label];
      const name = `_${label} (baseline)_`;
      return [
        String(b.n),
        name,
        String(b.seeds),
        formatNumber(s.mean),
        formatNumber(s.sd),
        ci(s),
        '–',
        '–',
        '–',
      ];
    },
  );
  return {
    kind: 'table',
    header: [
      'N',
      'mask',
      'runs',
      'mean',
      'sd',
      '95% CI',
      'Δ vs base (mean)',
      'r (rank-biserial)',
      'p (Wilcoxon)',
    ],
    align: ['r', 'l', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
    rows,
  };
}

/**
 * Compact overview of one metric: rows N, columns masks, the mean with the best per N in bold; for
 * recon the baselines' means (random prototypes, the untrained network) as the last columns.
 */
export function overviewTable(tables: SummaryTables, metric: ReportMetric): TableBlock {
  const baselines = metric === 'recon' ? shownBaselines(tables) : [];
  const rows = tables.sizes.map((n) => [
    String(n),
    ...tables.masks.map((m) => {
      const c = tables.cells.find((x) => x.n === n && x.mask === m);
      if (!c) return '';
      const v = formatNumber(c.stats[metric].mean);
      return c.best[metric] ? `**${v}**` : v;
    }),
    ...baselines.map((b) =>
      formatNumber(tables.baselines.find((x) => x.n === n)?.stats[b.label].mean),
    ),
  ]);
  return {
    kind: 'table',
    header: ['N', ...tables.masks, ...baselines.map((b) => `_${b.label}_`)],
    align: ['r', ...tables.masks.map(() => 'r' as const), ...baselines.map(() => 'r' as const)],
    rows,
  };
}

/**
 * A table's rows in size order: at each N the masks' rows (`cell`), then for recon a row per
 * baseline that has values (`baseline`), so each N's masks stand beside chance and the untrained
 * network.
 */
function rowsByN<Row>(
  tables: SummaryTables,
  metric: ReportMetric,
  cell: (c: CellSummary) => Row,
  baseline: (b: BaselineSummary, label: ReconBaseline) => Row,
): Row[] {
  const baselines = metric === 'recon' ? shownBaselines(tables) : [];
  return tables.sizes.flatMap((n) => {
    const at = tables.baselines.find((b) => b.n === n);
    return [
      ...tables.cells.filter((c) => c.n === n).map(cell),
      ...(at ? baselines.map((b) => baseline(at, b.label)) : []),
    ];
  });
}

/** The metrics drawn and tabulated against a swept field. */
export const SWEEP_METRICS = ['recon', 'spec', 'outside'] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];

/** One point of a sweep curve: a mask at one N and one value of the swept field. */
export interface SweepPoint {
  mask: Mask;
  n: number;
  /** the swept field's value */
  value: number;
  stats: Record<SweepMetric, Summary>;
  /** recon of random prototypes over the same runs (the scorecard's `reconRandom`): chance */
  random: Summary;
}

/** Summaries of recon, spec and outside fraction per (mask, N, value) of a sweep's series. */
export function sweepPoints(sweep: Sweep): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const s of sweep.series) {
    for (const value of s.values) {
      const runs = cellRecords(sweep.slices[sweep.values.indexOf(value)], s.mask, s.n);
      const stats = {} as Record<SweepMetric, Summary>;
      for (const metric of SWEEP_METRICS)
        stats[metric] = summarize(runs.map((r) => metricValue(r, metric)));
      const random = summarize(runs.map((r) => metricValue(r, 'reconRandom')));
      points.push({ mask: s.mask, n: s.n, value, stats, random });
    }
  }
  return points;
}

/** CSV of a sweep: one row per (mask, N, value), mean, sd and 95% interval of each metric, and recon of random prototypes (mean). */
export function sweepCsv(field: SweepField, points: readonly SweepPoint[]): string {
  const header = [
    'mask',
    'n',
    field,
    'runs',
    ...SWEEP_METRICS.flatMap((m) => [`${m}_mean`, `${m}_sd`, `${m}_ci95_low`, `${m}_ci95_high`]),
    'recon_random_mean',
  ];
  return csvText(
    header,
    points.map((p) => [
      p.mask,
      p.n,
      p.value,
      p.stats.recon.n,
      ...SWEEP_METRICS.flatMap((m) => [
        p.stats[m].mean,
        p.stats[m].sd,
        p.stats[m].ciLow,
        p.stats[m].ciHigh,
      ]),
      p.random.mean,
    ]),
  );
}

/** Table of a sweep: per mask, N and value, the mean and 95% interval of each metric, and recon of random prototypes (mean, in italics: chance). */
export function sweepTable(field: SweepField, points: readonly SweepPoint[]): TableBlock {
  const ci = (s: Summary) =>
    s.ciLow === null ? '–' : `[${formatNumber(s.ciLow)}, ${formatNumber(s.ciHigh)}]`;
  return {
    kind: 'table',
    header: [
      'mask',
      'N',
      field,
      'runs',
      ...SWEEP_METRICS.flatMap((m) => [`${m} (mean)`, '95% CI']),
      '_random_ recon',
    ],
    align: ['l', 'r', 'r', 'r', ...SWEEP_METRICS.flatMap(() => ['r', 'l'] as const), 'r'],
    rows: points.map((p) => [
      p.mask,
      String(p.n),
      String(p.value),
      String(p.stats.recon.n),
      ...SWEEP_METRICS.flatMap((m) => [formatNumber(p.stats[m].mean), ci(p.stats[m])]),
      formatNumber(p.random.mean),
    ]),
  };
}
