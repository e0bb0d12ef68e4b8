// The claims check on constructed studies: each claim must come out held where the runs say so,
// not held where they say otherwise, and not testable when the runs needed are missing.

import t from 'tap';
import { MASKS, maskTerms, type Mask, type RunConfig } from '../src/config.js';
import { analyseRecords } from '../src/report/build.js';
import type { ClaimResult } from '../src/analysis/claims.js';
import type { Metrics } from '../src/record.js';
import { fabricate } from './helpers/report-records.js';

const SIZES = [3, 5, 10, 20, 50, 100];
const TAUS = [1e-4, 1e-3, 0.01, 0.1, 1];

/** Metrics shaped like the paper's findings; `change` overrides any of them for a test. */
function paperLike(
  change: (c: RunConfig, m: Partial<Metrics>, u: number) => Partial<Metrics> = (_c, m) => m,
) {
  return (c: RunConfig, u: number): Partial<Metrics> => {
    const terms = maskTerms(c.mask);
    const m: Partial<Metrics> = {
      recon: ((terms.cov ? 0.01 : 0.05) * (terms.ovl ? 3 : 1) * (1 + u)) / Math.sqrt(c.n),
      spec: (terms.cov ? 0.9 : 0.6) + 0.05 * u,
      fit: 0.002 + 0.001 * u,
      outside: terms.ovl ? 0.3 + 0.1 * u : 0.02 * u,
    };
    return change(c, m, u);
  };
}

const sepSweep = (outside: (tau: number, u: number) => number) =>
  fabricate({
    masks: ['sep', 'cov+sep'],
    sizes: [20, 100],
    seeds: 10,
    taus: TAUS,
    metrics: (c, u) => ({ recon: 0.01 * (1 + u), outside: outside(c.tau, u) }),
  });
const growing = sepSweep((tau, u) => Math.min(1, tau + 0.05 * u));

function claims(records: ReturnType<typeof fabricate>): Record<ClaimResult['id'], ClaimResult> {
  const out = {} as Record<ClaimResult['id'], ClaimResult>;
  for (const c of analyseRecords(records).claims) out[c.id] = c;
  return out;
}

t.test('a study shaped like the paper: every claim held', async (t) => {
  const c = claims([
    ...fabricate({ masks: MASKS, sizes: SIZES, seeds: 10, metrics: paperLike() }),
    ...growing,
  ]);
  for (const id of ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'] as const)
    t.equal(c[id].status, 'held', `${id}: ${c[id].summary}`);
  const c1 = c.C1.evidence.perN as {
    n: number;
    bestMask: Mask;
    covVsBase: { covBeatsBase: boolean };
  }[];
  t.equal(c1.length, 6);
  t.ok(c1.every((x) => maskTerms(x.bestMask).cov && x.covVsBase.covBeatsBase));
  t.match(c.C2.summary, /higher at 6 of 6 sizes/);
  t.match(c.C3.summary, /^4 of 4 pairs significantly higher/);
  t.match(c.C4.summary, /^24 of 24 \(pair, N\) cells within the margin 0.01/);
  // C6 is tested on sep only, per N; both sizes grow
  const c6 = c.C6.evidence.perN as { n: number; rho: number; grows: boolean }[];
  t.same(
    c6.map((x) => x.n),
    [20, 100],
  );
  t.ok(c6.every((x) => x.grows && x.rho > 0.5));
});

t.test('each claim not held where the runs contradict it', async (t) => {
  // C1: at N = 10 the best mask is sep (no coverage)
  let c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m) =>
        cfg.n === 10 && cfg.mask === 'sep' ? { ...m, recon: 1e-5 } : m,
      ),
    }),
  );
  t.equal(c.C1.status, 'not held');
  t.match(c.C1.summary, /N=10: sep/);
  t.equal(c.C3.status, 'held', 'the other claims are unaffected');

  // C2: coverage lowers spec
  c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m, u) => ({
        ...m,
        spec: (cfg.mask === 'cov' ? 0.5 : 0.6) + 0.05 * u,
      })),
    }),
  );
  t.equal(c.C2.status, 'not held');
  // C2: a difference of noise only (no effect) is not held either
  c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((_cfg, m, u) => ({ ...m, spec: 0.6 + 0.05 * u })),
    }),
  );
  t.equal(c.C2.status, 'not held');

  // C3: one twin pair of four goes the other way
  c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m) =>
        cfg.mask === 'cov+sep+ovl' ? { ...m, recon: (m.recon as number) / 10 } : m,
      ),
    }),
  );
  t.equal(c.C3.status, 'not held');
  t.match(c.C3.summary, /^3 of 4 pairs/);

  // C4: overlap masks fit worse by 0.05 MSE (beyond the 0.01 margin)
  c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m) =>
        maskTerms(cfg.mask).ovl ? { ...m, fit: (m.fit as number) + 0.05 } : m,
      ),
    }),
  );
  t.equal(c.C4.status, 'not held');
  t.match(c.C4.summary, /^0 of 24/);

  // C5: overlap masks expel no more than their twins
  c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((_cfg, m, u) => ({ ...m, outside: 0.02 * u })),
    }),
  );
  t.equal(c.C5.status, 'not held');

  // C6: the outside fraction of sep falls with tau, or does not move
  t.equal(
    claims(sepSweep((tau, u) => 0.5 - 0.1 * Math.log10(tau) + 0.05 * u)).C6.status,
    'not held',
  );
  t.equal(claims(sepSweep((_tau, u) => 0.1 * u)).C6.status, 'not held');
});

t.test('C4 margin: the upper 95% bound decides, at the stated margin', async (t) => {
  // constant paired difference (zero spread): the bound is the difference itself
  const study = (delta: number) =>
    fabricate({
      masks: MASKS,
      sizes: [10, 20],
      seeds: 5,
      metrics: paperLike((cfg, m) => ({
        ...m,
        fit: 0.002 + (maskTerms(cfg.mask).ovl ? delta : 0),
      })),
    });
  t.equal(claims(study(0.009)).C4.status, 'held');
  t.equal(claims(study(0.011)).C4.status, 'not held');
  t.equal(analyseRecords(study(0.011), { fitMargin: 0.02 }).claims[3].status, 'held');
});

t.test('missing masks or no tau sweep: not testable with these runs', async (t) => {
  const c = claims(
    fabricate({ masks: ['base', 'cov', 'sep'], sizes: [10, 20], seeds: 5, metrics: paperLike() }),
  );
  for (const id of ['C1', 'C3', 'C4', 'C5', 'C6'] as const)
    t.equal(c[id].status, 'not testable with these runs', id);
  t.match(
    c.C1.summary,
    /Masks missing from the runs: ovl, cov\+sep, cov\+ovl, sep\+ovl, cov\+sep\+ovl/,
  );
  t.match(c.C6.summary, /No tau sweep/);
  t.equal(c.C2.status, 'held', 'cov and base are there, so C2 is tested');
  const none = claims(fabricate({ masks: ['sep'], sizes: [10], seeds: 3, metrics: paperLike() }));
  t.equal(none.C2.status, 'not testable with these runs');
  // a sweep of only two tau values is not enough for a trend
  t.equal(
    claims(
      fabricate({ masks: ['sep'], sizes: [20], seeds: 5, taus: [1e-3, 1], metrics: () => ({}) }),
    ).C6.status,
    'not testable with these runs',
  );
});

t.test(
  'diverged runs (null metrics) are left out of the tests, not counted as zeros',
  async (t) => {
    const records = fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m) =>
        cfg.mask === 'cov' && cfg.seed < 3
          ? { recon: null, spec: null, fit: null, outside: null, diverged: true }
          : m,
      ),
    });
    const c = claims(records);
    t.equal(c.C2.status, 'held');
    t.equal((c.C2.evidence.pooled as { pairs: number }).pairs, 6 * 7);
  },
);

/** Baselines of a run: untrained and random, fixed by seed and N (the same for every mask). */
const baselines = (c: RunConfig, untrained = 0.4, random = 0.3) => ({
  reconUntrained: (untrained * (1 + 0.01 * c.seed)) / Math.sqrt(c.n),
  reconRandom: (random * (1 + 0.01 * c.seed)) / Math.sqrt(c.n),
  reconMean: 0.5,
});

t.test('C0: trained beats untrained and random under every mask', async (t) => {
  const c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m) => ({ ...m, ...baselines(cfg) })),
    }),
  );
  t.equal(c.C0.status, 'held', c.C0.summary);
  t.match(c.C0.summary, /^8 of 8 masks .* \(48 of 48 \(mask, N\) cells\)/);
  t.match(c.C0.summary, /recon \/ reconRandom \(range over N\): base 0\.22–0\.25, cov 0\.046/);
  t.equal(c.C0.brief, '8/8 masks');
  const ev = c.C0.evidence as {
    cellsHeld: number;
    masks: { mask: Mask; held: boolean; cells: { n: number; vsRandom: { p: number } }[] }[];
  };
  t.equal(ev.cellsHeld, 48);
  t.ok(ev.masks.every((m) => m.held && m.cells.length === 6));
  t.ok(ev.masks[0].cells[0].vsRandom.p < 0.01, 'every seed below: exact p = 2/1024');
});

t.test('C0 not held: overlap masks worse than chance; too few seeds', async (t) => {
  // recon of the overlap masks above random prototypes at N >= 20, still below untrained
  const c = claims(
    fabricate({
      masks: MASKS,
      sizes: SIZES,
      seeds: 10,
      metrics: paperLike((cfg, m, u) => ({
        ...m,
        ...baselines(cfg, 2, 0.3),
        ...(maskTerms(cfg.mask).ovl && cfg.n >= 20
          ? { recon: (0.5 + 0.1 * u) / Math.sqrt(cfg.n) }
          : {}),
      })),
    }),
  );
  t.equal(c.C0.status, 'not held');
  t.match(c.C0.summary, /^4 of 8 masks .* \(36 of 48 \(mask, N\) cells\)/);
  t.match(
    c.C0.summary,
    /cells\)\. not below random: ovl \(N=20,50,100\), cov\+ovl \(N=20,50,100\), sep\+ovl \(N=20,50,100\), cov\+sep\+ovl \(N=20,50,100\); worst [a-z+]+ at N=20, recon /,
  );
  t.notMatch(c.C0.summary, /not below untrained/);
  t.equal(c.C0.brief, '4/8 masks; fails: ovl, cov+ovl, sep+ovl, cov+sep+ovl');
  t.same((c.C0.evidence as { failingMasks: Mask[] }).failingMasks, [
    'ovl',
    'cov+ovl',
    'sep+ovl',
    'cov+sep+ovl',
  ]);
  const ovlEverywhere = claims(
    fabricate({
      masks: ['base', 'ovl'],
      sizes: [10, 20],
      seeds: 10,
      metrics: (cfg) => ({ recon: cfg.mask === 'ovl' ? 1 : 0.01, ...baselines(cfg) }),
    }),
  );
  t.match(
    ovlEverywhere.C0.summary,
    /not below untrained: ovl \(every N\);.*not below random: ovl \(every N\);/,
  );
  // below the untrained network only: not held either
  const untrainedOnly = claims(
    fabricate({
      masks: ['base'],
      sizes: [10],
      seeds: 10,
      metrics: (cfg) => ({ recon: 0.2, ...baselines(cfg, 2, 0.5) }),
    }),
  );
  t.equal(untrainedOnly.C0.status, 'not held');
  t.match(untrainedOnly.C0.summary, /not below random: every mask at every N; worst base at N=10/);
  // 5 seeds: an exact two-sided p is at least 1/16, never below 0.05
  const few = claims(
    fabricate({
      masks: ['base'],
      sizes: [10],
      seeds: 5,
      metrics: (cfg) => ({ recon: 0.01, ...baselines(cfg) }),
    }),
  );
  t.equal(few.C0.status, 'not held');
  t.match(few.C0.summary, /p = 0\.0625/);
});

t.test('C0 on records without a scorecard: computed from their data and parameters', async (t) => {
  // fabricated prototypes sit within 0.01 of their inputs; the initial ones are uniform draws
  const records = fabricate({
    masks: ['base', 'cov'],
    sizes: [10, 20],
    seeds: 8,
    metrics: () => ({}),
  });
  t.equal(records[0].metrics.reconRandom, undefined);
  // recon itself as stored: a fabricated record's recon is 0.1; give it the true one
  const c = claims(records.map((r) => ({ ...r, metrics: { ...r.metrics, recon: 0.005 } })));
  t.equal(c.C0.status, 'held', c.C0.summary);
  const worse = claims(records.map((r) => ({ ...r, metrics: { ...r.metrics, recon: 5 } })));
  t.equal(worse.C0.status, 'not held');
  t.match(
    worse.C0.summary,
    /not below untrained: every mask at every N;.*\. not below random: every mask at every N/,
  );
  t.same(claims([]).C0.status, 'not testable with these runs');
});
