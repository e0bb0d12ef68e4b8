// The paper grid's CPU time with a given addon binary and instruction set, measured side by side:
// the benchmarks that compare kernels (native.ts against protomlp 0.1.0, fma.ts between the two
// multiply-add designs) time the same 480 jobs with each binary in turn, several rounds
// interleaved, and report medians, so a machine that other work slows down slows every binary alike.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { RunConfig } from '../src/config.js';
import { resolveStudy } from '../src/study/grid.js';
import { toNativeJob, type NativeBinding, type NativeJob } from '../src/backend/native.js';
import { prepareJob } from '../src/train.js';

/** The commit of protomlp 0.1.0 whose prebuilt binaries are the speed baseline. */
export const BASELINE_COMMIT = '5179a30f07b1bb09d94ecaf658a1e16d442e01d5';

/**
 * The 0.1.0 prebuild for this platform, extracted from git history into a temporary file (or the
 * path given), loaded as a binding. Its API for trainBatch is the current one.
 */
export function loadBaseline(path?: string): { binding: NativeBinding; path: string } {
  let file = path;
  if (!file) {
    const platform = `${process.platform}-${process.arch}`;
    file = join(tmpdir(), `protomlp-0.1.0-${platform}.node`);
    const bytes = execFileSync(
      'git',
      ['show', `${BASELINE_COMMIT}:prebuilds/${platform}/protomlp.glibc.node`],
      { maxBuffer: 1 << 28 },
    );
    writeFileSync(file, bytes);
  }
  return { binding: createRequire(import.meta.url)(file) as NativeBinding, path: file };
}

/** The 480 runs of the `paper` preset (sizes 3..100 x 8 masks x 10 seeds, 2000 epochs), or fewer epochs. */
export function paperConfigs(epochs = 2000): RunConfig[] {
  return [...resolveStudy({ preset: 'paper', epochs }).runs];
}

/** {@link paperConfigs} as the addon's jobs. */
export function paperJobs(epochs = 2000): NativeJob[] {
  return paperConfigs(epochs).map((config) => toNativeJob(prepareJob(config)));
}

/** CPU seconds (user + system of this process) of one batch on every core. */
export async function batchCpuSeconds(
  binding: NativeBinding,
  jobs: readonly NativeJob[],
  isa: string,
): Promise<number> {
  const cpu0 = process.cpuUsage();
  await binding.trainBatch(jobs, availableParallelism(), () => {}, isa).promise;
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median CPU seconds of each binary on `jobs`, `rounds` rounds interleaved (a, b, c, a, b, c, ...). */
export async function sideBySide(
  bindings: readonly NativeBinding[],
  jobs: readonly NativeJob[],
  isa: string,
  rounds: number,
): Promise<number[]> {
  const times = bindings.map((): number[] => []);
  for (let r = 0; r < rounds; r++)
    for (let b = 0; b < bindings.length; b++)
      times[b].push(await batchCpuSeconds(bindings[b], jobs, isa));
  return times.map(median);
}
