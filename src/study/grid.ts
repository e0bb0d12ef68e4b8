// A study is a grid: every run field (SPEC §3) takes a list of values and the lists are crossed.
// This module resolves a grid (presets, study files, flags) into its runs in canonical order and
// the study's id; it does no I/O and trains nothing.

import { createHash } from 'node:crypto';
import {
  ALLOWED,
  CONFIG_KEYS,
  DEFAULTS,
  fixedByData,
  hashConfig,
  identityConfig,
  ACTIVATIONS,
  INITS,
  MASKS,
  TARGETS,
  UNITS,
  validateField,
  type RunConfig,
} from '../config.js';
import { compareData, dataKey, type DataSpec } from '../data-spec.js';
import { ValidationError } from '../errors.js';

/**
 * The names of the built-in studies of SPEC §5.
 *
 * @example
 * ```ts
 * for (const name of PRESET_NAMES) console.log(name, resolveStudy(name).runs.length);
 * ```
 */
export const PRESET_NAMES = [
  'paper',
  'tau-sweep',
  'positions',
  'lambda-sweep',
  'dims',
  'iris',
  'architectures',
  'widths',
] as const;
/**
 * A built-in study, one of {@link PRESET_NAMES}.
 *
 * @example
 * ```ts
 * const preset: PresetName = 'paper';
 * const summary = await runStudy(preset, { out: 'results/paper' });
 * ```
 */
export type PresetName = (typeof PRESET_NAMES)[number];

/** Fields of a grid other than `hidden`, which is tied to `n` unless given. */
type FreeKey = Exclude<keyof RunConfig, 'hidden'>;

/**
 * A resolved grid: each run field's values, distinct and in canonical order (numbers ascending,
 * masks/targets/inits/units/activations in the order of their lists in config.ts). `hidden` is absent when every run
 * has H = N.
 *
 * @example
 * ```ts
 * const grid: StudyGrid = resolveStudy({ n: [20, 10], mask: ['cov', 'base'] }).grid;
 * grid.n; // [10, 20]
 * grid.mask; // ['base', 'cov']
 * ```
 */
export type StudyGrid = { [K in FreeKey]: RunConfig[K][] } & {
  hidden?: number[];
  /** H as a multiple of N at every N (H = ratio * N), in place of `hidden` */
  widthRatio?: number[];
};

/**
 * What a study is made from, as written in a study file (JSON or YAML) or built in code. Every
 * field is optional: a run field takes one value or a list (`seed` also a range text `"0..9"`);
 * missing fields come from `preset`, else from the SPEC §3 defaults (seed 0, H = N).
 *
 * @example
 * ```ts
 * const spec: StudySpec = { name: 'small', n: [10, 20], mask: ['base', 'cov'], seed: '0..4', epochs: 500 };
 * const study = resolveStudy(spec); // 2 x 2 x 5 = 20 runs
 * ```
 */
export type StudySpec = {
  /** a label for the study (default: the preset's name, else `grid`) */
  name?: string;
  /** start from a built-in study and override some of its fields */
  preset?: PresetName;
  /** hidden widths as multiples of N (`[0.5, 1, 2, 4]`: H = N/2, N, 2N, 4N at every N); not with `hidden` */
  widthRatio?: number | readonly number[];
} & {
  [K in keyof RunConfig]?:
    RunConfig[K] | readonly RunConfig[K][] | (K extends 'seed' ? string : never);
};

/**
 * A study resolved into its runs ({@link resolveStudy}).
 *
 * @example
 * ```ts
 * const study: Study = resolveStudy('positions');
 * study.runs.length; // 80
 * study.studyId; // 16 hex digits: equal runs, equal id
 * ```
 */
export interface Study {
  name: string;
  grid: StudyGrid;
  /**
   * every distinct run, in canonical order (shards and stores rely on this order), each as its
   * {@link identityConfig}: grid points that differ only in fields a run ignores are one run
   */
  runs: readonly RunConfig[];
  /** grid points (the product of the value lists); more than `runs` when some differ only in ignored fields */
  points: number;
  /** `ids[i]` is `runId(runs[i])` */
  ids: readonly string[];
  /** first 16 hex digits of SHA-256 over the run ids in canonical order: equal runs, equal id */
  studyId: string;
}

/** Upper bound on a study's size (a typo like `--seeds 1000000` should not start a year of work). */
export const MAX_STUDY_RUNS = 1_000_000;

const seeds = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

/**
 * The built-in studies of SPEC §5. `positions` is N = 100, every mask, seeds 0..9 (80 runs, the
 * same runs as the N = 100 slice of `paper`, so a finished `paper` folder already holds them).
 * `lambda-sweep` lists 7 x 3 x 8 x 10 = 1680 grid points but holds 1500 runs: `base` ignores
 * lambda, so it is trained once per N and seed and counted under every lambda.
 * Beyond the paper: `dims` is d in {1, 2, 3, 5} x N in {10, 20, 50, 100} x every mask x seeds
 * 0..9 (1280 runs; its d = 1 runs are `paper`'s), `iris` the iris dataset (N = 150, d = 4) x every
 * mask x seeds 0..9 (80 runs), `architectures` every unit x activation x d in {1, 2, 3} x N in
 * {10, 20, 50, 100} x every mask x seeds 0..9 (5760 runs; SPEC §1b), `widths` H/N in
 * {0.5, 1, 2, 4} x N in {10, 20, 50, 100} x every mask x seeds 0..9 (1280 runs, d = 1).
 *
 * @example
 * ```ts
 * const spec: StudySpec = { ...PRESETS.paper, epochs: 500 }; // the paper's grid, shorter runs
 * const study = resolveStudy(spec);
 * ```
 */
export const PRESETS: Readonly<Record<PresetName, StudySpec>> = {
  paper: { name: 'paper', n: [3, 5, 10, 20, 50, 100], mask: MASKS, seed: seeds(10) },
  'tau-sweep': {
    name: 'tau-sweep',
    n: [20, 100],
    mask: ['sep', 'cov+sep'],
    tau: [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1],
    seed: seeds(10),
  },
  positions: { name: 'positions', n: [100], mask: MASKS, seed: seeds(10) },
  'lambda-sweep': {
    name: 'lambda-sweep',
    n: [10, 50, 100],
    mask: MASKS,
    lambda: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
    seed: seeds(10),
  },
  dims: { name: 'dims', dim: [1, 2, 3, 5], n: [10, 20, 50, 100], mask: MASKS, seed: seeds(10) },
  iris: { name: 'iris', data: ['iris'], mask: MASKS, seed: seeds(10) },
  architectures: {
    name: 'architectures',
    unit: UNITS,
    activation: ACTIVATIONS,
    dim: [1, 2, 3],
    n: [10, 20, 50, 100],
    mask: MASKS,
    seed: seeds(10),
  },
  widths: {
    name: 'widths',
    widthRatio: [0.5, 1, 2, 4],
    n: [10, 20, 50, 100],
    mask: MASKS,
    seed: seeds(10),
  },
};

const SPEC_KEYS = ['name', 'preset', 'widthRatio', ...CONFIG_KEYS] as const;

const RATIO_ALLOWED = 'a finite number > 0 (H = ratio * N)';

/** The `widthRatio` axis of a spec: ratios ascending, distinct; undefined when not given. */
function resolveRatios(raw: unknown, where: string): number[] | undefined {
  if (raw === undefined) return undefined;
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0)
    throw new ValidationError(`${where}widthRatio`, raw, `a non-empty list, each ${RATIO_ALLOWED}`);
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new ValidationError(`${where}widthRatio[${i}]`, v, RATIO_ALLOWED);
  });
  return [...new Set(list as number[])].sort((a, b) => a - b);
}

/** H = ratio * N, validated as a hidden width (an integer from 2 to the limit). */
function widthOf(ratio: number, n: number): number {
  return validateField('hidden', ratio * n, `hidden (widthRatio ${ratio} at n = ${n})`);
}

/** The declared order of each text-valued run field (its axis is sorted by it). */
const ENUM_ORDER: Partial<Record<keyof RunConfig, readonly string[]>> = {
  mask: MASKS,
  target: TARGETS,
  init: INITS,
  unit: UNITS,
  activation: ACTIVATIONS,
};

/** Orders one axis canonically: enums by their declared order, numbers ascending; drops repeats. */
function canonicalAxis(key: keyof RunConfig, values: unknown[]): unknown[] {
  if (key === 'data') {
    const distinct = new Map((values as DataSpec[]).map((v) => [dataKey(v), v]));
    return [...distinct.values()].sort(compareData);
  }
  const order: readonly string[] | undefined = ENUM_ORDER[key];
  const distinct = [...new Set(values)];
  if (order)
    return distinct.sort((a, b) => order.indexOf(a as string) - order.indexOf(b as string));
  return distinct.sort((a, b) => (a as number) - (b as number));
}

/** Parses a seed range text `a..b` (inclusive); undefined when the text is not one. */
export function parseSeedRange(text: string): number[] | undefined {
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (b < a || b - a >= MAX_STUDY_RUNS) return undefined;
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** Validates one axis (a value or a non-empty list) and returns its canonical values. */
function resolveAxis(key: keyof RunConfig, raw: unknown, where: string): unknown[] {
  const label = `${where}${key}`;
  if (key === 'seed' && typeof raw === 'string') {
    const range = parseSeedRange(raw);
    if (!range)
      throw new ValidationError(label, raw, 'a seed, a list of seeds or a range like "0..9"');
    raw = range;
  }
  if (!Array.isArray(raw)) return [validateField(key, raw, label)];
  if (raw.length === 0)
    throw new ValidationError(
      label,
      raw,
      `a value or a non-empty list of values, each ${ALLOWED[key]}`,
    );
  return canonicalAxis(
    key,
    raw.map((v, i) => validateField(key, v, `${label}[${i}]`)),
  );
}

/**
 * Resolves a study: a preset name, or a {@link StudySpec} (a parsed study file, or built in code).
 * Every field is validated with the one message format; `where` prefixes field names in messages
 * (the CLI passes `"<file>: "`).
 *
 * @example
 * ```ts
 * const paper = resolveStudy('paper');            // 480 runs
 * const quick = resolveStudy({ preset: 'paper', epochs: 50, seed: '0..2' });
 * const mine = resolveStudy({ name: 'lambda', n: [10, 20], mask: ['cov', 'cov+sep'], lambda: [0.01, 0.1, 1] });
 * quick.runs.length; // 144
 * ```
 */
export function resolveStudy(spec: StudySpec | PresetName, where = ''): Study {
  if (typeof spec === 'string') {
    if (!(PRESET_NAMES as readonly string[]).includes(spec)) {
      throw new ValidationError(`${where}preset`, spec, `one of ${PRESET_NAMES.join(', ')}`);
    }
    spec = PRESETS[spec];
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ValidationError(
      where ? where.replace(/: $/, '') : 'study',
      spec,
      'an object of study fields (name, preset and run fields)',
    );
  }
  const fields = spec as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(SPEC_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(
        `${where}${key}`,
        fields[key],
        `a study field: ${SPEC_KEYS.join(', ')}`,
      );
    }
  }
  let base: StudySpec = {};
  if (fields.preset !== undefined) {
    if (
      typeof fields.preset !== 'string' ||
      !(PRESET_NAMES as readonly string[]).includes(fields.preset)
    ) {
      throw new ValidationError(
        `${where}preset`,
        fields.preset,
        `one of ${PRESET_NAMES.join(', ')}`,
      );
    }
    base = PRESETS[fields.preset as PresetName];
  }
  if (
    fields.name !== undefined &&
    (typeof fields.name !== 'string' || !/^[\w.+-]{1,64}$/.test(fields.name))
  ) {
    throw new ValidationError(
      `${where}name`,
      fields.name,
      'a name of 1 to 64 letters, digits, or . _ + -',
    );
  }
  const name = (fields.name as string | undefined) ?? base.name ?? 'grid';

  const grid: Partial<Record<keyof RunConfig | 'widthRatio', unknown[]>> = {};
  const ratios = resolveRatios(fields.widthRatio ?? base.widthRatio, where);
  if (ratios && (fields.hidden ?? base.hidden) !== undefined)
    throw new ValidationError(`${where}widthRatio`, ratios, 'nothing when `hidden` is given');
  if (ratios) grid.widthRatio = ratios;
  for (const key of CONFIG_KEYS) {
    const own = fields[key];
    const raw = own !== undefined ? own : (base as Record<string, unknown>)[key];
    if (raw !== undefined) grid[key] = resolveAxis(key, raw, where);
    else if (key !== 'hidden') grid[key] = [DEFAULTS[key as FreeKey]];
  }
  const count = CONFIG_KEYS.reduce((k, key) => k * (grid[key]?.length ?? 1), ratios?.length ?? 1);
  if (count > MAX_STUDY_RUNS) {
    throw new ValidationError(`${where}grid`, `${count} runs`, `at most ${MAX_STUDY_RUNS} runs`);
  }
  return studyFromGrid(name, grid as StudyGrid);
}

/** A study given as a resolved value, a spec or a preset name: resolved once. */
export function asStudy(study: Study | StudySpec | PresetName): Study {
  return typeof study === 'object' && 'studyId' in study
    ? (study as Study)
    : resolveStudy(study as StudySpec | PresetName);
}

/**
 * Every point of a resolved grid, in canonical order (CONFIG_KEYS order, the last key varying
 * fastest), with the values as listed: points that differ only in ignored fields are all here.
 * The `n`, `dim` and `target` axes apply to the datasets that do not fix them: a data file's or
 * iris's points take N, d from the data (and `target` means nothing to them), so they repeat.
 */
export function gridPoints(grid: StudyGrid): RunConfig[] {
  const points: RunConfig[] = [];
  const partial: Partial<RunConfig> = {};
  let ratio: number | undefined;
  // a width ratio takes hidden's place in the canonical order
  const axes = CONFIG_KEYS.filter((k) => k !== 'hidden' || grid.hidden !== undefined).flatMap(
    (k): (keyof RunConfig | 'widthRatio')[] =>
      k === 'n' && grid.widthRatio !== undefined ? ['n', 'widthRatio'] : [k],
  );
  const visit = (depth: number): void => {
    if (depth === axes.length) {
      const run = {} as Record<string, unknown>;
      for (const key of CONFIG_KEYS) {
        const fixed = fixedByData(partial.data as DataSpec, key);
        run[key] = fixed
          ? fixed.value
          : key === 'hidden' && grid.hidden === undefined
            ? ratio === undefined
              ? run.n
              : widthOf(ratio, run.n as number)
            : partial[key];
      }
      points.push(run as unknown as RunConfig);
      return;
    }
    const key = axes[depth];
    for (const value of grid[key] as unknown[]) {
      if (key === 'widthRatio') ratio = value as number;
      else (partial as Record<string, unknown>)[key] = value;
      visit(depth + 1);
    }
  };
  visit(0);
  return points;
}

/** The id of a list of run ids: first 16 hex digits of SHA-256 over them, one a line. */
export function idOfRuns(ids: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of ids) hash.update(id).update('\n');
  return hash.digest('hex').slice(0, 16);
}

/** A resolved grid as a study: its distinct runs (the first point of each id) in canonical order. */
function studyFromGrid(name: string, grid: StudyGrid): Study {
  const runs: RunConfig[] = [];
  const ids: string[] = [];
  const seen = new Set<string>();
  const points = gridPoints(grid);
  for (const point of points) {
    const run = identityConfig(point);
    const id = hashConfig(run);
    if (seen.has(id)) continue;
    seen.add(id);
    runs.push(run);
    ids.push(id);
  }
  return { name, grid, runs, points: points.length, ids, studyId: idOfRuns(ids) };
}
