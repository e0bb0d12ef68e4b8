// tune's scoring, pure over records (src/study/tune.ts): the fit bound from base (a multiple of its
// mean fit, or the given maxFit, scaled to a rung's epochs), the refusal when base diverged (no
// NaN bound), and a rung's ranking: within the bound by mean recon, then by fit / bound, a
// candidate with a diverged seed last, ties in canonical order.

import t from 'tap';
import type { RunRecord } from '../src/record.js';
import { resolveStudy } from '../src/study/grid.js';
import { fitBounds, scoreRung, tuneSpace, type Weights } from '../src/study/tune.js';

/** A record with only the metrics scoring reads (null for a diverged run). */
const rec = (recon: number | null, fit: number | null): RunRecord =>
  ({ metrics: { recon, fit, diverged: recon === null || fit === null } }) as RunRecord;
const w = (lambda: number): Weights => ({ lambda, tau: 0.001, tauCov: null, lr: 0.01 });

t.test(
  'the bound: 2x base by default, the given maxFit at the full epochs, scaled alike at fewer epochs',
  async (t) => {
    const base = (_n: number, _lr: number, epochs: number) =>
      epochs === 100 ? [rec(1, 0.2), rec(1, 0.4)] : [rec(1, 0.05), rec(1, 0.15)];
    const byDefault = fitBounds([10], [0.01], [100, 600], base);
    t.equal(byDefault(10, 0.01, 100), 2 * ((0.2 + 0.4) / 2), '2x the mean fit of base');
    t.equal(byDefault(10, 0.01, 600), 2 * ((0.05 + 0.15) / 2), 'at each epochs');
    const given = fitBounds([10], [0.01], [100, 600], base, 0.05);
    t.ok(Math.abs(given(10, 0.01, 600) - 0.05) < 1e-15, 'maxFit at the full epochs');
    t.ok(
      Math.abs(given(10, 0.01, 100) - 0.15) < 1e-15,
      'the same multiple of base (0.5x) at fewer epochs',
    );
  },
);

t.test('a diverged base is refused, naming it, whether or not maxFit is given', async (t) => {
  const base = (_n: number, lr: number, epochs: number) =>
    lr === 0.1 && epochs === 600 ? [rec(1, 0.1), rec(null, null)] : [rec(1, 0.1), rec(1, 0.1)];
  const message =
    'base (N=10, lr=0.1, 600 epochs): got "1 of 2 seeds diverged", expected a base that trains: the fit bound is a multiple of its mean fit over the seeds (lower lr, or fewer epochs)';
  t.throws(() => fitBounds([10], [0.01, 0.1], [100, 600], base), {
    name: 'ValidationError',
    message,
  });
  t.throws(() => fitBounds([10], [0.01, 0.1], [100, 600], base, 0.5), {
    name: 'ValidationError',
    message,
  });
  t.doesNotThrow(
    () => fitBounds([10], [0.01], [100, 600], base),
    'the lr whose base trained has its bound',
  );
});

t.test(
  'a rung: within the bound by recon, then by fit / bound, diverged last, ties in canonical order',
  async (t) => {
    const results: Record<number, RunRecord[]> = {
      1: [rec(0.5, 0.3), rec(0.5, 0.3)], // over the bound (0.3 > 0.2), fit / bound 1.5
      2: [rec(0.2, 0.1), rec(0.4, 0.1)], // within, recon 0.3
      3: [rec(0.1, 0.1), rec(null, null)], // a seed diverged: no means, last
      4: [rec(0.3, 0.2), rec(0.3, 0.2)], // within (equal to the bound), recon 0.3: ties with 2, after it
      5: [rec(0.1, 0.1), rec(0.1, 0.1)], // within, recon 0.1: first
      6: [rec(0.1, 0.25), rec(0.1, 0.25)], // over, fit / bound 1.25: before 1
    };
    const cands = [1, 2, 3, 4, 5, 6].map(w);
    const order = (keep: number) =>
      scoreRung(
        cands,
        { epochs: 600, seeds: 2 },
        (c) => results[c.lambda!],
        () => 0.2,
        keep,
      );
    const scores = order(6);
    t.same(
      scores.map((s) => s.feasible),
      [false, true, false, true, true, false],
    );
    t.same(
      scores.map((s) => s.recon),
      [0.5, (0.2 + 0.4) / 2, null, 0.3, 0.1, 0.1],
    );
    t.ok(
      scores.every((s) => s.maxFit === 0.2 && s.epochs === 600 && s.seeds === 2),
      'each score states its bound and rung',
    );
    const kept = (keep: number) => order(keep).flatMap((s, i) => (s.kept ? [cands[i].lambda] : []));
    t.same(kept(1), [5]);
    t.same(kept(3), [2, 4, 5], 'the best three: 5, then 2 and 4 (tied recon, canonical order)');
    t.same(
      kept(5),
      [1, 2, 4, 5, 6],
      'then the infeasible by fit / bound; the diverged one is ranked last',
    );
  },
);

t.test(
  'a library error names the API fields (the CLI adds its flags through the label)',
  async (t) => {
    const message =
      'grid: got "1 candidate per (N, mask)", expected at least 2 candidates somewhere: lists of lambda, tau, tauCov or lr';
    t.throws(() => tuneSpace(resolveStudy({ n: 10, mask: 'cov' })), {
      name: 'ValidationError',
      message,
    });
  },
);
