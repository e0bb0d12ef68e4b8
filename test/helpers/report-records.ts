// Constructed run records for the report tests: chosen metrics and prototype positions, no training.
// A record's prototypes are encoded as final W = 1, b = -p (so p_j = -b_j w_j / (w_j^2 + eps) = p_j).
// Records carry no scorecard unless `metrics` gives it: the report computes it from data and params.

import {
  identityConfig,
  resolveConfig,
  runId,
  type Mask,
  type RunConfig,
} from '../../src/config.js';
import type { Metrics, RunRecord } from '../../src/record.js';

/** A small deterministic generator (LCG) so fixtures never change. */
export function lcg(seed: number): () => number {
  let s = (seed * 2654435761 + 12345) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface FabricateOptions {
  masks: readonly Mask[];
  sizes: readonly number[];
  seeds: number;
  taus?: readonly number[];
  lambdas?: readonly number[];
  /** metrics of a run; `noise` is a uniform draw in [0, 1) fixed by the run */
  metrics: (config: RunConfig, noise: number) => Partial<Metrics>;
  /** prototype positions of a run (default: each input nudged by a little noise) */
  prototypes?: (config: RunConfig, x: number[], rand: () => number) => number[];
  epochs?: number;
}

export function fabricate(opts: FabricateOptions): RunRecord[] {
  const records: RunRecord[] = [];
  const seen = new Set<string>();
  for (const lambda of opts.lambdas ?? [0.1])
    for (const tau of opts.taus ?? [0.001]) {
      for (const n of opts.sizes) {
        for (const mask of opts.masks) {
          for (let seed = 0; seed < opts.seeds; seed++) {
            // a run that ignores lambda or tau is one run at every value of it (as in a study)
            const config = identityConfig(
              resolveConfig({ n, mask, seed, tau, lambda, epochs: opts.epochs ?? 2000 }),
            );
            if (seen.has(runId(config))) continue;
            seen.add(runId(config));
            const dataRand = lcg(seed * 1000 + n);
            const x = Array.from({ length: n }, () => dataRand() * 2 - 1);
            const initRand = lcg(seed * 1000 + n + 500000);
            const start = x.map(() => 1 - initRand() * 2);
            const rand = lcg(
              seed * 7919 +
                n * 31 +
                opts.masks.indexOf(mask) * 101 +
                Math.round(Math.log(config.tau) * 1000) +
                Math.round(Math.log(config.lambda / 0.1) * 7),
            );
            const protos = opts.prototypes
              ? opts.prototypes(config, x, rand)
              : x.map((v) => v + (rand() - 0.5) * 0.02);
            const metrics: Metrics = {
              recon: 0.1,
              spec: 0.5,
              fit: 0.01,
              cov: 0,
              sep: 0,
              ovl: 0,
              outside: 0,
              outsideDist: 0,
              diverged: false,
              ...opts.metrics(config, rand()),
            };
            records.push({
              id: runId(config),
              config,
              data: { x: x.map((v) => [v]), y: x.map((v) => Math.sin(Math.PI * v)) },
              // untrained prototypes: uniform on [-1, 1), fixed by seed and N (the same for every mask)
              initial: { W: x.map(() => [1]), b: start, v: x.map(() => 0), c: 0 },
              final: {
                W: protos.map(() => [1]),
                b: protos.map((p) => -p),
                v: protos.map(() => 0),
                c: 0,
              },
              metrics,
              backend: 'ts',
              isa: 'scalar',
              numerics: 'ts/1',
              wallMs: 1,
            });
          }
        }
      }
    }
  return records;
}
