// `protomlp report`: the report of one or more study folders (thin: readStudy + buildReport).

import path from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { RunRecord } from '../record.js';
import { parseNumberFlag } from './common.js';

interface ReportFlags {
  out?: string;
  alpha?: string;
  fitMargin?: string;
  png: boolean;
}

/** Registers `protomlp report`. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'tables, plots, paired tests and the claims check of study folders (report.md, report.html, claims.json)',
    )
    .argument(
      '<dirs...>',
      'study folders written by protomlp sweep or merge (their runs are pooled)',
    )
    .option('--out <dir>', 'where to write the report (default: <first dir>/report)')
    .option('--alpha <p>', 'significance level of the claims tests (default 0.05)')
    .option('--fit-margin <mse>', 'C4 margin on the fit loss, in MSE (default 0.01)')
    .option('--no-png', 'write SVG plots only')
    .addHelpText(
      'after',
      '\nExamples:\n  protomlp report results/paper\n  protomlp report results/paper results/tau-sweep --out results/report',
    )
    .action(async (dirs: string[], flags: ReportFlags) => {
      const alpha = parseNumberFlag('--alpha', flags.alpha, 0, 0.5, 'a number > 0 and <= 0.5');
      const fitMargin = parseNumberFlag(
        '--fit-margin',
        flags.fitMargin,
        0,
        Number.MAX_VALUE,
        'a finite number > 0',
      );
      // the folders are read (and refused) before the plotting code is loaded
      const { readStudy } = await import('../study/store.js');
      const records: RunRecord[] = [];
      for (const dir of dirs) {
        const content = await readStudy(dir);
        for (const m of content.notices) process.stderr.write(`warning: ${m}\n`);
        if (content.missing.length)
          process.stderr.write(
            `${dir}: ${content.missing.length} of ${content.study.runs.length} runs not finished; reporting the ${content.records.length} present\n`,
          );
        records.push(...content.records);
      }
      if (!records.length)
        throw new ValidationError('study folders', dirs.join(' '), 'at least one finished run');
      const out = flags.out ?? path.join(dirs[0], 'report');
      const { buildReport, claimLines } = await import('../report/build.js');
      const { analysis, files } = await buildReport(records, {
        out,
        alpha,
        fitMargin,
        png: flags.png,
        source: dirs.join(', '),
      });
      for (const line of claimLines(analysis)) process.stdout.write(`${line}\n`);
      process.stdout.write(
        `${out}: ${files.length} files (report.md, report.html, claims.json, tables/, plots/)\n`,
      );
    });
}
