// `protomlp export`: a study folder's flat metrics as CSV (thin: readStudy + toCsv).

import type { Command } from 'commander';
import { ValidationError } from '../errors.js';

/** Registers `protomlp export`. */
export function register(program: Command): void {
  program
    .command('export')
    .description("export a study folder's flat metrics (one row per run: id, config, metrics)")
    .argument('<dir>', 'a study folder written by protomlp sweep or merge')
    .option('--csv', 'CSV (the only format so far)')
    .option('--out <file>', 'write to this file (default: standard output)')
    .addHelpText(
      'after',
      '\nExample:\n  protomlp export results/paper --csv --out results/paper/runs.csv',
    )
    .action(async (dir: string, flags: { csv?: boolean; out?: string }) => {
      if (!flags.csv)
        throw new ValidationError('format', undefined, '--csv (the only export format so far)');
      const { exportCsv } = await import('../study/csv.js');
      const { csv, content } = await exportCsv(dir, flags.out);
      for (const m of content.notices) process.stderr.write(`warning: ${m}\n`);
      if (flags.out === undefined) process.stdout.write(csv);
      else {
        process.stderr.write(
          `${flags.out}: ${content.records.length} runs (${content.missing.length} of the study missing)\n`,
        );
      }
    });
}
