// The run config (SPEC §3): fields, defaults, validation and the canonical form a run id hashes.
// Every entry point (CLI flags, library calls, study files, --init-from records) validates here.

import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
import {
  DATA_ALLOWED,
  checkData,
  dataIdentity,
  dataLabel,
  dataShape,
  type DataSpec,
} from './data-spec.js';

/**
 * The eight masks of SPEC §2, in canonical order.
 *
 * @example
 * ```ts
 * const records = await trainRuns(MASKS.map((mask) => resolveConfig({ n: 10, mask })));
 * ```
 */
export const MASKS = [
  'base',
  'cov',
  'sep',
  'ovl',
  'cov+sep',
  'cov+ovl',
  'sep+ovl',
  'cov+sep+ovl',
] as const;
/**
 * A set of active structural losses (`base` is the fit term alone).
 *
 * @example
 * ```ts
 * const mask: Mask = 'cov+sep';
 * ```
 */
export type Mask = (typeof MASKS)[number];
/**
 * Target functions: `sine` is y = sin(pi * sum_k x_k); `random` is i.i.d. uniform on [-1, 1].
 *
 * @example
 * ```ts
 * TARGETS.includes('sine'); // true
 * ```
 */
export const TARGETS = ['sine', 'random'] as const;
/**
 * The target of a synthetic dataset, one of {@link TARGETS}.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ target: 'random' satisfies Target });
 * ```
 */
export type Target = (typeof TARGETS)[number];
/**
 * Initial parameter schemes of SPEC §3: `centers` puts each neuron on a training point, `torch`
 * is PyTorch's default initialization.
 *
 * @example
 * ```ts
 * INITS; // ['centers', 'torch']
 * ```
 */
export const INITS = ['centers', 'torch'] as const;
/**
 * An initial parameter scheme, one of {@link INITS}.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ init: 'torch' satisfies Init });
 * ```
 */
export type Init = (typeof INITS)[number];

/**
 * Unit geometries of SPEC §1b: `ridge` (the paper's neuron, phi(w_j . x + b_j)) and `radial`
 * (phi(s_j |x - p_j|), whose prototype is its centre p_j).
 *
 * @example
 * ```ts
 * UNITS; // ['ridge', 'radial']
 * ```
 */
export const UNITS = ['ridge', 'radial'] as const;
/**
 * A unit geometry, one of {@link UNITS}.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ unit: 'radial' satisfies Unit, dim: 2 });
 * ```
 */
export type Unit = (typeof UNITS)[number];
/**
 * Activations of SPEC §1b: `gaussian` exp(-z^2) (the paper's), `cauchy` 1 / (1 + z^2), `laplace`
 * exp(-|z|).
 *
 * @example
 * ```ts
 * ACTIVATIONS; // ['gaussian', 'cauchy', 'laplace']
 * ```
 */
export const ACTIVATIONS = ['gaussian', 'cauchy', 'laplace'] as const;
/**
 * An activation, one of {@link ACTIVATIONS}.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ activation: 'cauchy' satisfies Activation });
 * ```
 */
export type Activation = (typeof ACTIVATIONS)[number];

/** Adam constants (PyTorch defaults, SPEC §3); not part of a run's config. */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
/** The eps of the prototype formula p_j = -b_j w_j / (|w_j|^2 + eps). */
export const PROTOTYPE_EPS = 1e-12;

/**
 * Upper bounds the facade lets through (the native side is tested up to these).
 *
 * @example
 * ```ts
 * resolveConfig({ n: LIMITS.maxN + 1 }); // throws a ValidationError naming `n`
 * ```
 */
export const LIMITS = {
  maxN: 10000,
  maxHidden: 10000,
  maxDim: 64,
  maxEpochs: 10_000_000,
  maxSeed: 2 ** 32 - 1,
} as const;

/**
 * One training run: everything that determines its result (SPEC §3). {@link resolveConfig}
 * makes one from a partial config.
 *
 * @example
 * ```ts
 * const config: RunConfig = resolveConfig({ n: 20, mask: 'cov', seed: 3 });
 * ```
 */
export interface RunConfig {
  /** where x and y come from: a named dataset (default `uniform`) or a data file (src/data-spec.ts) */
  data: DataSpec;
  /** number of training samples N (>= 2); a data file or `iris` fixes it */
  n: number;
  /** hidden width H (>= 2); the paper uses H = N */
  hidden: number;
  /** input dimension d (>= 1); a data file, `iris` and `moons` fix it */
  dim: number;
  /** y of synthetic datasets; unused (always `sine`) when y comes from the data */
  target: Target;
  init: Init;
  /** the neuron's geometry (SPEC §1b): `ridge` (default, the paper's) or `radial` */
  unit: Unit;
  /** the neuron's activation phi (SPEC §1b): `gaussian` (default, the paper's), `cauchy`, `laplace` */
  activation: Activation;
  mask: Mask;
  /** weight of the structural losses */
  lambda: number;
  /** separation temperature */
  tau: number;
  /** coverage softmin temperature; 0 is the plain min */
  tauCov: number;
  /** Adam learning rate */
  lr: number;
  epochs: number;
  /** fixes the synthetic data and the initial parameters (only the latter for real data) */
  seed: number;
}

/** The key order of a config in records and in the canonical form hashed into a run id. */
export const CONFIG_KEYS: readonly (keyof RunConfig)[] = [
  'data',
  'n',
  'hidden',
  'dim',
  'target',
  'init',
  'unit',
  'activation',
  'mask',
  'lambda',
  'tau',
  'tauCov',
  'lr',
  'epochs',
  'seed',
];

/**
 * SPEC §3 defaults; `hidden` defaults to `n`.
 *
 * @example
 * ```ts
 * resolveConfig({}).epochs === DEFAULTS.epochs; // true: 2000
 * ```
 */
export const DEFAULTS: Omit<RunConfig, 'hidden'> = {
  data: 'uniform',
  n: 10,
  dim: 1,
  target: 'sine',
  init: 'centers',
  unit: 'ridge',
  activation: 'gaussian',
  mask: 'base',
  lambda: 0.1,
  tau: 0.001,
  tauCov: 0,
  lr: 0.01,
  epochs: 2000,
  seed: 0,
};

/** What is allowed, per field, in words: the third part of every validation message. */
export const ALLOWED: Record<keyof RunConfig, string> = {
  data: DATA_ALLOWED,
  n: `an integer from 2 to ${LIMITS.maxN}`,
  hidden: `an integer from 2 to ${LIMITS.maxHidden}`,
  dim: `an integer from 1 to ${LIMITS.maxDim}`,
  target: `one of ${TARGETS.join(', ')}`,
  init: `one of ${INITS.join(', ')}`,
  unit: `one of ${UNITS.join(', ')}`,
  activation: `one of ${ACTIVATIONS.join(', ')}`,
  mask: `one of ${MASKS.join(', ')}`,
  lambda: 'a finite number >= 0',
  tau: 'a finite number > 0',
  tauCov: 'a finite number >= 0',
  lr: 'a finite number > 0',
  epochs: `an integer from 1 to ${LIMITS.maxEpochs}`,
  seed: `an integer from 0 to ${LIMITS.maxSeed}`,
};

/**
 * Canonical mask name for a set of terms given in any order (`sep+cov` -> `cov+sep`), or
 * undefined when the text is not a mask.
 *
 * @example
 * ```ts
 * canonicalMask('sep+cov'); // 'cov+sep'
 * canonicalMask('fit'); // undefined
 * ```
 */
export function canonicalMask(text: string): Mask | undefined {
  if ((MASKS as readonly string[]).includes(text)) return text as Mask;
  const parts = text.split('+').map((p) => p.trim());
  const order = ['cov', 'sep', 'ovl'];
  if (parts.some((p) => !order.includes(p)) || new Set(parts).size !== parts.length)
    return undefined;
  const name = order.filter((t) => parts.includes(t)).join('+');
  return (MASKS as readonly string[]).includes(name) ? (name as Mask) : undefined;
}

/** Which structural terms a mask switches on. */
export function maskTerms(mask: Mask): { cov: boolean; sep: boolean; ovl: boolean } {
  const parts = mask.split('+');
  return { cov: parts.includes('cov'), sep: parts.includes('sep'), ovl: parts.includes('ovl') };
}

// Hand-written rather than zod: each field is a range, set or finiteness test, and importing zod
// costs about 40 ms, as much as Node's own start, on every command (`protomlp run --n 1` must
// refuse within 2x `node -e 0`; bench/cli-start.ts). Each check returns the canonical value, or
// undefined when the value is not allowed.
type FieldCheck<T> = (value: unknown) => T | undefined;
const int =
  (min: number, max: number): FieldCheck<number> =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
const finite =
  (allowed: (v: number) => boolean): FieldCheck<number> =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && allowed(v) ? v : undefined;
const oneOf =
  <T extends string>(values: readonly T[]): FieldCheck<T> =>
  (v) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined;

const fieldChecks: { [K in keyof RunConfig]: FieldCheck<RunConfig[K]> } = {
  data: checkData,
  n: int(2, LIMITS.maxN),
  hidden: int(2, LIMITS.maxHidden),
  dim: int(1, LIMITS.maxDim),
  target: oneOf(TARGETS),
  init: oneOf(INITS),
  unit: oneOf(UNITS),
  activation: oneOf(ACTIVATIONS),
  mask: (v) => (typeof v === 'string' ? canonicalMask(v) : undefined),
  lambda: finite((v) => v >= 0),
  tau: finite((v) => v > 0),
  tauCov: finite((v) => v >= 0),
  lr: finite((v) => v > 0),
  epochs: int(1, LIMITS.maxEpochs),
  seed: int(0, LIMITS.maxSeed),
};

/**
 * Validates one config field and returns its canonical value; throws {@link ValidationError}
 * naming `label` (default: the field name) otherwise.
 */
export function validateField<K extends keyof RunConfig>(
  key: K,
  value: unknown,
  label: string = key,
): RunConfig[K] {
  const checked = fieldChecks[key](value);
  if (checked === undefined) throw new ValidationError(label, value, ALLOWED[key]);
  return checked;
}

/**
 * Fills defaults and validates a partial config, returning a complete {@link RunConfig} in
 * canonical key order. Unknown keys are refused (a typo should not silently become a default).
 *
 * @param fieldLabel maps a field to the name used in messages (the CLI passes `--flag` names).
 * @example
 * ```ts
 * const config = resolveConfig({ n: 20, mask: 'cov+sep' });
 * // config.hidden === 20, config.epochs === 2000
 * ```
 */
export function resolveConfig(
  partial: Partial<Record<keyof RunConfig, unknown>>,
  fieldLabel: (key: keyof RunConfig) => string = (k) => k,
  where = '',
): RunConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new ValidationError(where || 'config', partial, 'an object of run fields');
  }
  for (const key of Object.keys(partial)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(
        `${where}${key}`,
        (partial as Record<string, unknown>)[key],
        `no such field (run fields: ${CONFIG_KEYS.join(', ')})`,
      );
    }
  }
  const out: Partial<RunConfig> = {};
  for (const key of CONFIG_KEYS) {
    let value = partial[key];
    if (value === undefined)
      value = key === 'hidden' ? out.n : DEFAULTS[key as Exclude<keyof RunConfig, 'hidden'>];
    const fixed = out.data === undefined ? undefined : fixedByData(out.data, key);
    if (fixed !== undefined) {
      if (partial[key] !== undefined && partial[key] !== fixed.value)
        throw new ValidationError(`${where}${fieldLabel(key)}`, partial[key], fixed.allowed);
      value = fixed.value;
    }
    (out as Record<string, unknown>)[key] = validateField(key, value, `${where}${fieldLabel(key)}`);
  }
  return out as RunConfig;
}

/**
 * The value a run's data imposes on a field (N and d of a data file or iris, d of moons; `target`,
 * meaningless when y comes from the data, stays the default), with what a config may say instead.
 */
export function fixedByData(
  data: DataSpec,
  key: keyof RunConfig,
): { value: number | string; allowed: string } | undefined {
  const shape = dataShape(data);
  const label = dataLabel(data);
  if (key === 'n' && shape.n !== undefined)
    return { value: shape.n, allowed: `${shape.n} or nothing (${label} has ${shape.n} rows)` };
  if (key === 'dim' && shape.dim !== undefined)
    return {
      value: shape.dim,
      allowed: `${shape.dim} or nothing (${label} has ${shape.dim} input columns)`,
    };
  if (key === 'target' && shape.yFromData)
    return { value: DEFAULTS.target, allowed: `nothing (y comes from ${label})` };
  return undefined;
}

/** The config with its keys in canonical order (records and run ids use this form). */
export function canonicalConfig(config: RunConfig): RunConfig {
  const out: Partial<RunConfig> = {};
  for (const key of CONFIG_KEYS) (out as Record<string, unknown>)[key] = config[key];
  return out as RunConfig;
}

/**
 * The relative work of a run: epochs x H x (N + H) x d, the per-epoch cost O(N H d + H^2 d) of
 * SPEC §2 times its epochs. Schedulers start the largest runs first so no core idles at the end.
 */
export function runCost(config: Pick<RunConfig, 'n' | 'hidden' | 'dim' | 'epochs'>): number {
  return config.epochs * config.hidden * (config.n + config.hidden) * config.dim;
}

/** The fields a run may ignore, each with the mask term without which it means nothing. */
const IGNORABLE = { lambda: ['cov', 'sep', 'ovl'], tau: ['sep'], tauCov: ['cov'] } as const;
/** A run field that some runs ignore: lambda (for `base`), tau (without `sep`), tauCov (without `cov`). */
export type IgnorableField = keyof typeof IGNORABLE;
export const IGNORABLE_FIELDS = Object.keys(IGNORABLE) as IgnorableField[];

/**
 * Whether a run uses a field: every field counts except lambda for `base`, tau without `sep` and
 * tauCov without `cov` (SPEC §5). Training does not read an ignored field, so two configs that
 * differ only there train the same parameters bit for bit.
 */
export function usesField(config: Pick<RunConfig, 'mask'>, key: keyof RunConfig): boolean {
  if (!(key in IGNORABLE)) return true;
  const terms = maskTerms(config.mask);
  return IGNORABLE[key as IgnorableField].some((t) => terms[t]);
}

/**
 * The config that identifies a run: canonical key order, and every field the run ignores set to
 * its SPEC default (`base` at any lambda is `base` at lambda 0.1). Records store this form, so
 * equal runs have equal records; the report counts such a run under every value of the field.
 * This is the one place that says what a run's identity is.
 */
export function identityConfig(config: RunConfig): RunConfig {
  const out = canonicalConfig(config);
  for (const key of IGNORABLE_FIELDS) if (!usesField(config, key)) out[key] = DEFAULTS[key];
  return out;
}

/**
 * What a config's hash covers: the canonical config, with its data as {@link dataIdentity} (a
 * file's content hash, columns and scale, not its path) and without `data` when it is the default
 * `uniform`, `unit` when `ridge` and `activation` when `gaussian` (so the ids of runs made before
 * those fields existed do not change).
 */
export function runIdInput(config: RunConfig): Record<string, unknown> {
  const { data, unit, activation, ...rest } = canonicalConfig(config);
  const out: Record<string, unknown> = data === DEFAULTS.data ? {} : { data: dataIdentity(data) };
  for (const [key, value] of Object.entries(rest)) {
    out[key] = value;
    if (key === 'init') {
      if (unit !== DEFAULTS.unit) out.unit = unit;
      if (activation !== DEFAULTS.activation) out.activation = activation;
    }
  }
  return out;
}

/** First 16 hex digits of SHA-256 over the JSON of a config's {@link runIdInput}. */
export function hashConfig(config: RunConfig): string {
  return createHash('sha256')
    .update(JSON.stringify(runIdInput(config)))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A run's id: {@link hashConfig} of its {@link identityConfig}. Equal runs give equal ids on
 * every machine, so a grid trains each distinct run once, stores skip finished runs and merges
 * drop duplicates. Runs whose ignored fields are at their defaults keep the id protomlp 0.1.0
 * gave them.
 *
 * @example
 * ```ts
 * runId(resolveConfig({ mask: 'base', lambda: 1 })) === runId(resolveConfig({ mask: 'base' })); // true
 * ```
 */
export function runId(config: RunConfig): string {
  return hashConfig(identityConfig(config));
}
