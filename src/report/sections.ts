// The sections of report.md / report.html, built from a report's analysis: the opening list, the
// claims check, the plots (written as SVG/PNG as they are made), the tables (written as Markdown
// and CSV) and the methods. buildReport (build.ts) puts them in order and writes the documents.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { HULL_ACCURACY, HULL_TOLERANCE } from '../eval/hull.js';
import { describeNumerics } from '../numerics.js';
import type { RunRecord } from '../record.js';
import {
  describeSetting,
  REPORT_METRICS,
  SWEEP_FIELDS,
  type ReportMetric,
} from '../analysis/cells.js';
import type { ClaimOptions } from '../analysis/claims.js';
import { WILCOXON_EXACT_MAX } from '../analysis/stats.js';
import { claimsBlocks, claimsGridBlock, panelClaimsBlocks } from '../render/claims.js';
import { toMarkdown, type Block } from '../render/document.js';
import {
  compileVega,
  positionsSpec,
  renderCompiledSvg,
  sizeCurveSpec,
  svgToPng,
  sweepCurveSpec,
} from '../render/plots.js';
import {
  metricCsv,
  metricTable,
  overviewTable,
  SWEEP_METRICS,
  sweepCsv,
  sweepTable,
} from '../render/tables.js';
import type { PanelAnalysis, ReportAnalysis, ReportOptions, SweepAnalysis } from './build.js';

type AnalysedPanel = ReportAnalysis['panels'][number];

/** The sweeps of a panel, in {@link SWEEP_FIELDS} order. */
export const sweepList = (p: PanelAnalysis): SweepAnalysis[] =>
  SWEEP_FIELDS.flatMap((f) => (p.sweeps[f] ? [p.sweeps[f]] : []));

/** Writes a report's files into its folder and keeps their names in order. */
export interface ReportWriter {
  files: string[];
  write(rel: string, data: string | Buffer): Promise<void>;
  /** A plot: `spec` drawn to SVG (and PNG) files; `live` (default `spec`) drawn in report.html. */
  figure(name: string, spec: TopLevelSpec, caption: string, live?: TopLevelSpec): Promise<Block>;
}

/** The writer of a report folder (PNGs beside the SVGs when `png`, at `pngScale`). */
export function reportWriter(out: string, png: boolean, pngScale: number): ReportWriter {
  const files: string[] = [];
  const write = async (rel: string, data: string | Buffer) => {
    await writeFile(path.join(out, rel), data);
    files.push(rel);
  };
  const figure = async (
    name: string,
    spec: TopLevelSpec,
    caption: string,
    live: TopLevelSpec = spec,
  ): Promise<Block> => {
    const compiled = await compileVega(spec);
    const svg = await renderCompiledSvg(compiled);
    await write(`plots/${name}.svg`, svg);
    if (png) await write(`plots/${name}.png`, svgToPng(svg, pngScale));
    return {
      kind: 'figure',
      file: `plots/${name}.svg`,
      svg,
      caption,
      vega: live === spec ? compiled : await compileVega(live),
    };
  };
  return { files, write, figure };
}

/** File names and captions of one panel's parts: no suffix when there is one panel. */
const suffixOf = (a: ReportAnalysis, p: AnalysedPanel) =>
  a.panels.length > 1 ? `-${p.panel.key}` : '';
const ofPanel = (a: ReportAnalysis, p: AnalysedPanel) =>
  a.panels.length > 1 ? ` (${p.panel.label})` : '';

function describeSweep({ sweep }: SweepAnalysis): string {
  return `${sweep.field === 'tau' ? 'Tau' : 'Lambda'} sweep: ${describeSetting(sweep.setting)}; ${sweep.field} in {${sweep.values.join(', ')}}; masks ${[...new Set(sweep.series.map((s) => s.mask))].join(', ')} at N in {${[...new Set(sweep.series.map((s) => s.n))].join(', ')}}; ${sweep.records.length} runs.`;
}

function settingLines(p: PanelAnalysis, prefix: string): string[] {
  return [
    p.main
      ? `${prefix}Main setting (tables, paired tests, C0–C5): ${describeSetting(p.main.setting)}; masks ${p.main.masks.join(', ')}; N in {${p.main.sizes.join(', ')}}; ${p.main.records.length} runs.`
      : '',
    ...sweepList(p).map((a) => `${prefix}${describeSweep(a)}`),
    p.sweeps.tau ? '' : `${prefix}No tau sweep among the runs (C6 not testable).`,
  ];
}

/** The opening list: the runs, the panels and their settings, the numerics, the caller's notes. */
export function introBlock(a: ReportAnalysis, options: ReportOptions, numerics: string): Block {
  const multi = a.panels.length > 1;
  const diverged = a.records.filter((r) => r.metrics.diverged).length;
  const anySweep = a.panels.some((p) => sweepList(p).length);
  const items = [
    `${a.records.length} runs${options.source ? ` from ${options.source}` : ''}; ${diverged} diverged (kept, with null metrics, and left out of every mean and test).`,
    ...(multi
      ? [
          `${a.panels.length} panels (one per dataset, input dimension d and neuron, and per width H / N when the runs vary it), each checked on its own: ${a.panels.map((p) => `${p.panel.label} (${p.panel.runs} runs)`).join(', ')}.`,
          ...a.panels.flatMap((p) => settingLines(p, `**${p.panel.label}** — `)),
        ]
      : settingLines(a, '')),
    anySweep
      ? 'Runs that ignore a swept field (`base` for lambda; masks without `sep` for tau) are one run each, counted at every value of it.'
      : '',
    `Numerics: ${describeNumerics(numerics)} (${numerics.startsWith('native/') ? 'the native kernels give these bits on every CPU and instruction set' : 'the TypeScript backend'}).`,
    ...(options.notes ?? []),
  ].filter(Boolean);
  return { kind: 'list', items };
}

/** The claims check: the claims (a column per panel when several), then each sweep's claims grid. */
export function claimsSection(a: ReportAnalysis, claimOptions: Required<ClaimOptions>): Block[] {
  const multi = a.panels.length > 1;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Claims check' },
    {
      kind: 'paragraph',
      text: `Each claim of the paper, tested on the runs above${multi ? ', in each panel on its own (a column per panel; the deciding numbers follow each verdict, on hover in the HTML report, and in full per panel below)' : ''}. Significance level ${claimOptions.alpha} (two-sided, no correction for multiple comparisons); fit margin for C4: ${claimOptions.fitMargin} (MSE). \`outside\` (C5, C6) is the exact convex hull in every dimension.`,
    },
  ];
  if (multi) {
    blocks.push(
      ...panelClaimsBlocks(a.panels.map((p) => ({ label: p.panel.label, claims: p.claims }))),
    );
    for (const p of a.panels) {
      blocks.push({ kind: 'heading', level: 3, text: `Claims: ${p.panel.label}` });
      blocks.push(claimsBlocks(p.claims)[0]);
    }
  } else {
    blocks.push(...claimsBlocks(a.claims));
  }
  for (const p of a.panels) {
    for (const { sweep, grid } of sweepList(p)) {
      blocks.push({
        kind: 'heading',
        level: 3,
        text: `Claims at each ${sweep.field}${ofPanel(a, p)}`,
      });
      blocks.push({
        kind: 'paragraph',
        text: `C0–C5 checked again on the runs at each ${sweep.field} (${describeSetting(sweep.setting)}), and whether \`sep\` puts more prototypes outside the hull than \`base\` there (C6 one value at a time). n/t: not testable with these runs. The deciding numbers follow each verdict (on hover in the HTML report).`,
      });
      blocks.push(claimsGridBlock(grid));
    }
  }
  return blocks;
}

/** The size curves of every panel with tables (side by side when several), as figures. */
async function sizeCurves(a: ReportAnalysis, writer: ReportWriter): Promise<Block[]> {
  const multi = a.panels.length > 1;
  const withTables = a.panels
    .filter((p) => p.tables && p.main)
    .map((p) => ({ label: p.panel.label, tables: p.tables!, records: p.main!.records }));
  if (!withTables.length) return [];
  // in report.html the curves also show each run as a small point (run id and seed in its tooltip)
  const spec = (metric: ReportMetric, live: boolean) =>
    multi
      ? sizeCurveSpec(
          withTables.map((p) => ({ ...p, records: live ? p.records : undefined })),
          metric,
        )
      : sizeCurveSpec(withTables[0].tables, metric, live ? withTables[0].records : undefined);
  const curve = (metric: ReportMetric, name: string, caption: string) =>
    writer.figure(name, spec(metric, false), caption, spec(metric, true));
  const per = multi ? ', one chart per panel' : '';
  return [
    await curve(
      'recon',
      'recon-vs-n',
      `Reconstruction error vs N per mask (log y)${per}; bars: 95% t-interval over seeds.`,
    ),
    await curve(
      'spec',
      'spec-vs-n',
      `Specialization ratio vs N per mask${per}; bars: 95% t-interval over seeds.`,
    ),
    await curve(
      'outside',
      'outside-vs-n',
      `Fraction of prototypes outside the convex hull of the inputs vs N per mask${per}.`,
    ),
    await curve('fit', 'fit-vs-n', `Fit loss (MSE) vs N per mask (log y)${per}.`),
  ];
}

/** One panel's sweep curves, one figure per swept field and metric. */
async function sweepFigures(
  a: ReportAnalysis,
  p: AnalysedPanel,
  writer: ReportWriter,
): Promise<Block[]> {
  const blocks: Block[] = [];
  for (const { sweep, points } of sweepList(p)) {
    for (const metric of SWEEP_METRICS) {
      blocks.push(
        await writer.figure(
          `${sweep.field}-${metric}${suffixOf(a, p)}`,
          sweepCurveSpec(sweep.field, points, metric),
          `${metric} vs ${sweep.field} (log x) per mask, one chart per N${ofPanel(a, p)}; bars: 95% t-interval over seeds${sweep.series.some((s) => s.mask === 'base') ? `; \`base\` ignores ${sweep.field}: the same runs at every value` : ''}.`,
          sweepCurveSpec(sweep.field, points, metric, sweep),
        ),
      );
    }
  }
  return blocks;
}

/** A 1-D panel's prototype positions at N = n, and the table of what it shows. */
async function positionsBlocks(
  a: ReportAnalysis,
  p: AnalysedPanel,
  writer: ReportWriter,
  at: { n: number; missing: string },
): Promise<Block[]> {
  const { n, missing } = at;
  const pos = positionsSpec(p.main!.records, n);
  const clipped = pos.rows.reduce((s, r) => s + r.clipped, 0);
  return [
    await writer.figure(
      `positions-n${n}${suffixOf(a, p)}`,
      pos.spec,
      `Prototype positions at N = ${n}${missing}${ofPanel(a, p)}: inputs (circles) above, prototypes (diamonds; expelled ones as red crosses) below, the hull [min x, max x] as a grey bar.${clipped ? ` ${clipped} prototypes lie beyond the axis and are drawn at its edge.` : ''}`,
    ),
    {
      kind: 'table',
      header: ['mask', 'seed', 'hull', 'prototypes', 'expelled', 'beyond the axis'],
      align: ['l', 'r', 'l', 'r', 'r', 'r'],
      rows: pos.rows.map((r) => [
        r.mask,
        String(r.seed),
        `[${r.hull[0].toFixed(3)}, ${r.hull[1].toFixed(3)}]`,
        String(r.prototypes.length),
        String(r.expelled),
        String(r.clipped),
      ]),
    },
  ];
}

/** A panel of d >= 2: inputs, hull and prototypes at N = n per mask, and the table of it. */
async function hullBlocks(
  a: ReportAnalysis,
  p: AnalysedPanel,
  writer: ReportWriter,
  at: { n: number; missing: string },
): Promise<Block[]> {
  const { n, missing } = at;
  // PCA and the polygon hull are loaded only for a report with a panel of d >= 2
  const { hullPicture } = await import('../render/hull-plot.js');
  const picture = hullPicture(p.main!.records, n);
  if (!picture) return [];
  const clipped = picture.rows.reduce((s, r) => s + r.clipped, 0);
  const how = picture.explained
    ? `projected onto the first two principal components of the inputs (${(100 * (picture.explained[0] + picture.explained[1])).toFixed(0)}% of their variance); expelled means outside the exact ${p.panel.dim}-dimensional hull, so an expelled prototype can lie inside the projected polygon`
    : 'the convex hull polygon in grey';
  return [
    await writer.figure(
      `hull-${p.panel.key}-n${n}`,
      picture.spec,
      `Inputs (dots), their convex hull and the prototypes (diamonds inside, red crosses expelled) at N = ${n}${missing}${ofPanel(a, p)}, one panel per mask: ${how}.${clipped ? ` ${clipped} prototypes lie beyond the frame and are drawn at its edge.` : ''}`,
    ),
    {
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
    },
  ];
}

/** The plots: the size curves, then per panel its sweep curves and its positions or hull picture. */
export async function plotsSection(
  a: ReportAnalysis,
  writer: ReportWriter,
  wanted: number,
): Promise<Block[]> {
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Plots' },
    ...(await sizeCurves(a, writer)),
  ];
  for (const p of a.panels) {
    blocks.push(...(await sweepFigures(a, p, writer)));
    if (!p.main) continue;
    const sizes = p.main.sizes;
    const n = sizes.includes(wanted) ? wanted : sizes[sizes.length - 1];
    const at = { n, missing: n !== wanted ? ` (no runs at N = ${wanted})` : '' };
    blocks.push(
      ...(p.panel.dim === 1
        ? await positionsBlocks(a, p, writer, at)
        : await hullBlocks(a, p, writer, at)),
    );
  }
  return blocks;
}

const TABLES_INTRO = `Per N and mask over seeds: mean, sample standard deviation, 95% Student-t interval; against \`base\`, the paired difference (mask − base, same seed = same data and init), the matched-pairs rank-biserial correlation r and the two-sided Wilcoxon signed-rank p. ★ marks the best mean at each N (among the masks). The recon tables also show, in italics, the baselines of the same runs: _random_ (recon of random prototypes in the inputs' bounding box: chance) and _untrained_ (recon of the initial prototypes), one value per seed. CSV files beside these tables hold the same numbers unrounded.`;

/** Which side recon leaves unmatched when a panel's width is not N (SPEC §4: min(N, H) pairs). */
function matchedSide(records: readonly RunRecord[]): string {
  const wider = records.some((r) => r.config.hidden > r.config.n);
  const narrower = records.some((r) => r.config.hidden < r.config.n);
  return (
    (wider
      ? ' With H > N, recon matches every input to a distinct prototype and leaves H − N prototypes out (expelled prototypes can be among them).'
      : '') +
    (narrower
      ? ' With H < N, recon matches every prototype to a distinct input and leaves N − H inputs out.'
      : '')
  );
}

/** One panel's tables: the means per N (the detail in files), and in a single panel the detail too. */
async function panelTables(
  a: ReportAnalysis,
  p: AnalysedPanel,
  writer: ReportWriter,
): Promise<Block[]> {
  const { tables } = p;
  if (!tables) return [];
  const multi = a.panels.length > 1;
  const suffix = suffixOf(a, p);
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: multi ? `Tables: ${p.panel.label}` : 'Tables' },
    {
      kind: 'paragraph',
      text: `${TABLES_INTRO}${matchedSide(p.main?.records ?? [])}${multi ? ' The per-mask detail tables are in the files only.' : ''}`,
    },
  ];
  for (const metric of REPORT_METRICS) {
    blocks.push({ kind: 'heading', level: 3, text: `${metric} — means per N (best in bold)` });
    blocks.push(overviewTable(tables, metric));
    const detail = metricTable(tables, metric);
    blocks.push({
      kind: 'paragraph',
      text: `Detail: \`tables/${metric}${suffix}.md\`, \`tables/${metric}${suffix}.csv\`.`,
    });
    await writer.write(
      `tables/${metric}${suffix}.md`,
      toMarkdown([{ kind: 'heading', level: 3, text: `${metric}${ofPanel(a, p)}` }, detail]),
    );
    await writer.write(`tables/${metric}${suffix}.csv`, metricCsv(tables, metric));
  }
  if (!multi) {
    for (const metric of REPORT_METRICS) {
      blocks.push({ kind: 'heading', level: 3, text: `${metric} — per N and mask, against base` });
      blocks.push(metricTable(tables, metric));
    }
  }
  return blocks;
}

/** The tables of every panel and of its sweeps, written as Markdown and CSV too. */
export async function tablesSection(a: ReportAnalysis, writer: ReportWriter): Promise<Block[]> {
  const blocks: Block[] = [];
  for (const p of a.panels) {
    blocks.push(...(await panelTables(a, p, writer)));
    for (const { sweep, points } of sweepList(p)) {
      blocks.push({
        kind: 'heading',
        level: 3,
        text: `${sweep.field === 'tau' ? 'Tau' : 'Lambda'} sweep${ofPanel(a, p)}`,
      });
      blocks.push({ kind: 'paragraph', text: `Setting: ${describeSetting(sweep.setting)}.` });
      const table = sweepTable(sweep.field, points);
      blocks.push(table);
      const suffix = suffixOf(a, p);
      await writer.write(`tables/${sweep.field}-sweep${suffix}.md`, toMarkdown([table]));
      await writer.write(`tables/${sweep.field}-sweep${suffix}.csv`, sweepCsv(sweep.field, points));
    }
  }
  return blocks;
}

/** How the numbers were made: intervals, tests, effect sizes, the hull. */
export function methodsBlocks(): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Methods' },
    {
      kind: 'list',
      items: [
        'Interval: mean ± t(0.975, n−1)·sd/√n over the seeds of a cell (sd with n−1); runs with a null metric (diverged) are left out.',
        `Paired test: Wilcoxon signed-rank on the per-seed differences, zero differences dropped, tied |d| given average ranks; exact (the permutation distribution of W+ over all sign patterns of the observed ranks) up to ${WILCOXON_EXACT_MAX} non-zero pairs, normal approximation with tie-corrected variance and continuity correction above. Chosen over the paired t-test because the metrics (fractions, errors spanning decades) are far from normal with 10 seeds.`,
        'Effect size: matched-pairs rank-biserial correlation r = (W+ − W−)/(W+ + W−), from −1 (every difference negative) to +1 (every difference positive); the mean and median difference are given beside it.',
        "Trend (C6): Spearman's rank correlation between tau and the outside fraction, p from the t approximation with n−2 degrees of freedom.",
        `Hull (\`outside\`, \`outsideDist\`): exact in every dimension. 1-D: outside [min x, max x]. d > 1: the distance to conv{x_i} by Wolfe's nearest-point algorithm, each answer certified by a point of the hull and a separating plane to ${HULL_ACCURACY} of the data's scale; a prototype is outside when farther than ${HULL_TOLERANCE} x the diagonal of the inputs' bounding box.`,
      ],
    },
  ];
}
