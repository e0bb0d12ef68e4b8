// Runs the CLI two ways, with one result shape:
// - `cli`: the built CLI (dist/, made by `npm test`'s pretest build) in a child process, as a user
//   runs it: for exit codes, signals, warnings printed once per process, a crash's output;
// - `cliInProcess`: the same program (src/cli/main.ts) in this process, with its output, exit code,
//   argv and environment captured and restored: for parsing and messages, without paying a
//   process start per call.

import { spawnSync } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { program } from '../../src/cli/main.js';
import { runProgram } from '../../src/cli/common.js';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `protomlp ...args` in a child process (the built CLI), `env` laid over this process's environment. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Capture {
  stdout: string;
  stderr: string;
}

/**
 * Output written while a call runs goes to that call's capture: the async context tells the CLI's
 * writes (and their continuations) from tap's own, which go on reaching the real stream.
 */
const capturing = new AsyncLocalStorage<Capture>();
let patched = false;

function patchStreams(): void {
  if (patched) return;
  patched = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const capture = capturing.getStore();
      if (!capture) return write(chunk, ...rest);
      capture[name] +=
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * `protomlp ...args` run in this process, as `cli` would run it in a child: `env` laid over the
 * environment, `process.argv` set to the command line, the exit code read from `process.exitCode`;
 * all three restored afterwards. Calls run one at a time (they share the process's state).
 */
export function cliInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const call = queue.then(() => runInProcess(args, env));
  queue = call.catch(() => undefined);
  return call;
}

async function runInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  patchStreams();
  const saved = {
    argv: process.argv,
    exitCode: process.exitCode,
    env: Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]])),
  };
  const capture: Capture = { stdout: '', stderr: '' };
  process.argv = [process.execPath, CLI, ...args];
  process.exitCode = undefined;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    await capturing.run(capture, () => runProgram(program, process.argv));
    return {
      status:
        typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0),
      ...capture,
    };
  } finally {
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
    for (const [key, value] of Object.entries(saved.env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
