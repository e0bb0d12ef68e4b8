// Joins study folders (the shards of one study) into one: same study required, duplicate run ids
// dropped, records written in canonical order. The inputs are only read.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { uniqueRecords } from '../record.js';
import { withFolderLock } from './lock.js';
import { copyTraces } from '../trace/npy.js';
import { ValidationError } from '../errors.js';
import { describeNumerics } from '../numerics.js';
import type { Study } from './grid.js';
import {
  readStudyFile,
  readStudySync,
  RUNS_FILE,
  writeFileAtomic,
  writeStudyFile,
  type Notice,
} from './store.js';

/**
 * What {@link mergeStudies} wrote.
 *
 * @example
 * ```ts
 * const { records, duplicates, missing }: MergeSummary = await mergeStudies(['results/paper-0', 'results/paper-1'], 'results/paper');
 * ```
 */
export interface MergeSummary {
  out: string;
  study: Study;
  /** records written (distinct ids) */
  records: number;
  /** lines dropped because their id was already taken from an earlier input */
  duplicates: number;
  /** runs of the study that no input had (resume them with `protomlp sweep ... --out <out>`) */
  missing: number;
  /** whole traces copied into `out/traces` (a run's first whole trace among the inputs) */
  traces: number;
}

/**
 * Merges study folders into `out`: every input (and `out`, if it already holds records) must hold
 * the same study, made with the same numerics; each run id is kept once (the first input that has it wins); `out` gets a
 * study.json and a runs.jsonl in canonical order, each written whole (temporary file + rename).
 * `out` may be one of the inputs.
 *
 * @example
 * ```ts
 * const merged = await mergeStudies(['out/shard-0', 'out/shard-1', 'out/shard-2'], 'out/all');
 * console.log(merged.records, 'records,', merged.duplicates, 'duplicates dropped,', merged.missing, 'missing');
 * ```
 */
export async function mergeStudies(
  dirs: readonly string[],
  out: string,
  onNotice: Notice = () => {},
): Promise<MergeSummary> {
  if (dirs.length === 0)
    throw new ValidationError('DIR', dirs, 'at least one study folder to merge');
  return withFolderLock(out, onNotice, () => mergeLocked(dirs, out, onNotice));
}

/** {@link mergeStudies} once the lock of `out` is held. */
function mergeLocked(dirs: readonly string[], out: string, onNotice: Notice): MergeSummary {
  const inputs = [...dirs];
  if (!dirs.some((d) => path.resolve(d) === path.resolve(out)) && readStudyFile(out))
    inputs.push(out);
  const contents = inputs.map((dir) => readStudySync(dir));
  const first = contents[0];
  for (const c of contents.slice(1)) {
    if (c.study.studyId !== first.study.studyId) {
      throw new ValidationError(
        c.dir,
        `study "${c.study.name}" (${c.study.runs.length} runs, id ${c.study.studyId})`,
        `the study of ${first.dir}, "${first.study.name}" (${first.study.runs.length} runs, id ${first.study.studyId}): only shards of one study merge`,
      );
    }
  }
  const made = contents.find((c) => c.numerics !== undefined);
  for (const c of contents) {
    if (c.numerics !== undefined && c.numerics !== made?.numerics) {
      throw new ValidationError(
        c.dir,
        `runs made with numerics ${describeNumerics(c.numerics)}`,
        `runs made with ${describeNumerics(made!.numerics!)}, as in ${made!.dir} (a study never mixes numerics: retrain one with \`retrain: true\`)`,
      );
    }
  }
  for (const c of contents) for (const n of c.notices) onNotice(n);
  const all = contents.flatMap((c) => c.records);
  const unique = uniqueRecords(all);
  const byId = new Map(unique.map((r) => [r.id, r]));
  const duplicates = all.length - unique.length;
  const study = first.study;
  const lines: string[] = [];
  for (const id of study.ids) {
    const record = byId.get(id);
    if (record) lines.push(`${JSON.stringify(record)}\n`);
  }
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, RUNS_FILE), lines.join(''));
  writeStudyFile(out, study);
  const traces = copyTraces(inputs, out, [...byId.keys()]);
  return {
    out,
    study,
    records: lines.length,
    duplicates,
    missing: study.runs.length - lines.length,
    traces,
  };
}
