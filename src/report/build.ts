// Builds the report of a set of runs: tables (Markdown, CSV), plots (SVG, PNG), the claims check
// (claims.json) and report.md / report.html. This file assembles and writes; the parts live beside it.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { ValidationError } from '../errors.js';
import { HULL_ACCURACY, HULL_TOLERANCE } from '../eval/hull.js';
import { recordWithScorecard } from '../eval/scorecard.js';
import { describeNumerics, recordNumerics } from '../numerics.js';
import { uniqueRecords, type RunRecord } from '../record.js';
import {
  describeSetting,
  findSweep,
  panels,
  REPORT_METRICS,
  slices,
  SWEEP_FIELDS,
  type Panel,
  type ReportMetric,
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
import { claimsBlocks, claimsGridBlock, panelClaimsBlocks } from '../render/claims.js';
import { claimsJson } from './claims-json.js';
import { toHtml, toMarkdown, type Block } from '../render/document.js';
import {
  compileVega,
  positionsSpec,
  renderCompiledSvg,
  sizeCurveSpec,
  svgToPng,
  sweepCurveSpec,
  vegaRuntimeFile,
  type PositionsRow,
} from '../render/plots.js';
import { WILCOXON_EXACT_MAX } from '../analysis/stats.js';
import {
  metricCsv,
  metricTable,
  overviewTable,
  summaryTables,
  SWEEP_METRICS,
  sweepCsv,
  sweepPoints,
  sweepTable,
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

/** The sweeps of a panel, in {@link SWEEP_FIELDS} order. */
const sweepList = (p: PanelAnalysis): SweepAnalysis[] =>
  SWEEP_FIELDS.flatMap((f) => (p.sweeps[f] ? [p.sweeps[f]] : []));

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
  const figure = async (
    name: string,
    spec: TopLevelSpec,
    caption: string,
    live: TopLevelSpec = spec,
  ): Promise<Block> => {
    const compiled = await compileVega(spec);
    const svg = await renderCompiledSvg(compiled);
    await write(`plots/${name}.svg`, svg);
    if (options.png !== false) await write(`plots/${name}.png`, svgToPng(svg, pngScale));
    return {
      kind: 'figure',
      file: `plots/${name}.svg`,
      svg,
      caption,
      vega: live === spec ? compiled : await compileVega(live),
    };
  };

  const title = options.title ?? 'protomlp report';
  const multi = analysis.panels.length > 1;
  // file names and captions of one panel's parts: no suffix when there is one panel
  const suffixOf = (p: (typeof analysis.panels)[number]) => (multi ? `-${p.panel.key}` : '');
  const ofPanel = (p: (typeof analysis.panels)[number]) => (multi ? ` (${p.panel.label})` : '');
  const diverged = analysis.records.filter((r) => r.metrics.diverged).length;
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: title }];
  const describeSweep = ({ sweep }: SweepAnalysis): string =>
    `${sweep.field === 'tau' ? 'Tau' : 'Lambda'} sweep: ${describeSetting(sweep.setting)}; ${sweep.field} in {${sweep.values.join(', ')}}; masks ${[...new Set(sweep.series.map((s) => s.mask))].join(', ')} at N in {${[...new Set(sweep.series.map((s) => s.n))].join(', ')}}; ${sweep.records.length} runs.`;
  const settingLines = (p: PanelAnalysis, prefix: string) => [
    p.main
      ? `${prefix}Main setting (tables, paired tests, C0–C5): ${describeSetting(p.main.setting)}; masks ${p.main.masks.join(', ')}; N in {${p.main.sizes.join(', ')}}; ${p.main.records.length} runs.`
      : '',
    ...sweepList(p).map((a) => `${prefix}${describeSweep(a)}`),
    p.sweeps.tau ? '' : `${prefix}No tau sweep among the runs (C6 not testable).`,
  ];
  const anySweep = analysis.panels.some((p) => sweepList(p).length);
  const intro = [
    `${analysis.records.length} runs${options.source ? ` from ${options.source}` : ''}; ${diverged} diverged (kept, with null metrics, and left out of every mean and test).`,
    ...(multi
      ? [
          `${analysis.panels.length} panels (one per dataset, input dimension d and neuron, and per width H / N when the runs vary it), each checked on its own: ${analysis.panels.map((p) => `${p.panel.label} (${p.panel.runs} runs)`).join(', ')}.`,
          ...analysis.panels.flatMap((p) => settingLines(p, `**${p.panel.label}** — `)),
        ]
      : settingLines(analysis, '')),
    anySweep
      ? 'Runs that ignore a swept field (`base` for lambda; masks without `sep` for tau) are one run each, counted at every value of it.'
      : '',
    `Numerics: ${describeNumerics(numerics[0])} (${numerics[0].startsWith('native/') ? 'the native kernels give these bits on every CPU and instruction set' : 'the TypeScript backend'}).`,
    ...(options.notes ?? []),
  ].filter(Boolean);
  blocks.push({ kind: 'list', items: intro });

  blocks.push({ kind: 'heading', level: 2, text: 'Claims check' });
  blocks.push({
    kind: 'paragraph',
    text: `Each claim of the paper, tested on the runs above${multi ? ', in each panel on its own (a column per panel; the deciding numbers follow each verdict, on hover in the HTML report, and in full per panel below)' : ''}. Significance level ${claimOptions.alpha} (two-sided, no correction for multiple comparisons); fit margin for C4: ${claimOptions.fitMargin} (MSE). \`outside\` (C5, C6) is the exact convex hull in every dimension.`,
  });
  if (multi) {
    blocks.push(
      ...panelClaimsBlocks(
        analysis.panels.map((p) => ({ label: p.panel.label, claims: p.claims })),
      ),
    );
    for (const p of analysis.panels) {
      blocks.push({ kind: 'heading', level: 3, text: `Claims: ${p.panel.label}` });
      blocks.push(claimsBlocks(p.claims)[0]);
    }
  } else {
    blocks.push(...claimsBlocks(analysis.claims));
  }
  for (const p of analysis.panels) {
    for (const { sweep, grid } of sweepList(p)) {
      blocks.push({
        kind: 'heading',
        level: 3,
        text: `Claims at each ${sweep.field}${ofPanel(p)}`,
      });
      blocks.push({
        kind: 'paragraph',
        text: `C0–C5 checked again on the runs at each ${sweep.field} (${describeSetting(sweep.setting)}), and whether \`sep\` puts more prototypes outside the hull than \`base\` there (C6 one value at a time). n/t: not testable with these runs. The deciding numbers follow each verdict (on hover in the HTML report).`,
      });
      blocks.push(claimsGridBlock(grid));
    }
  }
  await write('claims.json', `${JSON.stringify(claimsJson(analysis, claimOptions), null, 2)}\n`);

  blocks.push({ kind: 'heading', level: 2, text: 'Plots' });
  const withTables = analysis.panels
    .filter((p) => p.tables && p.main)
    .map((p) => ({ label: p.panel.label, tables: p.tables!, records: p.main!.records }));
  if (withTables.length) {
    // in report.html the curves also show each run as a small point (run id and seed in its tooltip)
    const spec = (metric: ReportMetric, live: boolean) =>
      multi
        ? sizeCurveSpec(
            withTables.map((p) => ({ ...p, records: live ? p.records : undefined })),
            metric,
          )
        : sizeCurveSpec(withTables[0].tables, metric, live ? withTables[0].records : undefined);
    const curve = (metric: ReportMetric, name: string, caption: string) =>
      figure(name, spec(metric, false), caption, spec(metric, true));
    const per = multi ? ', one chart per panel' : '';
    blocks.push(
      await curve(
        'recon',
        'recon-vs-n',
        `Reconstruction error vs N per mask (log y)${per}; bars: 95% t-interval over seeds.`,
      ),
    );
    blocks.push(
      await curve(
        'spec',
        'spec-vs-n',
        `Specialization ratio vs N per mask${per}; bars: 95% t-interval over seeds.`,
      ),
    );
    blocks.push(
      await curve(
        'outside',
        'outside-vs-n',
        `Fraction of prototypes outside the convex hull of the inputs vs N per mask${per}.`,
      ),
    );
    blocks.push(await curve('fit', 'fit-vs-n', `Fit loss (MSE) vs N per mask (log y)${per}.`));
  }
  for (const p of analysis.panels) {
    const suffix = suffixOf(p);
    const of = ofPanel(p);
    for (const { sweep, points } of sweepList(p)) {
      for (const metric of SWEEP_METRICS) {
        blocks.push(
          await figure(
            `${sweep.field}-${metric}${suffix}`,
            sweepCurveSpec(sweep.field, points, metric),
            `${metric} vs ${sweep.field} (log x) per mask, one chart per N${of}; bars: 95% t-interval over seeds${sweep.series.some((s) => s.mask === 'base') ? `; \`base\` ignores ${sweep.field}: the same runs at every value` : ''}.`,
            sweepCurveSpec(sweep.field, points, metric, sweep),
          ),
        );
      }
    }
    const main = p.main;
    if (!main) continue;
    const wanted = options.positionsN ?? 100;
    const sizes = main.sizes;
    const n = sizes.includes(wanted) ? wanted : sizes[sizes.length - 1];
    const missing = n !== wanted ? ` (no runs at N = ${wanted})` : '';
    if (p.panel.dim === 1) {
      const pos = positionsSpec(main.records, n);
      const positions: PositionsRow[] = pos.rows;
      const clipped = positions.reduce((a, r) => a + r.clipped, 0);
      blocks.push(
        await figure(
          `positions-n${n}${suffix}`,
          pos.spec,
          `Prototype positions at N = ${n}${missing}${of}: inputs (circles) above, prototypes (diamonds; expelled ones as red crosses) below, the hull [min x, max x] as a grey bar.${clipped ? ` ${clipped} prototypes lie beyond the axis and are drawn at its edge.` : ''}`,
        ),
      );
      blocks.push({
        kind: 'table',
        header: ['mask', 'seed', 'hull', 'prototypes', 'expelled', 'beyond the axis'],
        align: ['l', 'r', 'l', 'r', 'r', 'r'],
        rows: positions.map((r) => [
          r.mask,
          String(r.seed),
          `[${r.hull[0].toFixed(3)}, ${r.hull[1].toFixed(3)}]`,
          String(r.prototypes.length),
          String(r.expelled),
          String(r.clipped),
        ]),
      });
    } else {
      // PCA and the polygon hull are loaded only for a report with a panel of d >= 2
      const { hullPicture } = await import('../render/hull-plot.js');
      const picture = hullPicture(main.records, n);
      if (!picture) continue;
      const clipped = picture.rows.reduce((a, r) => a + r.clipped, 0);
      const how = picture.explained
        ? `projected onto the first two principal components of the inputs (${(100 * (picture.explained[0] + picture.explained[1])).toFixed(0)}% of their variance); expelled means outside the exact ${p.panel.dim}-dimensional hull, so an expelled prototype can lie inside the projected polygon`
        : 'the convex hull polygon in grey';
      blocks.push(
        await figure(
          `hull-${p.panel.key}-n${n}`,
          picture.spec,
          `Inputs (dots), their convex hull and the prototypes (diamonds inside, red crosses expelled) at N = ${n}${missing}${of}, one panel per mask: ${how}.${clipped ? ` ${clipped} prototypes lie beyond the frame and are drawn at its edge.` : ''}`,
        ),
      );
      blocks.push({
        kind: 'table',
        header: ['mask', 'seed', 'prototypes', 'expelled (exact hull)', 'beyond the frame'],
        align: ['l', 'r', 'r', 'r', 'r'],
        rows: picture.rows.map((r) => [
          r.mask,
          String(r.seed),
          String(r.prototypes),
          String(r.expelled),
          String(r.clipped),
        ]),
      });
    }
  }

  for (const p of analysis.panels) {
    const { tables } = p;
    const suffix = suffixOf(p);
    if (tables) {
      blocks.push({
        kind: 'heading',
        level: 2,
        text: multi ? `Tables: ${p.panel.label}` : 'Tables',
      });
      blocks.push({
        kind: 'paragraph',
        text: `Per N and mask over seeds: mean, sample standard deviation, 95% Student-t interval; against \`base\`, the paired difference (mask − base, same seed = same data and init), the matched-pairs rank-biserial correlation r and the two-sided Wilcoxon signed-rank p. ★ marks the best mean at each N (among the masks). The recon tables also show, in italics, the baselines of the same runs: _random_ (recon of random prototypes in the inputs' bounding box: chance) and _untrained_ (recon of the initial prototypes), one value per seed. CSV files beside these tables hold the same numbers unrounded.${multi ? ' The per-mask detail tables are in the files only.' : ''}`,
      });
      for (const metric of REPORT_METRICS) {
        blocks.push({ kind: 'heading', level: 3, text: `${metric} — means per N (best in bold)` });
        blocks.push(overviewTable(tables, metric));
        const detail = metricTable(tables, metric);
        blocks.push({
          kind: 'paragraph',
          text: `Detail: \`tables/${metric}${suffix}.md\`, \`tables/${metric}${suffix}.csv\`.`,
        });
        await write(
          `tables/${metric}${suffix}.md`,
          toMarkdown([{ kind: 'heading', level: 3, text: `${metric}${ofPanel(p)}` }, detail]),
        );
        await write(`tables/${metric}${suffix}.csv`, metricCsv(tables, metric));
      }
      if (!multi) {
        for (const metric of REPORT_METRICS) {
          blocks.push({
            kind: 'heading',
            level: 3,
            text: `${metric} — per N and mask, against base`,
          });
          blocks.push(metricTable(tables, metric));
        }
      }
    }
    for (const { sweep, points } of sweepList(p)) {
      blocks.push({
        kind: 'heading',
        level: 3,
        text: `${sweep.field === 'tau' ? 'Tau' : 'Lambda'} sweep${ofPanel(p)}`,
      });
      blocks.push({ kind: 'paragraph', text: `Setting: ${describeSetting(sweep.setting)}.` });
      const table = sweepTable(sweep.field, points);
      blocks.push(table);
      await write(`tables/${sweep.field}-sweep${suffix}.md`, toMarkdown([table]));
      await write(`tables/${sweep.field}-sweep${suffix}.csv`, sweepCsv(sweep.field, points));
    }
  }

  blocks.push({ kind: 'heading', level: 2, text: 'Methods' });
  blocks.push({
    kind: 'list',
    items: [
      'Interval: mean ± t(0.975, n−1)·sd/√n over the seeds of a cell (sd with n−1); runs with a null metric (diverged) are left out.',
      `Paired test: Wilcoxon signed-rank on the per-seed differences, zero differences dropped, tied |d| given average ranks; exact (the permutation distribution of W+ over all sign patterns of the observed ranks) up to ${WILCOXON_EXACT_MAX} non-zero pairs, normal approximation with tie-corrected variance and continuity correction above. Chosen over the paired t-test because the metrics (fractions, errors spanning decades) are far from normal with 10 seeds.`,
      'Effect size: matched-pairs rank-biserial correlation r = (W+ − W−)/(W+ + W−), from −1 (every difference negative) to +1 (every difference positive); the mean and median difference are given beside it.',
      "Trend (C6): Spearman's rank correlation between tau and the outside fraction, p from the t approximation with n−2 degrees of freedom.",
      `Hull (\`outside\`, \`outsideDist\`): exact in every dimension. 1-D: outside [min x, max x]. d > 1: the distance to conv{x_i} by Wolfe's nearest-point algorithm, each answer certified by a point of the hull and a separating plane to ${HULL_ACCURACY} of the data's scale; a prototype is outside when farther than ${HULL_TOLERANCE} x the diagonal of the inputs' bounding box.`,
    ],
  });

  await write('report.md', toMarkdown(blocks));
  await write(
    'report.html',
    toHtml(blocks, title, { vegaRuntime: await readFile(vegaRuntimeFile(), 'utf8') }),
  );
  return { out, files, analysis };
}
