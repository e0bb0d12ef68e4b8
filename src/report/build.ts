// Builds the report of a set of runs: tables (Markdown, CSV), plots (SVG, PNG), the claims check
// (claims.json) and report.md / report.html. This file analyses and assembles; the sections are
// built in sections.ts, the analysis and rendering live in src/analysis/ and src/render/.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { recordWithScorecard } from '../eval/scorecard.js';
import { describeNumerics, recordNumerics } from '../numerics.js';
import { uniqueRecords, type RunRecord } from '../record.js';
import {
  findSweep,
  panels,
  slices,
  SWEEP_FIELDS,
  type Panel,
  type Slice,
  type Sweep,
  type SweepField,
} from '../analysis/cells.js';
import {
  checkClaims,
  claimsGrid,
  resolveClaimOptions,
  type ClaimOptions,
  type ClaimResult,
  type ClaimsGrid,
} from '../analysis/claims.js';
import { claimsJson } from './claims-json.js';
import {
  claimsSection,
  introBlock,
  methodsBlocks,
  plotsSection,
  reportWriter,
  tablesSection,
} from './sections.js';
import { toHtml, toMarkdown, type Block } from '../render/document.js';
import { vegaRuntimeFile } from '../render/plots.js';
import {
  summaryTables,
  sweepPoints,
  type SummaryTables,
  type SweepPoint,
} from '../render/tables.js';

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

/** What one panel's runs show: its main slice, tables, sweeps and claims. */
export interface PanelAnalysis {
  /** the slice with most runs: tables, paired tests and C0-C5 use it */
  main?: Slice;
  tables?: SummaryTables;
  /** the sweeps found (a lambda sweep, a tau sweep; C6 uses the tau sweep) */
  sweeps: Partial<Record<SweepField, SweepAnalysis>>;
  claims: ClaimResult[];
}

/** Everything computed from the records, before anything is drawn or written. */
export interface ReportAnalysis extends PanelAnalysis {
  /** the records, duplicates (same id) dropped */
  records: RunRecord[];
  /**
   * One analysis per panel (dataset and d), in {@link panels} order; the claims and the sweeps'
   * claims grids are checked within each. The fields beside this one are the panel of the largest
   * slice (the only one when all runs share a dataset and d).
   */
  panels: (PanelAnalysis & { panel: Omit<Panel, 'records'> & { runs: number } })[];
}

/** The main slice, the sweeps and the claims of one panel's runs. */
function analysePanel(records: readonly RunRecord[], options: ClaimOptions): PanelAnalysis {
  const all = slices(records); // the grouping mainSlice and every findSweep would each redo
  const main = all[0];
  const sweeps: PanelAnalysis['sweeps'] = {};
  for (const field of SWEEP_FIELDS) {
    const sweep = findSweep(records, field, all);
    if (sweep)
      sweeps[field] = { sweep, points: sweepPoints(sweep), grid: claimsGrid(sweep, options) };
  }
  return {
    main,
    tables: main ? summaryTables(main) : undefined,
    sweeps,
    claims: checkClaims({ main, sweep: sweeps.tau?.sweep }, options),
  };
}

/** What {@link buildReport} wrote. */
export interface ReportResult {
  out: string;
  /** files written, relative to `out` */
  files: string[];
  analysis: ReportAnalysis;
}

/**
 * Tables, paired tests and the claims check from run records, without writing anything: one
 * analysis per panel (dataset and d), the largest beside them.
 *
 * @example
 * ```ts
 * const { claims } = analyseRecords(records);
 * for (const c of claims) console.log(c.id, c.status, c.summary);
 * ```
 */
export function analyseRecords(
  records: readonly RunRecord[],
  options: ClaimOptions = {},
): ReportAnalysis {
  // records made before the scorecard get it computed from their data and parameters
  const unique = uniqueRecords(records).map(recordWithScorecard);
  const analysed = panels(unique).map(({ records: panelRecords, ...panel }) => ({
    panel: { ...panel, runs: panelRecords.length },
    ...analysePanel(panelRecords, options),
  }));
  const largest = analysed.reduce<(typeof analysed)[number] | undefined>(
    (a, b) => (!a || (b.main?.records.length ?? 0) > (a.main?.records.length ?? 0) ? b : a),
    undefined,
  );
  const { panel: _, ...primary } = largest ?? { panel: undefined, ...analysePanel([], options) };
  return { records: unique, ...primary, panels: analysed };
}

/** One line per claim for a terminal: its status, per panel when there are several. */
export function claimLines(analysis: ReportAnalysis): string[] {
  if (analysis.panels.length <= 1) return analysis.claims.map((c) => `${c.id}: ${c.status}`);
  return analysis.claims.map(
    (c, i) =>
      `${c.id}: ${analysis.panels.map((p) => `${p.claims[i].status} (${p.panel.label})`).join(', ')}`,
  );
}

/**
 * Writes the whole report of a set of run records into `options.out`: `report.md`,
 * `report.html` (self-contained), `claims.json`, `tables/*.md|csv`, `plots/*.svg|png`. Runs of
 * several datasets or input dimensions are checked per panel: a column per panel in the claims
 * table, the curves side by side, tables and pictures per panel.
 *
 * @example
 * ```ts
 * import { readStudy } from 'protomlp/study';
 * import { buildReport } from 'protomlp/report';
 * const { records } = await readStudy('runs/paper');
 * const { files, analysis } = await buildReport(records, { out: 'runs/paper/report' });
 * console.log(analysis.claims.map((c) => `${c.id}: ${c.status}`).join('\n'));
 * ```
 */
export async function buildReport(
  records: readonly RunRecord[],
  options: ReportOptions,
): Promise<ReportResult> {
  const { pngScale, numerics } = checkReportInputs(records, options);
  const claimOptions = resolveClaimOptions({ alpha: options.alpha, fitMargin: options.fitMargin });
  const analysis = analyseRecords(records, claimOptions);
  const out = options.out;
  await mkdir(path.join(out, 'plots'), { recursive: true });
  await mkdir(path.join(out, 'tables'), { recursive: true });
  const writer = reportWriter(out, options.png !== false, pngScale);
  const title = options.title ?? 'protomlp report';
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: title },
    introBlock(analysis, options, numerics[0]),
    ...claimsSection(analysis, claimOptions),
  ];
  await writer.write(
    'claims.json',
    `${JSON.stringify(claimsJson(analysis, claimOptions), null, 2)}\n`,
  );
  blocks.push(...(await plotsSection(analysis, writer, options.positionsN ?? 100)));
  blocks.push(...(await tablesSection(analysis, writer)));
  blocks.push(...methodsBlocks());
  await writer.write('report.md', toMarkdown(blocks));
  await writer.write(
    'report.html',
    toHtml(blocks, title, { vegaRuntime: await readFile(vegaRuntimeFile(), 'utf8') }),
  );
  return { out, files: writer.files, analysis };
}

/** The options and records a report can be made of: a PNG scale, and one numerics among the runs. */
function checkReportInputs(
  records: readonly RunRecord[],
  options: ReportOptions,
): { pngScale: number; numerics: string[] } {
  if (!Array.isArray(records) || records.length === 0)
    throw new ValidationError('records', records, 'at least one run record');
  if (typeof options?.out !== 'string' || !options.out)
    throw new ValidationError('out', options?.out, 'a folder path');
  const pngScale = options.pngScale ?? 2;
  if (!(Number.isFinite(pngScale) && pngScale > 0 && pngScale <= 8))
    throw new ValidationError('pngScale', pngScale, 'a number > 0 and <= 8');
  const numerics = [...new Set(records.map(recordNumerics))].sort();
  if (numerics.length > 1) {
    throw new ValidationError(
      'records',
      `runs made with numerics ${numerics.map(describeNumerics).join(' and ')}`,
      'runs made with one numerics (a report never mixes them: retrain one study with `retrain: true`)',
    );
  }
  return { pngScale, numerics };
}
