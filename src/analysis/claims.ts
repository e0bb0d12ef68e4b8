// The claims check: each claim of the paper (SPEC summary, issue 5: C1..C6), and C0, the yardstick
// beneath them (trained beats untrained and random, issue 20), stated, tested on the runs present and marked held / not held / not testable, with the numbers behind the verdict.
// Thresholds are options with stated defaults; nothing here reads files or draws.

import { MASKS, maskTerms, type Mask } from '../config.js';
import { ValidationError } from '../errors.js';
import { formatNumber, formatP } from '../render/format.js';
import {
  cellRecords,
  metricValue,
  pairedDifferences,
  type ReportMetric,
  type Slice,
  type Sweep,
} from './cells.js';
import type { Metrics, RunRecord } from '../record.js';
import { spearman, summarize, wilcoxonSignedRank, type WilcoxonResult } from './stats.js';

export type ClaimStatus = 'held' | 'not held' | 'not testable with these runs';

/** One checked claim. */
/** Every claim the check makes: C0 (the yardstick) and the paper's C1–C6. */
export const CLAIM_IDS = ['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6'] as const;

export interface ClaimResult {
  id: (typeof CLAIM_IDS)[number];
  /** the claim, as the paper makes it */
  claim: string;
  /** how it was tested here, thresholds included */
  test: string;
  status: ClaimStatus;
  /** one or two sentences with the deciding numbers */
  summary: string;
  /** the deciding numbers in a few words (a cell of a claims grid) */
  brief: string;
  /** the numbers behind the verdict (per N, per pair, pooled tests) */
  evidence: Record<string, unknown>;
}

/** Thresholds of the claims check. */
export interface ClaimOptions {
  /** significance level of every two-sided test (default 0.05; no multiple-comparison correction) */
  alpha?: number;
  /**
   * C4 margin on the fit loss (MSE): an overlap mask "fits as well" as its twin when the upper
   * 95% t-bound of the mean paired difference fit(ovl) - fit(twin) is at most this, at every N.
   * Default 0.01 = 2% of the variance of the sine target (Var sin(pi x) = 1/2 for x ~ U[-1, 1]).
   */
  fitMargin?: number;
}

export const CLAIM_DEFAULTS: Required<ClaimOptions> = { alpha: 0.05, fitMargin: 0.01 };

/** Fills the defaults and validates the thresholds (one {@link ValidationError} message each). */
export function resolveClaimOptions(options: ClaimOptions = {}): Required<ClaimOptions> {
  const alpha = options.alpha ?? CLAIM_DEFAULTS.alpha;
  const fitMargin = options.fitMargin ?? CLAIM_DEFAULTS.fitMargin;
  if (!(typeof alpha === 'number' && alpha > 0 && alpha <= 0.5))
    throw new ValidationError('alpha', alpha, 'a number > 0 and <= 0.5');
  if (!(typeof fitMargin === 'number' && Number.isFinite(fitMargin) && fitMargin > 0))
    throw new ValidationError('fitMargin', fitMargin, 'a finite number > 0');
  return { alpha, fitMargin };
}

/** Every overlap-active mask beside its overlap-free twin. */
export const OVERLAP_TWINS: readonly (readonly [Mask, Mask])[] = [
  ['ovl', 'base'],
  ['cov+ovl', 'cov'],
  ['sep+ovl', 'sep'],
  ['cov+sep+ovl', 'cov+sep'],
];

const CLAIMS: Record<ClaimResult['id'], string> = {
  C0: 'Trained prototypes reconstruct better than the untrained network and than random prototypes: under each mask, at each N, recon < reconUntrained and recon < reconRandom.',
  C1: 'Coverage gives the lowest mean reconstruction error at every size: at every N the mask with the lowest mean recon has coverage active (reported beside it: whether `cov` alone beats `base`).',
  C2: 'Coverage raises specialization over the baseline: spec(cov) > spec(base).',
  C3: 'Overlap is harmful: every overlap-active mask has a higher reconstruction error than its overlap-free twin.',
  C4: 'Overlap does not harm the fit: every overlap-active mask fits as well as its overlap-free twin.',
  C5: 'Overlap expels prototypes: every overlap-active mask puts more prototypes outside the convex hull of the inputs than its overlap-free twin.',
  C6: 'Separation expels only at large tau: on the separation-only mask `sep`, the outside fraction grows with tau.',
};

/** Everything the claims check needs: the main slice (C0-C5) and the tau sweep if any (C6). */
export interface ClaimInputs {
  main?: Slice;
  sweep?: Sweep;
}

/** Checks C0..C6 on the runs; see {@link ClaimOptions} for the thresholds. */
export function checkClaims(inputs: ClaimInputs, options: ClaimOptions = {}): ClaimResult[] {
  const opts = resolveClaimOptions(options);
  return [
    claimC0(inputs.main, opts),
    claimC1(inputs.main, opts),
    claimC2(inputs.main, opts),
    claimTwins('C3', 'recon', inputs.main, opts),
    claimC4(inputs.main, opts),
    claimTwins('C5', 'outside', inputs.main, opts),
    claimC6(inputs.sweep, inputs.main, opts),
  ];
}

/** Claims write numbers with 3 significant digits (2 in briefs), always in positional form. */
const fmt = (v: number | null | undefined, digits = 3): string =>
  formatNumber(v, { digits, exponent: false });

function notTestable(
  id: ClaimResult['id'],
  test: string,
  why: string,
  evidence: Record<string, unknown> = {},
): ClaimResult {
  return {
    id,
    claim: CLAIMS[id],
    test,
    status: 'not testable with these runs',
    summary: why,
    brief: why,
    evidence,
  };
}

function missingMasks(slice: Slice | undefined, needed: readonly Mask[]): Mask[] {
  return needed.filter((m) => !slice?.masks.includes(m));
}

/** Sizes at which every needed mask has at least one run. */
function sizesWith(slice: Slice, needed: readonly Mask[]): number[] {
  return slice.sizes.filter((n) => needed.every((m) => cellRecords(slice, m, n).length > 0));
}

const meanOf = (slice: Slice, mask: Mask, n: number, metric: ReportMetric) =>
  summarize(cellRecords(slice, mask, n).map((r) => metricValue(r, metric))).mean;

function testSummary(w: WilcoxonResult) {
  return {
    pairs: w.pairs,
    meanDiff: w.meanDiff,
    medianDiff: w.medianDiff,
    rankBiserial: w.effect,
    p: w.p,
    method: w.method,
  };
}

/** The baselines C0 compares recon with (record fields of the scorecard). */
const C0_BASELINES = { untrained: 'reconUntrained', random: 'reconRandom' } as const;

/**
 * recon - baseline over the runs of one cell, paired within each run (one run gives both: the
 * baselines share its data, init and seed); runs where either is null are left out.
 */
function baselineDiffs(records: readonly RunRecord[], field: keyof Metrics): number[] {
  const diffs: number[] = [];
  for (const r of [...records].sort((a, b) => a.config.seed - b.config.seed)) {
    const recon = metricValue(r, 'recon');
    const base = metricValue(r, field);
    if (recon !== null && base !== null) diffs.push(recon - base);
  }
  return diffs;
}

/** One (mask, N) cell of C0: recon against each baseline. */
function c0Cell(slice: Slice, mask: Mask, n: number, opts: Required<ClaimOptions>) {
  const records = cellRecords(slice, mask, n);
  const mean = (field: keyof Metrics) => summarize(records.map((r) => metricValue(r, field))).mean;
  const against = (field: keyof Metrics) => {
    const w = wilcoxonSignedRank(baselineDiffs(records, field));
    return { below: w.pairs > 0 && (w.meanDiff ?? 0) < 0 && w.p < opts.alpha, ...testSummary(w) };
  };
  const vsUntrained = against(C0_BASELINES.untrained);
  const vsRandom = against(C0_BASELINES.random);
  const recon = mean('recon');
  const random = mean(C0_BASELINES.random);
  return {
    n,
    recon,
    untrained: mean(C0_BASELINES.untrained),
    random,
    dataMean: mean('reconMean'),
    ratioToRandom: recon !== null && random ? recon / random : null,
    vsUntrained,
    vsRandom,
    holds: vsUntrained.below && vsRandom.below,
  };
}

/**
 * Where C0 fails, in words: per baseline the masks and sizes not significantly below it, and the
 * worst such cell's numbers (highest mean difference recon - baseline); `present`: how many masks
 * the slice has (all failing everywhere is said in four words).
 */
function c0Failures(
  masks: readonly { mask: Mask; cells: ReturnType<typeof c0Cell>[] }[],
  present: number,
): string {
  return (['vsUntrained', 'vsRandom'] as const)
    .flatMap((k) => {
      const what = k === 'vsUntrained' ? 'untrained' : 'random';
      const bad = masks
        .map((m) => ({ mask: m.mask, cells: m.cells.filter((c) => !c[k].below) }))
        .filter((m) => m.cells.length);
      if (!bad.length) return [];
      const worst = bad
        .flatMap((m) => m.cells.map((c) => ({ mask: m.mask, c })))
        .reduce((a, b) =>
          (b.c[k].meanDiff ?? -Infinity) > (a.c[k].meanDiff ?? -Infinity) ? b : a,
        );
      const base = k === 'vsUntrained' ? worst.c.untrained : worst.c.random;
      const every = (m: (typeof bad)[number]) =>
        m.cells.length === masks.find((x) => x.mask === m.mask)!.cells.length;
      const where =
        bad.length === present && bad.every(every)
          ? ['every mask at every N']
          : bad.map(
              (m) =>
                `${m.mask} (${every(m) ? 'every N' : `N=${m.cells.map((c) => c.n).join(',')}`})`,
            );
      return [
        `not below ${what}: ${where.join(', ')}; worst ${worst.mask} at N=${worst.c.n}, recon ${fmt(worst.c.recon)} vs ${fmt(base)}, p = ${formatP(worst.c[k].p)}`,
      ];
    })
    .join('. ');
}

function claimC0(slice: Slice | undefined, opts: Required<ClaimOptions>): ClaimResult {
  const test = `Under each mask, at each N: per run, recon − reconUntrained (the initial prototypes) and recon − reconRandom (H random prototypes uniform in the inputs' bounding box, the mean of 8 draws in 1-D, min(8, ceil(4000 / min(N, H))) in d > 1, seeded by the run's seed), paired over seeds; a (mask, N) cell holds when both mean differences are < 0 with a two-sided Wilcoxon signed-rank p < ${opts.alpha} (so at least 6 seeds). A mask holds when every N it has runs at holds; held when every mask present holds. reconMean (every prototype at the data mean) is reported beside them.`;
  if (!slice) return notTestable('C0', test, 'No runs.');
  const masks = slice.masks.map((mask) => {
    const cells = slice.sizes
      .filter((n) => cellRecords(slice, mask, n).length > 0)
      .map((n) => c0Cell(slice, mask, n, opts));
    return { mask, held: cells.every((c) => c.holds), cells };
  });
  const all = masks.flatMap((m) => m.cells);
  if (all.every((c) => c.vsUntrained.pairs === 0 && c.vsRandom.pairs === 0))
    return notTestable('C0', test, 'No run has finite recon and baselines.', { masks });
  const failing = masks.filter((m) => !m.held);
  const ratios = masks.map((m) => {
    const r = m.cells.map((c) => c.ratioToRandom).filter((v): v is number => v !== null);
    return `${m.mask} ${r.length ? `${fmt(Math.min(...r), 2)}–${fmt(Math.max(...r), 2)}` : '–'}`;
  });
  const held = all.filter((c) => c.holds).length;
  const summary = `${masks.length - failing.length} of ${masks.length} masks reconstruct significantly better than both the untrained network and random prototypes at every N (${held} of ${all.length} (mask, N) cells).${failing.length ? ` ${c0Failures(failing, masks.length)}.` : ''} recon / reconRandom (range over N): ${ratios.join(', ')}.`;
  const brief = `${masks.length - failing.length}/${masks.length} masks${failing.length && failing.length < masks.length ? `; fails: ${failing.map((m) => m.mask).join(', ')}` : ''}`;
  return {
    id: 'C0',
    claim: CLAIMS.C0,
    test,
    status: failing.length ? 'not held' : 'held',
    summary,
    brief,
    evidence: {
      cellsHeld: held,
      cells: all.length,
      failingMasks: failing.map((m) => m.mask),
      masks,
    },
  };
}

function claimC1(slice: Slice | undefined, opts: Required<ClaimOptions>): ClaimResult {
  const test = `At each N where all ${MASKS.length} masks have runs, the mask with the lowest mean recon over seeds must have coverage active; held when that is so at every such N. Beside it: cov vs base, mean recon and a paired Wilcoxon signed-rank test (two-sided, alpha ${opts.alpha}).`;
  const missing = missingMasks(slice, MASKS);
  if (!slice || missing.length)
    return notTestable('C1', test, `Masks missing from the runs: ${missing.join(', ')}.`, {
      missingMasks: missing,
    });
  const sizes = sizesWith(slice, MASKS);
  if (!sizes.length) return notTestable('C1', test, 'No size has runs of every mask.');
  const perN = sizes.map((n) => {
    const means = MASKS.map((m) => ({ mask: m, mean: meanOf(slice, m, n, 'recon') })).filter(
      (x) => x.mean !== null,
    ) as { mask: Mask; mean: number }[];
    means.sort((a, b) => a.mean - b.mean);
    const best = means[0];
    const bestNonCov = means.find((x) => !maskTerms(x.mask).cov);
    const w = wilcoxonSignedRank(pairedDifferences(slice, 'cov', 'base', n, 'recon').diffs);
    const covMean = meanOf(slice, 'cov', n, 'recon');
    const baseMean = meanOf(slice, 'base', n, 'recon');
    return {
      n,
      bestMask: best?.mask ?? null,
      bestMean: best?.mean ?? null,
      bestHasCoverage: best ? maskTerms(best.mask).cov : false,
      bestWithoutCoverage: bestNonCov ?? null,
      covVsBase: {
        covMean,
        baseMean,
        covBeatsBase: covMean !== null && baseMean !== null && covMean < baseMean,
        significant: w.p < opts.alpha && (w.meanDiff ?? 0) < 0,
        ...testSummary(w),
      },
    };
  });
  const failing = perN.filter((x) => !x.bestHasCoverage);
  const covWins = perN.filter((x) => x.covVsBase.covBeatsBase).length;
  const status: ClaimStatus = failing.length ? 'not held' : 'held';
  const bestList = perN.map((x) => `N=${x.n}: ${x.bestMask} (${fmt(x.bestMean)})`).join('; ');
  const summary = `${status === 'held' ? 'At every N' : `At ${perN.length - failing.length} of ${perN.length} sizes`} the lowest mean recon has coverage active — ${bestList}. cov alone beats base in mean recon at ${covWins} of ${perN.length} sizes (significantly at ${perN.filter((x) => x.covVsBase.significant).length}).`;
  const brief = `lowest: ${perN.map((x) => `${x.bestMask} (N=${x.n})`).join(', ')}`;
  return { id: 'C1', claim: CLAIMS.C1, test, status, summary, brief, evidence: { sizes, perN } };
}

function claimC2(slice: Slice | undefined, opts: Required<ClaimOptions>): ClaimResult {
  const test = `Paired differences spec(cov) - spec(base) over seeds, pooled over all N: held when the mean difference is > 0 with a two-sided Wilcoxon signed-rank p < ${opts.alpha}, and the mean difference is > 0 at at least half of the sizes.`;
  const missing = missingMasks(slice, ['base', 'cov']);
  if (!slice || missing.length)
    return notTestable('C2', test, `Masks missing from the runs: ${missing.join(', ')}.`, {
      missingMasks: missing,
    });
  const sizes = sizesWith(slice, ['base', 'cov']);
  const pooled: number[] = [];
  const perN = sizes.map((n) => {
    const d = pairedDifferences(slice, 'cov', 'base', n, 'spec');
    pooled.push(...d.diffs);
    const w = wilcoxonSignedRank(d.diffs);
    return {
      n,
      covMean: meanOf(slice, 'cov', n, 'spec'),
      baseMean: meanOf(slice, 'base', n, 'spec'),
      ...testSummary(w),
    };
  });
  if (!pooled.length)
    return notTestable('C2', test, 'No seed has finite spec for both cov and base.', { perN });
  const w = wilcoxonSignedRank(pooled);
  const up = perN.filter((x) => (x.meanDiff ?? 0) > 0).length;
  const held = (w.meanDiff ?? 0) > 0 && w.p < opts.alpha && up * 2 >= perN.length;
  const summary = `spec(cov) - spec(base): mean ${fmt(w.meanDiff)} over ${w.pairs} pairs (rank-biserial r = ${fmt(w.effect)}, p = ${formatP(w.p)}); higher at ${up} of ${perN.length} sizes.`;
  const brief = `Δspec ${fmt(w.meanDiff)}, p ${formatP(w.p)}`;
  return {
    id: 'C2',
    claim: CLAIMS.C2,
    test,
    status: held ? 'held' : 'not held',
    summary,
    brief,
    evidence: { pooled: testSummary(w), sizesHigher: up, perN },
  };
}

/** Two masks compared on one metric (an overlap mask and its twin, or `sep` and `base`): paired differences over seeds, pooled over N. */
export interface TwinComparison {
  overlap: Mask;
  twin: Mask;
  /** mean difference > 0 with a two-sided Wilcoxon signed-rank p < alpha */
  higher: boolean;
  pooled: ReturnType<typeof testSummary>;
  perN: ({ n: number; overlapMean: number | null; twinMean: number | null } & ReturnType<
    typeof testSummary
  >)[];
}

/**
 * Two masks compared on one metric: paired differences metric(a) - metric(b) over seeds at each N
 * where both have runs, each N tested and all pooled; `higher` when the pooled mean difference is
 * > 0 with a two-sided Wilcoxon signed-rank p < alpha.
 */
export function comparePair(
  slice: Slice,
  a: Mask,
  b: Mask,
  metric: 'recon' | 'outside',
  options: ClaimOptions = {},
): TwinComparison {
  const opts = resolveClaimOptions(options);
  const pooled: number[] = [];
  const perN = sizesWith(slice, [a, b]).map((n) => {
    const d = pairedDifferences(slice, a, b, n, metric);
    pooled.push(...d.diffs);
    return {
      n,
      overlapMean: meanOf(slice, a, n, metric),
      twinMean: meanOf(slice, b, n, metric),
      ...testSummary(wilcoxonSignedRank(d.diffs)),
    };
  });
  const w = wilcoxonSignedRank(pooled);
  return {
    overlap: a,
    twin: b,
    higher: w.pairs > 0 && (w.meanDiff ?? 0) > 0 && w.p < opts.alpha,
    pooled: testSummary(w),
    perN,
  };
}

/** The twin pairs of {@link OVERLAP_TWINS} whose two masks both have runs in the slice, compared on `metric`. */
export function compareTwins(
  slice: Slice,
  metric: 'recon' | 'outside',
  options: ClaimOptions = {},
): TwinComparison[] {
  return OVERLAP_TWINS.filter(([a, b]) => slice.masks.includes(a) && slice.masks.includes(b)).map(
    ([a, b]) => comparePair(slice, a, b, metric, options),
  );
}

/** C3 and C5: the overlap-active mask is worse (higher) than its twin, for every twin pair. */
function claimTwins(
  id: 'C3' | 'C5',
  metric: 'recon' | 'outside',
  slice: Slice | undefined,
  opts: Required<ClaimOptions>,
): ClaimResult {
  const test = `For each twin pair (${OVERLAP_TWINS.map(([a, b]) => `${a} vs ${b}`).join(', ')}): paired differences ${metric}(overlap mask) - ${metric}(twin) over seeds, pooled over all N; held when every pair has a mean difference > 0 with a two-sided Wilcoxon signed-rank p < ${opts.alpha}.`;
  const needed = OVERLAP_TWINS.flat();
  const missing = missingMasks(slice, needed);
  if (!slice || missing.length)
    return notTestable(
      id,
      test,
      `Masks missing from the runs: ${[...new Set(missing)].join(', ')}.`,
      { missingMasks: [...new Set(missing)] },
    );
  const pairs = compareTwins(slice, metric, opts);
  if (pairs.every((p) => p.pooled.pairs === 0))
    return notTestable(id, test, `No seed has finite ${metric} for a twin pair.`, { pairs });
  const ok = pairs.filter((p) => p.higher).length;
  const summary =
    `${ok} of ${pairs.length} pairs significantly higher: ` +
    pairs
      .map(
        (p) =>
          `${p.overlap} − ${p.twin} mean ${fmt(p.pooled.meanDiff)} (r = ${fmt(p.pooled.rankBiserial)}, p = ${formatP(p.pooled.p)})`,
      )
      .join('; ') +
    '.';
  const brief = `${ok}/${pairs.length} pairs higher; Δ${metric} ${pairs.map((p) => fmt(p.pooled.meanDiff, 2)).join(', ')}`;
  return {
    id,
    claim: CLAIMS[id],
    test,
    status: ok === pairs.length ? 'held' : 'not held',
    summary,
    brief,
    evidence: { pairs },
  };
}

function claimC4(slice: Slice | undefined, opts: Required<ClaimOptions>): ClaimResult {
  const test = `For each twin pair and each N: paired differences fit(overlap mask) - fit(twin) over seeds; held when the upper end of the 95% t-interval of the mean difference is at most the margin ${opts.fitMargin} (MSE; 2% of Var(y) = 1/2 for the sine target) at every pair and N (with a single pair, its difference itself).`;
  const needed = OVERLAP_TWINS.flat();
  const missing = [...new Set(missingMasks(slice, needed))];
  if (!slice || missing.length)
    return notTestable('C4', test, `Masks missing from the runs: ${missing.join(', ')}.`, {
      missingMasks: missing,
    });
  const rows: {
    overlap: Mask;
    twin: Mask;
    n: number;
    pairs: number;
    meanDiff: number | null;
    upper95: number | null;
    within: boolean;
  }[] = [];
  for (const [a, b] of OVERLAP_TWINS) {
    for (const n of sizesWith(slice, [a, b])) {
      const s = summarize(pairedDifferences(slice, a, b, n, 'fit').diffs);
      if (!s.n) continue;
      const upper = s.ciHigh ?? s.mean;
      rows.push({
        overlap: a,
        twin: b,
        n,
        pairs: s.n,
        meanDiff: s.mean,
        upper95: upper,
        within: upper !== null && upper <= opts.fitMargin,
      });
    }
  }
  if (!rows.length) return notTestable('C4', test, 'No seed has finite fit for a twin pair.');
  const worst = rows.reduce((a, b) =>
    (b.upper95 ?? -Infinity) > (a.upper95 ?? -Infinity) ? b : a,
  );
  const outside = rows.filter((r) => !r.within);
  const summary = `${rows.length - outside.length} of ${rows.length} (pair, N) cells within the margin ${opts.fitMargin}; the largest upper bound is ${fmt(worst.upper95)} (${worst.overlap} − ${worst.twin} at N=${worst.n}, mean difference ${fmt(worst.meanDiff)}).`;
  const brief = `${rows.length - outside.length}/${rows.length} within; max bound ${fmt(worst.upper95)}`;
  return {
    id: 'C4',
    claim: CLAIMS.C4,
    test,
    status: outside.length ? 'not held' : 'held',
    summary,
    brief,
    evidence: { margin: opts.fitMargin, cells: rows },
  };
}

function claimC6(
  sweep: Sweep | undefined,
  main: Slice | undefined,
  opts: Required<ClaimOptions>,
): ClaimResult {
  const test = `On the tau sweep of mask \`sep\`, at each N with at least 3 tau values: Spearman's rank correlation between tau and the outside fraction over all runs; held when at every such N rho > 0 with p < ${opts.alpha} and the mean outside fraction at the largest tau exceeds the one at the smallest.`;
  const series = sweep?.series.filter((s) => s.mask === 'sep' && s.values.length >= 3) ?? [];
  if (!sweep || !series.length)
    return notTestable(
      'C6',
      test,
      'No tau sweep of the `sep` mask with at least 3 tau values among the runs.',
    );
  const perN = series.map((s) => {
    const runs = sweep.records.filter(
      (r) => r.config.mask === 'sep' && r.config.n === s.n && metricValue(r, 'outside') !== null,
    );
    const sp = spearman(
      runs.map((r) => r.config.tau),
      runs.map((r) => metricValue(r, 'outside') as number),
    );
    const at = (tau: number) =>
      summarize(runs.filter((r) => r.config.tau === tau).map((r) => metricValue(r, 'outside')))
        .mean;
    const lo = at(s.values[0]);
    const hi = at(s.values[s.values.length - 1]);
    const meanByTau = s.values.map((tau) => ({ tau, outside: at(tau) }));
    const grows =
      sp.rho !== null &&
      sp.p !== null &&
      sp.rho > 0 &&
      sp.p < opts.alpha &&
      lo !== null &&
      hi !== null &&
      hi > lo;
    // beside it, for "only at large tau": the baseline's outside fraction at this N (main setting)
    const baseOutside =
      main && main.sizes.includes(s.n) && main.masks.includes('base')
        ? meanOf(main, 'base', s.n, 'outside')
        : null;
    return {
      n: s.n,
      runs: runs.length,
      rho: sp.rho,
      p: sp.p,
      outsideAtSmallestTau: lo,
      outsideAtLargestTau: hi,
      baseOutside,
      meanByTau,
      grows,
    };
  });
  const ok = perN.filter((x) => x.grows).length;
  const summary =
    perN
      .map(
        (x) =>
          `N=${x.n}: rho = ${fmt(x.rho)} (p = ${formatP(x.p)}), outside ${fmt(x.outsideAtSmallestTau)} at tau ${series.find((s) => s.n === x.n)!.values[0]} → ${fmt(x.outsideAtLargestTau)} at tau ${series.find((s) => s.n === x.n)!.values.at(-1)}${x.baseOutside !== null ? ` (base: ${fmt(x.baseOutside)})` : ''}`,
      )
      .join('; ') + '.';
  const brief = perN.map((x) => `rho ${fmt(x.rho, 2)} (N=${x.n})`).join(', ');
  return {
    id: 'C6',
    claim: CLAIMS.C6,
    test,
    status: ok === perN.length ? 'held' : 'not held',
    summary,
    brief,
    evidence: { perN },
  };
}

/** One row of a claims grid: a claim checked on the slice at each value of a swept field. */
export interface ClaimsGridRow {
  id: ClaimResult['id'] | 'sep-expels';
  /** what the row checks, in a few words */
  label: string;
  /** `cells[i]`: the check at the sweep's `values[i]` */
  cells: ClaimResult[];
}

/** A claims grid: each claim checked again at each value of a swept field. */
export interface ClaimsGrid {
  field: Sweep['field'];
  values: number[];
  rows: ClaimsGridRow[];
}

const SEP_EXPELS_TEST = (alpha: number) =>
  `Paired differences outside(sep) - outside(base) over seeds, pooled over the sizes present: \`sep\` expels at this value when the mean difference is > 0 with a two-sided Wilcoxon signed-rank p < ${alpha} (C6 says: at large tau only).`;

/** Does `sep` put more prototypes outside the hull than `base`, on one slice? (C6, one value at a time.) */
export function sepExpels(slice: Slice, options: ClaimOptions = {}): ClaimResult {
  const opts = resolveClaimOptions(options);
  const test = SEP_EXPELS_TEST(opts.alpha);
  const claim = 'Separation expels here: outside(sep) > outside(base) (C6 at one setting).';
  const missing = missingMasks(slice, ['sep', 'base']);
  if (missing.length)
    return {
      ...notTestable('C6', test, `Masks missing from the runs: ${missing.join(', ')}.`, {
        missingMasks: missing,
      }),
      claim,
    };
  const c = comparePair(slice, 'sep', 'base', 'outside', opts);
  const w = c.pooled;
  if (!w.pairs)
    return {
      ...notTestable('C6', test, 'No seed has finite outside for both sep and base.'),
      claim,
    };
  const summary = `outside(sep) - outside(base): mean ${fmt(w.meanDiff)} over ${w.pairs} pairs at N in {${c.perN.map((x) => x.n).join(', ')}} (r = ${fmt(w.rankBiserial)}, p = ${formatP(w.p)}).`;
  return {
    id: 'C6',
    claim,
    test,
    status: c.higher ? 'held' : 'not held',
    summary,
    brief: `Δoutside ${fmt(w.meanDiff)}, p ${formatP(w.p)}`,
    evidence: { pooled: w },
  };
}

/**
 * The claims grid of a sweep: C0-C5 on the slice at each value of the swept field (runs that
 * ignore the field, such as `base` in a lambda sweep, are in every slice), and whether `sep`
 * expels there (C6 per value).
 */
export function claimsGrid(sweep: Sweep, options: ClaimOptions = {}): ClaimsGrid {
  const opts = resolveClaimOptions(options);
  const perValue = sweep.slices.map((slice) => checkClaims({ main: slice }, opts));
  const rows: ClaimsGridRow[] = (['C0', 'C1', 'C2', 'C3', 'C4', 'C5'] as const).map((id) => ({
    id,
    label: CLAIM_LABELS[id],
    cells: perValue.map((claims) => claims.find((c) => c.id === id)!),
  }));
  rows.push({
    id: 'sep-expels',
    label: 'sep expels (C6 at one value)',
    cells: sweep.slices.map((slice) => sepExpels(slice, opts)),
  });
  return { field: sweep.field, values: sweep.values, rows };
}

/** A claims grid as claims.json stores it: each cell's status and numbers. */
export interface ClaimsGridJson {
  field: ClaimsGrid['field'];
  values: number[];
  rows: {
    id: ClaimsGridRow['id'];
    label: string;
    cells: { status: ClaimStatus; brief: string; summary: string }[];
  }[];
}

/** A claims grid in its claims.json form. */
export function claimsGridJson(grid: ClaimsGrid): ClaimsGridJson {
  return {
    field: grid.field,
    values: grid.values,
    rows: grid.rows.map((r) => ({
      id: r.id,
      label: r.label,
      cells: r.cells.map((c) => ({ status: c.status, brief: c.brief, summary: c.summary })),
    })),
  };
}

const CLAIM_LABELS: Record<'C0' | 'C1' | 'C2' | 'C3' | 'C4' | 'C5', string> = {
  C0: 'beats untrained and random',
  C1: 'coverage lowest recon',
  C2: 'coverage raises spec',
  C3: 'overlap raises recon',
  C4: 'overlap fits as well',
  C5: 'overlap expels',
};
