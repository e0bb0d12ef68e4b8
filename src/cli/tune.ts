// `protomlp tune`: parse the candidate grid (the grid flags of sweep) and the budget, hand them to
// tune() and buildTuneReport(), and show each rung's progress. Ctrl-C / SIGTERM stop it cleanly;
// the same command resumes. No tuning logic lives here.

import type { Command } from 'commander';
import type { RunConfig } from '../config.js';
import { ValidationError } from '../errors.js';
// the tuning and report code are imported when the command runs (the CLI starts fast)
import { PRESET_NAMES } from '../study/grid.js';
import type { StudyProgress } from '../study/runner.js';
import { DEFAULT_BUDGET, TUNE_FILE, type RungStart, type TuneResult } from '../study/tune.js';
import type { describeWeights as DescribeWeights, TuneReport } from '../report/tune.js';
import { parseBackend, parseNumberFlag, parsePositiveInt, stoppableBySignals } from './common.js';
import { formatDuration, progressView } from './progress.js';
import { GRID_FLAGS, studyFromFlags } from './sweep.js';

interface TuneFlags {
  preset?: string;
  config?: string;
  name?: string;
  seeds?: string;
  budget?: string;
  maxFit?: string;
  out?: string;
  workers?: string;
  backend?: string;
  retrain?: boolean;
  png: boolean;
  [option: string]: unknown;
}

/** The flag that sets a field, for messages. */
function flagOf(field: keyof RunConfig | 'budget' | 'maxFit'): string {
  if (field === 'budget') return '--budget';
  if (field === 'maxFit') return '--max-fit';
  if (field === 'seed') return '--seeds';
  return GRID_FLAGS.find((g) => g.key === field)?.flag ?? field;
}

const seedsText = (r: RungStart) => `${r.seeds} seed${r.seeds > 1 ? 's' : ''}`;

/** Registers `protomlp tune`. */
export function register(program: Command): void {
  const command = program
    .command('tune')
    .description(
      'for each N and mask, the weights with the lowest mean recon under a fit bound, by successive halving; resumes by default',
    )
    .option('--preset <name>', `start from a built-in study's grid: ${PRESET_NAMES.join(', ')}`)
    .option('--config <file>', 'a JSON or YAML study file (see docs/studies.md)')
    .option('--name <name>', 'a label for the tune (default "tune")');
  for (const { flag, help } of GRID_FLAGS) command.option(`${flag} <list>`, help);
  command
    .option(
      '--seeds <seeds>',
      'a count K (seeds 0..K-1), a list like 0,3,5 or a range like 10..19 (default: seed 0)',
    )
    .option(
      '--budget <fraction>',
      `fraction of the exhaustive grid's run-epochs to spend, in (0, 1] (default ${DEFAULT_BUDGET})`,
    )
    .option(
      '--max-fit <mse>',
      'fit bound on the mean fit at the full epochs (default: 2x the mean fit of base at that N and lr)',
    )
    .option('--out <dir>', 'the tune folder: its runs, tune.json and tune-report/ (required)')
    .option('--workers <k>', 'worker threads (default: every core)')
    .option('--backend <backend>', 'auto, native or ts (default: auto; PROTOMLP_BACKEND overrides)')
    .option(
      '--retrain',
      'if the folder holds runs made with other numerics (an older protomlp, the other backend), set them aside and train again',
    )
    .option('--no-png', 'write the Pareto plot as SVG only')
    .addHelpText(
      'after',
      '\nThe grid flags list the candidates (lambda, tau, tauCov, lr) and the cells (N, masks); --epochs is the full length.\n' +
        'Ctrl-C stops cleanly; the same command resumes. See docs/tune.md.\n' +
        'Example:\n  protomlp tune --sizes 20 --masks cov,cov+sep --lambda 0.001,0.003,0.01,0.03,0.1,0.3,1 \\\n' +
        '    --tau 1e-4,3e-4,1e-3,3e-3,0.01,0.03,0.1,0.3,1 --seeds 3 --epochs 600 --out results/tune',
    )
    .action(runTune);
}

/** `protomlp tune`'s action: flags to a tune and its report, progress per rung on stderr, the summary on stdout. */
async function runTune(flags: TuneFlags): Promise<void> {
  const study = studyFromFlags({ ...flags, name: flags.name ?? 'tune' });
  const budget = parseNumberFlag('--budget', flags.budget, 0, 1, 'a number > 0 and <= 1');
  const maxFit = parseNumberFlag(
    '--max-fit',
    flags.maxFit,
    0,
    Number.MAX_VALUE,
    'a finite number > 0',
  );
  const workers = parsePositiveInt('--workers', flags.workers);
  const backend = parseBackend(flags.backend);
  if (flags.out === undefined)
    throw new ValidationError(
      '--out',
      undefined,
      'a folder for the tune (its runs, tune.json, tune-report/)',
    );
  const out = flags.out;
  const title = study.name === 'tune' ? 'tune' : `tune ${study.name}`;
  let view: ReturnType<typeof progressView> | undefined;
  let current: { rung: RungStart; last?: StudyProgress } | undefined;
  const onProgress = (rung: RungStart, p: StudyProgress): void => {
    if (current?.rung !== rung) {
      view?.stop();
      current = { rung };
      process.stderr.write(
        `${title} rung ${rung.index + 1}/${rung.count} (${rung.epochs} epochs x ${seedsText(rung)}): ${p.total} runs to train, ${p.skipped} already in ${out}\n`,
      );
      view = progressView(process.stderr, `tune rung ${rung.index + 1}/${rung.count}`);
    }
    current.last = p;
    view!.update(p);
  };
  const [{ tune }, { buildTuneReport, describeWeights }] = await Promise.all([
    import('../study/tune.js'),
    import('../report/tune.js'),
  ]);
  const result = await stoppableBySignals(
    (signal) =>
      tune(study, {
        out,
        budget,
        maxFit,
        workers,
        backend,
        retrain: flags.retrain === true,
        signal,
        label: flagOf,
        onProgress,
        onNotice: (m) => process.stderr.write(`warning: ${m}\n`),
      }),
    (by) => {
      view?.stop();
      return `tune stopped by ${by} in rung ${current ? current.rung.index + 1 : 1}: every finished run is in ${out}; resume with the same command`;
    },
  );
  view?.stop();
  const report = await buildTuneReport(result, { png: flags.png });
  process.stdout.write(`${summaryLines(title, out, result, report, describeWeights).join('\n')}\n`);
}

/** What a finished tune prints: its cost, each cell's chosen weights, the claims, where the files are. */
function summaryLines(
  title: string,
  out: string,
  result: TuneResult,
  report: TuneReport,
  describeWeights: typeof DescribeWeights,
): string[] {
  const { json } = result;
  return [
    `${title} done: ${result.trained} runs trained, wall ${formatDuration(result.wallMs)}; ` +
      `${json.runEpochs} run-epochs, ${(json.runEpochs / json.exhaustiveRunEpochs).toFixed(3)} of the exhaustive grid's ${json.exhaustiveRunEpochs}`,
    ...result.cells.map((c) => {
      const b = json.best.find((x) => x.n === c.n && x.mask === c.mask)!;
      return `  N=${c.n} ${c.mask}: ${describeWeights(b)}: recon ${b.recon?.toPrecision(4) ?? 'n/a'}, fit ${b.fit?.toPrecision(3) ?? 'n/a'}${c.feasible ? '' : ' (no candidate met the fit bound)'}`;
    }),
    ...report.tuned.perN.map(
      (x) =>
        `  N=${x.n}: lowest recon ${x.lowest ?? 'n/a'} (coverage ${x.lowestHasCoverage ? 'active' : 'not active'})`,
    ),
    `${out}/${TUNE_FILE}; report: ${report.out} (tune.md, tune.html, claims.json, candidates.csv, plots/pareto.svg)`,
  ];
}
