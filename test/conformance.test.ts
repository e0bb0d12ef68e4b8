// One suite, written once, run against every backend through a factory: the golden values of an
// independent autograd implementation (test/fixtures/golden), and invariants any correct backend
// keeps (finite differences, symmetry under relabelling neurons, thread-count independence, job
// order, divergence handling, cancellation).

import t from 'tap';
import { resolveConfig, type Mask, type RunConfig } from '../src/config.js';
import { createNativeBackend, loadNative } from '../src/backend/native.js';
import { normwise } from '../src/backend/agreement.js';
import { tsBackend } from '../src/backend/ts.js';
import type { Backend } from '../src/backend/types.js';
import { cloneParams, type Params, type TrainJob } from '../src/model/types.js';
import { dataFromJson, paramsFromJson, type ParamsJson } from '../src/record.js';
import { prepareJob } from '../src/train.js';
import { goldenConfig, readGoldens, type Golden } from './helpers/golden.js';
import { randomPoint } from './helpers/random.js';

/** Every backend this suite runs against; the native one must load where the suite runs. */
const factories: { name: string; make: () => Backend }[] = [
  { name: 'ts', make: () => tsBackend },
  {
    name: 'native',
    make: () => {
      const { binding, error } = loadNative();
      if (!binding)
        throw new Error(`native addon did not load: ${error} (build it with npm run build:native)`);
      return createNativeBackend(binding);
    },
  },
];

const goldens = readGoldens();

function goldenJob(g: Golden, epochs: number): TrainJob {
  return {
    config: goldenConfig(g, epochs),
    data: dataFromJson(g.data),
    initial: paramsFromJson(g.initial),
  };
}

/** Every parameter in one list: typed Params, or JSON ones of either unit (P, s like W, b). */
const flat = (p: Params | ParamsJson): number[] => {
  const q =
    'P' in p
      ? paramsFromJson(p)
      : Array.isArray(p.W)
        ? paramsFromJson(p as ParamsJson)
        : (p as Params);
  return [...q.W, ...q.b, ...q.v, q.c];
};

for (const factory of factories) {
  t.test(`backend: ${factory.name}`, async (t) => {
    const backend = factory.make();

    t.test('golden terms and per-term gradients (relative 1e-12)', async (t) => {
      for (const { file, g } of goldens) {
        const job = goldenJob(g, 1);
        const tg = backend.termsAndGrads(job.config, job.data, job.initial);
        for (const term of ['fit', 'cov', 'sep', 'ovl'] as const) {
          const ref = g.atInitial.terms[term];
          t.ok(
            Math.abs(tg.terms[term] - ref) <= 1e-12 * Math.abs(ref),
            `${file} ${term} = ${tg.terms[term]} (golden ${ref})`,
          );
          const e = normwise(flat(tg.grads[term]), flat(g.atInitial.grads[term]));
          t.ok(e <= 1e-12, `${file} d${term}: ${e.toExponential(2)}`);
        }
      }
    });

    t.test('golden parameters after 1, 2, 10 and 100 Adam steps', async (t) => {
      for (const { file, g } of goldens) {
        const steps = Object.keys(g.afterSteps).map(Number);
        const results = await backend.trainBatch(
          steps.map((s) => goldenJob(g, s)),
          { threads: 2 },
        );
        steps.forEach((s, i) => {
          const tol = s >= 100 ? 1e-9 : 1e-12;
          const e = normwise(flat(results[i].final), flat(g.afterSteps[String(s)]), 1);
          t.ok(e <= tol, `${file} after ${s}: ${e.toExponential(2)} <= ${tol}`);
          t.equal(results[i].epochsRun, s);
          t.equal(results[i].diverged, false);
        });
      }
    });

    t.test('gradients match central finite differences of the terms', async (t) => {
      for (const [dim, tauCov] of [
        [1, 0],
        [2, 0.05],
        [3, 0],
      ] as const) {
        const { config, data, params } = randomPoint(
          { n: 6, hidden: 7, dim, tauCov, tau: 0.5 },
          40 + dim,
        );
        const tg = backend.termsAndGrads(config, data, params);
        for (const term of ['fit', 'cov', 'sep', 'ovl'] as const) {
          let worst = 0;
          const coords: [keyof Params, number][] = [
            ['W', 0],
            ['W', dim * 3],
            ['b', 1],
            ['b', 6],
            ['v', 2],
            ['c', 0],
          ];
          for (const [field, i] of coords) {
            const shifted = (delta: number): number => {
              const p = cloneParams(params);
              if (field === 'c') p.c += delta;
              else (p[field] as Float64Array)[i] += delta;
              return backend.termsAndGrads(config, data, p).terms[term];
            };
            const value = field === 'c' ? params.c : (params[field] as Float64Array)[i];
            const h = 1e-6 * Math.max(1, Math.abs(value));
            const fd = (shifted(h) - shifted(-h)) / (2 * h);
            const an =
              field === 'c' ? tg.grads[term].c : (tg.grads[term][field] as Float64Array)[i];
            worst = Math.max(worst, Math.abs(fd - an) / Math.max(1e-4, Math.abs(an)));
          }
          t.ok(worst < 1e-5, `d=${dim} tauCov=${tauCov} ${term}: ${worst.toExponential(2)}`);
        }
      }
    });

    t.test('relabelling neurons permutes gradients and leaves terms unchanged', async (t) => {
      const { config, data, params } = randomPoint({ n: 9, hidden: 11, dim: 2, tau: 0.2 }, 7);
      const perm = Array.from({ length: 11 }, (_, j) => (j * 4) % 11);
      const d = 2;
      const permuted: Params = {
        W: Float64Array.from(
          { length: 22 },
          (_, q) => params.W[perm[Math.floor(q / d)] * d + (q % d)],
        ),
        b: Float64Array.from(perm, (j) => params.b[j]),
        v: Float64Array.from(perm, (j) => params.v[j]),
        c: params.c,
      };
      const a = backend.termsAndGrads(config, data, params);
      const b = backend.termsAndGrads(config, data, permuted);
      for (const term of ['fit', 'cov', 'sep', 'ovl'] as const) {
        t.ok(
          Math.abs(a.terms[term] - b.terms[term]) <= 1e-12 * Math.abs(a.terms[term]),
          `${term} unchanged`,
        );
        const back = Float64Array.from(perm, (j, k) => b.grads[term].b[k]);
        const orig = Float64Array.from(perm, (j) => a.grads[term].b[j]);
        t.ok(normwise(back, orig) <= 1e-12, `d${term}/db permuted`);
      }
    });

    t.test('terms are in range', async (t) => {
      const { config, data, params } = randomPoint({ n: 12, hidden: 12, dim: 1 }, 3);
      const { terms } = backend.termsAndGrads(config, data, params);
      t.ok(
        terms.fit >= 0 &&
          terms.cov >= 0 &&
          terms.sep >= 0 &&
          terms.sep <= 1 &&
          terms.ovl >= 0 &&
          terms.ovl <= 1,
        JSON.stringify(terms),
      );
    });

    t.test('batches: job order, onResult once each, thread count does not matter', async (t) => {
      const jobs = (['base', 'cov', 'sep+ovl', 'cov+sep+ovl'] as Mask[]).flatMap((mask, k) =>
        [4, 13].map((n) =>
          prepareJob(resolveConfig({ n, hidden: n + k, mask, epochs: 60, seed: k })),
        ),
      );
      const seen: number[] = [];
      const one = await backend.trainBatch(jobs, { threads: 1, onResult: (i) => seen.push(i) });
      const two = await backend.trainBatch(jobs, { threads: 2 });
      t.same(
        [...seen].sort((a, b) => a - b),
        jobs.map((_, i) => i),
      );
      t.ok(
        one.every((r, i) => r.final.b.length === jobs[i].config.hidden),
        'results in job order',
      );
      t.ok(
        one.every((r, i) => normwise(flat(r.final), flat(two[i].final)) === 0),
        '1 and 2 threads agree exactly',
      );
      t.same(await backend.trainBatch([], {}), [], 'an empty batch');
    });

    t.test(
      'a field the run ignores does not change its training (run ids rely on it)',
      async (t) => {
        // lambda for base, tau without sep, tauCov without cov: each pair must train the same bits
        const pairs: [Partial<RunConfig>, Partial<RunConfig>][] = [
          [{ mask: 'base', lambda: 0.001, tau: 0.3, tauCov: 0.2 }, { mask: 'base' }],
          [
            { mask: 'cov+ovl', tau: 0.5 },
            { mask: 'cov+ovl', tau: 1e-4 },
          ],
          [{ mask: 'sep+ovl', tauCov: 0.3 }, { mask: 'sep+ovl' }],
        ];
        const jobs = pairs
          .flat()
          .map((c) => prepareJob(resolveConfig({ n: 13, dim: 2, epochs: 150, seed: 4, ...c })));
        const results = await backend.trainBatch(jobs, { threads: 2 });
        for (let k = 0; k < pairs.length; k++) {
          t.equal(
            normwise(flat(results[2 * k].final), flat(results[2 * k + 1].final)),
            0,
            `${JSON.stringify(pairs[k][0])}: the same parameters`,
          );
        }
      },
    );

    t.test('a diverging run is reported, not thrown', async (t) => {
      const config: RunConfig = resolveConfig({ n: 6, lr: 1e300, epochs: 50, mask: 'cov+sep+ovl' });
      const [r] = await backend.trainBatch([prepareJob(config)], { threads: 1 });
      t.equal(r.diverged, true);
      t.ok(r.epochsRun < 50, `stopped after ${r.epochsRun} steps`);
    });

    t.test('an aborted signal rejects with an AbortError', async (t) => {
      const controller = new AbortController();
      const jobs = Array.from({ length: 4 }, (_, seed) =>
        prepareJob(resolveConfig({ n: 60, epochs: 200_000, seed })),
      );
      const p = backend.trainBatch(jobs, { threads: 2, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await t.rejects(p, { name: 'AbortError' });
    });
  });
}
