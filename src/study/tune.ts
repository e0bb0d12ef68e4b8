// `tune` (SPEC §5): for each (N, mask), the weights (lambda, tau, tauCov, lr) with the lowest mean
// recon over seeds under a fit bound, by successive halving. Every rung's runs are ordinary runs
// (fewer epochs, or fewer seeds) of one study in one folder, so the store resumes a tune for free.
// It neither parses flags nor prints nor draws: the CLI and src/report/tune.ts do that.
//
// Successive halving (Jamieson & Talwalkar, AISTATS 2016; the inner loop of Hyperband) is written
// here by hand: no well-kept npm package provides it, or any multi-fidelity search, for Node. Train
// every candidate briefly, keep the best third, train those longer, ... A rung's runs train from
// scratch, so a rung of fewer epochs is spent and gone; a run of another seed at the full epochs
// is not: it counts in the final mean. So the resource grows in epochs on the first seed up to the
// full epochs, then in seeds at the full epochs; and the schedule uses as few short rungs as the
// budget allows, since a ranking on truncated training is the one this method can get wrong.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { MASKS, usesField, type Mask, type RunConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import type { RunRecord } from '../record.js';
import { asStudy, resolveStudy, type Study, type StudySpec } from './grid.js';
// the runner and the store are imported when tune() runs: the CLI reads this module's defaults at
// start (for --help), and that must not load training
import type { RunStudyOptions, StudyProgress } from './runner.js';
import type { Notice } from './store.js';

/** Each rung keeps the best 1/ETA of a cell's candidates ("keep the best third"). */
export const TUNE_ETA = 3;
/** The weights tune chooses among; a candidate is one distinct combination of them. */
export const TUNE_FIELDS = ['lambda', 'tau', 'tauCov', 'lr'] as const;
export type TuneField = (typeof TUNE_FIELDS)[number];
/** Default fraction of the exhaustive grid's run-epochs that tune may spend. */
export const DEFAULT_BUDGET = 0.33;
/** Default fit bound: this multiple of the mean fit of `base` at the same N (and lr). */
export const DEFAULT_FIT_MULTIPLE = 2;
export const TUNE_FILE = 'tune.json';

/**
 * A candidate's weights; a field the mask ignores is null.
 *
 * @example
 * ```ts
 * const weights: Weights = weightsOf(resolveConfig({ mask: 'cov', lambda: 0.3 }));
 * // { lambda: 0.3, tau: null, tauCov: 0, lr: 0.01 }: cov ignores tau
 * ```
 */
export type Weights = { [K in TuneField]: K extends 'lr' ? number : number | null };

/** One candidate's means over seeds after one rung. */
export interface RungScore {
  epochs: number;
  /** how many seeds the means are over */
  seeds: number;
  /** mean recon over seeds; null when a seed diverged or has no recon */
  recon: number | null;
  /** mean fit loss over seeds; null as for recon */
  fit: number | null;
  /** the fit bound at these epochs (see {@link TuneOptions.maxFit}) */
  maxFit: number;
  feasible: boolean;
  /** kept for the next rung (at the last rung: chosen) */
  kept: boolean;
}

/**
 * One candidate of a cell, and what each rung it reached made of it.
 *
 * @example
 * ```ts
 * const result = await tune(grid, { out: 'results/tune' });
 * for (const cand of result.cells[0].candidates) console.log(cand.lambda, cand.rungs.map((r) => r.recon));
 * ```
 */
export interface TuneCandidate extends Weights {
  n: number;
  mask: Mask;
  rungs: RungScore[];
}

/** One (N, mask) cell: its candidates and the chosen one. */
export interface TuneCell {
  n: number;
  mask: Mask;
  candidates: TuneCandidate[];
  /** the candidate with the lowest mean recon at the full epochs among those within the bound */
  best: TuneCandidate;
  /** false when no candidate met the bound: `best` is then the one with the lowest fit / bound */
  feasible: boolean;
  /** the chosen candidate's records at the full epochs, one per seed */
  records: RunRecord[];
}

/** One rung: its runs have these epochs and the first `seeds` seeds of the grid. */
export interface Rung {
  epochs: number;
  seeds: number;
}

/** The rungs, and what they cost. */
export interface TuneSchedule {
  /** rung 0..K: epochs grow on one seed up to the full epochs, then seeds grow to all of them */
  rungs: Rung[];
  /** run-epochs the schedule trains (every rung, base references included) */
  runEpochs: number;
  /** run-epochs of the exhaustive grid at the full epochs (base included when it sets the bound) */
  exhaustiveRunEpochs: number;
}

/**
 * What tune.json holds (the shape is part of the interface).
 *
 * @example
 * ```ts
 * const json: TuneJson = JSON.parse(readFileSync('results/tune/tune.json', 'utf8'));
 * for (const b of json.best) console.log(b.n, b.mask, b.lambda, b.tau, b.recon);
 * ```
 */
export interface TuneJson {
  best: ({ n: number; mask: Mask } & Weights & {
      recon: number | null;
      fit: number | null;
      seeds: number[];
    })[];
  runEpochs: number;
  exhaustiveRunEpochs: number;
}

/**
 * A finished tune.
 *
 * @example
 * ```ts
 * const result: TuneResult = await tune(grid, { out: 'results/tune' });
 * console.log(result.trained, result.json.runEpochs / result.json.exhaustiveRunEpochs);
 * ```
 */
export interface TuneResult {
  out: string;
  /** the study of every run a tune may train: the grid (with `base`) at the rung epochs */
  study: Study;
  schedule: TuneSchedule;
  seeds: number[];
  budget: number;
  /** the explicit `--max-fit`, or undefined for the default bound */
  maxFit?: number;
  cells: TuneCell[];
  /** what tune.json holds */
  json: TuneJson;
  /** runs trained by this call (the others were in the folder already) */
  trained: number;
  wallMs: number;
}

/** The start of a rung. */
export interface RungStart {
  /** 0-based */
  index: number;
  count: number;
  epochs: number;
  seeds: number;
  /** runs of this rung (trained now or found in the folder) */
  runs: number;
}

/**
 * Options of {@link tune}.
 *
 * @example
 * ```ts
 * const options: TuneOptions = { out: 'results/tune', budget: 0.5, onRung: (r) => console.error(`rung ${r.index + 1}/${r.count}`) };
 * const result = await tune(grid, options);
 * ```
 */
export interface TuneOptions {
  /** the tune folder: the rung runs (study.json, runs.jsonl) and tune.json */
  out: string;
  /** fraction of the exhaustive grid's run-epochs to spend, in (0, 1] (default 0.33) */
  budget?: number;
  /**
   * the fit bound at the full epochs (mean fit over seeds); default: 2x the mean fit of `base` at
   * the same N and lr. At a rung of fewer epochs the bound is the same multiple of base's fit there.
   */
  maxFit?: number;
  workers?: number;
  backend?: 'auto' | 'native' | 'ts';
  /** set aside runs of other numerics in the folder and train again (see {@link RunStudyOptions.retrain}) */
  retrain?: boolean;
  signal?: AbortSignal;
  onRung?: (rung: RungStart) => void;
  onProgress?: (rung: RungStart, progress: StudyProgress) => void;
  onNotice?: Notice;
  /** how messages name a field (the CLI passes flag names such as `--budget`, `--epochs`) */
  label?: (field: keyof RunConfig | 'budget' | 'maxFit') => string;
}

/**
 * A candidate key: its weights, with the fields its mask ignores as null.
 *
 * @example
 * ```ts
 * weightsOf(resolveConfig({ mask: 'base', lambda: 1 })); // { lambda: null, tau: null, tauCov: null, lr: 0.01 }
 * ```
 */
export function weightsOf(config: RunConfig): Weights {
  const out = {} as Record<TuneField, number | null>;
  for (const f of TUNE_FIELDS) out[f] = usesField(config, f) ? config[f] : null;
  return out as Weights;
}

const keyOf = (n: number, mask: Mask, w: Weights): string =>
  JSON.stringify([n, mask, w.lambda, w.tau, w.tauCov, w.lr]);

/** The candidate space of a grid: cells and their distinct candidates (canonical order). */
interface Space {
  grid: Study['grid'];
  epochs: number;
  seeds: number[];
  cells: { n: number; mask: Mask; candidates: Weights[] }[];
  /** the lr values: base is trained at each, per N, for the bound */
  lrs: number[];
}

const ONE_VALUE: Partial<Record<keyof RunConfig, string>> = {
  epochs: 'one value (tune trains its shorter rungs itself)',
  hidden: 'one value (tune picks weights per N and mask)',
  dim: 'one value (tune picks weights per N and mask)',
  target: 'one value (tune picks weights per N and mask)',
  init: 'one value (tune picks weights per N and mask)',
  data: 'one value (tune picks weights per N and mask)',
};

/**
 * Checks that a grid is a candidate set and lists its cells and candidates. N is what the runs
 * have: a data file or iris fixes it, whatever the grid's `n` says.
 */
export function tuneSpace(study: Study, label: (key: keyof RunConfig) => string = (k) => k): Space {
  for (const [key, allowed] of Object.entries(ONE_VALUE) as [keyof RunConfig, string][]) {
    const values = study.grid[key] as unknown[] | undefined;
    if (values && values.length > 1) throw new ValidationError(label(key), values, allowed);
  }
  const grid = { ...study.grid, n: [...new Set(study.runs.map((r) => r.n))].sort((a, b) => a - b) };
  const seeds = grid.seed;
  const cells: Space['cells'] = [];
  for (const n of grid.n) {
    for (const mask of grid.mask) {
      const seen = new Map<string, Weights>();
      for (const r of study.runs) {
        if (r.n !== n || r.mask !== mask || r.seed !== seeds[0]) continue;
        const w = weightsOf(r);
        seen.set(keyOf(n, mask, w), w);
      }
      cells.push({ n, mask, candidates: [...seen.values()] });
    }
  }
  if (cells.every((c) => c.candidates.length < 2)) {
    const named = TUNE_FIELDS.map(label);
    const flags = named.some((name, i) => name !== TUNE_FIELDS[i]) ? ` (${named.join(', ')})` : '';
    throw new ValidationError(
      'grid',
      `1 candidate per (N, mask)`,
      `at least 2 candidates somewhere: lists of lambda, tau, tauCov or lr${flags}`,
    );
  }
  return { grid, epochs: grid.epochs[0], seeds, cells, lrs: grid.lr };
}

/**
 * The rung at which a cell of `count` candidates starts, of rungs 0..last: as late as leaves at
 * least two candidates for the last rung, which trains every seed at the full epochs (as
 * Hyperband gives its brackets of fewer candidates more resource each). A cell of one candidate
 * trains at the last rung only.
 */
function firstRung(count: number, last: number): number {
  let halvings = 0;
  while (halvings < last && Math.ceil(count / TUNE_ETA ** (halvings + 1)) >= 2) halvings++;
  return last - halvings;
}

/** How many of a cell's candidates it trains at rung k (0 before its first rung): the best third of the rung before. */
function trainedAt(count: number, k: number, last: number): number {
  const first = firstRung(count, last);
  return k < first ? 0 : Math.ceil(count / TUNE_ETA ** (k - first));
}

/** Seed counts of the rungs at the full epochs: 1, 3, 9, ... (x ETA) while a step of ETA is left, then all of them (10: 1, 3, 10). */
function seedLadder(seeds: number): number[] {
  const ladder = [1];
  while (ladder.at(-1)! * TUNE_ETA * TUNE_ETA <= seeds) ladder.push(ladder.at(-1)! * TUNE_ETA);
  if (ladder.at(-1)! < seeds) ladder.push(seeds);
  return ladder;
}

/**
 * The rungs with `short` rungs of fewer epochs (geometric from r0) on one seed before the full
 * epochs; undefined unless the epochs strictly increase.
 */
function rungsWith(short: number, r0: number, full: number, seeds: number): Rung[] | undefined {
  const epochs = Array.from({ length: short }, (_, k) =>
    Math.round(r0 * (full / r0) ** (k / short)),
  );
  if (!epochs.every((e, k) => e >= 1 && e < full && (k === 0 || e > epochs[k - 1])))
    return undefined;
  return [
    ...epochs.map((e) => ({ epochs: e, seeds: 1 })),
    ...seedLadder(seeds).map((s) => ({ epochs: full, seeds: s })),
  ];
}

/**
 * Run-epochs of a schedule: each cell's survivors where it trains, minus the runs of the same
 * epochs it trained before (more seeds add runs, they do not repeat them), and base on every seed
 * at each rung's epochs, per N and lr.
 */
function scheduleCost(space: Space, rungs: readonly Rung[]): number {
  const last = rungs.length - 1;
  let cost = 0;
  for (const c of space.cells) {
    if (c.mask === 'base') continue;
    let before: Rung | undefined;
    for (const [k, rung] of rungs.entries()) {
      const count = trainedAt(c.candidates.length, k, last);
      if (!count) continue;
      const done = before?.epochs === rung.epochs ? before.seeds : 0;
      cost += count * rung.epochs * (rung.seeds - done);
      before = rung;
    }
  }
  for (const epochs of new Set(rungs.map((r) => r.epochs)))
    cost += epochs * space.seeds.length * space.grid.n.length * space.lrs.length;
  return cost;
}

/**
 * The schedule: among the schedules within `budget` of the exhaustive run-epochs (0, 1, 2, ...
 * short rungs, each with the longest first rung that fits), the one whose first rung is longest
 * (none at all when the budget allows: every judgement then sees full training); ties go to
 * fewer rungs. The first rung is the one judgement every candidate gets, on the shortest
 * training, so it is where a late bloomer is lost. A budget too small for any schedule is
 * refused, naming the least that fits.
 */
export function tuneSchedule(
  space: Space,
  budget: number,
  maxFitGiven: boolean,
  label = 'budget',
): TuneSchedule {
  const full = space.epochs;
  const seeds = space.seeds.length;
  const candidates = space.cells.reduce(
    (a, c) => a + (c.mask === 'base' ? 0 : c.candidates.length),
    0,
  );
  const baseRefs = space.grid.n.length * space.lrs.length;
  const baseTuned = space.grid.mask.includes('base');
  const exhaustiveRunEpochs =
    full * seeds * (candidates + (!maxFitGiven || baseTuned ? baseRefs : 0));
  const allowed = budget * exhaustiveRunEpochs;
  const largest = Math.max(...space.cells.map((c) => c.candidates.length));
  const seedRungs = seedLadder(seeds).length;
  const allSeeds = rungsWith(0, full, full, seeds)!;
  let cheapest = scheduleCost(space, allSeeds);
  if (cheapest <= allowed) return { rungs: allSeeds, runEpochs: cheapest, exhaustiveRunEpochs };
  let best: Rung[] | undefined;
  // a first rung that not even the largest cell starts at trains nothing: no more short rungs
  for (let short = 1; firstRung(largest, short + seedRungs - 1) === 0; short++) {
    let lo = 1;
    let hi = full - 1;
    let found: Rung[] | undefined;
    while (lo <= hi) {
      const r0 = Math.floor((lo + hi) / 2);
      const rungs = rungsWith(short, r0, full, seeds);
      if (rungs && scheduleCost(space, rungs) <= allowed) {
        found = rungs;
        lo = r0 + 1;
      } else hi = r0 - 1;
    }
    if (found && (!best || found[0].epochs > best[0].epochs)) best = found;
    const floor = rungsWith(short, 1, full, seeds);
    if (floor) cheapest = Math.min(cheapest, scheduleCost(space, floor));
  }
  if (best) return { rungs: best, runEpochs: scheduleCost(space, best), exhaustiveRunEpochs };
  throw new ValidationError(
    label,
    budget,
    `a fraction of the exhaustive run-epochs that fits a schedule: at least ${Math.ceil((cheapest / exhaustiveRunEpochs) * 1000) / 1000} for this grid`,
  );
}

/** Mean of a metric over records; null when any is missing or not finite. */
function meanOrNull(
  records: readonly (RunRecord | undefined)[],
  metric: 'recon' | 'fit',
): number | null {
  let sum = 0;
  for (const r of records) {
    const v = r?.metrics[metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    sum += v;
  }
  return records.length ? sum / records.length : null;
}

/**
 * Orders scored candidates best first: within the bound by mean recon, then the others by fit /
 * bound (a candidate with a null metric last); ties keep canonical order.
 */
function rank(scores: readonly RungScore[]): number[] {
  const key = (s: RungScore): [number, number] =>
    s.feasible && s.recon !== null ? [0, s.recon] : s.fit !== null ? [1, s.fit / s.maxFit] : [2, 0];
  return scores
    .map((score, i) => ({ i, k: key(score) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.i - b.i)
    .map(({ i }) => i);
}

/** Where base's runs for the bound are: its records at (N, lr, epochs), one per seed of the grid. */
export type BaseRecords = (
  n: number,
  lr: number,
  epochs: number,
) => readonly (RunRecord | undefined)[];

/**
 * The fit bound of each (N, lr) at each of `epochs` (the rungs' epochs; the last is the full
 * epochs): `maxFit` at the full epochs (as `maxFit` / base's mean fit x base's mean fit), or by default {@link DEFAULT_FIT_MULTIPLE} x base's mean
 * fit over every seed there; at fewer epochs the same multiple of base's mean fit at those epochs.
 * A bound needs a base that trained: when a base mean it needs is missing, not finite or not > 0
 * (a base seed diverged), the tune is refused with a {@link ValidationError} naming that base
 * (docs/tune.md: a diverged base). Pure over the records.
 */
export function fitBounds(
  ns: readonly number[],
  lrs: readonly number[],
  epochs: readonly number[],
  baseRecords: BaseRecords,
  maxFit?: number,
): (n: number, lr: number, epochs: number) => number {
  const full = epochs.at(-1)!;
  const bounds = new Map<string, number>();
  for (const n of ns) {
    for (const lr of lrs) {
      const baseFit = (e: number): number => {
        const records = baseRecords(n, lr, e);
        const fit = meanOrNull(records, 'fit');
        if (fit !== null && fit > 0) return fit;
        const diverged = records.filter((r) => r?.metrics.diverged).length;
        throw new ValidationError(
          `base (N=${n}, lr=${lr}, ${e} epochs)`,
          diverged ? `${diverged} of ${records.length} seeds diverged` : `mean fit ${fit}`,
          'a base that trains: the fit bound is a multiple of its mean fit over the seeds (lower lr, or fewer epochs)',
        );
      };
      const multiple = maxFit !== undefined ? maxFit / baseFit(full) : DEFAULT_FIT_MULTIPLE;
      for (const e of epochs) bounds.set(JSON.stringify([n, lr, e]), multiple * baseFit(e));
    }
  }
  return (n, lr, e) => bounds.get(JSON.stringify([n, lr, e]))!;
}

/**
 * One rung of one cell, pure over the records: each candidate's means over its seeds at `rung`,
 * whether they are within its bound, and which `keep` of them go on (the best by {@link rank}).
 * Scores are in candidate order.
 */
export function scoreRung(
  candidates: readonly Weights[],
  rung: Rung,
  recordsOf: (candidate: Weights) => readonly (RunRecord | undefined)[],
  maxFitOf: (candidate: Weights) => number,
  keep: number,
): RungScore[] {
  const scores = candidates.map((cand): RungScore => {
    const records = recordsOf(cand);
    const recon = meanOrNull(records, 'recon');
    const fit = meanOrNull(records, 'fit');
    const maxFit = maxFitOf(cand);
    return { ...rung, recon, fit, maxFit, feasible: fit !== null && fit <= maxFit, kept: false };
  });
  for (const i of rank(scores).slice(0, keep)) scores[i].kept = true;
  return scores;
}

/**
 * Tunes every (N, mask) of a grid by successive halving: rung 0 trains every candidate briefly,
 * each later rung the best third of the survivors with more training (more epochs on the first
 * seed, then more seeds at the full epochs), the last all seeds at the grid's epochs; see
 * {@link tuneSchedule}. A rung's runs are ordinary runs (fewer epochs train from scratch). `base`
 * is trained at every rung, per N and lr, for the fit bound. Writes `out/tune.json`; rerunning
 * resumes from the runs in `out` and trains nothing twice.
 *
 * @example
 * ```ts
 * import { tune } from 'protomlp/study';
 * const grid = { n: 20, mask: ['cov', 'cov+sep'], lambda: [0.003, 0.01, 0.03, 0.1, 0.3, 1], tau: [1e-3, 1e-2, 0.1], seed: '0..2', epochs: 600 };
 * const result = await tune(grid, { out: 'results/tune', budget: 0.5,
 *   onRung: (r) => console.error(`rung ${r.index + 1}/${r.count}: ${r.runs} runs, ${r.epochs} epochs x ${r.seeds} seeds`) });
 * for (const b of result.json.best) console.log(b.n, b.mask, b.lambda, b.tau, b.recon);
 * ```
 */
export async function tune(grid: Study | StudySpec, options: TuneOptions): Promise<TuneResult> {
  const { withFolderLock } = await import('./lock.js');
  // checked before the lock is taken: bad options make no folder
  const budget = checkTuneOptions(options, options.label ?? ((f) => f));
  return withFolderLock(options.out, options.onNotice, () => tuneLocked(grid, options, budget));
}

/** {@link tune} once the lock of its folder is held; `budget` is the checked options' budget. */
async function tuneLocked(
  grid: Study | StudySpec,
  options: TuneOptions,
  budget: number,
): Promise<TuneResult> {
  const started = performance.now();
  const [{ runStudy }, { readStudySync, writeFileAtomic, RUNS_FILE }] = await Promise.all([
    import('./runner.js'),
    import('./store.js'),
  ]);
  const label = options.label ?? ((f) => f);
  const given = asStudy(grid);
  const space = tuneSpace(given, label);
  const schedule = tuneSchedule(space, budget, options.maxFit !== undefined, label('budget'));
  const { study, ids } = tuneStudy(given.name, space, schedule.rungs);

  const records = new Map<string, RunRecord>();
  // runs the folder held before this call (a resumed tune); a fresh folder's are all reported by rung 0
  const resumed = existsSync(path.join(options.out, RUNS_FILE));
  let trained = 0;
  const train = async (index: number, wanted: Set<string>): Promise<void> => {
    const rung: RungStart = {
      index,
      count: schedule.rungs.length,
      ...schedule.rungs[index],
      runs: wanted.size,
    };
    options.onRung?.(rung);
    const summary = await runStudy(study, {
      out: options.out,
      only: wanted,
      workers: options.workers,
      backend: options.backend,
      retrain: options.retrain,
      signal: options.signal,
      onNotice: options.onNotice,
      onProgress: (p) => {
        if (p.record) records.set(p.record.id, p.record);
        options.onProgress?.(rung, p);
      },
    });
    trained += summary.done;
    // the folder's earlier runs are read once, after the first call has set aside any of other numerics
    if (index === 0 && resumed)
      for (const r of readStudySync(options.out).records) records.set(r.id, r);
  };
  const { cells, asked } = await successiveHalving(
    space,
    schedule.rungs,
    ids,
    train,
    (id) => records.get(id),
    options.maxFit,
  );
  const epochsOf = new Map(study.ids.map((id, i) => [id, study.runs[i].epochs]));
  const runEpochs = [...asked].reduce((a, id) => a + epochsOf.get(id)!, 0);
  const json = tuneJson(cells, space.seeds, runEpochs, schedule.exhaustiveRunEpochs);
  writeFileAtomic(path.join(options.out, TUNE_FILE), `${JSON.stringify(json, null, 2)}\n`);
  return {
    out: options.out,
    study,
    schedule: { ...schedule, runEpochs },
    seeds: space.seeds,
    budget,
    maxFit: options.maxFit,
    cells,
    json,
    trained,
    wallMs: performance.now() - started,
  };
}

/** Checks {@link tune}'s options; returns the budget. */
function checkTuneOptions(options: TuneOptions, label: NonNullable<TuneOptions['label']>): number {
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (typeof budget !== 'number' || !(budget > 0 && budget <= 1))
    throw new ValidationError(label('budget'), budget, 'a number > 0 and <= 1');
  if (
    options.maxFit !== undefined &&
    !(typeof options.maxFit === 'number' && Number.isFinite(options.maxFit) && options.maxFit > 0)
  ) {
    throw new ValidationError(label('maxFit'), options.maxFit, 'a finite number > 0');
  }
  if (typeof options.out !== 'string' || !options.out)
    throw new ValidationError('out', options.out, 'a folder path');
  return budget;
}

/** Run ids of a candidate at a rung: one per seed, the rung's first seeds. */
type RunIds = (n: number, mask: Mask, w: Weights, rung: Rung) => string[];

const baseWeights = (lr: number): Weights => ({ lambda: null, tau: null, tauCov: null, lr });

/** The study of every run a tune may train (the grid, with `base`, at every rung's epochs) and its run ids by candidate and rung. */
function tuneStudy(
  name: string,
  space: Space,
  rungs: readonly Rung[],
): { study: Study; ids: RunIds } {
  const masks = MASKS.filter((m) => m === 'base' || space.grid.mask.includes(m));
  const epochList = [...new Set(rungs.map((r) => r.epochs))];
  const study = resolveStudy({ ...space.grid, mask: masks, epochs: epochList, name } as StudySpec);
  // every run of the tune study by (N, mask, weights, epochs): one id per seed, in seed order
  const runsOf = new Map<string, string[]>();
  study.runs.forEach((r, i) => {
    const key = `${keyOf(r.n, r.mask, weightsOf(r))}@${r.epochs}`;
    (runsOf.get(key) ?? runsOf.set(key, []).get(key)!).push(study.ids[i]);
  });
  return {
    study,
    ids: (n, mask, w, rung) =>
      (runsOf.get(`${keyOf(n, mask, w)}@${rung.epochs}`) ?? []).slice(0, rung.seeds),
  };
}

/**
 * The rungs in turn: rung 0 asks for every base run the bounds need and every cell's candidates
 * that start there; each rung trains (`train`), then scores each training cell's survivors
 * ({@link scoreRung}) and keeps the best for the next rung. Returns the cells, each with its chosen
 * candidate, and every run id asked for.
 */
async function successiveHalving(
  space: Space,
  rungs: readonly Rung[],
  ids: RunIds,
  train: (index: number, wanted: Set<string>) => Promise<void>,
  recordOf: (id: string) => RunRecord | undefined,
  maxFit: number | undefined,
): Promise<{ cells: TuneCell[]; asked: Set<string> }> {
  const last = rungs.length - 1;
  const allSeeds = space.seeds.length;
  const cells = space.cells.map((c) => {
    const candidates: TuneCandidate[] = c.candidates.map((w) => ({
      n: c.n,
      mask: c.mask,
      ...w,
      rungs: [],
    }));
    return { n: c.n, mask: c.mask, candidates, alive: candidates };
  });
  const asked = new Set<string>();
  let bound: ReturnType<typeof fitBounds> | undefined;
  for (const [k, rung] of rungs.entries()) {
    const wanted = new Set<string>();
    // the bound needs base on every seed at each rung's epochs: all of it with rung 0
    if (k === 0)
      for (const r of rungs)
        for (const n of space.grid.n)
          for (const lr of space.lrs)
            ids(n, 'base', baseWeights(lr), { ...r, seeds: allSeeds }).forEach((id) =>
              wanted.add(id),
            );
    const training = cells.filter((c) => trainedAt(c.candidates.length, k, last) > 0);
    for (const c of training)
      for (const cand of c.alive) ids(c.n, c.mask, cand, rung).forEach((id) => wanted.add(id));
    wanted.forEach((id) => asked.add(id));
    await train(k, wanted);
    // base's mean fit over every seed at a rung's epochs: the bound at a rung of fewer seeds
    // compares the candidate's mean over its seeds (an unbiased estimate of its mean over all)
    // with the exact right-hand side, never with base's fit on the same few seeds, whose
    // difficulty varies tenfold from seed to seed
    bound ??= fitBounds(
      space.grid.n,
      space.lrs,
      [...new Set(rungs.map((r) => r.epochs))],
      (n, lr, epochs) => ids(n, 'base', baseWeights(lr), { epochs, seeds: allSeeds }).map(recordOf),
      maxFit,
    );
    for (const c of training) {
      const keep = k === last ? 1 : trainedAt(c.candidates.length, k + 1, last);
      const scores = scoreRung(
        c.alive,
        rung,
        (cand) => ids(c.n, c.mask, cand, rung).map(recordOf),
        (cand) => bound!(c.n, cand.lr, rung.epochs),
        keep,
      );
      c.alive.forEach((cand, i) => cand.rungs.push(scores[i]));
      c.alive = c.alive.filter((cand) => cand.rungs.at(-1)!.kept);
    }
  }
  const full = rungs[last];
  const tuned = cells.map(({ alive, ...cell }): TuneCell => ({
    ...cell,
    best: alive[0],
    feasible: alive[0].rungs.at(-1)!.feasible,
    records: ids(cell.n, cell.mask, alive[0], full).map((id) => recordOf(id)!),
  }));
  return { cells: tuned, asked };
}

/** What tune.json holds for finished cells. */
function tuneJson(
  cells: readonly TuneCell[],
  seeds: number[],
  runEpochs: number,
  exhaustiveRunEpochs: number,
): TuneJson {
  return {
    best: cells.map((c) => {
      const final = c.best.rungs.at(-1)!;
      return {
        n: c.n,
        mask: c.mask,
        lambda: c.best.lambda,
        tau: c.best.tau,
        tauCov: c.best.tauCov,
        lr: c.best.lr,
        recon: final.recon,
        fit: final.fit,
        seeds,
      };
    }),
    runEpochs,
    exhaustiveRunEpochs,
  };
}
