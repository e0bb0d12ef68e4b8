// `protomlp info`: version, the backend that would run, its instruction set, threads, where the
// native binary came from, and why the TS backend runs instead when it does.

import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { packageVersion } from '../package-info.js';
import type { BackendChoice } from '../backend/types.js';
import { parseBackend } from './common.js';

/** What `protomlp info --json` prints. */
export interface InfoReport {
  version: string;
  backend: 'ts' | 'native';
  isa: string;
  /** the numerics its results are made with (`native/2`, `ts/2`) */
  numerics: string;
  threads: number;
  binary: { source: 'prebuild' | 'build' | null; path: string | null };
  fallbackReason: string | null;
}

/**
 * The facts `info` reports, for a backend choice (PROTOMLP_BACKEND overrides it). Loads the
 * backends (and so the native addon) on the first call, not when the CLI starts.
 *
 * @example
 * ```ts
 * const report = await infoReport('auto');
 * console.log(report.backend, report.isa);
 * ```
 */
export async function infoReport(choice: BackendChoice = 'auto'): Promise<InfoReport> {
  const { resolveBackend } = await import('../backend/select.js');
  const selection = resolveBackend(choice);
  const binding = selection.native?.binding ?? null;
  return {
    version: packageVersion(),
    backend: selection.backend.name,
    isa: selection.backend.isa,
    numerics: selection.backend.numerics,
    threads:
      binding && selection.backend.name === 'native'
        ? binding.info().threads
        : availableParallelism(),
    binary: { source: selection.native?.source ?? null, path: selection.native?.path ?? null },
    fallbackReason: selection.fallbackReason,
  };
}

export function register(program: Command): void {
  program
    .command('info')
    .description('version, backend, instruction set, threads and where the native binary came from')
    .option('--backend <name>', 'auto | native | ts (default auto; PROTOMLP_BACKEND overrides)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  protomlp info --json\n  PROTOMLP_SIMD=scalar protomlp info',
    )
    .action(async (flags: { backend?: string; json?: boolean }) => {
      const report = await infoReport(parseBackend(flags.backend));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const lines = [
        `protomlp ${report.version}`,
        `backend   ${report.backend}${report.fallbackReason ? ` (native unavailable: ${report.fallbackReason})` : ''}`,
        `isa       ${report.isa}`,
        `numerics  ${report.numerics}`,
        `threads   ${report.threads}`,
        `binary    ${report.binary.source ? `${report.binary.source}: ${report.binary.path}` : 'none'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
