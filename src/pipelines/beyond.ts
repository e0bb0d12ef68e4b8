// Beyond the paper's single lambda: the `lambda-sweep` study with its claims grid, `tune` with every
// mask at its own best, and the tune check (tune against the exhaustive grid on a small problem),
// run into one folder (resumable) with their reports and beyond.json. This repo's README and
// docs/tune.md sections are written from that folder by src/readme/weights.ts.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MASKS, type Mask } from '../config.js';
import { ValidationError } from '../errors.js';
import type { RunRecord } from '../record.js';
import {
  PRESETS,
  readStudy,
  resolveStudy,
  runStudy,
  tune,
  weightsOf,
  type StudyProgress,
  type StudySpec,
  type TuneResult,
} from '../study/index.js';
import {
  checkArray,
  checkNumber,
  checkNumberOrNull,
  checkObject,
  checkOneOf,
  checkString,
  readJsonIfPresent,
} from '../json-check.js';
import { buildReport } from '../report/build.js';
import { buildTuneReport, describeWeights } from '../report/tune.js';
import { checkMachine, machineInfo, type Machine } from './reproduce.js';

/** The tau values tuned for masks with separation: those of the `tau-sweep` preset. */
export const TUNE_TAUS = PRESETS['tau-sweep'].tau as readonly number[];
/** The tune of the README: the lambda-sweep grid with every tau of the tau sweep. */
export const BEYOND_TUNE: StudySpec = {
  ...PRESETS['lambda-sweep'],
  tau: TUNE_TAUS,
  name: 'lambda-tau-tune',
};
/** The tune check: N = 20, cov and cov+sep, 7 lambdas x 9 taus, 3 seeds, 600 epochs (issue 11). */
export const TUNE_CHECK: StudySpec = {
  name: 'tune-check',
  n: 20,
  mask: ['cov', 'cov+sep'],
  lambda: PRESETS['lambda-sweep'].lambda,
  tau: TUNE_TAUS,
  seed: '0..2',
  epochs: 600,
};
/** Budgets the tune check compares with the exhaustive grid. */
export const TUNE_CHECK_BUDGETS = [0.25, 0.33, 0.4] as const;
export const BEYOND_LOG = 'beyond.json';
/** The weights these studies vary (tauCov and lr stay at their defaults), so the only ones shown. */
export const SHOWN = ['lambda', 'tau'] as const;

/** One budget of the tune check. */
export interface TuneCheckRow {
  budget: number;
  rungs: TuneResult['schedule']['rungs'];
  runEpochs: number;
  /** per mask: tune's best mean recon and the exhaustive grid's */
  masks: {
    mask: Mask;
    tune: number | null;
    exhaustive: number | null;
    weights: string;
    exhaustiveWeights: string;
  }[];
}

/** What `beyond.json` holds: timings, machine, and the tune check. */
export interface BeyondLog {
  lambdaSweep: { runs: number; points: number; trained: number; wallMs: number };
  tune: { trained: number; wallMs: number };
  tuneCheck: { exhaustiveRunEpochs: number; rows: TuneCheckRow[] };
  machine: Machine;
  backends: string[];
}

/** Options of {@link runBeyond}. */
export interface BeyondOptions {
  /** the folder: `lambda-sweep/`, `tune/`, `tune-check/`, `beyond.json` */
  out: string;
  workers?: number;
  backend?: 'auto' | 'native' | 'ts';
  signal?: AbortSignal;
  /** progress of the study being run (`lambda-sweep`, `tune`, `tune-check ...`) */
  onProgress?: (step: string, progress: StudyProgress) => void;
  /** what the store skipped or set aside, and why */
  onNotice?: (message: string) => void;
}

/** The exhaustive grid's best per mask: lowest mean recon with mean fit <= 2x base's, as tune's default bound. */
function exhaustiveBest(
  records: readonly RunRecord[],
  mask: Mask,
): { recon: number | null; weights: string } {
  const mean = (rs: readonly RunRecord[], m: 'recon' | 'fit') =>
    rs.reduce((a, r) => a + (r.metrics[m] ?? Infinity), 0) / rs.length;
  const bound =
    2 *
    mean(
      records.filter((r) => r.config.mask === 'base'),
      'fit',
    );
  const groups = new Map<string, RunRecord[]>();
  for (const r of records.filter((x) => x.config.mask === mask)) {
    const key = describeWeights(weightsOf(r.config), SHOWN);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  let best: { recon: number | null; weights: string } = { recon: null, weights: '–' };
  for (const [weights, rs] of groups) {
    const recon = mean(rs, 'recon');
    if (
      mean(rs, 'fit') <= bound &&
      Number.isFinite(recon) &&
      (best.recon === null || recon < best.recon)
    )
      best = { recon, weights };
  }
  return best;
}

/**
 * Tune against the exhaustive grid: trains the grid of `spec` with `base` at the full epochs into
 * `dir/exhaustive` and tunes it at each budget into `dir/budget-<b>`; returns what each found.
 */
export async function runTuneCheck(
  dir: string,
  spec: StudySpec,
  budgets: readonly number[],
  options: Omit<BeyondOptions, 'out' | 'onProgress'> & {
    retrain?: boolean;
    onProgress?: (p: StudyProgress) => void;
  } = {},
): Promise<BeyondLog['tuneCheck']> {
  const { onProgress, ...common } = options;
  const exhaustive = resolveStudy({
    ...spec,
    mask: ['base', ...(spec.mask as Mask[])],
    name: `${spec.name ?? 'tune-check'}-exhaustive`,
  });
  await runStudy(exhaustive, { ...common, out: path.join(dir, 'exhaustive'), onProgress });
  const grid = (await readStudy(path.join(dir, 'exhaustive'))).records;
  const rows: TuneCheckRow[] = [];
  for (const budget of budgets) {
    const r = await tune(spec, { ...common, budget, out: path.join(dir, `budget-${budget}`) });
    rows.push({
      budget,
      rungs: r.schedule.rungs,
      runEpochs: r.json.runEpochs,
      masks: r.json.best.map((b) => {
        const e = exhaustiveBest(grid, b.mask);
        return {
          mask: b.mask,
          tune: b.recon,
          exhaustive: e.recon,
          weights: describeWeights(b, SHOWN),
          exhaustiveWeights: e.weights,
        };
      }),
    });
  }
  return { exhaustiveRunEpochs: exhaustive.runs.reduce((a, r) => a + r.epochs, 0), rows };
}

function checkCheckRow(field: string, value: unknown): TuneCheckRow {
  const r = checkObject(field, value);
  return {
    budget: checkNumber(`${field}.budget`, r.budget),
    rungs: checkArray(`${field}.rungs`, r.rungs, (f, v) => {
      const x = checkObject(f, v);
      return {
        epochs: checkNumber(`${f}.epochs`, x.epochs),
        seeds: checkNumber(`${f}.seeds`, x.seeds),
      };
    }),
    runEpochs: checkNumber(`${field}.runEpochs`, r.runEpochs),
    masks: checkArray(`${field}.masks`, r.masks, (f, v) => {
      const x = checkObject(f, v);
      return {
        mask: checkOneOf(`${f}.mask`, x.mask, MASKS),
        tune: checkNumberOrNull(`${f}.tune`, x.tune),
        exhaustive: checkNumberOrNull(`${f}.exhaustive`, x.exhaustive),
        weights: checkString(`${f}.weights`, x.weights),
        exhaustiveWeights: checkString(`${f}.exhaustiveWeights`, x.exhaustiveWeights),
      };
    }),
  };
}

/** A parsed beyond.json, checked field by field (`source`, the file, prefixes field names). */
export function parseBeyondLog(value: unknown, source = BEYOND_LOG): BeyondLog {
  const j = checkObject(source, value);
  const f = (name: string) => `${source}: ${name}`;
  const sweep = checkObject(f('lambdaSweep'), j.lambdaSweep);
  const tuned = checkObject(f('tune'), j.tune);
  const count = (o: Record<string, unknown>, name: string) =>
    checkNumber(f(name), o[name.split('.')[1]]);
  const check = checkObject(f('tuneCheck'), j.tuneCheck);
  return {
    lambdaSweep: {
      runs: count(sweep, 'lambdaSweep.runs'),
      points: count(sweep, 'lambdaSweep.points'),
      trained: count(sweep, 'lambdaSweep.trained'),
      wallMs: count(sweep, 'lambdaSweep.wallMs'),
    },
    tune: { trained: count(tuned, 'tune.trained'), wallMs: count(tuned, 'tune.wallMs') },
    tuneCheck: {
      exhaustiveRunEpochs: checkNumber(
        f('tuneCheck.exhaustiveRunEpochs'),
        check.exhaustiveRunEpochs,
      ),
      rows: checkArray(f('tuneCheck.rows'), check.rows, checkCheckRow),
    },
    machine: checkMachine(f('machine'), j.machine),
    backends: checkArray(f('backends'), j.backends, checkString),
  };
}

/**
 * Reads a folder's `beyond.json`, checked (undefined when there is none; a file that is not one is
 * refused with a {@link ValidationError}).
 */
export async function readBeyondLog(dir: string): Promise<BeyondLog | undefined> {
  return readJsonIfPresent(path.join(dir, BEYOND_LOG), parseBeyondLog);
}

/**
 * Runs the lambda sweep and its report, the tune (lambda, and tau where separation is on) and its
 * report, and the tune check, into `out`; a rerun trains nothing already there. Writes
 * `out/beyond.json` (a timing is kept from the earlier call when this one trained nothing).
 *
 * @example
 * ```ts
 * const log = await runBeyond({ out: 'results-beyond' });
 * await writeFile('beyond.md', await beyondWeightsSnippet('results-beyond'));
 * ```
 */
export async function runBeyond(options: BeyondOptions): Promise<BeyondLog> {
  const { out } = options;
  if (typeof out !== 'string' || !out) throw new ValidationError('out', out, 'a folder path');
  await mkdir(out, { recursive: true });
  // an earlier log that cannot be read only loses its timings, with a notice
  const previous = await readBeyondLog(out).catch((e: unknown) => {
    options.onNotice?.(`${(e as Error).message}: its timings are not carried over`);
    return undefined;
  });
  // runs of other numerics (an older protomlp) are set aside and trained again, as reproduce does
  const common = {
    workers: options.workers,
    backend: options.backend,
    signal: options.signal,
    onNotice: options.onNotice,
    retrain: true,
  };
  const progress = (step: string) =>
    options.onProgress && ((p: StudyProgress) => options.onProgress!(step, p));

  const lambda = resolveStudy('lambda-sweep');
  const lambdaDir = path.join(out, 'lambda-sweep');
  const sweep = await runStudy(lambda, {
    ...common,
    out: lambdaDir,
    onProgress: progress('lambda-sweep'),
  });
  const { records } = await readStudy(lambdaDir);
  await buildReport(records, {
    out: path.join(lambdaDir, 'report'),
    title: 'protomlp: the lambda sweep',
    source: '`lambda-sweep`',
  });

  const tuned = await tune(BEYOND_TUNE, {
    ...common,
    out: path.join(out, 'tune'),
    onProgress: (r, p) => progress(`tune rung ${r.index + 1}/${r.count}`)?.(p),
  });
  await buildTuneReport(tuned);

  const tuneCheck = await runTuneCheck(
    path.join(out, 'tune-check'),
    TUNE_CHECK,
    TUNE_CHECK_BUDGETS,
    { ...common, onProgress: progress('tune-check exhaustive') },
  );
  const backends = [
    ...new Set(
      [...records, ...tuned.cells.flatMap((c) => c.records)].map((r) => `${r.backend}/${r.isa}`),
    ),
  ].sort();
  const log: BeyondLog = {
    lambdaSweep:
      sweep.done === 0 && previous
        ? previous.lambdaSweep
        : {
            runs: lambda.runs.length,
            points: lambda.points,
            trained: sweep.done,
            wallMs: sweep.wallMs,
          },
    tune:
      tuned.trained === 0 && previous
        ? previous.tune
        : { trained: tuned.trained, wallMs: tuned.wallMs },
    tuneCheck,
    machine: machineInfo(),
    backends,
  };
  await writeFile(path.join(out, BEYOND_LOG), `${JSON.stringify(log, null, 2)}\n`);
  return log;
}
