// Statistics of the report against values computed independently: by hand, from printed tables,
// from scipy 1.17 (noted beside each value), and by enumerating all sign patterns.

import t, { type Test } from 'tap';
import {
  averageRanks,
  spearman,
  summarize,
  tQuantile,
  wilcoxonSignedRank,
} from '../src/analysis/stats.js';

// Values printed to 6+ digits in tables or by scipy: compare to 1e-6 relative.
const close = (t: Test, got: number | null, want: number, what: string) =>
  t.ok(
    got !== null && Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)),
    `${what}: got ${got}, want ${want}`,
  );

t.test('mean, sd and 95% t-interval by hand', async (t) => {
  // [1..5]: mean 3, var = (4+1+0+1+4)/4 = 2.5, sd = 1.5811388; t(0.975, 4) = 2.776445 (t table)
  // half-width = 2.776445 * 1.5811388 / sqrt(5) = 1.9632432
  const s = summarize([1, 2, 3, 4, 5]);
  t.equal(s.n, 5);
  t.equal(s.mean, 3);
  close(t, s.sd, 1.5811388, 'sd');
  close(t, s.ciLow, 3 - 1.9632432, 'ciLow');
  close(t, s.ciHigh, 3 + 1.9632432, 'ciHigh');
  // [2, 4, 4, 4, 5, 5, 7, 9] (n=8): mean 5, sum of squares 32, var 32/7, t(0.975,7) = 2.364624
  const s2 = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  t.equal(s2.mean, 5);
  close(t, s2.sd, Math.sqrt(32 / 7), 'sd2');
  close(t, s2.ciHigh, 5 + (2.364624 * Math.sqrt(32 / 7)) / Math.sqrt(8), 'ciHigh2');
});

t.test('null metrics (diverged runs) are left out; small n', async (t) => {
  t.same(summarize([1, null, 3]), summarize([1, 3]));
  t.same(summarize([]), { n: 0, mean: null, sd: null, ciLow: null, ciHigh: null });
  t.same(summarize([null, 4]), { n: 1, mean: 4, sd: null, ciLow: null, ciHigh: null });
});

t.test('t quantiles against the printed t table', async (t) => {
  const table: [number, number][] = [
    [1, 12.706205],
    [2, 4.302653],
    [4, 2.776445],
    [9, 2.262157],
    [29, 2.04523],
  ];
  for (const [dof, want] of table) close(t, tQuantile(0.975, dof), want, `t(0.975, ${dof})`);
});

/** Two-sided exact p by brute force over all 2^n sign patterns (independent of the DP). */
function bruteForceP(d: number[]): number {
  const nz = d.filter((v) => v !== 0);
  const ranks = averageRanks(nz.map(Math.abs));
  const wPlus = nz.reduce((a, v, i) => a + (v > 0 ? ranks[i] : 0), 0);
  const total = ranks.reduce((a, b) => a + b, 0);
  const w = Math.min(wPlus, total - wPlus);
  let count = 0;
  for (let mask = 0; mask < 1 << nz.length; mask++) {
    let s = 0;
    for (let i = 0; i < nz.length; i++) if (mask & (1 << i)) s += ranks[i];
    if (s <= w + 1e-9) count++;
  }
  return Math.min(1, (2 * count) / 2 ** nz.length);
}

t.test('Wilcoxon signed-rank: exact p against tables, scipy and enumeration', async (t) => {
  // n = 10, W- = 4: scipy.stats.wilcoxon(method='exact') p = 0.013671875 (= 2 * 7/1024)
  const a = wilcoxonSignedRank([1.5, -0.3, 2.1, 0.8, 1.1, -0.6, 0.9, 1.7, 0.4, 1.3]);
  t.equal(a.method, 'exact');
  t.equal(a.wPlus, 51);
  t.equal(a.wMinus, 4);
  t.equal(a.p, 0.013671875);
  t.equal(a.effect, (51 - 4) / 55, 'rank-biserial (W+ - W-) / (W+ + W-)');
  // n = 5, W- = 2: 3 of 32 patterns have W+ <= 2 ({}, {1}, {2}), so p = 6/32 = 0.1875
  t.equal(wilcoxonSignedRank([0.5, 1.2, -0.7, 2.0, 0.9]).p, 0.1875);
  // all 5 positive: the smallest two-sided p for n = 5 is 2/32 (the table's "no test possible at 0.05")
  t.equal(wilcoxonSignedRank([1, 2, 3, 4, 5]).p, 0.0625);
  // table critical values, n = 10: P(W <= 8) = 25/1024 one-sided; P(W <= 10) = 43/1024
  t.equal(wilcoxonSignedRank([-1, -2, -5, 3, 4, 6, 7, 8, 9, 10]).p, 50 / 1024);
  t.equal(wilcoxonSignedRank([-1, -4, -5, 2, 3, 6, 7, 8, 9, 10]).p, 86 / 1024);
  // ties and zeros: exact conditional distribution, checked by enumeration
  const tied = [1, 1, 2, -2, 3, 3, 3, -1, 4, 5, 0, 0];
  const w = wilcoxonSignedRank(tied);
  t.equal(w.pairs, 12);
  t.equal(w.nonZero, 10);
  t.equal(w.wMinus, 6.5);
  t.equal(w.p, bruteForceP(tied));
  t.equal(w.p, 32 / 1024);
  for (const d of [
    [0.3, -0.1, 0.2, 0.2, -0.2, 0.5, 0.7, -0.7, 0.1],
    [2, -3, 4, -5, 6, 7, -8, 9, 1, 1, 1, -10, 11],
  ]) {
    t.equal(wilcoxonSignedRank(d).p, bruteForceP(d), `enumeration ${d.join(',')}`);
  }
});

t.test('Wilcoxon signed-rank: normal approximation for n > 50 against scipy', async (t) => {
  // 60 differences; scipy.stats.wilcoxon(d, method='approx', correction=True): W = 584.5, p = 0.01512405249271012
  const d = [
    0.65, 1.12, 0.63, -1.0, 1.21, 0.75, -0.24, 0.88, 0.66, 0.59, 0.33, 0.85, -0.44, 0.14, -0.18,
    0.9, 0.34, 0.01, -0.48, 0.04, 0.31, 0.02, 1.59, 1.31, -2.41, -1.59, 0.13, -0.12, 0.51, 0.52,
    2.42, -0.81, -0.08, 2.34, 0.95, 0.96, -0.21, -1.35, 0.47, 0.41, -0.93, -0.38, 0.23, -0.64, 0.2,
    0.4, 0.34, -0.21, 0.89, 1.19, 0.62, -0.52, 1.03, -0.2, 1.18, -0.77, 1.21, 0.28, -0.95, -0.01,
  ];
  const w = wilcoxonSignedRank(d);
  t.equal(w.method, 'normal');
  t.equal(w.wMinus, 584.5);
  close(t, w.p, 0.01512405249271012, 'p');
});

t.test('Wilcoxon edge cases', async (t) => {
  const zeros = wilcoxonSignedRank([0, 0, 0]);
  t.equal(zeros.p, 1);
  t.equal(zeros.effect, 0);
  t.equal(wilcoxonSignedRank([]).pairs, 0);
  t.equal(wilcoxonSignedRank([-1, -2, -3, -4, -5, -6]).effect, -1);
});

t.test('Spearman against scipy.stats.spearmanr', async (t) => {
  // spearmanr([1..10], [2,1,4,3,7,8,6,9,10,5]) = (0.7575757575757575, p 0.011143446799694208)
  const s = spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 7, 8, 6, 9, 10, 5]);
  close(t, s.rho, 0.7575757575757575, 'rho');
  close(t, s.p, 0.011143446799694208, 'p');
  t.same(spearman([1, 2, 3], [5, 5, 5]), { n: 3, rho: null, p: null });
});
