// `protomlp reproduce`: the paper, tau-sweep and positions studies and their report, in one
// command (thin: the library's reproduce); `--beyond` adds dims and iris and their report.
// Ctrl-C stops cleanly; the same command resumes.

import { Option, type Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { ReproduceScale } from '../pipelines/reproduce.js';
import { parseBackend, parsePositiveInt, stoppableBySignals } from './common.js';

/** The environment variable that picks the scale when `--scale` is not given (for tests). */
export const SCALE_ENV = 'PROTOMLP_REPRODUCE_SCALE';

function parseScale(text: string | undefined, scales: readonly string[]): ReproduceScale {
  if (text === undefined) return 'full';
  if (!scales.includes(text))
    throw new ValidationError('--scale', text, `one of ${scales.join(', ')}`);
  return text as ReproduceScale;
}

/** Registers `protomlp reproduce`. */
export function register(program: Command): void {
  program
    .command('reproduce')
    .description(
      "run the paper's studies (paper, tau-sweep, positions) and write their report; resumes if interrupted",
    )
    .option('--out <dir>', 'folder for the studies and the report', 'results')
    .option('--workers <k>', 'worker threads (default: every core)')
    .option('--backend <backend>', 'auto, native or ts (default: auto; PROTOMLP_BACKEND overrides)')
    .option(
      '--beyond',
      'also run the studies beyond the paper (dims: d in {1, 2, 3, 5}; iris) and write <out>/report-beyond with the claims per d and dataset',
    )
    .addOption(new Option('--scale <scale>', 'study sizes: full or tiny (tests)').hideHelp())
    .addHelpText(
      'after',
      '\nWrites <out>/paper, <out>/tau-sweep, <out>/positions, <out>/report (report.md, report.html, claims.json) and <out>/reproduce.json;\nwith --beyond also <out>/dims, <out>/iris and <out>/report-beyond.',
    )
    .action(
      async (flags: {
        out: string;
        workers?: string;
        backend?: string;
        scale?: string;
        beyond?: boolean;
      }) => {
        const workers = parsePositiveInt('--workers', flags.workers);
        const backend = parseBackend(flags.backend);
        // the studies' code, not the report's: pipelines/reproduce.ts loads the plotting code when it writes the report
        const { reproduce, REPRODUCE_SCALES } = await import('../pipelines/reproduce.js');
        const scale = parseScale(
          flags.scale ?? process.env[SCALE_ENV],
          Object.keys(REPRODUCE_SCALES),
        );
        const PERIOD_MS = 5000;
        let last = -Infinity;
        const { report, beyond, log } = await stoppableBySignals(
          (signal) =>
            reproduce({
              out: flags.out,
              scale,
              workers,
              backend,
              signal,
              beyond: flags.beyond,
              onNotice: (m) => process.stderr.write(`warning: ${m}\n`),
              onProgress: (study, p) => {
                if (p.done === 0 || p.done === p.total || p.elapsedMs - last >= PERIOD_MS) {
                  last = p.elapsedMs;
                  process.stderr.write(
                    `reproduce ${study}: ${p.done}/${p.total} runs to train (${p.skipped} already done${p.reused ? `, ${p.reused} copied from the earlier studies` : ''}), ${p.runsPerSecond.toFixed(1)} runs/s\n`,
                  );
                }
              },
            }),
          (by) =>
            `reproduce stopped by ${by}; finished runs are saved in ${flags.out}; the same command resumes`,
        );
        // the claims with their numbers: what the README's results section shows
        for (const c of report.analysis.claims)
          process.stdout.write(`${c.id} ${c.status}: ${c.summary}\n`);
        if (beyond) {
          const { claimLines } = await import('../report/build.js');
          process.stdout.write('beyond the paper, per d and dataset:\n');
          for (const line of claimLines(beyond.analysis)) process.stdout.write(`  ${line}\n`);
        }
        const beyondText = beyond
          ? `; beyond the paper: ${((log.beyondReportWallMs ?? 0) / 1000).toFixed(1)} s, in ${beyond.out}/report.html`
          : '';
        process.stdout.write(
          `training ${(log.trainWallMs / 1000).toFixed(1)} s, report ${(log.reportWallMs / 1000).toFixed(1)} s; report in ${report.out}/report.html${beyondText}\n`,
        );
      },
    );
}
