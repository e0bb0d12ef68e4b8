// The scorecard (src/eval/scorecard.ts) against hand-computed small cases, ties included; greedy
// against the optimal matching; the random baseline's seeding; records without a scorecard.

import t from 'tap';
import { resolveConfig } from '../src/config.js';
import type { Params } from '../src/model/types.js';
import { matchedDistances, reconstructionError } from '../src/eval/metrics.js';
import {
  bestBuddies,
  greedyRecon,
  meanRecon,
  quantile,
  randomDraws,
  randomRecon,
  recordWithScorecard,
  scorecard,
  SCORECARD_FIELDS,
} from '../src/eval/scorecard.js';
import { Rng, STREAMS } from '../src/rng.js';
import { makeDataset, makeInitialParams } from '../src/data.js';
import { trainRun, trainRuns } from '../src/train.js';
import { analyseRecords } from '../src/report/build.js';
import { lcg } from './helpers/report-records.js';

const f64 = (...v: number[]) => Float64Array.from(v);
/** 1-D parameters whose prototypes are exactly `p` (w = 1, b = -p). */
const at = (p: number[]): Params => ({
  W: Float64Array.from(p, () => 1),
  b: Float64Array.from(p, (v) => -v),
  v: new Float64Array(p.length),
  c: 0,
});

t.test('matched distances, median and 90th percentile (type 7)', async (t) => {
  const x = f64(0, 1, 2, 3, 4);
  const p = f64(0, 1.25, 2.5, 3.75, 5);
  const m = matchedDistances(x, p, 5, 5, 1)!;
  t.same(Array.from(m), [0, 0.25, 0.5, 0.75, 1]);
  t.equal(quantile(m, 0.5), 0.5);
  t.ok(Math.abs(quantile(m, 0.9) - 0.9) < 1e-15, 'p90 = 0.75 + 0.6 * 0.25');
  t.equal(quantile(f64(1, 0, 0.5, 0.25), 0.5), 0.375, 'even count: the mean of the middle two');
  t.equal(quantile(f64(2), 0.9), 2, 'one value');
  // H < N: only the matched inputs count (min(N, H) distances)
  t.same(Array.from(matchedDistances(f64(0, 10), f64(9), 2, 1, 1)!), [1]);
  t.equal(matchedDistances(f64(0, 1), f64(NaN, 1), 2, 2, 1), undefined);
});

t.test('all prototypes at the data mean', async (t) => {
  // mean 2; |x - 2| = 2, 1, 3
  t.equal(meanRecon(f64(0, 1, 5), 3, 3, 1), 2);
  t.equal(meanRecon(f64(0, 1, 5), 3, 5, 1), 2, 'H > N: every input');
  // H < N: the H inputs nearest the mean
  t.equal(meanRecon(f64(0, 1, 5), 3, 1, 1), 1);
  t.equal(meanRecon(f64(0, 1, 5), 3, 2, 1), 1.5);
  // mean 3: distances 3, 1, 1, 3; with H = 3 one of the two at 3 is left out (a tie)
  t.equal(meanRecon(f64(0, 2, 4, 6), 4, 3, 1), 5 / 3);
  // 2-D: the corners of a 6 x 8 rectangle, mean at its center, every distance 5
  t.equal(meanRecon(f64(0, 0, 6, 0, 0, 8, 6, 8), 4, 4, 2), 5);
  // the optimal assignment to H copies of the mean gives the same
  for (const h of [1, 2, 3, 4, 6])
    t.equal(
      meanRecon(f64(0, 2, 4, 7), 4, h, 1),
      reconstructionError(f64(0, 2, 4, 7), new Float64Array(h).fill(13 / 4), 4, h, 1),
      `H = ${h}`,
    );
});

t.test('best buddies: mutual nearest neighbours, ties to the lowest index', async (t) => {
  // x0 = 0 -> p0 = 1.5; p0's nearest input is x1 = 2: not mutual. x1 -> p0 -> x1: mutual.
  t.equal(bestBuddies(f64(0, 2), f64(1.5, 3.5), 2, 2, 1), 1 / 2);
  // p0 = 1 is at distance 1 from both inputs: its nearest input is x0 (lowest index)
  t.equal(bestBuddies(f64(0, 2), f64(1), 2, 1, 1), 1 / 2);
  // x0 = 0 is at distance 1 from p0 = -1 and p1 = 1: its nearest is p0, whose nearest is x0
  t.equal(bestBuddies(f64(0, 5), f64(-1, 1, 5), 2, 3, 1), 1);
  // prototypes on the inputs: all mutual; 2-D
  t.equal(bestBuddies(f64(0, 0, 1, 1, 2, 0), f64(2, 0, 0, 0, 1, 1), 3, 3, 2), 1);
  // every prototype at one point: only the input nearest it is its buddy
  t.equal(bestBuddies(f64(0, 1, 2, 3), f64(1.25, 1.25, 1.25, 1.25), 4, 4, 1), 1 / 4);
  t.ok(Number.isNaN(bestBuddies(f64(0, 1), f64(Infinity, 0), 2, 2, 1)));
});

t.test('greedy nearest matching: hand cases, ties, never below the optimum', async (t) => {
  // greedy takes (2, 1.5) first (0.5), then (0, 3.5) (3.5): mean 2; optimal 0->1.5, 2->3.5: 1.5
  t.equal(greedyRecon(f64(0, 2), f64(1.5, 3.5), 2, 2, 1), 2);
  t.equal(reconstructionError(f64(0, 2), f64(1.5, 3.5), 2, 2, 1), 1.5);
  // ties: both inputs at distance 1 from p0 = 1; input 0 takes it, input 1 stays unmatched
  t.equal(greedyRecon(f64(0, 2), f64(1), 2, 1, 1), 1);
  // H > N: the input takes its nearest prototype (of two equally near, the lower index)
  t.equal(greedyRecon(f64(0), f64(-1, 1, 5), 1, 3, 1), 1);
  // 2-D: (0,0) and (3,0) against (1,0) and (10,0): greedy 0->(1,0) (1), 3->(10,0) (7), mean 4
  t.equal(greedyRecon(f64(0, 0, 3, 0), f64(1, 0, 10, 0), 2, 2, 2), 4);
  t.ok(Number.isNaN(greedyRecon(f64(0, 1), f64(NaN, 0), 2, 2, 1)));
  // random cases in 1-D and 2-D, H = N, H < N, H > N: greedy >= optimal, and once strictly
  const rand = lcg(7);
  let strictly = 0;
  for (let trial = 0; trial < 60; trial++) {
    const d = 1 + (trial % 2);
    const n = 2 + (trial % 7);
    const h = Math.max(1, n + ((trial % 3) - 1) * 2);
    const x = Float64Array.from({ length: n * d }, () => rand() * 2 - 1);
    const p = Float64Array.from({ length: h * d }, () => rand() * 2 - 1);
    const g = greedyRecon(x, p, n, h, d);
    const o = reconstructionError(x, p, n, h, d);
    t.ok(g >= o - 1e-12, `greedy ${g} >= optimal ${o} (n ${n}, h ${h}, d ${d})`);
    if (g > o + 1e-9) strictly++;
  }
  t.ok(strictly > 0, `greedy strictly worse in ${strictly} of 60 random cases`);
});

t.test('random prototypes: the stated draws from the run seed, on their own stream', async (t) => {
  t.same(
    [
      [10, 10],
      [500, 500],
      [1000, 1000],
      [2000, 3000],
      [4000, 4000],
      [4000, 10],
    ].map(([n, h]) => [randomDraws(n, h, 1), randomDraws(n, h, 2)]),
    [
      [8, 8],
      [8, 8],
      [8, 4],
      [8, 2],
      [8, 1],
      [8, 8],
    ],
  );
  const x = f64(-0.5, 0.25, 0.75, 0.5, 0, 1); // 3 inputs in 2-D: box [-0.5, 0.75] x [0.25, 1]
  const rng = new Rng(3, STREAMS.random);
  let total = 0;
  for (let r = 0; r < 8; r++) {
    const p = Float64Array.from({ length: 4 }, (_, k) =>
      k % 2 === 0 ? rng.uniform(-0.5, 0.75) : rng.uniform(0.25, 1),
    );
    total += reconstructionError(x, p, 3, 2, 2);
  }
  t.equal(randomRecon(x, 3, 2, 2, 3), total / 8);
  t.equal(randomRecon(x, 3, 2, 2, 3), randomRecon(x, 3, 2, 2, 3), 'deterministic');
  t.not(randomRecon(x, 3, 2, 2, 4), randomRecon(x, 3, 2, 2, 3), 'another seed, other draws');
  t.equal(randomRecon(f64(0.5, 0.5), 2, 2, 1, 0), 0, 'a box of one point');
});

t.test('the scorecard of a run: untrained, every field, null when diverged', async (t) => {
  const config = resolveConfig({ n: 6, dim: 1, seed: 2 });
  const data = makeDataset(config);
  const initial = makeInitialParams(config);
  const card = scorecard(config, data, initial, at(Array.from(data.x)));
  t.same(Object.keys(card), SCORECARD_FIELDS);
  // the final prototypes sit on the inputs (up to the 1e-12 eps of the prototype formula)
  t.ok(card.matchedMedian! < 1e-11 && card.matchedP90! < 1e-11 && card.reconGreedy! < 1e-11);
  t.equal(card.bestBuddies, 1);
  t.ok(card.reconUntrained! > 0 && card.reconRandom! > 0 && card.reconMean! > 0);
  const nan = at([NaN, 0, 0, 0, 0, 0]);
  const bad = scorecard(config, data, initial, nan);
  t.same(
    [bad.matchedMedian, bad.matchedP90, bad.bestBuddies, bad.reconGreedy],
    [null, null, null, null],
  );
  t.same(
    [bad.reconUntrained, bad.reconRandom, bad.reconMean],
    [card.reconUntrained, card.reconRandom, card.reconMean],
  );
});

t.test(
  'records carry the scorecard; baselines do not depend on mask, backend or threads',
  async (t) => {
    const configs = ['base', 'cov'].map((mask) =>
      resolveConfig({ n: 12, dim: 2, mask: mask as 'base', epochs: 20, seed: 5 }),
    );
    const ts = await trainRuns(configs, { backend: 'ts', threads: 1 });
    const auto = await trainRuns(configs, { threads: 2 });
    const keys = Object.keys(ts[0].metrics);
    t.same(keys.slice(-SCORECARD_FIELDS.length - 1), [...SCORECARD_FIELDS, 'diverged']);
    for (const f of ['reconUntrained', 'reconRandom', 'reconMean'] as const) {
      t.equal(ts[0].metrics[f], ts[1].metrics[f], `${f}: the same for every mask`);
      t.equal(ts[0].metrics[f], auto[0].metrics[f], `${f}: the same on ${auto[0].backend}`);
    }
    t.ok(ts[0].metrics.reconGreedy! >= ts[0].metrics.recon!);
    t.same(ts[0].data, auto[0].data, 'data unchanged');
  },
);

t.test('a record without a scorecard gets the same one, computed', async (t) => {
  const record = await trainRun({ n: 8, mask: 'cov', epochs: 30, seed: 1 }, { backend: 'ts' });
  const old = structuredClone(record);
  for (const f of SCORECARD_FIELDS) delete old.metrics[f];
  const filled = recordWithScorecard(old);
  t.same(filled.metrics, record.metrics);
  t.same(Object.keys(filled.metrics), Object.keys(record.metrics), 'the same field order');
  t.equal(recordWithScorecard(record), record, 'a complete record is returned as is');
  // a stored value wins over a computed one
  const partial = structuredClone(old);
  partial.metrics.reconRandom = 42;
  t.equal(recordWithScorecard(partial).metrics.reconRandom, 42);
  // a diverged old record: a null parameter counts as NaN
  const diverged = structuredClone(old);
  (diverged.final.b as (number | null)[])[0] = null;
  t.equal(recordWithScorecard(diverged).metrics.reconGreedy, null);
  // the report computes it when it loads records
  const analysis = analyseRecords([old]);
  t.same(analysis.records[0].metrics, record.metrics);
});

/** Greedy by the book: every pair sorted by (cost, i, j), taken when both ends are free. */
function greedyReference(x: Float64Array, p: Float64Array, n: number, h: number, d: number) {
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (x[i * d + k] - p[j * d + k]) ** 2;
      pairs.push([d === 1 ? Math.abs(x[i] - p[j]) : Math.sqrt(s), i, j]);
    }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const usedI = new Set<number>();
  const usedJ = new Set<number>();
  const cost = new Map<number, number>();
  for (const [c, i, j] of pairs) {
    if (usedI.has(i) || usedJ.has(j)) continue;
    usedI.add(i);
    usedJ.add(j);
    cost.set(i, c);
  }
  let total = 0;
  for (let i = 0; i < n; i++) if (cost.has(i)) total += cost.get(i)!;
  return total / Math.min(n, h);
}

/** Best buddies by the book: argmins by full scans, ties to the lowest index. */
function buddiesReference(x: Float64Array, p: Float64Array, n: number, h: number) {
  const argmin = (m: number, cost: (k: number) => number) => {
    let best = 0;
    for (let k = 1; k < m; k++) if (cost(k) < cost(best)) best = k;
    return best;
  };
  let mutual = 0;
  for (let i = 0; i < n; i++) {
    const j = argmin(h, (k) => Math.abs(x[i] - p[k]));
    if (argmin(n, (k) => Math.abs(x[k] - p[j])) === i) mutual++;
  }
  return mutual / n;
}

t.test(
  '1-D greedy and best buddies on the sorted line: a scan by the book, ties and duplicates',
  async (t) => {
    const rand = lcg(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + (trial % 13);
      const h = 1 + ((trial * 7) % 11);
      // a coarse grid makes ties and repeated values common; some trials continuous
      const grid = trial % 3 === 0 ? 0 : [4, 8, 16][trial % 3];
      const draw = () => (grid ? Math.floor(rand() * grid) / grid : rand()) * 2 - 1;
      const x = Float64Array.from({ length: n }, draw);
      const p = Float64Array.from({ length: h }, draw);
      const g = greedyRecon(x, p, n, h, 1);
      const ref = greedyReference(x, p, n, h, 1);
      if (g !== ref) t.fail(`greedy ${g} vs ${ref}: x ${Array.from(x)} p ${Array.from(p)}`);
      const b = bestBuddies(x, p, n, h, 1);
      const bref = buddiesReference(x, p, n, h);
      if (b !== bref) t.fail(`buddies ${b} vs ${bref}: x ${Array.from(x)} p ${Array.from(p)}`);
    }
    t.pass('300 cases agree exactly');
    // 2-D: the pass over all pairs against the reference too
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + (trial % 9);
      const h = 1 + ((trial * 5) % 8);
      const x = Float64Array.from({ length: n * 2 }, () => Math.floor(rand() * 4) / 2);
      const p = Float64Array.from({ length: h * 2 }, () => Math.floor(rand() * 4) / 2);
      t.equal(greedyRecon(x, p, n, h, 2), greedyReference(x, p, n, h, 2), `2-D greedy ${trial}`);
    }
    t.ok(Number.isNaN(greedyRecon(f64(-1e308, 1e308), f64(1e308, 0), 2, 2, 1)), 'overflow');
    t.ok(Number.isNaN(bestBuddies(f64(-1e308, 1e308), f64(1e308, 0), 2, 2, 1)), 'overflow');
  },
);
