// Per mask and N: mean, sd and 95% interval of each metric over seeds, the best mask per N, and
// the paired Wilcoxon test against `base`; rendered as Markdown and CSV. Pure functions.

import type { Mask } from '../config.js';
import { csvText } from '../csv.js';
import { formatNumber, formatP } from '../render/format.js';
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
} from './cells.js';
import type { TableBlock } from './document.js';
import { summarize, wilcoxonSignedRank, type Summary, type WilcoxonResult } from './stats.js';

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
}

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
  return { setting: slice.setting, masks: slice.masks, sizes: slice.sizes, cells };
}

/** CSV of one metric: one row per (N, mask) with the summary, the best mark and the test vs base. */
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
  const rows = tables.cells.map((c) => {
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
  });
  return csvText(header, rows);
}

/** Table of one metric: per N and mask, the best mask per N in bold with a star. */
export function metricTable(tables: SummaryTables, metric: ReportMetric): TableBlock {
  const rows = tables.cells.map((c) => {
    const s = c.stats[metric];
    const t = c.vsBase[metric];
    const ci = s.ciLow === null ? '–' : `[${formatNumber(s.ciLow)}, ${formatNumber(s.ciHigh)}]`;
    return [
      String(c.n),
      c.best[metric] ? `**${c.mask}** ★` : c.mask,
      c.diverged ? `${c.runs} (${c.diverged} diverged)` : String(c.runs),
      c.best[metric] ? `**${formatNumber(s.mean)}**` : formatNumber(s.mean),
      formatNumber(s.sd),
      ci,
      t ? formatNumber(t.meanDiff) : '–',
      t ? formatNumber(t.effect) : '–',
      t ? formatP(t.p) : '–',
    ];
  });
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

/** Compact overview of one metric: rows N, columns masks, the mean with the best per N in bold. */
export function overviewTable(tables: SummaryTables, metric: ReportMetric): TableBlock {
  const rows = tables.sizes.map((n) => [
    String(n),
    ...tables.masks.map((m) => {
      const c = tables.cells.find((x) => x.n === n && x.mask === m);
      if (!c) return '';
      const v = formatNumber(c.stats[metric].mean);
      return c.best[metric] ? `**${v}**` : v;
    }),
  ]);
  return {
    kind: 'table',
    header: ['N', ...tables.masks],
    align: ['r', ...tables.masks.map(() => 'r' as const)],
    rows,
  };
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
      points.push({ mask: s.mask, n: s.n, value, stats });
    }
  }
  return points;
}

/** CSV of a sweep: one row per (mask, N, value), mean, sd and 95% interval of each metric. */
export function sweepCsv(field: SweepField, points: readonly SweepPoint[]): string {
  const header = [
    'mask',
    'n',
    field,
    'runs',
    ...SWEEP_METRICS.flatMap((m) => [`${m}_mean`, `${m}_sd`, `${m}_ci95_low`, `${m}_ci95_high`]),
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
    ]),
  );
}

/** Table of a sweep: per mask, N and value, the mean and 95% interval of each metric. */
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
    ],
    align: ['l', 'r', 'r', 'r', ...SWEEP_METRICS.flatMap(() => ['r', 'l'] as const)],
    rows: points.map((p) => [
      p.mask,
      String(p.n),
      String(p.value),
      String(p.stats.recon.n),
      ...SWEEP_METRICS.flatMap((m) => [formatNumber(p.stats[m].mean), ci(p.stats[m])]),
    ]),
  };
}
