// Statistics of a report: summaries over seeds (mean, sd, 95% t-interval), the paired Wilcoxon
// signed-rank test with its effect size, and Spearman's rank correlation. Pure functions, no I/O.

import { createRequire } from 'node:module';
import {
  mean as ssMean,
  sampleStandardDeviation,
  median as ssMedian,
  sampleRankCorrelation,
} from 'simple-statistics';

/** The part of jStat (which ships no types) used here: the t and normal distributions. */
interface JStat {
  studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number };
  normal: { cdf(x: number, mean: number, sd: number): number };
}
const { jStat } = createRequire(import.meta.url)('jstat') as { jStat: JStat };

/** Mean, spread and 95% interval of one metric over the seeds of one cell. */
export interface Summary {
  /** values that were finite (diverged runs have null metrics and are not counted) */
  n: number;
  mean: number | null;
  /** sample standard deviation (n - 1); null for n < 2 */
  sd: number | null;
  /** 95% Student-t interval for the mean, mean -/+ t(0.975, n-1) sd / sqrt(n); null for n < 2 */
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * Mean, sample standard deviation and 95% Student-t interval of the finite values.
 *
 * @example
 * ```ts
 * summarize([1, 2, 3, 4, 5]);
 * // { n: 5, mean: 3, sd: 1.5811..., ciLow: 1.0368..., ciHigh: 4.9632... }
 * ```
 */
export function summarize(values: readonly (number | null)[]): Summary {
  const xs = finiteValues(values);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, ciLow: null, ciHigh: null };
  const mean = ssMean(xs);
  if (n < 2) return { n, mean, sd: null, ciLow: null, ciHigh: null };
  const sd = sampleStandardDeviation(xs);
  const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ciLow: mean - half, ciHigh: mean + half };
}

/** The p-quantile of Student's t with `dof` degrees of freedom. */
export function tQuantile(p: number, dof: number): number {
  return jStat.studentt.inv(p, dof);
}

/** The finite numbers of a list (null, NaN and infinities dropped). */
export function finiteValues(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Median of finite values, null when there are none. */
export function median(values: readonly number[]): number | null {
  return values.length ? ssMedian([...values]) : null;
}

/** Result of a two-sided Wilcoxon signed-rank test on paired differences. */
export interface WilcoxonResult {
  /** pairs given */
  pairs: number;
  /** pairs with a non-zero difference (zeros are dropped, Wilcoxon's original rule) */
  nonZero: number;
  /** W+: sum of the (average) ranks of |d| over positive differences */
  wPlus: number;
  /** W-: the same over negative differences */
  wMinus: number;
  /** two-sided p-value */
  p: number;
  /** `exact` (permutation distribution, ties kept as average ranks) or `normal` (approximation) */
  method: 'exact' | 'normal';
  /**
   * Matched-pairs rank-biserial correlation (W+ - W-) / (W+ + W-), from -1 (every difference
   * negative) to 1 (every difference positive); 0 when there are no non-zero differences.
   */
  effect: number;
  /** mean and median of the differences (all pairs, zeros included) */
  meanDiff: number | null;
  medianDiff: number | null;
}

/** Above this many non-zero differences the normal approximation replaces the exact distribution. */
export const WILCOXON_EXACT_MAX = 50;

/**
 * Two-sided Wilcoxon signed-rank test of "the differences are symmetric about 0".
 *
 * Zero differences are dropped; tied |d| get average ranks. For up to
 * {@link WILCOXON_EXACT_MAX} non-zero differences the p-value is exact: the distribution of W+
 * over all 2^n sign assignments of the observed ranks (so ties are exact too), counted by dynamic
 * programming on doubled ranks. Above that, the normal approximation with the tie-corrected
 * variance and a continuity correction of 1/2 (what scipy's `wilcoxon(method='approx',
 * correction=True)` computes).
 *
 * @example
 * ```ts
 * wilcoxonSignedRank([0.5, 1.2, -0.7, 2.0, 0.9]).p; // 0.1875 (exact: 6 of 32 sign patterns)
 * ```
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  const all = finiteValues(differences);
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  const meanDiff = all.length ? ssMean(all) : null;
  const medianDiff = median(all);
  if (n === 0) {
    return {
      pairs: all.length,
      nonZero: 0,
      wPlus: 0,
      wMinus: 0,
      p: 1,
      method: 'exact',
      effect: 0,
      meanDiff,
      medianDiff,
    };
  }
  const ranks = averageRanks(d.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) d[i] > 0 ? (wPlus += ranks[i]) : (wMinus += ranks[i]);
  const total = (n * (n + 1)) / 2;
  const effect = (wPlus - wMinus) / total;
  let p: number;
  let method: 'exact' | 'normal';
  if (n <= WILCOXON_EXACT_MAX) {
    method = 'exact';
    p = exactSignedRankP(ranks, Math.min(wPlus, wMinus));
  } else {
    method = 'normal';
    const mu = total / 2;
    let tieTerm = 0;
    for (const count of tieCounts(d.map(Math.abs))) tieTerm += count ** 3 - count;
    const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
    const w = Math.min(wPlus, wMinus);
    const z = variance > 0 ? (w - mu + 0.5) / Math.sqrt(variance) : 0;
    p = Math.min(1, 2 * jStat.normal.cdf(Math.min(z, 0), 0, 1));
  }
  return { pairs: all.length, nonZero: n, wPlus, wMinus, p, method, effect, meanDiff, medianDiff };
}

/** Two-sided exact p: 2 P(W+ <= w) under random signs, capped at 1. Ranks are halves at worst. */
function exactSignedRankP(ranks: readonly number[], w: number): number {
  const doubled = ranks.map((r) => Math.round(2 * r));
  const maxSum = doubled.reduce((a, b) => a + b, 0);
  // counts[s] = number of sign patterns whose doubled W+ is s, scaled by 2^-k as ranks are added
  let counts = new Float64Array(maxSum + 1);
  counts[0] = 1;
  let reach = 0;
  for (const r of doubled) {
    const next = new Float64Array(maxSum + 1);
    for (let s = 0; s <= reach; s++) {
      if (counts[s] === 0) continue;
      next[s] += counts[s] / 2;
      next[s + r] += counts[s] / 2;
    }
    reach += r;
    counts = next;
  }
  const limit = Math.round(2 * w);
  let tail = 0;
  for (let s = 0; s <= limit; s++) tail += counts[s];
  return Math.min(1, 2 * tail);
}

/** Average (mid) ranks, 1-based, in input order. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

function tieCounts(values: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()];
}

/** Spearman's rank correlation with its two-sided p-value. */
export interface SpearmanResult {
  n: number;
  rho: number | null;
  p: number | null;
}

/**
 * Spearman's rho (Pearson correlation of average ranks) and its two-sided p-value from the t
 * approximation t = rho sqrt((n-2)/(1-rho^2)) with n - 2 degrees of freedom (scipy's `spearmanr`).
 * rho is null when either variable is constant or n < 3.
 *
 * @example
 * ```ts
 * spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 7, 8, 6, 9, 10, 5]);
 * // { n: 10, rho: 0.7576, p: 0.0111 }
 * ```
 */
export function spearman(x: readonly number[], y: readonly number[]): SpearmanResult {
  const n = x.length;
  if (n !== y.length) throw new RangeError('spearman: x and y differ in length');
  if (n < 3) return { n, rho: null, p: null };
  const rho = sampleRankCorrelation([...x], [...y]);
  if (!Number.isFinite(rho)) return { n, rho: null, p: null };
  if (Math.abs(rho) >= 1) return { n, rho, p: 0 };
  const t = rho * Math.sqrt((n - 2) / (1 - rho * rho));
  const p = Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), n - 2));
  return { n, rho, p };
}
