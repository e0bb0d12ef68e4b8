// The golden cases of test/fixtures/golden (PyTorch autograd, float64; the SPEC model): their
// shape, and each case read from its JSON, for test/conformance.test.ts and
// test/native-core.test.ts.

import { readdirSync, readFileSync } from 'node:fs';
import {
  resolveConfig,
  type Activation,
  type Mask,
  type RunConfig,
  type Unit,
} from '../../src/config.js';
import type { ParamsJson } from '../../src/record.js';

/** W (H x d), b, v and c as the fixtures write them; P and s for radial units (SPEC §1b). */
export type GoldenParams = ParamsJson;

export interface Golden {
  config: {
    n: number;
    hidden: number;
    dim: number;
    mask: string;
    lambda: number;
    tau: number;
    tauCov: number;
    lr: number;
    betas: number[];
    eps: number;
    /** beyond the paper (SPEC §1b); absent: ridge, gaussian */
    unit?: Unit;
    activation?: Activation;
  };
  data: { x: number[][]; y: number[] };
  initial: GoldenParams;
  atInitial: { terms: Record<string, number>; grads: Record<string, GoldenParams> };
  afterSteps: Record<string, GoldenParams>;
}

/** Every golden case, by file name, in directory order. */
export function readGoldens(): { file: string; g: Golden }[] {
  const dir = new URL('../fixtures/golden/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, g: JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Golden }));
}

/** A golden case's run config, trained for `epochs`. */
export function goldenConfig(g: Golden, epochs = 1): RunConfig {
  const { n, hidden, dim, mask, lambda, tau, tauCov, lr, unit, activation } = g.config;
  return resolveConfig({
    n,
    hidden,
    dim,
    mask: mask as Mask,
    lambda,
    tau,
    tauCov,
    lr,
    unit: unit ?? 'ridge',
    activation: activation ?? 'gaussian',
    epochs,
  });
}

/** Whether a golden case is the paper's neuron (ridge, gaussian): the one the native evaluator ports. */
export const isPaperNeuron = (g: Golden): boolean =>
  (g.config.unit ?? 'ridge') === 'ridge' && (g.config.activation ?? 'gaussian') === 'gaussian';
