// `protomlp merge`: join the folders of one study's shards into one folder (thin: mergeStudies).

import type { Command } from 'commander';
import { ValidationError } from '../errors.js';

/** Registers `protomlp merge`. */
export function register(program: Command): void {
  program
    .command('merge')
    .description(
      'merge study folders (the shards of one study) into one; duplicate runs are dropped',
    )
    .argument('<dirs...>', 'study folders written by protomlp sweep')
    .option('--out <dir>', 'the merged study folder (may be one of the inputs)')
    .addHelpText(
      'after',
      '\nExample:\n  protomlp merge results/paper/shard-* --out results/paper/all',
    )
    .action(async (dirs: string[], flags: { out?: string }) => {
      if (flags.out === undefined)
        throw new ValidationError('--out', undefined, 'a folder for the merged study');
      const { mergeStudies } = await import('../study/merge.js');
      const summary = await mergeStudies(dirs, flags.out, (m) =>
        process.stderr.write(`warning: ${m}\n`),
      );
      process.stdout.write(
        `merged ${dirs.length} folders into ${summary.out}: study ${summary.study.name}, ${summary.records} of ` +
          `${summary.study.runs.length} runs, ${summary.duplicates} duplicates dropped\n`,
      );
      if (summary.missing > 0) {
        process.stderr.write(
          `warning: ${summary.missing} runs are missing; run the study's sweep with --out ${summary.out} to finish them\n`,
        );
      }
    });
}
