// The native evaluator (native/core/evaluate.h) against the TS code it ports: the four terms of
// computeTerms and winningNeurons, the same bits (Object.is on every value), on random, trained
// and diverged parameters, every mask, hard-min and softmin coverage, several separation
// temperatures, d in {1, 2, 3, 5}, H = N and H != N both ways, N up to 300, 1 and 3 threads, every
// instruction set; records equal whether the backend or the main thread evaluated; the golden
// terms (test/fixtures/golden) through the evaluator.

import t from 'tap';
import { MASKS, resolveConfig, type RunConfig } from '../src/config.js';
import { createNativeBackend, loadNative, toNativeProblem } from '../src/backend/native.js';
import type { NativeBinding } from '../src/backend/native.js';
import { tsBackend } from '../src/backend/ts.js';
import type { Backend } from '../src/backend/types.js';
import { winningNeurons } from '../src/eval/metrics.js';
import { computeTerms } from '../src/model/losses.js';
import type { Dataset, Params, TrainResult } from '../src/model/types.js';
import { dataFromJson, paramsFromJson, type RunRecord } from '../src/record.js';
import { buildRecord, prepareJob, trainRuns } from '../src/train.js';
import { exp } from '../src/numerics/fdlibm.js';
import { mulberry32, randomPoint } from './helpers/random.js';
import { goldenConfig, isPaperNeuron, readGoldens } from './helpers/golden.js';

const native = loadNative();
if (!native.binding) {
  t.fail(`native addon did not load: ${native.error} (build it with npm run build:native)`);
  process.exit(1);
}
const binding = native.binding;
const evaluate = binding.evaluate!;
const isas = binding.info().supported;

const TERMS = ['fit', 'cov', 'sep', 'ovl'] as const;

t.test(
  "the evaluator's exp has the bits of src/numerics/fdlibm.ts on every instruction set",
  async (t) => {
    const rng = mulberry32(7);
    const special = [0, -0, 1, -1, NaN, Infinity, -Infinity, 709.78, 709.79, -708.39, -708.4];
    special.push(-745.13, -745.14, 7.09782712893383973096e2, -7.4513321910194110842e2, 5e-324);
    const values = [...special, ...special.map((v) => v * (1 + 2 ** -52))];
    for (let i = 0; i < 200_000; i++) {
      const u = rng();
      values.push(i % 4 === 0 ? -800 * u : i % 4 === 1 ? 1500 * u - 750 : -(2 ** (-60 + 72 * u)));
    }
    // each lane position sees each kind of argument: every value also at offsets 1..7
    const input = Float64Array.from([...values, ...values.slice(0, 7), ...values]);
    const expected = input.map(exp);
    for (const isa of isas) {
      const got = binding.fdlibmExp!(input, isa);
      const bad = expected.findIndex((e, i) => !Object.is(e, got[i]));
      t.equal(
        bad,
        -1,
        `${isa}${bad >= 0 ? `: exp(${input[bad]}) = ${got[bad]}, TS ${expected[bad]}` : ''}`,
      );
    }
  },
);

/** The first value where the evaluator differs from TS in any bit, or undefined. */
function evaluatorDifference(
  config: RunConfig,
  data: Dataset,
  params: Params,
  threads: number,
): string | undefined {
  const terms = computeTerms(config, data, params);
  const winners = winningNeurons(config, data, params);
  const got = evaluate(toNativeProblem(config, data, params), threads);
  for (const term of TERMS)
    if (!Object.is(got.terms[term], terms[term]))
      return `${term}: ${got.terms[term]} vs ${terms[term]}`;
  if (got.winners.length !== winners.length) return `winners.length: ${got.winners.length}`;
  for (let i = 0; i < winners.length; i++)
    if (got.winners[i] !== winners[i]) return `winners[${i}]: ${got.winners[i]} vs ${winners[i]}`;
  return undefined;
}

/** Parameters gone wrong the ways a diverged run leaves them. */
function diverged(params: Params, kind: number): Params {
  const W = Float64Array.from(params.W);
  const b = Float64Array.from(params.b);
  const v = Float64Array.from(params.v);
  let c = params.c;
  if (kind === 0) W[W.length - 1] = NaN;
  else if (kind === 1) b[0] = Infinity;
  else if (kind === 2) v[v.length >> 1] = -Infinity;
  else if (kind === 3) W.fill(1e300);
  else if (kind === 4) b.fill(-1e300);
  else if (kind === 5) c = NaN;
  else W[0] = 1e-300; // a prototype near +-1e288: distances overflow
  return { W, b, v, c };
}

const SHAPES: [number, number][] = [
  [2, 2],
  [3, 5],
  [7, 4],
  [20, 20],
  [33, 50],
  [64, 31],
];

t.test('terms and winners: the same bits as TS at random and diverged points', async (t) => {
  let seed = 0;
  let checked = 0;
  for (const [n, hidden] of SHAPES)
    for (const dim of [1, 2, 3, 5])
      for (const tauCov of [0, 0.05, 1e-4])
        for (const tau of [1e-3, 0.05, 3]) {
          const mask = MASKS[seed % MASKS.length];
          const point = randomPoint({ n, hidden, dim, tauCov, tau, mask }, seed++);
          for (let kind = -1; kind < 7; kind++) {
            const params = kind < 0 ? point.params : diverged(point.params, kind);
            const where = `n=${n} h=${hidden} d=${dim} tauCov=${tauCov} tau=${tau} kind=${kind}`;
            const difference = evaluatorDifference(
              point.config,
              point.data,
              params,
              1 + (seed % 3),
            );
            if (difference) t.fail(`${where}: ${difference}`);
            checked++;
          }
        }
  t.pass(`${checked} points`);
});

t.test('large points: threads and instruction sets change no bit', async (t) => {
  for (const [n, hidden, dim, tauCov] of [
    [300, 300, 1, 0],
    [300, 257, 2, 0.05],
    [250, 300, 1, 0.01],
    [300, 300, 5, 0],
    [3, 2100, 1, 0], // 2.2 million neuron pairs, three rows: separation dominates
  ]) {
    const { config, data, params } = randomPoint({ n, hidden, dim, tauCov, tau: 0.05 }, n + dim);
    for (const threads of [1, 2, 3, 7]) {
      const difference = evaluatorDifference(config, data, params, threads);
      t.equal(difference, undefined, `n=${n} h=${hidden} d=${dim} threads=${threads}`);
    }
    const reference = evaluate(toNativeProblem(config, data, params), 1);
    for (const isa of isas) {
      binding.setIsa(isa);
      t.same(evaluate(toNativeProblem(config, data, params), 2), reference, `${isa}`);
    }
    binding.setIsa(isas[isas.length - 1]);
  }
});

t.test('trained parameters: the same bits as TS', async (t) => {
  const configs = MASKS.flatMap((mask, m) =>
    [1, 2, 3].map((dim) =>
      resolveConfig({ n: 40 + 7 * m, hidden: 30 + 11 * dim, dim, mask, epochs: 300, seed: m }),
    ),
  );
  const jobs = configs.map(prepareJob);
  const results = await createNativeBackend(binding).trainBatch(jobs, { threads: 2 });
  results.forEach((r, i) => {
    const { config, data } = jobs[i];
    t.equal(
      evaluatorDifference(config, data, r.final, 2),
      undefined,
      `${config.mask} d=${config.dim}`,
    );
    t.ok(r.terms && r.winners, 'the batch result carries terms and winners');
    for (const term of TERMS)
      t.ok(Object.is(r.terms?.[term], computeTerms(config, data, r.final)[term]));
    t.same(Array.from(r.winners ?? []), Array.from(winningNeurons(config, data, r.final)));
  });
});

t.test('golden terms through the evaluator (relative 1e-12, and the TS bits)', async (t) => {
  // the evaluator ports the paper's neuron (ridge, gaussian); records of others are evaluated in TS
  for (const { file, g } of readGoldens().filter(({ g }) => isPaperNeuron(g))) {
    const config = goldenConfig(g);
    const data = dataFromJson(g.data);
    const params = paramsFromJson(g.initial);
    const { terms } = evaluate(toNativeProblem(config, data, params), 1);
    for (const term of TERMS) {
      const ref = g.atInitial.terms[term];
      t.ok(
        Math.abs(terms[term] - ref) <= 1e-12 * Math.abs(ref),
        `${file} ${term} = ${terms[term]} (golden ${ref})`,
      );
    }
    t.equal(evaluatorDifference(config, data, params, 1), undefined, `${file}: the TS bits`);
  }
});

/** The same binding as far as training goes, with results as a binary without the evaluator gives them. */
function withoutEvaluator(b: NativeBinding): NativeBinding {
  return {
    ...b,
    evaluate: undefined,
    trainBatch: (jobs, threads, onResult, isa) =>
      b.trainBatch(
        jobs,
        threads,
        (index, result) => {
          delete result.terms;
          delete result.winners;
          onResult(index, result);
        },
        isa,
      ),
  };
}

const metricDifference = (a: RunRecord, b: RunRecord): string | undefined => {
  const keys = new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)]);
  for (const key of keys) {
    const x = (a.metrics as unknown as Record<string, unknown>)[key];
    const y = (b.metrics as unknown as Record<string, unknown>)[key];
    if (!Object.is(x, y)) return `${key}: ${String(x)} vs ${String(y)}`;
  }
  return undefined;
};

const RECORD_CONFIGS = [
  ...MASKS.map((mask, m) => resolveConfig({ n: 30, hidden: 24 + m, mask, epochs: 200, seed: m })),
  resolveConfig({ n: 25, dim: 2, mask: 'cov+sep', tauCov: 0.02, tau: 0.01, epochs: 200 }),
  resolveConfig({ n: 20, hidden: 40, dim: 3, mask: 'cov+ovl', epochs: 100 }),
  resolveConfig({ n: 6, lr: 1e300, epochs: 50, mask: 'cov+sep+ovl' }), // diverges
];

for (const [name, backend, stale] of [
  ['native', createNativeBackend(binding), createNativeBackend(withoutEvaluator(binding))],
  ['ts', tsBackend, undefined],
] as [string, Backend, Backend | undefined][]) {
  t.test(`${name}: records equal whether the backend or the main thread evaluated`, async (t) => {
    const jobs = RECORD_CONFIGS.map(prepareJob);
    const results: TrainResult[] = await backend.trainBatch(jobs, { threads: 2 });
    const records = await trainRuns(RECORD_CONFIGS, { backend: name as 'ts', threads: 2 });
    t.equal(results[results.length - 1].diverged, true, 'the last run diverged');
    results.forEach((result, i) => {
      t.ok(result.terms && result.winners, `run ${i} was evaluated by the backend`);
      const main = buildRecord(
        jobs[i],
        { ...result, terms: undefined, winners: undefined },
        backend,
      );
      t.equal(metricDifference(buildRecord(jobs[i], result, backend), main), undefined, `run ${i}`);
      t.equal(metricDifference(records[i], main), undefined, `run ${i} through trainRuns`);
    });
    if (stale) {
      const old = await stale.trainBatch(jobs, { threads: 2 });
      old.forEach((result, i) => {
        t.equal(result.terms, undefined, 'an older binary: no terms');
        t.equal(metricDifference(buildRecord(jobs[i], result, stale), records[i]), undefined);
      });
    }
  });
}
