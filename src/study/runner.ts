// Runs a study into its folder: skips finished runs, trains the rest through the training facade
// (every core, largest runs first), appends each record the moment it arrives, reports progress.
// It neither parses flags nor prints: the CLI does that around it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCost } from '../config.js';
import type { DataFileRef } from '../data-spec.js';
import { realData } from '../datasets/index.js';
import { uniqueRecords, type RunRecord } from '../record.js';
import { trainRuns } from '../train.js';
import { abortError } from '../backend/ts.js';
import { ValidationError } from '../errors.js';
import { describeNumerics, recordNumerics } from '../numerics.js';
import { selectBackend } from '../backend/select.js';
import { asStudy, type PresetName, type Study, type StudySpec } from './grid.js';
import { withFolderLock } from './lock.js';
import { hasWholeTrace, traceFile, TRACES_DIR, writeTrace } from '../trace/npy.js';
import { checkTraceEvery, nativeTraceRefusal } from '../trace/trace.js';
import { shardPositions, type Shard } from './shard.js';
import {
  readRunLog,
  readStudyFile,
  readStudySync,
  RunLog,
  setRunsAside,
  writeStudyFile,
  type Notice,
} from './store.js';

/**
 * Progress of a running study, as each run finishes (and once at the start).
 *
 * @example
 * ```ts
 * const onProgress = (p: StudyProgress) => console.error(`${p.done}/${p.total} runs, ${p.runsPerSecond.toFixed(1)} runs/s`);
 * await runStudy('paper', { out: 'results/paper', onProgress });
 * ```
 */
export interface StudyProgress {
  /** runs finished in this call */
  done: number;
  /** runs this call has to train (the shard's runs minus those already in the folder) */
  total: number;
  /** runs of the shard already in the folder, skipped */
  skipped: number;
  /** runs copied from the folders of `reuse` instead of trained */
  reused: number;
  /** finished runs (this call) that diverged */
  diverged: number;
  elapsedMs: number;
  /** finished runs per second so far (0 before the first) */
  runsPerSecond: number;
  /**
   * estimated milliseconds left, weighting each run by its cost (epochs x H x (N + H) x d, since
   * the largest runs go first); undefined before the first run finishes
   */
  etaMs: number | undefined;
  /** the record that just finished (absent on the first call) */
  record?: RunRecord;
}

/**
 * What a finished {@link runStudy} did.
 *
 * @example
 * ```ts
 * const summary: StudySummary = await runStudy('positions', { out: 'results/positions' });
 * console.log(`${summary.done} trained, ${summary.skipped} already there, ${summary.diverged} diverged`);
 * ```
 */
export interface StudySummary {
  out: string;
  study: Study;
  shard: Shard | undefined;
  /** runs in the study */
  studyRuns: number;
  /** runs in this shard (= studyRuns without a shard or `only`), or of `only` in it */
  shardRuns: number;
  /** runs of the shard found already finished in the folder */
  skipped: number;
  /** runs copied from the folders of `reuse` instead of trained */
  reused: number;
  /** runs found made with other numerics and set aside (with `retrain`), else 0 */
  setAside: number;
  /** the numerics of the runs trained (src/numerics.ts) */
  numerics: string;
  /** runs trained by this call */
  done: number;
  /** of those, how many diverged (recorded with `diverged: true`) */
  diverged: number;
  wallMs: number;
}

/**
 * Options of {@link runStudy}.
 *
 * @example
 * ```ts
 * const options: RunStudyOptions = { out: 'results/paper', workers: 2, backend: 'native', shard: shardFromEnv(process.env) };
 * await runStudy('paper', options);
 * ```
 */
export interface RunStudyOptions {
  /** the study folder (created if needed; resumed if it holds this study; refused if another) */
  out: string;
  /** worker threads / native threads (default: every core) */
  workers?: number;
  /** training backend (default `auto`; the PROTOMLP_BACKEND environment variable overrides it) */
  backend?: 'auto' | 'native' | 'ts';
  /** train only this shard's runs (see {@link shardFromEnv} for SLURM arrays) */
  shard?: Shard;
  /**
   * stops the study: no new runs start, runs in flight are abandoned, every finished record is
   * already on disk; the promise rejects with an `AbortError`
   */
  signal?: AbortSignal;
  /** called once at the start and after each finished run */
  onProgress?: (progress: StudyProgress) => void;
  /** what the store skipped and why (a truncated last line, duplicate lines) */
  onNotice?: Notice;
  /**
   * other study folders whose finished runs this study shares (same run id = same config, so the
   * same record up to wallMs): those records are copied into this folder instead of retrained
   */
  reuse?: readonly string[];
  /**
   * when the folder holds runs made with other numerics than the backend's (an older protomlp, or
   * the other backend): set them aside in `runs.<numerics>.jsonl` and train the study again. Without
   * it such a folder is refused: a study never mixes numerics.
   */
  retrain?: boolean;
  /**
   * train only the runs with these ids (the others stay missing until a later call): a study
   * trained in steps that depend on earlier results, as `tune`'s rungs are
   */
  only?: ReadonlySet<string>;
  /**
   * record every run's trace, a snapshot every `trace` epochs, into `traces/<id>.npy` (src/trace/;
   * TS backend only so far). A finished run whose trace is missing or cut is trained again for it
   * (its record is not written twice); runs are not copied from `reuse` folders then.
   */
  trace?: number;
}

/** Runs handed to the facade per call: bounds the records held in memory on huge studies. */
const BATCH_RUNS = 1024;

/**
 * What a study folder already holds for `study`: the folder's own study must be the same (else a
 * {@link ValidationError}); returns the finished ids, the offset of a truncated last line and the
 * numerics of the finished runs.
 */
export function inspectFolder(
  out: string,
  study: Study,
  notice: Notice = () => {},
): { exists: boolean; finished: Set<string>; truncateAt?: number; numerics?: string } {
  const existing = readStudyFile(out);
  if (!existing) {
    if (fs.existsSync(out) && fs.readdirSync(out).includes('runs.jsonl')) {
      throw new ValidationError(
        'out',
        out,
        'a folder without runs.jsonl, or with its study.json (runs.jsonl has no study.json beside it)',
      );
    }
    return { exists: false, finished: new Set() };
  }
  if (existing.studyId !== study.studyId) {
    const changed = changedDataFile(existing, study);
    if (changed) {
      throw new ValidationError(
        'out',
        out,
        `a folder holding this study; it holds the same study made on other content of data file ${changed.was.file} ` +
          `(sha256 ${changed.was.sha256.slice(0, 16)}... then, ${changed.now.sha256.slice(0, 16)}... now): the file has changed since the study started; ` +
          'restore it to resume, or choose another `out` for the new content',
      );
    }
    throw new ValidationError(
      'out',
      out,
      `a new folder or one holding this study ("${study.name}", ${study.runs.length} runs, id ${study.studyId}); ` +
        `it holds another ("${existing.name}", ${existing.runs.length} runs, id ${existing.studyId}): choose another \`out\``,
    );
  }
  const log = readRunLog(out, existing, notice, false);
  return {
    exists: true,
    finished: new Set(log.records.keys()),
    truncateAt: log.truncated?.offset,
    numerics: log.numerics,
  };
}

/** A data file both studies name by path, with other content now: the usual reason two otherwise equal studies differ. */
function changedDataFile(
  existing: Study,
  study: Study,
): { was: DataFileRef; now: DataFileRef } | undefined {
  const files = (s: Study) =>
    (s.grid.data ?? []).filter((d): d is DataFileRef => typeof d === 'object');
  for (const was of files(existing)) {
    const now = files(study).find((f) => f.file === was.file && f.sha256 !== was.sha256);
    if (now) return { was, now };
  }
  return undefined;
}

/** Reads every real dataset of a study once (a missing or changed file is refused before anything is written). */
function checkRealData(study: Study): void {
  for (const data of study.grid.data ?? [])
    if (data === 'iris' || typeof data === 'object') realData(data);
}

/**
 * Runs a study into a folder: writes `study.json`, skips runs already in `runs.jsonl`, trains the
 * others (largest first, on every core) and appends each record as it finishes. Rerunning the
 * same call resumes; a diverged run is recorded and the study goes on.
 *
 * @example
 * ```ts
 * import { resolveStudy, runStudy, readStudy } from 'protomlp/study';
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * const summary = await runStudy(resolveStudy('paper'), {
 *   out: 'results/paper',
 *   signal: controller.signal,
 *   onProgress: (p) => console.error(`${p.done}/${p.total} runs`),
 * });
 * const { records } = await readStudy('results/paper');
 * ```
 */
export async function runStudy(
  study: Study | StudySpec | PresetName,
  options: RunStudyOptions,
): Promise<StudySummary> {
  const resolved = asStudy(study);
  const { out, signal } = options;
  const started = performance.now();
  if (signal?.aborted) throw abortError(signal.reason);
  if (options.trace !== undefined) checkTracing(resolved, options);
  return withFolderLock(out, options.onNotice, () => runLocked(resolved, options, started));
}

/** A traced study, checked before anything is written: K fits every run, the backend traces. */
function checkTracing(study: Study, options: RunStudyOptions): void {
  for (const run of study.runs) checkTraceEvery(options.trace, run);
  if (selectBackend(options.backend).name !== 'ts') throw nativeTraceRefusal(options.trace);
}

/** {@link runStudy} once the folder's lock is held. */
async function runLocked(
  resolved: Study,
  options: RunStudyOptions,
  started: number,
): Promise<StudySummary> {
  const { out, shard } = options;
  const { folder, numerics, setAside } = openFolder(resolved, options);
  const plan = planRuns(resolved, folder.finished, options, numerics);
  fs.mkdirSync(out, { recursive: true });
  if (!folder.exists) writeStudyFile(out, resolved);
  const log = new RunLog(out, folder.truncateAt);
  let trained: { done: number; diverged: number };
  try {
    for (const record of plan.shared.values()) log.append(record);
    trained = await trainPending(resolved, plan, options, log, started);
  } finally {
    log.close();
  }
  return {
    out,
    study: resolved,
    shard,
    studyRuns: resolved.runs.length,
    shardRuns: plan.positions.length,
    skipped: plan.skipped,
    reused: plan.shared.size,
    setAside,
    numerics,
    ...trained,
    wallMs: performance.now() - started,
  };
}

/**
 * The study's folder as {@link runStudy} finds it, its real data read and checked, and the
 * numerics of the backend: runs of other numerics are refused, or with `retrain` set aside (the
 * folder then counts as holding none).
 */
function openFolder(
  study: Study,
  options: RunStudyOptions,
): { folder: ReturnType<typeof inspectFolder>; numerics: string; setAside: number } {
  const { out } = options;
  const notice = options.onNotice ?? (() => {});
  const folder = inspectFolder(out, study, notice);
  checkRealData(study);
  const numerics = selectBackend(options.backend).numerics;
  if (folder.numerics === undefined || folder.numerics === numerics)
    return { folder, numerics, setAside: 0 };
  const made = `${folder.finished.size} runs made with numerics ${describeNumerics(folder.numerics)}`;
  if (!options.retrain) {
    throw new ValidationError(
      'out',
      out,
      `a folder of runs made with ${numerics}, the numerics of this protomlp's ${numerics.split('/')[0]} backend (a study never mixes numerics); ` +
        `it holds ${made}: choose another \`out\`, or add \`retrain: true\` to set the old runs aside and train the study again`,
    );
  }
  const name = setRunsAside(out, folder.numerics);
  notice(`${out}: its ${made}, not ${numerics}: set aside in ${name}; the study is trained again`);
  return {
    folder: { exists: true, finished: new Set() },
    numerics,
    setAside: folder.finished.size,
  };
}

/** The runs of a {@link runStudy} call: its positions in the study, those to train (largest first), skipped and shared ones. */
interface RunPlan {
  positions: number[];
  pending: number[];
  skipped: number;
  shared: Map<string, RunRecord>;
  /** ids of pending runs already recorded, trained again only for their missing traces */
  retrace: Set<string>;
}

function planRuns(
  study: Study,
  finished: ReadonlySet<string>,
  options: RunStudyOptions,
  numerics: string,
): RunPlan {
  const positions = shardPositions(study.runs.length, options.shard).filter(
    (i) => !options.only || options.only.has(study.ids[i]),
  );
  const traced = (i: number) => !options.trace || hasWholeTrace(options.out, study.ids[i]);
  const retrace = new Set(
    positions.filter((i) => finished.has(study.ids[i]) && !traced(i)).map((i) => study.ids[i]),
  );
  let pending = positions.filter((i) => !finished.has(study.ids[i]) || retrace.has(study.ids[i]));
  const skipped = positions.length - pending.length;
  const shared = sharedRecords(
    options.trace ? [] : (options.reuse ?? []),
    new Set(pending.map((i) => study.ids[i])),
    numerics,
  );
  pending = pending.filter((i) => !shared.has(study.ids[i]));
  // Largest first keeps every core busy to the end; the sort is stable, so ties keep canonical order.
  pending.sort((a, b) => runCost(study.runs[b]) - runCost(study.runs[a]));
  return { positions, pending, skipped, shared, retrace };
}

/** Trains the plan's pending runs in batches, appending each record to the log as it arrives and reporting progress. */
async function trainPending(
  study: Study,
  plan: RunPlan,
  options: RunStudyOptions,
  log: RunLog,
  started: number,
): Promise<{ done: number; diverged: number }> {
  const { pending } = plan;
  const { signal, onProgress } = options;
  const totalCost = pending.reduce((s, i) => s + runCost(study.runs[i]), 0);
  let doneCost = 0;
  let done = 0;
  let diverged = 0;
  const progress = (record?: RunRecord): void => {
    if (!onProgress) return;
    const elapsedMs = performance.now() - started;
    onProgress({
      done,
      total: pending.length,
      skipped: plan.skipped,
      reused: plan.shared.size,
      diverged,
      elapsedMs,
      runsPerSecond: done > 0 ? (done * 1000) / elapsedMs : 0,
      etaMs: doneCost > 0 ? (elapsedMs * (totalCost - doneCost)) / doneCost : undefined,
      record,
    });
  };
  progress();
  for (let from = 0; from < pending.length; from += BATCH_RUNS) {
    if (signal?.aborted) throw abortError(signal.reason);
    const batch = pending.slice(from, from + BATCH_RUNS);
    const configs = batch.map((i) => study.runs[i]);
    await trainRuns(configs, {
      backend: options.backend,
      threads: options.workers,
      signal,
      ...(options.trace !== undefined ? { trace: options.trace } : {}),
      onRecord: (record, index, trace) => {
        const id = study.ids[batch[index]];
        if (record.id !== id) throw new Error(`training returned run ${record.id} for run ${id}`);
        if (trace) {
          fs.mkdirSync(path.join(options.out, TRACES_DIR), { recursive: true });
          writeTrace(traceFile(options.out, id), trace);
        }
        if (!plan.retrace.has(id)) log.append(record);
        done++;
        doneCost += runCost(configs[index]);
        if (record.metrics.diverged) diverged++;
        progress(record);
      },
    });
  }
  return { done, diverged };
}

/**
 * The finished records with one of `wanted`'s ids, made with `numerics`, in the study folders
 * `dirs` (first found wins).
 */
function sharedRecords(
  dirs: readonly string[],
  wanted: Set<string>,
  numerics: string,
): Map<string, RunRecord> {
  const found = dirs
    .filter((dir) => readStudyFile(dir))
    .flatMap((dir) => readStudySync(dir).records);
  return new Map(
    uniqueRecords(found.filter((r) => wanted.has(r.id) && recordNumerics(r) === numerics)).map(
      (r) => [r.id, r],
    ),
  );
}
