// Shared CLI plumbing: turning flag strings into validated values, and the one way errors end a
// command (message on stderr, exit 2 for usage errors, never a stack trace unless asked for).

import { Command, CommanderError } from 'commander';
import type { RunConfig } from '../config.js';
import { DATASETS, SCALES, type DataSpec, type Scale } from '../data-spec.js';
import { dataFile, type DataFileLabels } from '../datasets/index.js';
import { ValidationError } from '../errors.js';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/types.js';

/** The data file flags, as {@link dataFile} names them in messages. */
const FLAG_LABELS: DataFileLabels = {
  file: '--data',
  xCols: '--x-cols',
  yCol: '--y-col',
  scale: '--scale',
};

/** A flag's text as a number when it reads as one, else the text itself (so messages show it). */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)
    ? Number(trimmed)
    : text;
}

/** A config field's value from a flag's text: text fields as they are, the others as numbers where they read as one. */
export function fieldFromFlag(key: keyof RunConfig, text: string): number | string {
  const textFields: readonly (keyof RunConfig)[] = ['target', 'init', 'unit', 'activation', 'mask'];
  return textFields.includes(key) ? text : numberOrText(text);
}

/** The data flags of `run` and `sweep`. */
export interface DataFlags {
  data?: string;
  dataset?: string;
  xCols?: string;
  yCol?: string;
  scale?: string;
}

/** A comma-separated flag value as its non-empty items. */
export function splitList(flag: string, text: string, allowed: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new ValidationError(flag, text, `a comma-separated list of ${allowed}`);
  return items;
}

/**
 * The data a command's flags choose: `--dataset NAME` and `--data FILE` (with `--x-cols`, `--y-col`,
 * `--scale`), each file read and checked now. `list` (sweep) takes comma-separated lists and
 * crosses files with scales; otherwise (run) one dataset. Undefined when no data flag is given.
 */
export function dataFromFlags(flags: DataFlags, list: boolean): DataSpec[] | undefined {
  const items = (flag: string, text: string, allowed: string) =>
    list ? splitList(flag, text, allowed) : [text];
  const files = flags.data === undefined ? [] : items('--data', flags.data, 'data files');
  const names =
    flags.dataset === undefined ? [] : items('--dataset', flags.dataset, 'dataset names');
  for (const name of names) {
    if (!(DATASETS as readonly string[]).includes(name))
      throw new ValidationError(
        '--dataset',
        name,
        `one of ${DATASETS.join(', ')} (a file of your own: --data FILE)`,
      );
  }
  if (!list && files.length && names.length)
    throw new ValidationError(
      '--dataset',
      flags.dataset,
      'nothing with --data (a run trains on one dataset)',
    );
  const scales =
    flags.scale === undefined ? [undefined] : items('--scale', flags.scale, 'scalings');
  for (const scale of scales) {
    if (scale !== undefined && !(SCALES as readonly string[]).includes(scale))
      throw new ValidationError('--scale', scale, `one of ${SCALES.join(', ')}`);
  }
  if (!files.length) {
    const given = (['xCols', 'yCol', 'scale'] as const).find((k) => flags[k] !== undefined);
    if (given) {
      throw new ValidationError(
        FLAG_LABELS[given],
        flags[given],
        'nothing without --data (it chooses the columns and the scaling of a data file)',
      );
    }
  }
  const xCols =
    flags.xCols === undefined ? undefined : splitList('--x-cols', flags.xCols, 'column names');
  const refs = files.flatMap((file) => {
    const ref = dataFile(
      file,
      { xCols, yCol: flags.yCol, scale: scales[0] as Scale | undefined },
      FLAG_LABELS,
    );
    return scales.map((scale) => ({ ...ref, scale: (scale ?? ref.scale) as Scale }));
  });
  const all: DataSpec[] = [...(names as DataSpec[]), ...refs];
  return all.length ? all : undefined;
}

/** Registers the data flags on a command (`list`: sweep's comma-separated lists). */
export function dataOptions(command: Command, list: boolean): Command {
  const many = list ? 's' : '';
  return command
    .option(
      `--dataset <name${many}>`,
      `named dataset${list ? 's' : ''}: ${DATASETS.join(', ')} (default uniform)`,
    )
    .option(
      `--data <file${many}>`,
      `train on data file${many}: CSV with a header (columns x1..xd and y) or JSON {"x": [[...]], "y": [...]}; N and d come from the file`,
    )
    .option(
      '--x-cols <names>',
      'input columns of a CSV data file, comma-separated (default x1, x2, ...)',
    )
    .option('--y-col <name>', 'target column of a CSV data file (default y)')
    .option(
      `--scale <scale${many}>`,
      `scaling of a data file's input columns: ${SCALES.join(', ')} (default minmax: each to [-1, 1])`,
    );
}

/** Validates `--backend`. */
export function parseBackend(value: string | undefined): BackendChoice | undefined {
  if (value === undefined) return undefined;
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new ValidationError('--backend', value, `one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return value as BackendChoice;
}

/** A number flag in (lo, hi]; `allowed` says so in the message. */
export function parseNumberFlag(
  flag: string,
  text: string | undefined,
  lo: number,
  hi: number,
  allowed: string,
): number | undefined {
  if (text === undefined) return undefined;
  const v = numberOrText(text);
  if (typeof v !== 'number' || !(v > lo && v <= hi)) throw new ValidationError(flag, v, allowed);
  return v;
}

/** Validates a positive integer flag such as `--threads`. */
export function parsePositiveInt(
  flag: string,
  value: string | undefined,
  max = 1024,
): number | undefined {
  if (value === undefined) return undefined;
  const n = numberOrText(value);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new ValidationError(flag, n, `an integer from 1 to ${max}`);
  }
  return n;
}

/** The library's option names (a field, or `name` in backticks in a message) and the flags that set them. */
const FLAG_OF: Readonly<Record<string, string>> = {
  out: '--out',
  'retrain: true': '--retrain',
  shard: '--shard',
  unit: '--unit',
  activation: '--activation',
  trace: '--trace',
  "backend: 'ts'": '--backend ts',
};

/**
 * A library error as the CLI says it: the option names of the API (`out`, `retrain: true`) become
 * the flags that set them (`--out`, `--retrain`), in the field and where the message names them in
 * backticks. The one translation from API names to flags; other text is left as it is.
 *
 * @example
 * ```ts
 * inFlags(new ValidationError('out', 'x', 'a new folder: choose another `out`')).message;
 * // '--out: got "x", expected a new folder: choose another --out'
 * ```
 */
export function inFlags(error: ValidationError): ValidationError {
  const field = FLAG_OF[error.field] ?? error.field;
  const allowed = error.allowed.replace(
    /`([^`]+)`/g,
    (text, name: string) => FLAG_OF[name] ?? text,
  );
  return field === error.field && allowed === error.allowed
    ? error
    : new ValidationError(field, error.value, allowed);
}

/**
 * The root command. Subcommands inherit its settings when registered, so the exit override that
 * lets {@link runProgram} map errors to exit codes is set here, before any registration.
 */
export function newProgram(name: string, description: string, version: string): Command {
  return new Command(name)
    .description(description)
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
}

/**
 * Makes `protomlp ... | head` end quietly: when the reader of stdout or stderr goes away (EPIPE),
 * the process exits with status 0 at once instead of printing an unhandled 'error' event, as Unix
 * tools do. Called once by the entry point; in-process tests do not install it.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
}

/**
 * Runs a CLI program made by {@link newProgram} to completion and maps failures to exit codes: 2 for usage errors
 * (bad flags, bad files), 1 for anything else. PROTOMLP_DEBUG=1 adds stack traces.
 */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const debug = process.env.PROTOMLP_DEBUG === '1';
    const message =
      error instanceof ValidationError
        ? inFlags(error).message
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof ValidationError ? 2 : 1;
  }
}

/**
 * Runs long work that Ctrl-C or SIGTERM may stop: the first signal aborts `work`'s signal (no new
 * runs start, finished ones are already saved); when `work` then rejects with an AbortError,
 * `stopped(signal)` is printed on stderr and the process exits 130 (SIGINT) or 143 (SIGTERM). A
 * second signal exits at once. Other errors propagate.
 */
export async function stoppableBySignals<T>(
  work: (signal: AbortSignal) => Promise<T>,
  stopped: (by: NodeJS.Signals) => string,
): Promise<T> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const exitCode = (s: NodeJS.Signals): number => (s === 'SIGINT' ? 130 : 143);
  const onSignal = (s: NodeJS.Signals): void => {
    if (stoppedBy) process.exit(exitCode(stoppedBy));
    stoppedBy = s;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (stoppedBy && error instanceof Error && error.name === 'AbortError') {
      process.stderr.write(`\n${stopped(stoppedBy)}\n`);
      process.exit(exitCode(stoppedBy));
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
