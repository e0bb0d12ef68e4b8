// `protomlp run`: train one run and print a readable summary or, with --json, the whole record.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CONFIG_KEYS, resolveConfig, type RunConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { recordStart } from '../record.js';
import type { PreparedJob } from '../train.js';
import type { Trace } from '../trace/trace.js';
import {
  dataFromFlags,
  dataOptions,
  fieldFromFlag,
  numberOrText,
  parseBackend,
  type DataFlags,
} from './common.js';

/** The flag of each config field. */
export const FLAG: Record<keyof RunConfig, string> = {
  data: '--data',
  n: '--n',
  hidden: '--hidden',
  dim: '--dim',
  target: '--target',
  init: '--init',
  unit: '--unit',
  activation: '--activation',
  mask: '--mask',
  lambda: '--lambda',
  tau: '--tau',
  tauCov: '--tau-cov',
  lr: '--lr',
  epochs: '--epochs',
  seed: '--seed',
};

/** Fields a record fixes: with --init-from they come from the record, not from flags. */
const START_FIELDS: readonly (keyof RunConfig)[] = [
  'data',
  'n',
  'hidden',
  'dim',
  'target',
  'init',
  'unit',
  'seed',
];

interface RunFlags extends DataFlags {
  json?: boolean;
  trace?: string;
  traceOut?: string;
  initFrom?: string;
  backend?: string;
  [key: string]: unknown;
}

function readRecordFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(
      '--init-from',
      file,
      `a readable run record file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      '--init-from',
      file,
      `a JSON run record (${(error as Error).message})`,
    );
  }
}

/**
 * Builds the job of `protomlp run` from its flags. Flags are validated before the training code is
 * loaded, so a refused command starts nothing heavy.
 */
export async function jobFromFlags(
  flags: RunFlags,
  given: (key: keyof RunConfig) => boolean,
): Promise<PreparedJob> {
  const fromFlags: Partial<Record<keyof RunConfig, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const text = flags[key];
    if (key !== 'data' && given(key) && typeof text === 'string')
      fromFlags[key] = fieldFromFlag(key, text);
  }
  const data = dataFromFlags(flags, false);
  if (data) fromFlags.data = data[0];
  if (flags.initFrom === undefined) {
    const config = resolveConfig(fromFlags, (k) => FLAG[k]);
    const { prepareJob } = await import('../train.js');
    return prepareJob(config);
  }
  for (const key of START_FIELDS) {
    if (key in fromFlags) {
      const flag = key === 'data' && flags.data === undefined ? '--dataset' : FLAG[key];
      throw new ValidationError(
        flag,
        key === 'data' ? (flags.data ?? flags.dataset) : fromFlags[key],
        `no value with --init-from (the record fixes ${START_FIELDS.join(', ')})`,
      );
    }
  }
  const start = recordStart(readRecordFile(flags.initFrom), `${flags.initFrom}: `);
  const config = resolveConfig({ ...start.config, ...fromFlags }, (k) => FLAG[k]);
  return {
    config,
    data: start.data,
    initial: start.initial,
    ...(start.source ? { source: start.source } : {}),
  };
}

/** Registers `protomlp run`. */
export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('train one run and print its summary (or, with --json, its whole record)');
  dataOptions(cmd, false)
    .option('--n <int>', 'number of training samples N (default 10)')
    .option('--hidden <int>', 'hidden width H (default: N)')
    .option('--dim <int>', 'input dimension d (default 1)')
    .option('--target <name>', 'sine | random (default sine)')
    .option('--init <name>', 'centers | torch (default centers)')
    .option('--unit <name>', "ridge | radial (default ridge, the paper's neuron)")
    .option('--activation <name>', 'gaussian | cauchy | laplace (default gaussian)')
    .option(
      '--mask <mask>',
      'base | cov | sep | ovl | cov+sep | cov+ovl | sep+ovl | cov+sep+ovl (default base)',
    )
    .option('--lambda <x>', 'weight of the structural losses (default 0.1)')
    .option('--tau <x>', 'separation temperature (default 0.001)')
    .option('--tau-cov <x>', 'coverage softmin temperature, 0 = plain min (default 0)')
    .option('--lr <x>', 'Adam learning rate (default 0.01)')
    .option('--epochs <int>', 'full-batch Adam steps (default 2000)')
    .option('--seed <int>', 'seed of the data and initial parameters (default 0)')
    .option('--backend <name>', 'auto | native | ts (default auto; PROTOMLP_BACKEND overrides)')
    .option('--init-from <file>', "re-train from a run record's data and initial parameters")
    .option('--json', 'print the whole run record as JSON')
    .option(
      '--trace <K>',
      'record a snapshot every K epochs (with --backend ts; see docs/studies.md)',
    )
    .option('--trace-out <file>', 'where the trace goes (default trace-<id>.npy here)')
    .addHelpText(
      'after',
      '\nExamples:\n  protomlp run --n 20 --mask cov+sep --epochs 2000 --json > run.json\n  protomlp run --init-from run.json --mask ovl\n  protomlp run --dim 3 --n 40 --mask ovl\n  protomlp run --unit radial --activation cauchy --dim 2 --n 30 --mask ovl\n  protomlp run --data my.csv --x-cols height,weight --y-col age --scale standard --mask cov',
    )
    .action(async (flags: RunFlags) => {
      const job = await jobFromFlags(flags, (key) => cmd.getOptionValueSource(key) === 'cli');
      const backend = parseBackend(flags.backend);
      const [{ trainJobs }, { summarize }] = await Promise.all([
        import('../train.js'),
        import('./run-summary.js'),
      ]);
      const trace = flags.trace === undefined ? undefined : numberOrText(flags.trace);
      let traced: Trace | undefined;
      const [record] = await trainJobs([job], {
        backend,
        threads: 1,
        ...(trace !== undefined ? { trace: trace as number } : {}),
        onRecord: (_, __, t) => (traced = t),
      });
      if (traced) {
        const { writeTrace } = await import('../trace/npy.js');
        const file = flags.traceOut ?? `trace-${record.id}.npy`;
        writeTrace(file, traced);
        process.stderr.write(`trace: ${traced.epochs.length} snapshots in ${file}\n`);
      }
      process.stdout.write(flags.json ? `${JSON.stringify(record)}\n` : `${summarize(record)}\n`);
    });
}
