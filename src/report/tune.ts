// The report of a tune: the best setting per (N, mask), the tuned claims check (every mask at its
// own best: which has the lowest recon at each N, does overlap still expel?), the Pareto plot and
// every candidate's rungs as CSV. It reads a TuneResult; it trains nothing.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { maskTerms, type Mask } from '../config.js';
import { TUNE_FIELDS, type TuneCandidate, type TuneField, type TuneResult } from '../study/tune.js';
import {
  makeSlice,
  runSetting,
  SLICE_FIELDS,
  type Slice,
  type SliceSetting,
} from '../analysis/cells.js';
import {
  checkClaims,
  compareTwins,
  resolveClaimOptions,
  sepExpels,
  type ClaimOptions,
  type ClaimResult,
  type TwinComparison,
} from '../analysis/claims.js';
import { claimsBlocks } from '../render/claims.js';
import { toHtml, toMarkdown, type Block } from '../render/document.js';
import { paretoSpec, renderSvg, svgToPng, type ParetoPoint } from '../render/plots.js';
import { summarize } from '../analysis/stats.js';
import { TUNE_CLAIMS_VERSION } from './tune-json.js';
import { formatNumber, formatP } from '../render/format.js';
import { csvText } from '../csv.js';

/** Options of {@link buildTuneReport}. */
export interface TuneReportOptions extends ClaimOptions {
  /** folder to write into (default: `<tune folder>/tune-report`) */
  out?: string;
  /** write a PNG beside the SVG (default true) */
  png?: boolean;
  /** PNG pixels per SVG pixel (default 2) */
  pngScale?: number;
}

/** The tuned claims check: every mask at its own best setting. */
export interface TunedClaims {
  /**
   * per N, the masks by mean recon at their best (lowest first), each with its fit bound and how
   * many of its finalists (candidates trained on every seed at the full epochs) met it
   */
  perN: {
    n: number;
    ranking: {
      mask: Mask;
      recon: number | null;
      maxFit: number;
      finalists: number;
      withinBound: number;
    }[];
    lowest: Mask | null;
    lowestHasCoverage: boolean;
  }[];
  /** overlap vs its twin on the outside fraction, for the twin pairs tuned (does overlap still expel?) */
  overlapExpels: TwinComparison[];
  /** C1-C5 and "sep expels" on the tuned runs (not testable where masks are missing) */
  claims: ClaimResult[];
}

/** What {@link buildTuneReport} wrote. */
export interface TuneReport {
  out: string;
  files: string[];
  tuned: TunedClaims;
}

/**
 * A candidate's weights in words: `lambda 0.1, tau 0.001, lr 0.01` (fields its mask ignores left
 * out; with `fields`, only those).
 */
export function describeWeights(
  c: Pick<TuneCandidate, TuneField>,
  fields: readonly TuneField[] = TUNE_FIELDS,
): string {
  return fields
    .filter((f) => c[f] !== null)
    .map((f) => `${f} ${c[f]}`)
    .join(', ');
}

/** The runs of every (N, mask) at its chosen setting, as one slice (its weights read `tuned`). */
export function tunedSlice(result: TuneResult): Slice {
  const any = runSetting(result.cells[0].records[0].config);
  const tuned: readonly string[] = TUNE_FIELDS;
  const setting = Object.fromEntries(
    SLICE_FIELDS.map((f) => [f, tuned.includes(f) ? 'tuned' : any[f]]),
  ) as SliceSetting;
  return makeSlice(
    setting,
    result.cells.flatMap((c) => c.records),
  );
}

/** A candidate's score at the tune's last rung (every seed at the full epochs), if it got there. */
function fullRungOf(
  result: TuneResult,
  cand: TuneCandidate,
): TuneCandidate['rungs'][number] | undefined {
  const full = result.schedule.rungs.at(-1)!;
  return cand.rungs.find((r) => r.epochs === full.epochs && r.seeds === full.seeds);
}

/** The tuned claims check of a tune. */
export function tunedClaims(result: TuneResult, options: ClaimOptions = {}): TunedClaims {
  const opts = resolveClaimOptions(options);
  const slice = tunedSlice(result);
  const perN = slice.sizes.map((n) => {
    const ranking = result.cells
      .filter((c) => c.n === n)
      .map((c) => {
        const finals = c.candidates
          .map((cand) => fullRungOf(result, cand))
          .filter((r) => r !== undefined);
        return {
          mask: c.mask,
          recon: summarize(c.records.map((r) => r.metrics.recon)).mean,
          maxFit: c.best.rungs.at(-1)!.maxFit,
          finalists: finals.length,
          withinBound: finals.filter((r) => r.feasible).length,
        };
      })
      .sort((a, b) => (a.recon ?? Infinity) - (b.recon ?? Infinity));
    const lowest = ranking[0]?.recon !== null ? ranking[0].mask : null;
    return { n, ranking, lowest, lowestHasCoverage: lowest !== null && maskTerms(lowest).cov };
  });
  return {
    perN,
    overlapExpels: compareTwins(slice, 'outside', opts),
    claims: [
      ...checkClaims({ main: slice }, opts).filter((c) => c.id !== 'C0' && c.id !== 'C6'),
      sepExpels(slice, opts),
    ],
  };
}

/** The last rung a candidate reached. */
const lastRung = (c: TuneCandidate) => c.rungs.at(-1)!;

/** The report's title and what was tuned: grid, fit bound, schedule and cost. */
function tuneSummaryBlocks(result: TuneResult): Block[] {
  const { json, schedule, cells } = result;
  const full = schedule.rungs.at(-1)!;
  const grid = result.study.grid;
  return [
    { kind: 'heading', level: 1, text: `protomlp tune: ${result.study.name}` },
    {
      kind: 'list',
      items: [
        `Candidates: N in {${grid.n.join(', ')}}; masks ${cells
          .map((c) => c.mask)
          .filter((m, i, a) => a.indexOf(m) === i)
          .join(
            ', ',
          )}; ${[...new Set(cells.map((c) => `${c.mask} ${c.candidates.length}`))].join(', ')} candidates per N (a field a mask ignores does not make a candidate); seeds ${result.seeds.join(', ')}; ${full.epochs} epochs.`,
        `Fit bound: ${result.maxFit !== undefined ? `mean fit <= ${result.maxFit} at the full epochs` : 'mean fit <= 2x the mean fit of `base` at the same N and lr'}; at a rung of fewer epochs, the same multiple of base's fit there.`,
        `Successive halving, keeping the best third at each rung: ${schedule.rungs.map((r, k) => `rung ${k + 1}: ${r.epochs} epochs x ${r.seeds} seed${r.seeds > 1 ? 's' : ''}`).join('; ')}.`,
        `Trained ${json.runEpochs} run-epochs, ${formatNumber(json.runEpochs / json.exhaustiveRunEpochs)} of the exhaustive grid's ${json.exhaustiveRunEpochs} (budget ${result.budget}).`,
      ],
    },
  ];
}

/** The table of the best setting per (N, mask). */
function bestSettingBlocks(cells: TuneResult['cells']): Block[] {
  const show = (v: number | null) => (v === null ? 'unused' : String(v));
  return [
    { kind: 'heading', level: 2, text: 'Best setting per N and mask' },
    {
      kind: 'table',
      header: [
        'N',
        'mask',
        'lambda',
        'tau',
        'tauCov',
        'lr',
        'recon (mean)',
        'fit (mean)',
        'fit bound',
        'within bound',
      ],
      align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      rows: cells.map((c) => {
        const s = lastRung(c.best);
        return [
          String(c.n),
          c.mask,
          show(c.best.lambda),
          show(c.best.tau),
          show(c.best.tauCov),
          String(c.best.lr),
          formatNumber(s.recon),
          formatNumber(s.fit),
          formatNumber(s.maxFit),
          c.feasible ? 'yes' : '**no** (no candidate met it; lowest fit / bound shown)',
        ];
      }),
    },
  ];
}

/** Whether overlap still expels when every mask is at its own best: a table, or why not. */
function overlapExpelsBlocks(tuned: TunedClaims, alpha: number): Block[] {
  if (!tuned.overlapExpels.length)
    return [
      {
        kind: 'paragraph',
        text: 'Does overlap still expel? Not testable: no overlap mask was tuned beside its twin.',
      },
    ];
  return [
    {
      kind: 'paragraph',
      text: `Does overlap still expel? Paired differences outside(overlap mask) − outside(twin) over seeds, pooled over N, each mask at its own best; expels when the mean is > 0 with a two-sided Wilcoxon signed-rank p < ${alpha}.`,
    },
    {
      kind: 'table',
      header: ['overlap mask', 'twin', 'pairs', 'Δ outside (mean)', 'p', 'expels'],
      align: ['l', 'l', 'r', 'r', 'r', 'l'],
      rows: tuned.overlapExpels.map((p) => [
        p.overlap,
        p.twin,
        String(p.pooled.pairs),
        formatNumber(p.pooled.meanDiff),
        formatP(p.pooled.p),
        p.higher ? '**yes**' : 'no',
      ]),
    },
  ];
}

/** The tuned claims check: the ranking per N, overlap's expulsion, the claims table. */
function tunedClaimsBlocks(result: TuneResult, tuned: TunedClaims, alpha: number): Block[] {
  const full = result.schedule.rungs.at(-1)!;
  return [
    { kind: 'heading', level: 2, text: 'Tuned claims check' },
    {
      kind: 'paragraph',
      text: `Every mask at its own best setting (the table above), all ${result.seeds.length} seeds at ${full.epochs} epochs.`,
    },
    {
      kind: 'table',
      header: [
        'N',
        'lowest recon',
        'coverage active',
        'masks by mean recon (lowest first; finalists within the fit bound)',
      ],
      align: ['r', 'l', 'l', 'l'],
      rows: tuned.perN.map((x) => [
        String(x.n),
        x.lowest ?? '–',
        x.lowestHasCoverage ? 'yes' : 'no',
        x.ranking
          .map((r) => `${r.mask} ${formatNumber(r.recon)} (${r.withinBound}/${r.finalists})`)
          .join(', '),
      ]),
    },
    ...overlapExpelsBlocks(tuned, alpha),
    ...claimsBlocks(tuned.claims),
  ];
}

/** The Pareto plot's points (candidates at the full epochs) and fit bounds (one per N). */
function paretoData(result: TuneResult): {
  points: ParetoPoint[];
  bounds: { n: number; maxFit: number }[];
} {
  const { cells } = result;
  const atFull = (c: TuneCandidate) => fullRungOf(result, c) !== undefined;
  const points: ParetoPoint[] = cells.flatMap((c) =>
    c.candidates.filter(atFull).flatMap((cand) => {
      const s = lastRung(cand);
      return s.fit !== null && s.recon !== null && s.fit > 0 && s.recon > 0
        ? [
            {
              n: c.n,
              mask: c.mask,
              fit: s.fit,
              recon: s.recon,
              chosen: cand === c.best,
              label: `${c.mask}: ${describeWeights(cand)}`,
            },
          ]
        : [];
    }),
  );
  const bounds = [
    ...new Map(cells.map((c) => [c.n, { n: c.n, maxFit: lastRung(c.best).maxFit }])).values(),
  ].filter((b) => Number.isFinite(b.maxFit));
  return { points, bounds };
}

/** `candidates.csv`: every candidate at every rung it reached. */
function candidatesCsv(cells: TuneResult['cells']): string {
  const rows = cells.flatMap((c) =>
    c.candidates.flatMap((cand) =>
      cand.rungs.map((r) => [
        c.n,
        c.mask,
        cand.lambda,
        cand.tau,
        cand.tauCov,
        cand.lr,
        r.epochs,
        r.seeds,
        r.recon,
        r.fit,
        r.maxFit,
        r.feasible,
        r.kept,
        cand === c.best,
      ]),
    ),
  );
  const header = [
    'n',
    'mask',
    'lambda',
    'tau',
    'tauCov',
    'lr',
    'epochs',
    'seeds',
    'recon_mean',
    'fit_mean',
    'max_fit',
    'within_bound',
    'kept',
    'chosen',
  ];
  return csvText(header, rows);
}

/**
 * Writes the report of a tune: `tune.md`, `tune.html`, `claims.json` (the tuned claims check),
 * `candidates.csv` (every candidate at every rung it reached) and `plots/pareto.svg|png`.
 *
 * @example
 * ```ts
 * const result = await tune(grid, { out: 'results/tune' });
 * const { tuned } = await buildTuneReport(result);   // results/tune/tune-report/
 * for (const x of tuned.perN) console.log(x.n, x.lowest);
 * ```
 */
export async function buildTuneReport(
  result: TuneResult,
  options: TuneReportOptions = {},
): Promise<TuneReport> {
  const out = options.out ?? path.join(result.out, 'tune-report');
  const claimOptions = resolveClaimOptions(options);
  const tuned = tunedClaims(result, claimOptions);
  await mkdir(path.join(out, 'plots'), { recursive: true });
  const files: string[] = [];
  const write = async (rel: string, data: string | Buffer) => {
    await writeFile(path.join(out, rel), data);
    files.push(rel);
  };
  const name = result.study.name;
  const blocks: Block[] = [
    ...tuneSummaryBlocks(result),
    ...bestSettingBlocks(result.cells),
    ...tunedClaimsBlocks(result, tuned, claimOptions.alpha),
    { kind: 'heading', level: 2, text: 'Pareto plot' },
  ];
  const { points, bounds } = paretoData(result);
  const svg = await renderSvg(paretoSpec(points, bounds));
  await write('plots/pareto.svg', svg);
  if (options.png !== false) await write('plots/pareto.png', svgToPng(svg, options.pngScale ?? 2));
  const caption =
    'Mean fit against mean recon of every candidate that reached the full epochs (all seeds), per mask and N; the chosen one per (N, mask) as a large diamond; the fit bound dashed.';
  blocks.push({ kind: 'figure', file: 'plots/pareto.svg', svg, caption });
  blocks.push({
    kind: 'paragraph',
    text: 'Every candidate at every rung it reached (means, bound, kept or not): `candidates.csv`.',
  });
  await write('candidates.csv', candidatesCsv(result.cells));
  await write(
    'claims.json',
    `${JSON.stringify({ version: TUNE_CLAIMS_VERSION, alpha: claimOptions.alpha, fitMargin: claimOptions.fitMargin, ...tuned }, null, 2)}\n`,
  );
  await write('tune.md', toMarkdown(blocks));
  await write('tune.html', toHtml(blocks, `protomlp tune: ${name}`));
  return { out, files, tuned };
}
