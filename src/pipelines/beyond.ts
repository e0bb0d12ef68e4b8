// Beyond the paper's single lambda: the `lambda-sweep` study with its claims grid, `tune` with every
// mask at its own best, and the tune check (tune against the exhaustive grid on a small problem),
// run into one folder (resumable) and written up for the README and docs/tune.md from those runs.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MASKS, type Mask } from '../config.js';
import { ValidationError } from '../errors.js';
import type { RunRecord } from '../record.js';
import {
  PRESETS,
  readStudy,
  resolveStudy,
  runStudy,
  tune,
  weightsOf,
  type StudyProgress,
  type StudySpec,
  type TuneJson,
  type TuneResult,
} from '../study/index.js';
import { buildReport } from './build.js';
import { STATUS_SHORT, type ClaimResult, type ClaimsGridJson } from './claims.js';
import { toMarkdown, type Block } from './document.js';
import { formatSeconds, machineInfo, type Machine } from './reproduce.js';
import { copyPictures } from './readme.js';
import { formatNumber } from '../render/format.js';
import { buildTuneReport, describeWeights, type TunedClaims } from './tune.js';

/** The tau values tuned for masks with separation: those of the `tau-sweep` preset. */
export const TUNE_TAUS = PRESETS['tau-sweep'].tau as readonly number[];
/** The tune of the README: the lambda-sweep grid with every tau of the tau sweep. */
export const BEYOND_TUNE: StudySpec = {
  ...PRESETS['lambda-sweep'],
  tau: TUNE_TAUS,
  name: 'lambda-tau-tune',
};
/** The tune check: N = 20, cov and cov+sep, 7 lambdas x 9 taus, 3 seeds, 600 epochs (issue 11). */
export const TUNE_CHECK: StudySpec = {
  name: 'tune-check',
  n: 20,
  mask: ['cov', 'cov+sep'],
  lambda: PRESETS['lambda-sweep'].lambda,
  tau: TUNE_TAUS,
  seed: '0..2',
  epochs: 600,
};
/** Budgets the tune check compares with the exhaustive grid. */
export const TUNE_CHECK_BUDGETS = [0.25, 0.33, 0.4] as const;
export const BEYOND_LOG = 'beyond.json';
/** The weights these studies vary (tauCov and lr stay at their defaults), so the only ones shown. */
const SHOWN = ['lambda', 'tau'] as const;

/** One budget of the tune check. */
export interface TuneCheckRow {
  budget: number;
  rungs: TuneResult['schedule']['rungs'];
  runEpochs: number;
  /** per mask: tune's best mean recon and the exhaustive grid's */
  masks: {
    mask: Mask;
    tune: number | null;
    exhaustive: number | null;
    weights: string;
    exhaustiveWeights: string;
  }[];
}

/** What `beyond.json` holds: timings, machine, and the tune check. */
export interface BeyondLog {
  lambdaSweep: { runs: number; points: number; trained: number; wallMs: number };
  tune: { trained: number; wallMs: number };
  tuneCheck: { exhaustiveRunEpochs: number; rows: TuneCheckRow[] };
  machine: Machine;
  backends: string[];
}

/** Options of {@link runBeyond}. */
export interface BeyondOptions {
  /** the folder: `lambda-sweep/`, `tune/`, `tune-check/`, `beyond.json` */
  out: string;
  workers?: number;
  backend?: 'auto' | 'native' | 'ts';
  signal?: AbortSignal;
  /** progress of the study being run (`lambda-sweep`, `tune`, `tune-check ...`) */
  onProgress?: (step: string, progress: StudyProgress) => void;
  /** what the store skipped or set aside, and why */
  onNotice?: (message: string) => void;
}

/** The exhaustive grid's best per mask: lowest mean recon with mean fit <= 2x base's, as tune's default bound. */
function exhaustiveBest(
  records: readonly RunRecord[],
  mask: Mask,
): { recon: number | null; weights: string } {
  const mean = (rs: readonly RunRecord[], m: 'recon' | 'fit') =>
    rs.reduce((a, r) => a + (r.metrics[m] ?? Infinity), 0) / rs.length;
  const bound =
    2 *
    mean(
      records.filter((r) => r.config.mask === 'base'),
      'fit',
    );
  const groups = new Map<string, RunRecord[]>();
  for (const r of records.filter((x) => x.config.mask === mask)) {
    const key = describeWeights(weightsOf(r.config), SHOWN);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  let best: { recon: number | null; weights: string } = { recon: null, weights: '–' };
  for (const [weights, rs] of groups) {
    const recon = mean(rs, 'recon');
    if (
      mean(rs, 'fit') <= bound &&
      Number.isFinite(recon) &&
      (best.recon === null || recon < best.recon)
    )
      best = { recon, weights };
  }
  return best;
}

/**
 * Tune against the exhaustive grid: trains the grid of `spec` with `base` at the full epochs into
 * `dir/exhaustive` and tunes it at each budget into `dir/budget-<b>`; returns what each found.
 */
export async function runTuneCheck(
  dir: string,
  spec: StudySpec,
  budgets: readonly number[],
  options: Omit<BeyondOptions, 'out' | 'onProgress'> & {
    retrain?: boolean;
    onProgress?: (p: StudyProgress) => void;
  } = {},
): Promise<BeyondLog['tuneCheck']> {
  const { onProgress, ...common } = options;
  const exhaustive = resolveStudy({
    ...spec,
    mask: ['base', ...(spec.mask as Mask[])],
    name: `${spec.name ?? 'tune-check'}-exhaustive`,
  });
  await runStudy(exhaustive, { ...common, out: path.join(dir, 'exhaustive'), onProgress });
  const grid = (await readStudy(path.join(dir, 'exhaustive'))).records;
  const rows: TuneCheckRow[] = [];
  for (const budget of budgets) {
    const r = await tune(spec, { ...common, budget, out: path.join(dir, `budget-${budget}`) });
    rows.push({
      budget,
      rungs: r.schedule.rungs,
      runEpochs: r.json.runEpochs,
      masks: r.json.best.map((b) => {
        const e = exhaustiveBest(grid, b.mask);
        return {
          mask: b.mask,
          tune: b.recon,
          exhaustive: e.recon,
          weights: describeWeights(b, SHOWN),
          exhaustiveWeights: e.weights,
        };
      }),
    });
  }
  return { exhaustiveRunEpochs: exhaustive.runs.reduce((a, r) => a + r.epochs, 0), rows };
}

/** Reads a folder's earlier `beyond.json` (undefined when there is none). */
async function readLog(dir: string): Promise<BeyondLog | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, BEYOND_LOG), 'utf8')) as BeyondLog;
  } catch {
    return undefined;
  }
}

/**
 * Runs the lambda sweep and its report, the tune (lambda, and tau where separation is on) and its
 * report, and the tune check, into `out`; a rerun trains nothing already there. Writes
 * `out/beyond.json` (a timing is kept from the earlier call when this one trained nothing).
 *
 * @example
 * ```ts
 * const log = await runBeyond({ out: 'results-beyond' });
 * await writeFile('beyond.md', await beyondWeightsSnippet('results-beyond'));
 * ```
 */
export async function runBeyond(options: BeyondOptions): Promise<BeyondLog> {
  const { out } = options;
  if (typeof out !== 'string' || !out) throw new ValidationError('out', out, 'a folder path');
  await mkdir(out, { recursive: true });
  const previous = await readLog(out);
  // runs of other numerics (an older protomlp) are set aside and trained again, as reproduce does
  const common = {
    workers: options.workers,
    backend: options.backend,
    signal: options.signal,
    onNotice: options.onNotice,
    retrain: true,
  };
  const progress = (step: string) =>
    options.onProgress && ((p: StudyProgress) => options.onProgress!(step, p));

  const lambda = resolveStudy('lambda-sweep');
  const lambdaDir = path.join(out, 'lambda-sweep');
  const sweep = await runStudy(lambda, {
    ...common,
    out: lambdaDir,
    onProgress: progress('lambda-sweep'),
  });
  const { records } = await readStudy(lambdaDir);
  await buildReport(records, {
    out: path.join(lambdaDir, 'report'),
    title: 'protomlp: the lambda sweep',
    source: '`lambda-sweep`',
  });

  const tuned = await tune(BEYOND_TUNE, {
    ...common,
    out: path.join(out, 'tune'),
    onProgress: (r, p) => progress(`tune rung ${r.index + 1}/${r.count}`)?.(p),
  });
  await buildTuneReport(tuned);

  const tuneCheck = await runTuneCheck(
    path.join(out, 'tune-check'),
    TUNE_CHECK,
    TUNE_CHECK_BUDGETS,
    { ...common, onProgress: progress('tune-check exhaustive') },
  );
  const backends = [
    ...new Set(
      [...records, ...tuned.cells.flatMap((c) => c.records)].map((r) => `${r.backend}/${r.isa}`),
    ),
  ].sort();
  const log: BeyondLog = {
    lambdaSweep:
      sweep.done === 0 && previous
        ? previous.lambdaSweep
        : {
            runs: lambda.runs.length,
            points: lambda.points,
            trained: sweep.done,
            wallMs: sweep.wallMs,
          },
    tune:
      tuned.trained === 0 && previous
        ? previous.tune
        : { trained: tuned.trained, wallMs: tuned.wallMs },
    tuneCheck,
    machine: machineInfo(),
    backends,
  };
  await writeFile(path.join(out, BEYOND_LOG), `${JSON.stringify(log, null, 2)}\n`);
  return log;
}

/** "a, b and c" */
const list = (items: readonly (string | number)[]): string =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** Plots the README shows from the beyond folder: [source, file name, caption]. */
const BEYOND_PLOTS: readonly [string, string, string][] = [
  [
    'lambda-sweep/report/plots/lambda-recon.png',
    'lambda-recon.png',
    'Reconstruction error vs lambda per mask and N',
  ],
  [
    'lambda-sweep/report/plots/lambda-outside.png',
    'lambda-outside.png',
    'Outside fraction vs lambda per mask and N',
  ],
  [
    'tune/tune-report/plots/pareto.png',
    'tune-pareto.png',
    'Tuning: fit against recon of every candidate at the full epochs',
  ],
];

/** Options of {@link beyondWeightsSnippet}. */
export interface BeyondWeightsSnippetOptions {
  /** folder the PNGs are copied into (default `docs/beyond`) */
  imagesDir?: string;
  /** the docs folder as the Markdown links it (default `docs`, for README.md; `.` inside docs/) */
  docsLink?: string;
}

/**
 * The README's section "Beyond the paper: other weights and tuning" (the lambda sweep and the
 * tune), from a folder written by {@link runBeyond} (its claims.json, tune.json and tune claims):
 * never typed by hand. The section on higher dimensions and real data is `beyondDataSnippet`'s.
 */
export async function beyondWeightsSnippet(
  dir: string,
  options: BeyondWeightsSnippetOptions = {},
): Promise<string> {
  const imagesDir = options.imagesDir ?? path.join('docs', 'beyond');
  const docsLink = options.docsLink ?? 'docs';
  const log = await readLog(dir);
  let claims: { grids: { lambda?: ClaimsGridJson }; claims: ClaimResult[] };
  let tuneJson: TuneJson;
  let tunedChecks: TunedClaims;
  try {
    claims = JSON.parse(
      await readFile(path.join(dir, 'lambda-sweep', 'report', 'claims.json'), 'utf8'),
    );
    tuneJson = JSON.parse(await readFile(path.join(dir, 'tune', 'tune.json'), 'utf8'));
    tunedChecks = JSON.parse(
      await readFile(path.join(dir, 'tune', 'tune-report', 'claims.json'), 'utf8'),
    );
  } catch {
    throw new ValidationError(
      'folder',
      dir,
      'a folder written by scripts/readme-beyond.mjs (lambda-sweep/report/claims.json, tune/tune.json, tune/tune-report/claims.json)',
    );
  }
  const grid = claims.grids.lambda;
  if (!log || !grid)
    throw new ValidationError(
      'folder',
      dir,
      'a folder written by scripts/readme-beyond.mjs (beyond.json and a lambda grid in claims.json)',
    );
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: '<!-- generated by scripts/readme-beyond.mjs from real runs; do not edit by hand -->',
    },
  ];
  const m = log.machine;
  blocks.push({
    kind: 'paragraph',
    text: `**Claims at each lambda.** \`protomlp sweep --preset lambda-sweep\` (lambda in {${grid.values.join(', ')}} x N in {10, 50, 100} x 8 masks x 10 seeds: ${log.lambdaSweep.points} grid points, ${log.lambdaSweep.runs} runs, since \`base\` ignores lambda and is trained once per N and seed) trained in ${formatSeconds(log.lambdaSweep.wallMs)} on ${m.cpu} (${m.cores} cores, backend ${log.backends.join(', ')}). Each claim checked again at each lambda (the numbers behind each verdict are in the report's grid):`,
  });
  blocks.push({
    kind: 'table',
    header: ['claim', ...grid.values.map((v) => `λ ${v}`)],
    align: ['l', ...grid.values.map(() => 'l' as const)],
    rows: grid.rows.map((r) => [
      `${r.id === 'sep-expels' ? '' : `${r.id} `}${r.label}`,
      ...r.cells.map((c) => STATUS_SHORT[c.status]),
    ]),
  });
  const heldAt = (row: (typeof grid.rows)[number], status: string) =>
    grid.values.filter((_, i) => row.cells[i].status === status);
  blocks.push({
    kind: 'list',
    items: grid.rows.map((r) => {
      const held = heldAt(r, 'held');
      const not = heldAt(r, 'not held');
      const name = r.id === 'sep-expels' ? '`sep` expels' : `${r.id} (${r.label})`;
      return held.length === grid.values.length
        ? `${name} holds at every lambda.`
        : not.length === grid.values.length
          ? `${name} holds at no lambda.`
          : `${name} holds at lambda ${list(held) || 'none'}${not.length ? `; not at ${list(not)}` : ''}.`;
    }),
  });

  const paper = (claims.claims.find((c) => c.id === 'C1')?.evidence.perN ?? []) as {
    n: number;
    bestMask: Mask | null;
  }[];
  const best = (n: number, mask: string) => tuneJson.best.find((b) => b.n === n && b.mask === mask);
  const share = tuneJson.runEpochs / tuneJson.exhaustiveRunEpochs;
  const expel = tunedChecks.overlapExpels;
  blocks.push({
    kind: 'paragraph',
    text: `**Each mask at its own best.** \`protomlp tune --preset lambda-sweep --tau ${TUNE_TAUS.join(',')}\` chose, for each N and mask, the lambda (and tau where separation is on) with the lowest mean recon over the 10 seeds among those whose mean fit is at most 2x that of \`base\`; successive halving spent ${tuneJson.runEpochs} run-epochs, ${formatNumber(share)} of the exhaustive grid's ${tuneJson.exhaustiveRunEpochs}, in ${formatSeconds(log.tune.wallMs)}. With every mask at its best, the lowest mean recon is:`,
  });
  blocks.push({
    kind: 'table',
    header: [
      'N',
      'lowest recon, tuned',
      'its setting',
      'recon',
      "at the paper's lambda 0.1, tau 0.001",
    ],
    align: ['r', 'l', 'l', 'r', 'l'],
    rows: tunedChecks.perN.map((x) => {
      const b = x.lowest ? best(x.n, x.lowest) : undefined;
      return [
        String(x.n),
        x.lowest ?? '–',
        b ? describeWeights(b, SHOWN) : '–',
        formatNumber(b?.recon),
        paper.find((p) => p.n === x.n)?.bestMask ?? '–',
      ];
    }),
  });
  const covWins = tunedChecks.perN.filter((x) => x.lowestHasCoverage).length;
  const sepAlone = tunedChecks.perN.map((x) => {
    const sep = x.ranking.find((r) => r.mask === 'sep');
    return `${formatNumber(best(x.n, 'sep')?.recon)} vs ${formatNumber(best(x.n, 'cov')?.recon)} at N=${x.n}${sep ? ` (${sep.withinBound} of ${sep.finalists} \`sep\` finalists within the bound ${formatNumber(sep.maxFit)})` : ''}`;
  });
  blocks.push({
    kind: 'list',
    items: [
      `Coverage is active in the lowest-recon mask at ${covWins} of ${tunedChecks.perN.length} sizes once every mask is tuned.`,
      `Tuned separation alone against tuned coverage alone (mean recon, \`sep\` vs \`cov\`; finalists are the candidates trained on every seed at the full epochs): ${sepAlone.join('; ')}.`,
      expel.length
        ? `Overlap still expels at its own best: ${expel.filter((p) => p.higher).length} of ${expel.length} overlap masks put more prototypes outside the hull than their tuned twins (${expel.map((p) => `${p.overlap} vs ${p.twin}: Δ ${formatNumber(p.pooled.meanDiff)}, p ${formatNumber(p.pooled.p)}`).join('; ')}).`
        : 'Overlap: no overlap mask was tuned beside its twin.',
    ],
  });
  const images = await copyPictures(
    BEYOND_PLOTS.map(([source, file, caption]) => ({
      from: path.join(dir, source),
      file,
      caption,
    })),
    imagesDir,
    `${docsLink}/beyond`,
  );
  if (images.length) blocks.push({ kind: 'paragraph', text: images.join('\n') });
  blocks.push({
    kind: 'paragraph',
    text: `Reports: \`lambda-sweep/report/report.md\` and \`tune/tune-report/tune.md\` in the folder of \`node scripts/readme-beyond.mjs\`; how tune works and what it can miss: [docs/tune.md](${docsLink}/tune.md).`,
  });
  return toMarkdown(blocks);
}

/** docs/tune.md's check of tune against the exhaustive grid, from {@link runBeyond}'s folder. */
export async function tuneCheckSnippet(dir: string): Promise<string> {
  const log = await readLog(dir);
  if (!log)
    throw new ValidationError(
      'folder',
      dir,
      'a folder written by scripts/readme-beyond.mjs (beyond.json)',
    );
  const { exhaustiveRunEpochs, rows } = log.tuneCheck;
  const masks = MASKS.filter((mask) => rows[0]?.masks.some((x) => x.mask === mask));
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: '<!-- generated by scripts/readme-beyond.mjs from real runs; do not edit by hand -->',
    },
    {
      kind: 'paragraph',
      text: `The small problem of the acceptance test (N = 20, masks ${masks.join(' and ')}, 7 lambdas x 9 taus, 3 seeds, 600 epochs; the exhaustive grid is ${exhaustiveRunEpochs} run-epochs), tuned at three budgets; "ratio" is tune's best mean recon over the exhaustive grid's best (same fit bound):`,
    },
    {
      kind: 'table',
      header: [
        'budget',
        'rungs (epochs x seeds)',
        'run-epochs (share)',
        ...masks.flatMap((mask) => [`${mask}: tune (exhaustive)`, 'ratio']),
      ],
      align: ['r', 'l', 'r', ...masks.flatMap(() => ['l', 'r'] as const)],
      rows: rows.map((r) => [
        String(r.budget),
        r.rungs.map((x) => `${x.epochs}x${x.seeds}`).join(', '),
        `${r.runEpochs} (${formatNumber(r.runEpochs / exhaustiveRunEpochs)})`,
        ...masks.flatMap((mask) => {
          const x = r.masks.find((y) => y.mask === mask)!;
          return [
            `${formatNumber(x.tune)} ${x.weights} (${formatNumber(x.exhaustive)} ${x.exhaustiveWeights})`,
            x.tune !== null && x.exhaustive ? formatNumber(x.tune / x.exhaustive) : '–',
          ];
        }),
      ]),
    },
  ];
  return toMarkdown(blocks);
}
