// Shared CLI plumbing: turning flag strings into validated values, and the one way errors end a
// command (message on stderr, exit 2 for usage errors, never a stack trace unless asked for).

import { Command, CommanderError } from 'commander';
import type { RunConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/types.js';

/** A flag's text as a number when it reads as one, else the text itself (so messages show it). */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : text;
}

/** A config field's value from a flag's text: text fields as they are, the others as numbers where they read as one. */
export function fieldFromFlag(key: keyof RunConfig, text: string): number | string {
  return key === 'target' || key === 'init' || key === 'mask' ? text : numberOrText(text);
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
export function parseNumberFlag(flag: string, text: string | undefined, lo: number, hi: number, allowed: string): number | undefined {
  if (text === undefined) return undefined;
  const v = numberOrText(text);
  if (typeof v !== 'number' || !(v > lo && v <= hi)) throw new ValidationError(flag, v, allowed);
  return v;
}

/** Validates a positive integer flag such as `--threads`. */
export function parsePositiveInt(flag: string, value: string | undefined, max = 1024): number | undefined {
  if (value === undefined) return undefined;
  const n = numberOrText(value);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new ValidationError(flag, n, `an integer from 1 to ${max}`);
  }
  return n;
}

/**
 * The root command. Subcommands inherit its settings when registered, so the exit override that
 * lets {@link runProgram} map errors to exit codes is set here, before any registration.
 */
export function newProgram(name: string, description: string, version: string): Command {
  return new Command(name).description(description).version(version).exitOverride().showHelpAfterError('(run with --help for usage)');
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
    const message = error instanceof Error ? error.message : String(error);
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
export async function stoppableBySignals<T>(work: (signal: AbortSignal) => Promise<T>, stopped: (by: NodeJS.Signals) => string): Promise<T> {
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
