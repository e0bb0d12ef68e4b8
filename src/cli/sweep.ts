// `protomlp sweep`: parse the study (preset, file, flags), then hand it to runStudy and show its
// progress. Ctrl-C / SIGTERM stop it cleanly; the same command resumes. No study logic lives here.

import type { Command } from 'commander';
import { ALLOWED, validateField, type RunConfig } from '../config.js';
import { ValidationError } from '../errors.js';
// grid, shard and spec-file are light; the runner (training, the store) and the progress bar are
// imported when a sweep starts, so a refused or --dry-run command does not load them.
import {
  MAX_STUDY_RUNS,
  parseSeedRange,
  PRESET_NAMES,
  resolveStudy,
  type Study,
  type StudySpec,
} from '../study/grid.js';
import { parseShard, shardFromEnv, shardPositions, type Shard } from '../study/shard.js';
import { readStudySpec } from '../study/spec-file.js';
import type { StudyProgress } from '../study/runner.js';
import { dataLabel } from '../data-spec.js';
import {
  dataFromFlags,
  dataOptions,
  fieldFromFlag,
  numberOrText,
  parseBackend,
  parsePositiveInt,
  splitList,
  stoppableBySignals,
  type DataFlags,
} from './common.js';
import { formatDuration, progressView } from './progress.js';

/** Grid flags: each takes a comma-separated list of one run field's values. */
export const GRID_FLAGS: readonly {
  flag: string;
  option: string;
  key: keyof RunConfig;
  help: string;
}[] = [
  { flag: '--sizes', option: 'sizes', key: 'n', help: 'numbers of samples N, e.g. 3,5,10' },
  {
    flag: '--hidden',
    option: 'hidden',
    key: 'hidden',
    help: 'hidden widths H (default: H = N for each run)',
  },
  { flag: '--dim', option: 'dim', key: 'dim', help: 'input dimensions d' },
  { flag: '--target', option: 'target', key: 'target', help: 'targets: sine, random' },
  { flag: '--init', option: 'init', key: 'init', help: 'initializations: centers, torch' },
  { flag: '--unit', option: 'unit', key: 'unit', help: 'unit geometries: ridge, radial' },
  {
    flag: '--activation',
    option: 'activation',
    key: 'activation',
    help: 'activations: gaussian, cauchy, laplace',
  },
  { flag: '--masks', option: 'masks', key: 'mask', help: 'loss masks, e.g. base,cov,cov+sep' },
  { flag: '--lambda', option: 'lambda', key: 'lambda', help: 'structural loss weights' },
  { flag: '--tau', option: 'tau', key: 'tau', help: 'separation temperatures' },
  { flag: '--tau-cov', option: 'tauCov', key: 'tauCov', help: 'coverage softmin temperatures' },
  { flag: '--lr', option: 'lr', key: 'lr', help: 'Adam learning rates' },
  { flag: '--epochs', option: 'epochs', key: 'epochs', help: 'epochs' },
];

const SEEDS_ALLOWED = 'a count K (seeds 0..K-1), a list like 0,3,5 or a range like 10..19';

interface SweepFlags extends DataFlags {
  preset?: string;
  config?: string;
  name?: string;
  seeds?: string;
  out?: string;
  workers?: string;
  backend?: string;
  shard?: string;
  dryRun?: boolean;
  retrain?: boolean;
  trace?: string;
  [option: string]: unknown;
}

/** One grid flag's comma-separated values, each validated under the flag's name. */
function parseList(flag: string, key: keyof RunConfig, text: string): unknown[] {
  return splitList(flag, text, `values, each ${ALLOWED[key]}`).map((item) =>
    validateField(key, fieldFromFlag(key, item), flag),
  );
}

/** `--seeds`: a count K (0..K-1), a list, or a range a..b. */
export function parseSeeds(text: string): number[] {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const k = Number(trimmed);
    if (k < 1 || k > MAX_STUDY_RUNS) throw new ValidationError('--seeds', text, SEEDS_ALLOWED);
    return Array.from({ length: k }, (_, i) => i);
  }
  if (trimmed.includes('..')) {
    const range = parseSeedRange(trimmed);
    if (!range) throw new ValidationError('--seeds', text, SEEDS_ALLOWED);
    return range.map((s) => validateField('seed', s, '--seeds'));
  }
  if (trimmed.includes(',')) return parseList('--seeds', 'seed', trimmed) as number[];
  throw new ValidationError('--seeds', text, SEEDS_ALLOWED);
}

/** The study a sweep's flags describe: `--preset` or `--config`, with grid flags laid over it. */
export function studyFromFlags(flags: SweepFlags): Study {
  if (flags.preset !== undefined && flags.config !== undefined) {
    throw new ValidationError(
      '--config',
      flags.config,
      'no --config together with --preset (a study file can say `preset: paper`)',
    );
  }
  let base: StudySpec = {};
  let where = '';
  if (flags.preset !== undefined) {
    if (!(PRESET_NAMES as readonly string[]).includes(flags.preset)) {
      throw new ValidationError('--preset', flags.preset, `one of ${PRESET_NAMES.join(', ')}`);
    }
    base = { preset: flags.preset as StudySpec['preset'] };
  } else if (flags.config !== undefined) {
    base = readStudySpec(flags.config, '--config');
    where = `${flags.config}: `;
    resolveStudy(base, where);
  }
  const overrides: Record<string, unknown> = {};
  for (const { flag, option, key } of GRID_FLAGS) {
    const text = flags[option];
    if (typeof text === 'string') overrides[key] = parseList(flag, key, text);
  }
  if (flags.seeds !== undefined) overrides.seed = parseSeeds(flags.seeds);
  const data = dataFromFlags(flags, true);
  if (data) overrides.data = data;
  if (flags.name !== undefined) overrides.name = flags.name;
  if (
    flags.preset === undefined &&
    flags.config === undefined &&
    !Object.keys(overrides).some((k) => k !== 'name')
  ) {
    throw new ValidationError(
      '--preset',
      undefined,
      `one of ${PRESET_NAMES.join(', ')} (or --config FILE, or grid flags such as --sizes 3,5,10)`,
    );
  }
  try {
    return resolveStudy({ ...base, ...overrides } as StudySpec, '');
  } catch (e) {
    if (e instanceof ValidationError && e.field === 'name')
      throw new ValidationError('--name', e.value, e.allowed);
    throw e;
  }
}

/** The shard to run: `--shard` when given, else the SLURM array task's, else none. */
export function shardFromFlags(
  text: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Shard | undefined {
  return text !== undefined ? parseShard(text) : shardFromEnv(env);
}

const describeRun = (c: RunConfig): string =>
  Object.entries(c)
    .map(([k, v]) => `${k}=${k === 'data' ? dataLabel(c.data) : v}`)
    .join(' ');

const shellQuote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;

/** The command line that resumes this sweep: the same one. */
const resumeCommand = (): string => `protomlp ${process.argv.slice(2).map(shellQuote).join(' ')}`;

async function dryRun(
  study: Study,
  shard: Shard | undefined,
  out: string | undefined,
): Promise<void> {
  const positions = shardPositions(study.runs.length, shard);
  const folded =
    study.points > study.runs.length
      ? ` (${study.points} grid points: points that differ only in a field the run ignores are one run)`
      : '';
  const lines = [`study ${study.name} (id ${study.studyId}): ${study.runs.length} runs${folded}`];
  if (shard) lines.push(`shard ${shard.index}/${shard.count}: ${positions.length} runs`);
  let todo = positions;
  if (out !== undefined) {
    const { inspectFolder } = await import('../study/runner.js');
    const { finished } = inspectFolder(out, study, (m) => process.stderr.write(`warning: ${m}\n`));
    todo = positions.filter((i) => !finished.has(study.ids[i]));
    lines.push(`${out}: ${positions.length - todo.length} finished, ${todo.length} to run`);
  }
  const SHOW = 10;
  if (todo.length) lines.push(`first runs to train (of ${todo.length}, canonical order):`);
  for (const i of todo.slice(0, SHOW))
    lines.push(`  #${i} ${study.ids[i]} ${describeRun(study.runs[i])}`);
  if (todo.length > SHOW) lines.push(`  ... and ${todo.length - SHOW} more`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Registers `protomlp sweep`. */
export function register(program: Command): void {
  const command = program
    .command('sweep')
    .description(
      'run a study (a preset, a JSON/YAML study file, or a grid from flags) into a folder; resumes by default',
    )
    .option('--preset <name>', `a built-in study: ${PRESET_NAMES.join(', ')}`)
    .option('--config <file>', 'a JSON or YAML study file (see docs/studies.md)')
    .option('--name <name>', 'the study name (default: the preset name, else "grid")');
  dataOptions(command, true);
  for (const { flag, help } of GRID_FLAGS) command.option(`${flag} <list>`, help);
  command
    .option('--seeds <seeds>', `${SEEDS_ALLOWED} (default: seed 0)`)
    .option('--out <dir>', 'the study folder: study.json + runs.jsonl (required unless --dry-run)')
    .option('--workers <k>', 'worker threads (default: every core)')
    .option('--backend <backend>', 'auto, native or ts (default: auto; PROTOMLP_BACKEND overrides)')
    .option(
      '--shard <i/n>',
      'run only runs i, i+n, i+2n, ... (default: from SLURM_ARRAY_TASK_ID/COUNT when set)',
    )
    .option('--dry-run', 'print the run count and the first runs, train nothing')
    .option(
      '--trace <K>',
      "record each run's trace, a snapshot every K epochs, into <out>/traces/<id>.npy (with --backend ts)",
    )
    .option(
      '--retrain',
      'if the folder holds runs made with other numerics (an older protomlp, the other backend), set them aside and train again',
    )
    .addHelpText(
      'after',
      '\nFlags override the preset or file. Ctrl-C stops cleanly; the same command resumes.\n' +
        'Examples:\n  protomlp sweep --preset paper --out results/paper\n' +
        '  protomlp sweep --sizes 10,20 --masks cov,cov+sep --lambda 0.01,0.1 --seeds 5 --out results/lambda\n' +
        '  protomlp sweep --preset dims --out results/dims\n' +
        '  protomlp sweep --data a.csv,b.csv --masks base,cov,ovl --seeds 10 --out results/mine',
    )
    .action(async (flags: SweepFlags) => {
      const study = studyFromFlags(flags);
      const shard = shardFromFlags(flags.shard);
      const workers = parsePositiveInt('--workers', flags.workers);
      const backend = parseBackend(flags.backend);
      if (flags.dryRun) return dryRun(study, shard, flags.out);
      if (flags.out === undefined)
        throw new ValidationError(
          '--out',
          undefined,
          'a folder for the study (study.json and runs.jsonl)',
        );
      await sweep(study, {
        out: flags.out,
        shard,
        workers,
        backend,
        retrain: flags.retrain === true,
        ...(flags.trace !== undefined ? { trace: numberOrText(flags.trace) as number } : {}),
      });
    });
}

async function sweep(
  study: Study,
  options: {
    out: string;
    shard?: Shard;
    workers?: number;
    backend?: 'auto' | 'native' | 'ts';
    retrain: boolean;
    trace?: number;
  },
): Promise<void> {
  const { out, shard } = options;
  const { runStudy } = await import('../study/runner.js');
  const view = progressView(process.stderr, 'sweep');
  let last: StudyProgress | undefined;
  const where = shard ? `shard ${shard.index}/${shard.count} of ` : '';
  const saved = (): string =>
    last
      ? `${last.skipped + last.done} of ${last.skipped + last.total} runs are in ${out}`
      : `nothing new in ${out}`;
  try {
    const summary = await stoppableBySignals(
      (signal) =>
        runStudy(study, {
          ...options,
          signal,
          onNotice: (m) => process.stderr.write(`warning: ${m}\n`),
          onProgress: (p) => {
            if (!last)
              process.stderr.write(
                `sweep ${where}${study.name}: ${p.total} runs to train, ${p.skipped} already in ${out}\n`,
              );
            last = p;
            view.update(p);
          },
        }),
      (by) => {
        view.stop();
        return `sweep stopped by ${by}: ${saved()}; resume with:\n  ${resumeCommand()}`;
      },
    );
    view.stop();
    const finished = summary.skipped + summary.done;
    process.stdout.write(
      `sweep ${where}${study.name} done: ${summary.done} runs trained, ${summary.skipped} skipped (already in ${out}), ` +
        `${summary.diverged} diverged, wall ${formatDuration(summary.wallMs)}\n` +
        `${out}: ${finished} of ${summary.shardRuns} runs finished${shard ? ` (shard ${shard.index}/${shard.count}; merge the shards with protomlp merge)` : ''}\n`,
    );
  } catch (error) {
    view.stop();
    if (!(error instanceof ValidationError))
      process.stderr.write(`sweep failed: ${saved()}; rerun the same command to resume\n`);
    throw error;
  }
}
