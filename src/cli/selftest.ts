// `protomlp selftest`: the native backend on this machine, for every instruction set the CPU
// supports: the pinned bits of SPEC §10 (every CPU and instruction set trains the same bits), loss
// terms and per-term gradients and short training runs against the TS reference (within the stated
// tolerances), and thread-count independence. Prints pass/fail per check; exits 1 on any failure.

import type { Command } from 'commander';
import { ACTIVATIONS, MASKS, UNITS, resolveConfig, type Mask, type RunConfig } from '../config.js';
import type { TrainResult } from '../model/types.js';
import type { NativeBinding } from '../backend/native.js';

/** One check's outcome. */
export interface SelftestCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Parameters after 20 epochs, relative to max(1, |p|). Looser than agreement.ts's TRAIN_TOL: these short
 * runs include every mask, also those whose training amplifies rounding (docs/native.md).
 */
const SHORT_TRAIN_TOL = 1e-9;

/** One instruction set's runs of the pinned slice, and their digest. */
export interface IsaRuns {
  isa: string;
  results: TrainResult[];
  digest: string;
}

/**
 * The "same bits as every other CPU" check of each instruction set: it passes when its digest is
 * the pinned one. A failure names the first run where it differs from an instruction set that has
 * the pinned bits, or, when none has, from one that differs from it; only when every instruction
 * set gives the same (wrong) bits does it say so.
 */
export function sameBitsChecks(
  runs: IsaRuns[],
  pinned: {
    digest: string;
    numerics: string;
    description: string;
    configs: RunConfig[];
    /** appended to each check's name (the paper neuron's slice has none) */
    label?: string;
  },
  firstDifference: (a: TrainResult, b: TrainResult) => string | undefined,
): SelftestCheck[] {
  const good = runs.find((r) => r.digest === pinned.digest);
  return runs.map(({ isa, results, digest }) => {
    const name = `${isa}: the same bits as every other CPU${pinned.label ?? ''}`;
    if (digest === pinned.digest)
      return {
        name,
        ok: true,
        detail: `bitwise identical to the reference bits of ${pinned.numerics} (${results.length} runs: ${pinned.description})`,
      };
    const wrong = `differs from the reference bits of ${pinned.numerics} (digest ${digest.slice(0, 16)}, expected ${pinned.digest.slice(0, 16)})`;
    const other = good ?? runs.find((r) => r.digest !== digest);
    if (!other)
      return { name, ok: false, detail: `${wrong}; every instruction set here gives these bits` };
    const index = results.findIndex((r, i) => firstDifference(r, other.results[i]) !== undefined);
    if (index < 0) return { name, ok: false, detail: wrong };
    const c = pinned.configs[index];
    const neuron =
      c.unit === 'ridge' && c.activation === 'gaussian'
        ? ''
        : ` ${c.unit} ${c.activation} d=${c.dim}`;
    const where = `run ${index} (N=${c.n} ${c.mask} seed ${c.seed}${neuron})`;
    return {
      name,
      ok: false,
      detail: `${wrong}; first differs from ${other.isa} at ${where}: ${firstDifference(results[index], other.results[index])}`,
    };
  });
}

/** The short runs checked against TS: five shapes (d = 1 to 3, with and without tauCov) x every mask. */
function shortRunConfigs(): RunConfig[] {
  const configs: RunConfig[] = [];
  for (const [n, dim, tauCov] of [
    [3, 1, 0],
    [17, 1, 0.05],
    [40, 1, 0],
    [9, 2, 0],
    [12, 3, 0.05],
  ] as const) {
    for (const mask of MASKS)
      configs.push(
        resolveConfig({ n, hidden: n + 1, dim, tauCov, mask: mask as Mask, epochs: 20, seed: n }),
      );
  }
  return configs;
}

/** One instruction set's short runs vs TS (within SHORT_TRAIN_TOL) and its 1- vs 2-thread runs (bitwise). */
function trainingChecks(
  isa: string,
  runs: { one: TrainResult[]; two: TrainResult[]; ts: TrainResult[] },
  paramsError: (a: TrainResult['final'], b: TrainResult['final']) => number,
): SelftestCheck[] {
  const { one, two, ts } = runs;
  const worst = Math.max(...one.map((r, i) => paramsError(r.final, ts[i].final)));
  const same = one.every(
    (r, i) => paramsError(r.final, two[i].final) === 0 && r.epochsRun === two[i].epochsRun,
  );
  return [
    {
      name: `${isa}: ${one.length} runs of 20 epochs vs TS`,
      ok: worst <= SHORT_TRAIN_TOL,
      detail: `worst parameter difference ${worst.toExponential(2)} (tolerance ${SHORT_TRAIN_TOL})`,
    },
    {
      name: `${isa}: 1 and 2 threads give identical runs`,
      ok: same,
      detail: same ? 'bitwise equal' : 'results differ',
    },
  ];
}

/**
 * The pinned-bits checks of every instruction set here: the `small` slice (the paper's neuron) and
 * the `neurons` slice (every other unit and activation), each against its reference digest.
 */
async function pinnedBitsChecks(binding: NativeBinding): Promise<SelftestCheck[]> {
  const [{ createNativeBackend }, { BITWISE_SLICES, firstDifference, resultsDigest }, ref, train] =
    await Promise.all([
      import('../backend/native.js'),
      import('../backend/bitwise.js'),
      import('../backend/bitwise-reference.js'),
      import('../train.js'),
    ]);
  const { REFERENCE_DIGESTS } = ref;
  const checks: SelftestCheck[] = [];
  for (const [name, label] of [
    ['small', ''],
    ['neurons', ', every other neuron'],
  ] as const) {
    const slice = BITWISE_SLICES[name];
    const sliceJobs = slice.configs.map(train.prepareJob);
    const sliceRuns: IsaRuns[] = [];
    for (const isa of binding.info().supported) {
      const results = await createNativeBackend(binding, isa).trainBatch(sliceJobs);
      sliceRuns.push({ isa, results, digest: resultsDigest(results) });
    }
    const pinned = { ...slice, digest: REFERENCE_DIGESTS[name], label };
    checks.push(
      ...sameBitsChecks(
        sliceRuns,
        { ...pinned, numerics: REFERENCE_DIGESTS.numerics },
        firstDifference,
      ),
    );
  }
  return checks;
}

/**
 * Runs the cross-check and returns every check (nothing is printed).
 *
 * @example
 * ```ts
 * const checks = await selftest();
 * const passed = checks.every((c) => c.ok);
 * ```
 */
export async function selftest(): Promise<SelftestCheck[]> {
  // the backends and the training code are loaded when the check runs, not when the CLI starts
  const [
    { makeDataset, makeInitialParams },
    { createNativeBackend, loadNative },
    agreement,
    { tsBackend },
    { prepareJob },
  ] = await Promise.all([
    import('../data.js'),
    import('../backend/native.js'),
    import('../backend/agreement.js'),
    import('../backend/ts.js'),
    import('../train.js'),
  ]);
  const { GRAD_TOL, overlapScales, paramsError, termsAndGradsError } = agreement;
  const native = loadNative();
  if (!native.binding)
    return [{ name: 'native addon loads', ok: false, detail: native.error ?? 'unknown error' }];
  const binding = native.binding;
  const checks: SelftestCheck[] = [
    { name: 'native addon loads', ok: true, detail: `${native.source}: ${native.path}` },
  ];
  const configs = shortRunConfigs();
  // every neuron (SPEC §1b) at the five shapes, with every term
  const neuronConfigs = configs
    .filter((c) => c.mask === 'base')
    .flatMap((c) =>
      UNITS.flatMap((unit) =>
        ACTIVATIONS.map((activation) => resolveConfig({ ...c, unit, activation })),
      ),
    );
  for (const isa of binding.info().supported) {
    const backend = createNativeBackend(binding, isa);
    let worst = 0;
    for (const config of neuronConfigs) {
      const data = makeDataset(config);
      const params = makeInitialParams(config);
      const error = termsAndGradsError(
        backend.termsAndGrads(config, data, params),
        tsBackend.termsAndGrads(config, data, params),
        overlapScales(config, data, params),
      );
      worst = Math.max(worst, error.worst);
    }
    checks.push({
      name: `${isa}: loss terms and gradients vs TS (every unit and activation)`,
      ok: worst <= GRAD_TOL,
      detail: `worst relative error ${worst.toExponential(2)} (tolerance ${GRAD_TOL})`,
    });
  }
  checks.push(...(await pinnedBitsChecks(binding)));
  const jobs = configs.map(prepareJob);
  const ref = await tsBackend.trainBatch(jobs, {});
  for (const isa of binding.info().supported) {
    const backend = createNativeBackend(binding, isa);
    const one = await backend.trainBatch(jobs, { threads: 1 });
    const two = await backend.trainBatch(jobs, { threads: 2 });
    checks.push(...trainingChecks(isa, { one, two, ts: ref }, paramsError));
  }
  return checks;
}

export function register(program: Command): void {
  program
    .command('selftest')
    .description(
      'check the native backend on this machine (every supported instruction set): the same bits as every other CPU, and within tolerance of the TS reference',
    )
    .option('--json', 'print the checks as JSON')
    .addHelpText('after', '\nExample:\n  protomlp selftest')
    .action(async (flags: { json?: boolean }) => {
      const checks = await selftest();
      const ok = checks.every((c) => c.ok);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ok, checks })}\n`);
      else {
        for (const c of checks)
          process.stdout.write(`${c.ok ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
        process.stdout.write(ok ? 'selftest passed\n' : 'selftest FAILED\n');
      }
      if (!ok) process.exitCode = 1;
    });
}
