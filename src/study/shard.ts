// Shards: shard i of n takes runs i, i+n, i+2n, ... of a study's canonical order, so n processes
// (a SLURM array, several machines) split a study without talking to each other.

import { ValidationError } from '../errors.js';

/**
 * Shard `index` of `count` (0 <= index < count): runs index, index + count, ... of a study.
 *
 * @example
 * ```ts
 * const shard: Shard = { index: 0, count: 4 };
 * await runStudy('paper', { out: 'results/paper-0', shard });
 * ```
 */
export interface Shard {
  index: number;
  count: number;
}

const SHARD_ALLOWED = 'i/n with integers 0 <= i < n (e.g. 0/4)';

/**
 * Parses `i/n` (as the CLI's `--shard` takes it); messages name it `label`.
 *
 * @example
 * ```ts
 * parseShard('1/3'); // { index: 1, count: 3 }
 * ```
 */
export function parseShard(text: string, label = 'shard'): Shard {
  const m = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (!m) throw new ValidationError(label, text, SHARD_ALLOWED);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  if (shard.count < 1 || shard.index >= shard.count)
    throw new ValidationError(label, text, SHARD_ALLOWED);
  return shard;
}

/**
 * The shard a SLURM array task should take: `(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) /
 * SLURM_ARRAY_TASK_STEP` of `SLURM_ARRAY_TASK_COUNT` (MIN defaults to 0, STEP to 1). Undefined
 * outside an array job (no `SLURM_ARRAY_TASK_ID` or no `SLURM_ARRAY_TASK_COUNT`).
 *
 * @example
 * ```ts
 * shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' });
 * // { index: 4, count: 8 }
 * ```
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  const { SLURM_ARRAY_TASK_ID: id, SLURM_ARRAY_TASK_COUNT: count } = env;
  if (id === undefined || count === undefined) return undefined;
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    if (!/^\s*\d{1,9}\s*$/.test(text) || Number(text) < min) {
      throw new ValidationError(name, text, `an integer >= ${min} (set by SLURM for an array job)`);
    }
    return Number(text);
  };
  const taskId = int('SLURM_ARRAY_TASK_ID', id, 0, 0);
  const n = int('SLURM_ARRAY_TASK_COUNT', count, 1, 1);
  const min = int('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN, 0, 0);
  const step = int('SLURM_ARRAY_TASK_STEP', env.SLURM_ARRAY_TASK_STEP, 1, 1);
  const index = (taskId - min) / step;
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new ValidationError(
      'SLURM_ARRAY_TASK_ID',
      id,
      `MIN + k * STEP with 0 <= k < COUNT (MIN ${min}, STEP ${step}, COUNT ${n}); give \`shard\` i/n to override`,
    );
  }
  return { index, count: n };
}

/** The positions (in canonical order) of the runs that belong to `shard` (all runs without one). */
export function shardPositions(total: number, shard?: Shard): number[] {
  const out: number[] = [];
  const [start, step] = shard ? [shard.index, shard.count] : [0, 1];
  for (let i = start; i < total; i += step) out.push(i);
  return out;
}
