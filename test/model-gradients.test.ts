// Analytic gradients of every term and of every mask's total loss against central finite
// differences, for d in {1,2,3}, H = N and H > N, at random points with far-out prototypes.

import t from 'tap';
import { ACTIVATIONS, MASKS, UNITS } from '../src/config.js';
import {
  lossAndGradient,
  termsAndGradients,
  Workspace,
  zeroGradient,
} from '../src/model/losses.js';
import { trainingWeights } from '../src/model/train.js';
import { cloneParams, type Params, type Terms } from '../src/model/types.js';
import { randomPoint } from './helpers/random.js';

type Field = 'W' | 'b' | 'v' | 'c';

function perturbed(params: Params, field: Field, index: number, delta: number): Params {
  const p = cloneParams(params);
  if (field === 'c') p.c += delta;
  else p[field][index] += delta;
  return p;
}

// Central differences with a step scaled to the coordinate. Their own error (truncation
// O(step^2) plus rounding O(1e-16/step)) reaches a few 1e-6 relative to max(1e-4, |gradient|) on
// these points; a wrong formula or a missing path (e.g. through the prototypes) errs by O(1).
function checkGradient(
  t: Tap.Test,
  label: string,
  f: (p: Params) => number,
  analytic: Params,
  params: Params,
): void {
  let worst = 0;
  let where = '';
  for (const field of ['W', 'b', 'v', 'c'] as Field[]) {
    const count = field === 'c' ? 1 : params[field].length;
    for (let i = 0; i < count; i++) {
      const value = field === 'c' ? params.c : params[field][i];
      const step = 1e-6 * Math.max(1, Math.abs(value));
      const fd =
        (f(perturbed(params, field, i, step)) - f(perturbed(params, field, i, -step))) / (2 * step);
      const an = field === 'c' ? analytic.c : analytic[field][i];
      const err = Math.abs(fd - an) / Math.max(1e-4, Math.abs(an), Math.abs(fd));
      if (err > worst) {
        worst = err;
        where = `${field}[${i}] analytic ${an} fd ${fd}`;
      }
    }
  }
  t.ok(worst < 1e-5, `${label}: worst relative error ${worst.toExponential(2)} (${where})`);
}

const shapes = [
  { n: 5, hidden: 5, dim: 1 },
  { n: 4, hidden: 7, dim: 1 },
  { n: 6, hidden: 6, dim: 2 },
  { n: 3, hidden: 5, dim: 2 },
  { n: 5, hidden: 5, dim: 3 },
  { n: 4, hidden: 6, dim: 3 },
];

t.test('each term against finite differences', async (t) => {
  for (const shape of shapes) {
    for (const tauCov of [0, 0.3]) {
      const { config, data, params } = randomPoint({ ...shape, tauCov }, shape.n * 10 + shape.dim);
      const { grads } = termsAndGradients(config, data, params);
      for (const term of ['fit', 'cov', 'sep', 'ovl'] as (keyof Terms)[]) {
        const f = (p: Params): number => termsAndGradients(config, data, p).terms[term];
        checkGradient(
          t,
          `${term} N=${shape.n} H=${shape.hidden} d=${shape.dim} tauCov=${tauCov}`,
          f,
          grads[term],
          params,
        );
      }
    }
  }
});

t.test('every unit and activation (SPEC §1b): each term against finite differences', async (t) => {
  for (const unit of UNITS) {
    for (const activation of ACTIVATIONS) {
      for (const shape of [shapes[1], shapes[2], shapes[5]]) {
        const over = { ...shape, unit, activation, tauCov: 0.3 };
        const { config, data, params } = randomPoint(over, shape.n + shape.dim);
        if (unit === 'radial') params.b.forEach((_, j) => (params.b[j] = 0.5 + (j % 3) * 0.4));
        const { grads } = termsAndGradients(config, data, params);
        for (const term of ['fit', 'cov', 'sep', 'ovl'] as (keyof Terms)[]) {
          const f = (p: Params): number => termsAndGradients(config, data, p).terms[term];
          const label = `${unit} ${activation} ${term} N=${shape.n} H=${shape.hidden} d=${shape.dim}`;
          checkGradient(t, label, f, grads[term], params);
        }
      }
    }
  }
});

t.test('every mask: total loss against finite differences', async (t) => {
  for (const shape of [shapes[1], shapes[3], shapes[4]]) {
    for (const mask of MASKS) {
      const { config, data, params } = randomPoint({ ...shape, mask, lambda: 0.7 }, 5);
      const ws = new Workspace(config, data);
      const weights = trainingWeights(config);
      const total = (p: Params): number => {
        const s = lossAndGradient(ws, p, weights, null, true);
        return s.fit + weights.cov * s.cov + weights.sep * s.sep + weights.ovl * s.ovl;
      };
      const grad = zeroGradient(config.hidden, config.dim);
      lossAndGradient(ws, params, weights, grad, false);
      checkGradient(
        t,
        `${mask} N=${shape.n} H=${shape.hidden} d=${shape.dim}`,
        total,
        grad,
        params,
      );
    }
  }
});

t.test('terms skipped in training are exactly those with zero weight', async (t) => {
  const { config, data, params } = randomPoint({ n: 5, hidden: 5, dim: 1, mask: 'sep' }, 3);
  const ws = new Workspace(config, data);
  const only = lossAndGradient(ws, params, trainingWeights(config), null, false);
  const all = lossAndGradient(ws, params, trainingWeights(config), null, true);
  t.equal(only.cov, 0);
  t.equal(only.ovl, 0);
  t.equal(only.sep, all.sep);
  t.equal(only.fit, all.fit);
  t.ok(all.cov > 0 && all.ovl > 0);
});
