// `reproduce`: the paper's three studies (paper, tau-sweep, positions) into one folder, resumed if
// interrupted, then one report over all their runs; with `beyond`, also the `dims` and `iris`
// studies and a second report with the claims per d and dataset. A smaller scale exists for tests
// and smoke runs; it changes only the study grids, never the code path.

import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { recordNumerics } from '../numerics.js';
import type { RunRecord } from '../record.js';
import {
  PRESETS,
  readStudy,
  runStudy,
  type PresetName,
  type StudyProgress,
  type StudySpec,
} from '../study/index.js';
import type { ReportResult } from '../report/build.js';
import {
  checkArray,
  checkBoolean,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  readJsonIfPresent,
} from '../json-check.js';

/** A study `reproduce` runs: one of {@link REPRODUCE_STUDIES} or {@link BEYOND_STUDIES}. */
export type ReproduceStudyName = Extract<
  PresetName,
  'paper' | 'tau-sweep' | 'positions' | 'dims' | 'iris'
>;
/** The studies reproduce runs, in order: the paper's own. */
export const REPRODUCE_STUDIES: readonly ReproduceStudyName[] = ['paper', 'tau-sweep', 'positions'];
/** The studies `reproduce --beyond` runs after those: higher dimensions and a real dataset. */
export const BEYOND_STUDIES: readonly ReproduceStudyName[] = ['dims', 'iris'];

/**
 * Sizes of a reproduction. `full` is the presets as SPEC §5 defines them; `tiny` shrinks sizes,
 * seeds, taus and epochs so the whole pipeline runs in seconds (tests, smoke checks).
 */
export const REPRODUCE_SCALES = {
  full: { paper: {}, 'tau-sweep': {}, positions: {}, dims: {}, iris: {} },
  tiny: {
    paper: { n: [3, 5], seed: '0..3', epochs: 40 },
    'tau-sweep': { n: [5], tau: [1e-3, 0.1, 1], seed: '0..3', epochs: 40 },
    positions: { n: [5], seed: '0..1', epochs: 40 },
    dims: { dim: [1, 2, 3], n: [5, 8], seed: '0..3', epochs: 40 },
    iris: { seed: '0..1', epochs: 20 },
  },
} as const satisfies Record<string, Record<ReproduceStudyName, Partial<StudySpec>>>;
export type ReproduceScale = keyof typeof REPRODUCE_SCALES;

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  /** the folder: one subfolder per study, `report/` and `reproduce.json` */
  out: string;
  /** default `full` */
  scale?: ReproduceScale;
  /** also run `dims` and `iris` and write `report-beyond/` (claims per d and dataset) */
  beyond?: boolean;
  workers?: number;
  backend?: 'auto' | 'native' | 'ts';
  signal?: AbortSignal;
  /** progress of the study being run */
  onProgress?: (study: ReproduceStudyName, progress: StudyProgress) => void;
  /** what the store skipped and why */
  onNotice?: (message: string) => void;
}

/**
 * Timing of one study of a reproduction. When a call resumes a study (some runs already in the
 * folder), `trained`, `reused`, `diverged` and `wallMs` add up the earlier calls' (from reproduce.json), so
 * the numbers describe the whole study, not the last call's remainder.
 */
export interface StudyTiming {
  study: ReproduceStudyName;
  runs: number;
  trained: number;
  diverged: number;
  wallMs: number;
  /** runs found finished by the last call */
  skipped: number;
  /** runs copied from an earlier study of the reproduction (same run) instead of trained */
  reused: number;
}

/** The machine a study ran on, as logs and the README state it. */
export interface Machine {
  cpu: string;
  cores: number;
  platform: string;
  arch: string;
  node: string;
}

/** This machine. */
export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
  };
}

/** What `reproduce.json` holds: how long each study took, on what machine. */
export interface ReproduceLog {
  scale: ReproduceScale;
  /** the last call also ran the studies beyond the paper */
  beyond?: boolean;
  studies: StudyTiming[];
  /** wall time of the studies (training) and of the report(s) */
  trainWallMs: number;
  reportWallMs: number;
  /** wall time of `report-beyond/` (with `beyond`) */
  beyondReportWallMs?: number;
  machine: Machine;
  /** backend and instruction set the runs report (from the records) */
  backends: string[];
  /** the numerics the runs were made with (one: a report never mixes them) */
  numerics: string[];
}

/** A duration in milliseconds as seconds with one decimal (`4.6 s`), as the reports and README sections print it. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export const REPRODUCE_LOG = 'reproduce.json';
/** The folder of the report beyond the paper, inside a reproduction folder. */
export const BEYOND_REPORT = 'report-beyond';

/** The study spec a preset has at a scale. */
export function reproduceStudy(name: ReproduceStudyName, scale: ReproduceScale): StudySpec {
  return { ...PRESETS[name], ...REPRODUCE_SCALES[scale][name] } as StudySpec;
}

/**
 * One study's line of reproduce.json: its runs, trained, diverged, wall time, skipped and reused;
 * when it resumed (runs skipped) a log of the same scale, the earlier session's counts are added.
 */
function studyTiming(
  name: ReproduceStudyName,
  summary: Awaited<ReturnType<typeof runStudy>>,
  previous: ReproduceLog | undefined,
): StudyTiming {
  const timing: StudyTiming = {
    study: name,
    runs: summary.studyRuns,
    trained: summary.done,
    diverged: summary.diverged,
    wallMs: summary.wallMs,
    skipped: summary.skipped,
    reused: summary.reused,
  };
  const before = summary.skipped > 0 ? previous?.studies.find((t) => t.study === name) : undefined;
  if (before) {
    timing.trained += before.trained;
    timing.reused += before.reused ?? 0;
    timing.diverged += before.diverged;
    timing.wallMs += before.wallMs;
  }
  return timing;
}

/**
 * Runs each study into `out/<study>` (runs an earlier study of the list has are copied, not
 * retrained) and reads its records back: the paper's studies' and the others' apart.
 */
async function runStudies(
  studies: readonly ReproduceStudyName[],
  scale: ReproduceScale,
  options: ReproduceOptions,
  previous: ReproduceLog | undefined,
): Promise<{ timings: StudyTiming[]; records: RunRecord[]; beyondRecords: RunRecord[] }> {
  const timings: StudyTiming[] = [];
  const records: RunRecord[] = [];
  const beyondRecords: RunRecord[] = [];
  const earlier: string[] = [];
  for (const name of studies) {
    const dir = path.join(options.out, name);
    // positions repeats paper's N = 100 runs and tau-sweep its default tau: copy, don't retrain
    const summary = await runStudy(reproduceStudy(name, scale), {
      out: dir,
      reuse: [...earlier],
      // a folder of another numerics version is set aside (with a notice) and trained again
      retrain: true,
      workers: options.workers,
      backend: options.backend,
      signal: options.signal,
      onNotice: options.onNotice,
      onProgress: options.onProgress && ((p) => options.onProgress!(name, p)),
    });
    earlier.push(dir);
    const content = await readStudy(dir);
    (REPRODUCE_STUDIES.includes(name) ? records : beyondRecords).push(...content.records);
    timings.push(studyTiming(name, summary, previous));
  }
  return { timings, records, beyondRecords };
}

/**
 * Runs the paper, tau-sweep and positions studies into `out/<study>` (each resumes where an
 * earlier, interrupted call stopped), then writes the report of all their runs to `out/report`
 * and the timings to `out/reproduce.json`. With `beyond`, also runs `dims` and `iris` (runs they
 * share with the paper's studies are copied, not retrained) and writes `out/report-beyond`: the
 * report of every run, with the claims per d and dataset.
 *
 * @example
 * ```ts
 * const { report, beyond } = await reproduce({ out: 'results', beyond: true, onProgress: (s, p) => console.error(s, p.done, '/', p.total) });
 * for (const c of report.analysis.claims) console.log(c.id, c.status);
 * for (const line of claimLines(beyond!.analysis)) console.log(line);
 * ```
 */
export async function reproduce(
  options: ReproduceOptions,
): Promise<{ report: ReportResult; beyond?: ReportResult; log: ReproduceLog }> {
  const scale = options.scale ?? 'full';
  if (!(scale in REPRODUCE_SCALES))
    throw new ValidationError('scale', scale, `one of ${Object.keys(REPRODUCE_SCALES).join(', ')}`);
  if (typeof options.out !== 'string' || !options.out)
    throw new ValidationError('out', options.out, 'a folder path');
  await mkdir(options.out, { recursive: true });
  // an earlier log that cannot be read only loses its timings, with a notice
  const previous = await readReproduceLog(options.out).catch((e: unknown) => {
    options.onNotice?.(`${(e as Error).message}: its timings are not carried over`);
    return undefined;
  });
  const studies = options.beyond ? [...REPRODUCE_STUDIES, ...BEYOND_STUDIES] : REPRODUCE_STUDIES;
  const { timings, records, beyondRecords } = await runStudies(
    studies,
    scale,
    options,
    previous?.scale === scale ? previous : undefined,
  );
  const backends = [...new Set(records.map((r) => `${r.backend}/${r.isa}`))].sort();
  const numerics = [...new Set(records.map(recordNumerics))].sort();
  const log: ReproduceLog = {
    scale,
    beyond: options.beyond === true,
    studies: timings,
    trainWallMs: timings.reduce((a, t) => a + t.wallMs, 0),
    reportWallMs: 0,
    machine: machineInfo(),
    backends,
    numerics,
  };
  const started = performance.now();
  const notes = (shown: readonly ReproduceStudyName[]) => [
    `Studies: ${timings
      .filter((t) => shown.includes(t.study))
      .map((t) => `${t.study} ${t.runs} runs (training ${formatSeconds(t.wallMs)})`)
      .join('; ')}${scale !== 'full' ? ` — scale \`${scale}\`, not the paper's sizes` : ''}.`,
    `Machine: ${log.machine.cpu}, ${log.machine.cores} cores, ${log.machine.platform}-${log.machine.arch}, Node ${log.machine.node}; backend ${backends.join(', ')}.`,
  ];
  // loaded here, at the end, so that training starts without the plotting and statistics code
  const { buildReport } = await import('../report/build.js');
  const report = await buildReport(records, {
    out: path.join(options.out, 'report'),
    title: 'protomlp: reproduction of the paper study',
    source: REPRODUCE_STUDIES.map((s) => `\`${s}\``).join(', '),
    notes: notes(REPRODUCE_STUDIES),
  });
  log.reportWallMs = performance.now() - started;
  let beyond: ReportResult | undefined;
  if (options.beyond) {
    const beyondStarted = performance.now();
    beyond = await buildReport([...records, ...beyondRecords], {
      out: path.join(options.out, BEYOND_REPORT),
      title: 'protomlp: beyond the paper — higher dimensions and real data',
      source: studies.map((s) => `\`${s}\``).join(', '),
      notes: notes(studies),
    });
    log.beyondReportWallMs = performance.now() - beyondStarted;
  }
  await writeFile(path.join(options.out, REPRODUCE_LOG), JSON.stringify(log, null, 2) + '\n');
  return { report, ...(beyond ? { beyond } : {}), log };
}

/** The machine of a log, checked (`field` names it in messages). */
export function checkMachine(field: string, value: unknown): Machine {
  const m = checkObject(field, value);
  return {
    cpu: checkString(`${field}.cpu`, m.cpu),
    cores: checkNumber(`${field}.cores`, m.cores),
    platform: checkString(`${field}.platform`, m.platform),
    arch: checkString(`${field}.arch`, m.arch),
    node: checkString(`${field}.node`, m.node),
  };
}

const STUDY_NAMES = [...REPRODUCE_STUDIES, ...BEYOND_STUDIES];

function checkTiming(field: string, value: unknown): StudyTiming {
  const t = checkObject(field, value);
  const count = (name: keyof StudyTiming) => checkNumber(`${field}.${name}`, t[name] ?? 0);
  return {
    study: checkOneOf(`${field}.study`, t.study, STUDY_NAMES),
    runs: count('runs'),
    trained: count('trained'),
    diverged: count('diverged'),
    wallMs: count('wallMs'),
    skipped: count('skipped'),
    reused: count('reused'),
  };
}

/** A parsed reproduce.json, checked field by field (`source`, the file, prefixes field names). */
export function parseReproduceLog(value: unknown, source = REPRODUCE_LOG): ReproduceLog {
  const j = checkObject(source, value);
  const f = (name: string) => `${source}: ${name}`;
  // an older log may lack a list: read as empty
  const strings = (name: string) => checkArray(f(name), j[name] ?? [], checkString);
  return {
    scale: checkOneOf(f('scale'), j.scale, Object.keys(REPRODUCE_SCALES) as ReproduceScale[]),
    ...(j.beyond === undefined ? {} : { beyond: checkBoolean(f('beyond'), j.beyond) }),
    studies: checkArray(f('studies'), j.studies, checkTiming),
    trainWallMs: checkNumber(f('trainWallMs'), j.trainWallMs),
    reportWallMs: checkNumber(f('reportWallMs'), j.reportWallMs),
    ...(j.beyondReportWallMs === undefined
      ? {}
      : { beyondReportWallMs: checkNumber(f('beyondReportWallMs'), j.beyondReportWallMs) }),
    machine: checkMachine(f('machine'), j.machine),
    backends: strings('backends'),
    numerics: strings('numerics'),
  };
}

/**
 * Reads `reproduce.json` of a reproduction folder, checked (undefined when there is none; a file
 * that is not one is refused with a {@link ValidationError}).
 */
export async function readReproduceLog(dir: string): Promise<ReproduceLog | undefined> {
  return readJsonIfPresent(path.join(dir, REPRODUCE_LOG), parseReproduceLog);
}
