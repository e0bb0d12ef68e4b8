// Full-batch Adam training of one run in pure TS (SPEC §3), the reference loop the native backend
// mirrors. Synchronous: callers that must not block the event loop run it in a worker thread.

import { ADAM, maskTerms } from '../config.js';
import { lossAndGradient, Workspace, zeroGradient } from './losses.js';
import {
  cloneParams,
  type Gradient,
  type Params,
  type TrainJob,
  type TrainResult,
} from './types.js';
import type { TermWeights } from './losses.js';
import { powInt } from '../numerics/pow-int.js';

/**
 * Adam with PyTorch semantics: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 */
export class Adam {
  private readonly m: Params;
  private readonly v: Params;
  /** c and its gradient pass through these one-element arrays, so one update loop serves all */
  private readonly cParam = new Float64Array(1);
  private readonly cGrad = new Float64Array(1);
  private readonly cM = new Float64Array(1);
  private readonly cV = new Float64Array(1);
  private t = 0;

  constructor(
    h: number,
    d: number,
    private readonly lr: number,
    private readonly beta1: number = ADAM.beta1,
    private readonly beta2: number = ADAM.beta2,
    private readonly eps: number = ADAM.eps,
  ) {
    this.m = zeroGradient(h, d);
    this.v = zeroGradient(h, d);
  }

  /** One step: updates `params` in place from `grad`. */
  step(params: Params, grad: Gradient): void {
    this.t += 1;
    const bc1 = 1 - powInt(this.beta1, this.t);
    const bc2 = 1 - powInt(this.beta2, this.t);
    this.update(params.W, grad.W, this.m.W, this.v.W, bc1, bc2);
    this.update(params.b, grad.b, this.m.b, this.v.b, bc1, bc2);
    this.update(params.v, grad.v, this.m.v, this.v.v, bc1, bc2);
    this.cParam[0] = params.c;
    this.cGrad[0] = grad.c;
    this.update(this.cParam, this.cGrad, this.cM, this.cV, bc1, bc2);
    params.c = this.cParam[0];
  }

  private update(
    p: Float64Array,
    g: Float64Array,
    m: Float64Array,
    v: Float64Array,
    bc1: number,
    bc2: number,
  ): void {
    const { beta1, beta2, lr, eps } = this;
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      p[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
    }
  }
}

/** The weights of L = fit + lambda * (active structural terms) for a config. */
export function trainingWeights(config: TrainJob['config']): TermWeights {
  const on = maskTerms(config.mask);
  return {
    fit: 1,
    cov: on.cov ? config.lambda : 0,
    sep: on.sep ? config.lambda : 0,
    ovl: on.ovl ? config.lambda : 0,
  };
}

function allFinite(...arrays: Float64Array[]): boolean {
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/**
 * Trains one run through all its epochs. Each epoch: the loss and its gradient at the current
 * parameters; a non-finite loss or gradient stops the run before the step (diverged); then one
 * Adam step; a non-finite parameter after it stops the run (diverged). `observer` (a trace, see
 * src/trace/) sees the parameters before the first epoch and after each one; it only reads them.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ n: 10, mask: 'cov' });
 * const result = trainRunSync({ config, data: makeDataset(config), initial: makeInitialParams(config) });
 * ```
 */
export function trainRunSync(
  job: TrainJob,
  observer?: { observe(epoch: number, params: Params): void },
): TrainResult {
  const started = performance.now();
  const { config } = job;
  const ws = new Workspace(config, job.data);
  const params = cloneParams(job.initial);
  const grad = zeroGradient(config.hidden, config.dim);
  const adam = new Adam(config.hidden, config.dim, config.lr);
  const weights = trainingWeights(config);
  let diverged = false;
  let epochsRun = 0;
  observer?.observe(0, params);
  for (let t = 1; t <= config.epochs; t++) {
    const terms = lossAndGradient(ws, params, weights, grad, false);
    const loss =
      terms.fit + weights.cov * terms.cov + weights.sep * terms.sep + weights.ovl * terms.ovl;
    if (!Number.isFinite(loss) || !Number.isFinite(grad.c) || !allFinite(grad.W, grad.b, grad.v)) {
      diverged = true;
      break;
    }
    adam.step(params, grad);
    epochsRun = t;
    if (!Number.isFinite(params.c) || !allFinite(params.W, params.b, params.v)) {
      diverged = true;
      break;
    }
    observer?.observe(t, params);
  }
  return { final: params, diverged, epochsRun, wallMs: performance.now() - started };
}
