// The cost of each neuron (SPEC §1b) in the native kernels, as ratios measured in one run (issue 17,
// item 5): CPU time per sample-neuron pair and epoch, N = H = 100, every loss (cov+sep+ovl), one
// thread, d = 1, 2 and 3, for every (unit, activation) pair and, given a binary built from the sources
// before the other neurons (--before FILE), the paper neuron's time there. The configurations are
// timed in turn, several rounds interleaved, and each figure is a median, so other work on the
// machine slows every configuration alike.

import { createRequire } from 'node:module';
import { ACTIVATIONS, UNITS, resolveConfig, type Activation, type Unit } from '../src/config.js';
import { toNativeJob, type NativeBinding, type NativeJob } from '../src/backend/native.js';
import { prepareJob } from '../src/train.js';

const N = 100;
const MASK = 'cov+sep+ovl';

/** One timed configuration: a neuron at one d, on one binary. */
interface Cell {
  unit: Unit;
  activation: Activation;
  dim: number;
  binding: NativeBinding;
  before: boolean;
  job: NativeJob;
  times: number[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** CPU nanoseconds per sample-neuron pair and epoch of one run on one thread. */
async function pairNs(binding: NativeBinding, job: NativeJob, isa: string): Promise<number> {
  const cpu0 = process.cpuUsage();
  await binding.trainBatch([job], 1, () => {}, isa).promise;
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) * 1000) / (job.n * job.h * job.epochs);
}

function cells(binding: NativeBinding, before: NativeBinding | null, epochs: number): Cell[] {
  const out: Cell[] = [];
  for (const dim of [1, 2, 3])
    for (const unit of UNITS)
      for (const activation of ACTIVATIONS) {
        const config = resolveConfig({ n: N, dim, mask: MASK, epochs, unit, activation });
        const job = toNativeJob(prepareJob(config));
        out.push({ unit, activation, dim, binding, before: false, job, times: [] });
        if (before && unit === 'ridge' && activation === 'gaussian')
          out.push({ unit, activation, dim, binding: before, before: true, job, times: [] });
      }
  return out;
}

/** Loads a binary built from other sources (its trainBatch takes the same jobs). */
export function loadBefore(path: string): NativeBinding {
  return createRequire(import.meta.url)(path) as NativeBinding;
}

/**
 * Prints the table for one instruction set: ns per pair-epoch of every neuron at d = 1, 2, 3, and
 * the ratios the issue bounds. Returns the lines (also printed).
 */
export async function neuronSpeedTable(
  binding: NativeBinding,
  isa: string,
  options: { before?: NativeBinding | null; rounds?: number; epochs?: number } = {},
): Promise<string[]> {
  const all = cells(binding, options.before ?? null, options.epochs ?? 6000);
  for (let r = 0; r < (options.rounds ?? 7); r++)
    for (const cell of all) cell.times.push(await pairNs(cell.binding, cell.job, isa));
  const ns = (unit: Unit, activation: Activation, dim: number, before = false): number =>
    median(
      all.find(
        (c) =>
          c.unit === unit && c.activation === activation && c.dim === dim && c.before === before,
      )!.times,
    );
  const f = (x: number, digits = 2): string => x.toFixed(digits);
  const lines = [
    `   ${isa}: ns per sample-neuron pair and epoch (N = H = ${N}, ${MASK}, 1 thread, median of ${options.rounds ?? 7})`,
    '   unit     activation   d = 1    d = 2    d = 3    d3/d1   d3/d2   vs gaussian (d = 1)',
  ];
  for (const unit of UNITS)
    for (const activation of ACTIVATIONS) {
      const [one, two, three] = [1, 2, 3].map((d) => ns(unit, activation, d));
      lines.push(
        `   ${unit.padEnd(8)} ${activation.padEnd(12)} ${f(one).padStart(5)}   ${f(two).padStart(6)}   ${f(three).padStart(6)}   ${f(three / one).padStart(5)}x  ${f(three / two).padStart(5)}x  ${f(one / ns(unit, 'gaussian', 1), 3).padStart(7)}x`,
      );
    }
  lines.push(
    `   radial gaussian / ridge gaussian: d = 1 ${f(ns('radial', 'gaussian', 1) / ns('ridge', 'gaussian', 1), 3)}x, d = 3 ${f(ns('radial', 'gaussian', 3) / ns('ridge', 'gaussian', 3), 3)}x`,
  );
  if (options.before)
    lines.push(
      `   ridge gaussian, this build / before: d = 1 ${f(ns('ridge', 'gaussian', 1) / ns('ridge', 'gaussian', 1, true), 3)}x, d = 3 ${f(ns('ridge', 'gaussian', 3) / ns('ridge', 'gaussian', 3, true), 3)}x`,
    );
  for (const line of lines) console.log(line);
  return lines;
}
