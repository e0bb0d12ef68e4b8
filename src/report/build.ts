// Builds the report of a set of runs: tables (Markdown, CSV), plots (SVG, PNG), the claims check
// (claims.json) and report.md / report.html. This file assembles and writes; the parts live beside it.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { ValidationError } from '../errors.js';
import { describeNumerics, recordNumerics } from '../numerics.js';
import { uniqueRecords, type RunRecord } from '../record.js';
import { describeSetting, findSweep, mainSlice, REPORT_METRICS, SWEEP_FIELDS, type ReportMetric, type Slice, type Sweep, type SweepField } from './cells.js';
import {
  checkClaims, claimsBlocks, claimsGrid, claimsGridBlock, claimsGridJson, resolveClaimOptions, type ClaimOptions, type ClaimResult, type ClaimsGrid,
} from './claims.js';
import { toHtml, toMarkdown, type Block } from './document.js';
import { compileVega, positionsSpec, renderSvg, sizeCurveSpec, svgToPng, sweepCurveSpec, vegaRuntimeFile, type PositionsRow } from './plots.js';
import { WILCOXON_EXACT_MAX } from './stats.js';
import {
  metricCsv, metricTable, overviewTable, summaryTables, SWEEP_METRICS, sweepCsv, sweepPoints, sweepTable, type SummaryTables, type SweepPoint,
} from './tables.js';

/** Options of {@link buildReport}. */
export interface ReportOptions extends ClaimOptions {
  /** folder to write into (created if missing) */
  out: string;
  /** title of report.md / report.html */
  title?: string;
  /** where the runs came from, shown in the report (e.g. the study folders) */
  source?: string;
  /** extra lines for the report's opening section (e.g. wall time of the studies) */
  notes?: string[];
  /** write PNGs beside the SVGs (default true) */
  png?: boolean;
  /** PNG pixels per SVG pixel (default 2) */
  pngScale?: number;
  /** size of the prototype-positions picture (default 100; the largest size present otherwise) */
  positionsN?: number;
}

/** A sweep of one field as the report shows it: its runs, its curves' points and its claims grid. */
export interface SweepAnalysis {
  sweep: Sweep;
  points: SweepPoint[];
  grid: ClaimsGrid;
}

/** Everything computed from the records, before anything is drawn or written. */
export interface ReportAnalysis {
  /** the records, duplicates (same id) dropped */
  records: RunRecord[];
  /** the slice with most runs: tables, paired tests and C1-C5 use it */
  main?: Slice;
  tables?: SummaryTables;
  /** the sweeps found (a lambda sweep, a tau sweep; C6 uses the tau sweep) */
  sweeps: Partial<Record<SweepField, SweepAnalysis>>;
  claims: ClaimResult[];
}

/** What {@link buildReport} wrote. */
export interface ReportResult {
  out: string;
  /** files written, relative to `out` */
  files: string[];
  analysis: ReportAnalysis;
}

/**
 * Tables, paired tests and the claims check from run records, without writing anything.
 *
 * @example
 * ```ts
 * const { claims } = analyseRecords(records);
 * for (const c of claims) console.log(c.id, c.status, c.summary);
 * ```
 */
export function analyseRecords(records: readonly RunRecord[], options: ClaimOptions = {}): ReportAnalysis {
  const unique = uniqueRecords(records);
  const main = mainSlice(unique);
  const sweeps: ReportAnalysis['sweeps'] = {};
  for (const field of SWEEP_FIELDS) {
    const sweep = findSweep(unique, field);
    if (sweep) sweeps[field] = { sweep, points: sweepPoints(sweep), grid: claimsGrid(sweep, options) };
  }
  return {
    records: unique,
    main,
    tables: main ? summaryTables(main) : undefined,
    sweeps,
    claims: checkClaims({ main, sweep: sweeps.tau?.sweep }, options),
  };
}

/**
 * Writes the whole report of a set of run records into `options.out`: `report.md`,
 * `report.html` (self-contained), `claims.json`, `tables/*.md|csv`, `plots/*.svg|png`.
 *
 * @example
 * ```ts
 * import { readStudy, buildReport } from 'protomlp';
 * const { records } = await readStudy('runs/paper');
 * const { files, analysis } = await buildReport(records, { out: 'runs/paper/report' });
 * console.log(analysis.claims.map((c) => `${c.id}: ${c.status}`).join('\n'));
 * ```
 */
export async function buildReport(records: readonly RunRecord[], options: ReportOptions): Promise<ReportResult> {
  if (!Array.isArray(records) || records.length === 0) throw new ValidationError('records', records, 'at least one run record');
  if (typeof options?.out !== 'string' || !options.out) throw new ValidationError('out', options?.out, 'a folder path');
  const pngScale = options.pngScale ?? 2;
  if (!(Number.isFinite(pngScale) && pngScale > 0 && pngScale <= 8)) throw new ValidationError('pngScale', pngScale, 'a number > 0 and <= 8');
  const numerics = [...new Set(records.map(recordNumerics))].sort();
  if (numerics.length > 1) {
    throw new ValidationError('records', `runs made with numerics ${numerics.map(describeNumerics).join(' and ')}`, 'runs made with one numerics (a report never mixes them: retrain one study with protomlp sweep --retrain)');
  }
  const claimOptions = resolveClaimOptions({ alpha: options.alpha, fitMargin: options.fitMargin });
  const analysis = analyseRecords(records, claimOptions);
  const out = options.out;
  await mkdir(path.join(out, 'plots'), { recursive: true });
  await mkdir(path.join(out, 'tables'), { recursive: true });
  const files: string[] = [];
  const write = async (rel: string, data: string | Buffer) => {
    await writeFile(path.join(out, rel), data);
    files.push(rel);
  };
  /** A plot: `spec` drawn to SVG (and PNG) files; `live` (default `spec`) drawn in report.html. */
  const figure = async (name: string, spec: TopLevelSpec, caption: string, live: TopLevelSpec = spec): Promise<Block> => {
    const svg = await renderSvg(spec);
    await write(`plots/${name}.svg`, svg);
    if (options.png !== false) await write(`plots/${name}.png`, svgToPng(svg, pngScale));
    return { kind: 'figure', file: `plots/${name}.svg`, svg, caption, vega: compileVega(live) };
  };

  const title = options.title ?? 'protomlp report';
  const { main, tables, sweeps } = analysis;
  const sweepList = SWEEP_FIELDS.flatMap((f) => (sweeps[f] ? [sweeps[f]] : []));
  const describeSweep = ({ sweep }: SweepAnalysis): string =>
    `${sweep.field} sweep: ${describeSetting(sweep.setting)}; ${sweep.field} in {${sweep.values.join(', ')}}; masks ${[...new Set(sweep.series.map((s) => s.mask))].join(', ')} at N in {${[...new Set(sweep.series.map((s) => s.n))].join(', ')}}; ${sweep.records.length} runs.`;
  const diverged = analysis.records.filter((r) => r.metrics.diverged).length;
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: title }];
  const intro = [
    `${analysis.records.length} runs${options.source ? ` from ${options.source}` : ''}; ${diverged} diverged (kept, with null metrics, and left out of every mean and test).`,
    main ? `Main setting (tables, paired tests, C1–C5): ${describeSetting(main.setting)}; masks ${main.masks.join(', ')}; N in {${main.sizes.join(', ')}}; ${main.records.length} runs.` : '',
    ...sweepList.map((a) => `${describeSweep(a)[0].toUpperCase()}${describeSweep(a).slice(1)}`),
    sweeps.tau ? '' : 'No tau sweep among the runs (C6 not testable).',
    sweepList.length ? 'Runs that ignore a swept field (`base` for lambda; masks without `sep` for tau) are one run each, counted at every value of it.' : '',
    `Numerics: ${describeNumerics(numerics[0])} (${numerics[0].startsWith('native/') ? 'the native kernels give these bits on every CPU and instruction set' : 'the TypeScript backend'}).`,
    ...(options.notes ?? []),
  ].filter(Boolean);
  blocks.push({ kind: 'list', items: intro });

  blocks.push({ kind: 'heading', level: 2, text: 'Claims check' });
  blocks.push({ kind: 'paragraph', text: `Each claim of the paper, tested on the runs above. Significance level ${claimOptions.alpha} (two-sided, no correction for multiple comparisons); fit margin for C4: ${claimOptions.fitMargin} (MSE).` });
  blocks.push(...claimsBlocks(analysis.claims));
  for (const { sweep, grid } of sweepList) {
    blocks.push({ kind: 'heading', level: 3, text: `Claims at each ${sweep.field}` });
    blocks.push({ kind: 'paragraph', text: `C1–C5 checked again on the runs at each ${sweep.field} (${describeSetting(sweep.setting)}), and whether \`sep\` puts more prototypes outside the hull than \`base\` there (C6 one value at a time). n/t: not testable with these runs. The deciding numbers follow each verdict (on hover in the HTML report).` });
    blocks.push(claimsGridBlock(grid));
  }
  await write('claims.json', JSON.stringify({
    alpha: claimOptions.alpha, fitMargin: claimOptions.fitMargin, runs: analysis.records.length, mainSetting: main?.setting ?? null, claims: analysis.claims,
    grids: Object.fromEntries(sweepList.map((a) => [a.sweep.field, claimsGridJson(a.grid)])),
  }, null, 2) + '\n');

  blocks.push({ kind: 'heading', level: 2, text: 'Plots' });
  // in report.html the curves also show each run as a small point (run id and seed in its tooltip)
  if (tables && main) {
    const curve = (metric: ReportMetric, name: string, caption: string) =>
      figure(name, sizeCurveSpec(tables, metric), caption, sizeCurveSpec(tables, metric, main.records));
    blocks.push(await curve('recon', 'recon-vs-n', 'Reconstruction error vs N per mask (log y); bars: 95% t-interval over seeds.'));
    blocks.push(await curve('spec', 'spec-vs-n', 'Specialization ratio vs N per mask; bars: 95% t-interval over seeds.'));
    blocks.push(await curve('outside', 'outside-vs-n', 'Fraction of prototypes outside the convex hull of the inputs vs N per mask.'));
    blocks.push(await curve('fit', 'fit-vs-n', 'Fit loss (MSE) vs N per mask (log y).'));
  }
  for (const { sweep, points } of sweepList) {
    for (const metric of SWEEP_METRICS) {
      blocks.push(await figure(`${sweep.field}-${metric}`, sweepCurveSpec(sweep.field, points, metric),
        `${metric} vs ${sweep.field} (log x) per mask, one panel per N; bars: 95% t-interval over seeds${sweep.series.some((s) => s.mask === 'base') ? `; \`base\` ignores ${sweep.field}: the same runs at every value` : ''}.`,
        sweepCurveSpec(sweep.field, points, metric, sweep)));
    }
  }
  let positions: PositionsRow[] = [];
  if (main && main.records.some((r) => r.config.dim === 1)) {
    const wanted = options.positionsN ?? 100;
    const sizes = [...new Set(main.records.filter((r) => r.config.dim === 1).map((r) => r.config.n))].sort((a, b) => a - b);
    const n = sizes.includes(wanted) ? wanted : sizes[sizes.length - 1];
    const pos = positionsSpec(main.records, n);
    positions = pos.rows;
    const clipped = positions.reduce((a, r) => a + r.clipped, 0);
    blocks.push(await figure(`positions-n${n}`, pos.spec,
      `Prototype positions at N = ${n}${n !== wanted ? ` (no runs at N = ${wanted})` : ''}: inputs (circles) above, prototypes (diamonds; expelled ones as red crosses) below, the hull [min x, max x] as a grey bar.${clipped ? ` ${clipped} prototypes lie beyond the axis and are drawn at its edge.` : ''}`));
    blocks.push({
      kind: 'table', header: ['mask', 'seed', 'hull', 'prototypes', 'expelled', 'beyond the axis'], align: ['l', 'r', 'l', 'r', 'r', 'r'],
      rows: positions.map((r) => [r.mask, String(r.seed), `[${r.hull[0].toFixed(3)}, ${r.hull[1].toFixed(3)}]`, String(r.prototypes.length), String(r.expelled), String(r.clipped)]),
    });
  }

  if (tables) {
    blocks.push({ kind: 'heading', level: 2, text: 'Tables' });
    blocks.push({ kind: 'paragraph', text: 'Per N and mask over seeds: mean, sample standard deviation, 95% Student-t interval; against `base`, the paired difference (mask − base, same seed = same data and init), the matched-pairs rank-biserial correlation r and the two-sided Wilcoxon signed-rank p. ★ marks the best mean at each N. CSV files beside these tables hold the same numbers unrounded.' });
    for (const metric of REPORT_METRICS) {
      blocks.push({ kind: 'heading', level: 3, text: `${metric} — means per N (best in bold)` });
      const overview = overviewTable(tables, metric);
      blocks.push(overview);
      const detail = metricTable(tables, metric);
      blocks.push({ kind: 'paragraph', text: `Detail: \`tables/${metric}.md\`, \`tables/${metric}.csv\`.` });
      await write(`tables/${metric}.md`, toMarkdown([{ kind: 'heading', level: 3, text: metric }, detail]));
      await write(`tables/${metric}.csv`, metricCsv(tables, metric));
    }
    for (const metric of REPORT_METRICS) {
      blocks.push({ kind: 'heading', level: 3, text: `${metric} — per N and mask, against base` });
      blocks.push(metricTable(tables, metric));
    }
  }
  for (const { sweep, points } of sweepList) {
    blocks.push({ kind: 'heading', level: 3, text: `${sweep.field === 'tau' ? 'Tau' : 'Lambda'} sweep` });
    blocks.push({ kind: 'paragraph', text: `Setting: ${describeSetting(sweep.setting)}.` });
    const table = sweepTable(sweep.field, points);
    blocks.push(table);
    await write(`tables/${sweep.field}-sweep.md`, toMarkdown([table]));
    await write(`tables/${sweep.field}-sweep.csv`, sweepCsv(sweep.field, points));
  }

  blocks.push({ kind: 'heading', level: 2, text: 'Methods' });
  blocks.push({
    kind: 'list', items: [
      'Interval: mean ± t(0.975, n−1)·sd/√n over the seeds of a cell (sd with n−1); runs with a null metric (diverged) are left out.',
      `Paired test: Wilcoxon signed-rank on the per-seed differences, zero differences dropped, tied |d| given average ranks; exact (the permutation distribution of W+ over all sign patterns of the observed ranks) up to ${WILCOXON_EXACT_MAX} non-zero pairs, normal approximation with tie-corrected variance and continuity correction above. Chosen over the paired t-test because the metrics (fractions, errors spanning decades) are far from normal with 10 seeds.`,
      'Effect size: matched-pairs rank-biserial correlation r = (W+ − W−)/(W+ + W−), from −1 (every difference negative) to +1 (every difference positive); the mean and median difference are given beside it.',
      "Trend (C6): Spearman's rank correlation between tau and the outside fraction, p from the t approximation with n−2 degrees of freedom.",
    ],
  });

  await write('report.md', toMarkdown(blocks));
  await write('report.html', toHtml(blocks, title, { vegaRuntime: await readFile(vegaRuntimeFile(), 'utf8') }));
  return { out, files, analysis };
}
