// The results store (SPEC §7): one folder per study holding `study.json` (the resolved study) and
// `runs.jsonl` (one run record per line, appended whole as each run finishes). This module owns
// every read and write of those two files; it trains nothing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from '../record.js';
import { hashConfig, identityConfig, resolveConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { describeNumerics, recordNumerics } from '../numerics.js';
import { resolveStudy, type Study } from './grid.js';
import { legacyRunId, legacyStudyId, upgradeRecord } from './legacy.js';

export const STUDY_FILE = 'study.json';
export const RUNS_FILE = 'runs.jsonl';
/** `format` of study.json; a folder whose study.json says anything else is not ours. */
export const STUDY_FORMAT = 'protomlp-study';
export const STUDY_VERSION = 1;

/** The JSON shape of study.json. */
export interface StudyFile {
  format: typeof STUDY_FORMAT;
  version: typeof STUDY_VERSION;
  name: string;
  studyId: string;
  runs: number;
  grid: Study['grid'];
}

/**
 * Something a reader noticed and skipped (a truncated last line, duplicate runs).
 *
 * @example
 * ```ts
 * const onNotice: Notice = (message) => console.warn(`warning: ${message}`);
 * await runStudy('paper', { out: 'results/paper', onNotice });
 * ```
 */
export type Notice = (message: string) => void;

/** study.json's content for a study. */
export function studyFileOf(study: Study): StudyFile {
  return {
    format: STUDY_FORMAT,
    version: STUDY_VERSION,
    name: study.name,
    studyId: study.studyId,
    runs: study.runs.length,
    grid: study.grid,
  };
}

/**
 * Reads and validates `dir/study.json`: undefined when there is none; the study (its grid
 * re-expanded, its id checked) otherwise. A file that is not JSON, not ours, or edited gets a
 * {@link ValidationError}. A study.json of protomlp 0.1.0 (whose study id counted runs that differ
 * only in ignored fields) is recognized and read as the current study of its grid.
 */
export function readStudyFile(dir: string): Study | undefined {
  const file = path.join(dir, STUDY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ValidationError(file, (e as Error).message, 'a readable study file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(
      file,
      text,
      `a study.json written by protomlp sweep (invalid JSON: ${(e as Error).message})`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError(file, json, 'a study.json written by protomlp sweep');
  }
  const f = json as Record<string, unknown>;
  if (f.format !== STUDY_FORMAT) {
    throw new ValidationError(
      `${file}: format`,
      f.format,
      `"${STUDY_FORMAT}" (a study.json written by protomlp sweep)`,
    );
  }
  if (f.version !== STUDY_VERSION)
    throw new ValidationError(`${file}: version`, f.version, String(STUDY_VERSION));
  if (
    typeof f.grid !== 'object' ||
    f.grid === null ||
    Array.isArray(f.grid) ||
    'name' in f.grid ||
    'preset' in f.grid
  ) {
    throw new ValidationError(
      `${file}: grid`,
      f.grid,
      'an object of run fields, each a list of values',
    );
  }
  const study = resolveStudy({ ...(f.grid as object), name: f.name as string }, `${file}: `);
  if (f.studyId !== study.studyId && f.studyId !== legacyStudyId(study.grid)) {
    throw new ValidationError(
      `${file}: studyId`,
      f.studyId,
      `"${study.studyId}", the id of its grid (the file was edited, or written by another version of protomlp)`,
    );
  }
  return study;
}

/** Writes `dir/study.json` atomically (temporary file, fsync, rename). */
export function writeStudyFile(dir: string, study: Study): void {
  // One line per field and per grid axis: readable, and diffs show which axis changed.
  const { grid, ...head } = studyFileOf(study);
  const fields = Object.entries(head).map(
    ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`,
  );
  const axes = Object.entries(grid).map(
    ([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  writeFileAtomic(
    path.join(dir, STUDY_FILE),
    `{\n${fields.join('\n')}\n  "grid": {\n${axes.join(',\n')}\n  }\n}\n`,
  );
}

/** Writes a file whole or not at all: a temporary file beside it, fsync, rename, fsync the folder. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeAll(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncFolder(path.dirname(file));
}

function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename is then as durable as they make it.
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** One line of runs.jsonl: its text, 1-based number, byte offset, and whether its newline was written. */
interface Line {
  text: string;
  number: number;
  offset: number;
  complete: boolean;
}

/** The lines of a file, read in 1 MiB chunks (a store can be larger than a string may be). */
function* readLines(file: string): Generator<Line> {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry: Buffer[] = [];
    let offset = 0;
    let number = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1 && nl < n; nl = chunk.indexOf(10, from)) {
        const piece = chunk.subarray(from, nl);
        const bytes = carry.length ? Buffer.concat([...carry, piece]) : piece;
        yield { text: bytes.toString('utf8'), number: ++number, offset, complete: true };
        offset += bytes.length + 1;
        carry = [];
        from = nl + 1;
      }
      if (from < n) carry.push(Buffer.from(chunk.subarray(from, n)));
    }
    if (carry.length)
      yield {
        text: Buffer.concat(carry).toString('utf8'),
        number: ++number,
        offset,
        complete: false,
      };
  } finally {
    fs.closeSync(fd);
  }
}

/** What reading runs.jsonl found. */
export interface RunLogContent {
  /** records by id (the first line of each id), or only their ids when records were not kept */
  records: Map<string, RunRecord | null>;
  /** lines whose id was already seen (two sweeps on one folder, or a merge input given twice) */
  duplicates: number;
  /** the numerics every record was made with (undefined when there is no record; src/numerics.ts) */
  numerics?: string;
  /** lines written by protomlp 0.1.0 under an id that counted ignored fields, read in the current form */
  upgraded: number;
  /** the byte offset and line number of a truncated last line (a write killed midway) */
  truncated?: { offset: number; line: number; bytes: number };
}

/**
 * One line of runs.jsonl as a record of `study` under its current id (a 0.1.0 record upgraded),
 * or a {@link ValidationError} naming the line: not JSON, not a record, a run of another study, or
 * an id that is not its config's.
 */
function parseRunLine(
  text: string,
  where: string,
  study: Study,
  ids: Set<string>,
): { record: RunRecord; upgraded: boolean } {
  let upgraded = false;
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (e) {
    throw new ValidationError(
      where,
      text,
      `one run record (JSON) per line (invalid JSON: ${(e as Error).message})`,
    );
  }
  if (
    typeof record !== 'object' ||
    record === null ||
    typeof record.id !== 'string' ||
    typeof record.config !== 'object'
  ) {
    throw new ValidationError(where, record, 'a run record with an id and a config');
  }
  const config = resolveConfig(record.config, undefined, `${where}: config.`);
  const identity = identityConfig(config);
  const expected = hashConfig(identity);
  if (expected !== record.id && record.id === legacyRunId(config)) {
    record = upgradeRecord(record, identity, expected);
    upgraded = true;
  }
  if (!ids.has(record.id)) {
    throw new ValidationError(
      `${where}: id`,
      record.id,
      `the id of a run of study "${study.name}" (${study.studyId})`,
    );
  }
  if (expected !== record.id) {
    throw new ValidationError(`${where}: id`, record.id, `"${expected}", the id of its config`);
  }
  // records written before a field existed (e.g. `data`) read back with its default, and every
  // record (an upgraded 0.1.0 one too) with its identity config
  record.config = identity;
  return { record, upgraded };
}

/**
 * Reads `runs.jsonl` of a study folder. Every complete line must be a run record of `study`, made
 * with the numerics of the records before it (a study never mixes numerics, SPEC §10); a last line
 * without its newline is a write that was killed midway: reported through `notice`, never parsed.
 * Anything else gets a {@link ValidationError}. A record written by protomlp 0.1.0 under its old
 * id is read as this version would have written it (see {@link upgradeRecord}); two such lines of
 * one run (they differed only in ignored fields) count as duplicates.
 */
export function readRunLog(
  dir: string,
  study: Study,
  notice: Notice,
  keepRecords = true,
): RunLogContent {
  const file = path.join(dir, RUNS_FILE);
  const content: RunLogContent = { records: new Map(), duplicates: 0, upgraded: 0 };
  if (!fs.existsSync(file)) return content;
  const ids = new Set(study.ids);
  for (const line of readLines(file)) {
    if (!line.complete) {
      const bytes = Buffer.byteLength(line.text);
      content.truncated = { offset: line.offset, line: line.number, bytes };
      notice(
        `${file}: line ${line.number} is truncated (${bytes} bytes without a newline: a write killed midway); ignored, its run will be run again`,
      );
      break;
    }
    if (line.text.trim() === '') continue;
    const where = `${file} line ${line.number}`;
    const { record, upgraded } = parseRunLine(line.text, where, study, ids);
    if (upgraded) content.upgraded++;
    const numerics = recordNumerics(record);
    content.numerics ??= numerics;
    if (numerics !== content.numerics) {
      throw new ValidationError(
        `${where}: numerics`,
        numerics,
        `${describeNumerics(content.numerics)}, the numerics of the runs before it (a study never mixes numerics)`,
      );
    }
    if (content.records.has(record.id)) content.duplicates++;
    else content.records.set(record.id, keepRecords ? record : null);
  }
  if (content.upgraded)
    notice(
      `${file}: ${content.upgraded} records written by protomlp 0.1.0 (ids that counted ignored fields) read under their current ids`,
    );
  if (content.duplicates)
    notice(
      `${file}: ${content.duplicates} duplicate run lines ignored (the first of each id is kept)`,
    );
  return content;
}

/**
 * Renames `dir/runs.jsonl`, made with other numerics than the ones about to train, to
 * `runs.<numerics>.jsonl` (`runs.native-1.jsonl`; a number is added if that exists) and returns
 * the new name: the study folder is then empty of runs and its study is trained again.
 */
export function setRunsAside(dir: string, numerics: string): string {
  const base = `runs.${numerics.replace(/[^A-Za-z0-9.-]/g, '-')}`;
  let name = `${base}.jsonl`;
  for (let k = 2; fs.existsSync(path.join(dir, name)); k++) name = `${base}.${k}.jsonl`;
  fs.renameSync(path.join(dir, RUNS_FILE), path.join(dir, name));
  syncFolder(dir);
  return name;
}

/** Appends run records to runs.jsonl: each line in one write, the file synced once per event-loop turn. */
export class RunLog {
  private fd: number;
  private syncTimer: NodeJS.Immediate | undefined;

  /** Opens `dir/runs.jsonl` for appending, first cutting off a truncated last line at `truncateAt`. */
  constructor(dir: string, truncateAt?: number) {
    const file = path.join(dir, RUNS_FILE);
    const existed = fs.existsSync(file);
    if (truncateAt !== undefined) fs.truncateSync(file, truncateAt);
    this.fd = fs.openSync(file, 'a');
    if (!existed) syncFolder(dir);
  }

  /**
   * Writes one record as one line. The write reaches the OS at once (a killed process loses
   * nothing written); fdatasync follows within the same event-loop turn, once for every record
   * that arrived in it, so a machine crash loses at most the runs of that turn.
   */
  append(record: RunRecord): void {
    writeAll(this.fd, `${JSON.stringify(record)}\n`);
    this.syncTimer ??= setImmediate(() => {
      this.syncTimer = undefined;
      fs.fdatasyncSync(this.fd);
    });
  }

  /** Syncs and closes the file. */
  close(): void {
    if (this.syncTimer) clearImmediate(this.syncTimer);
    this.syncTimer = undefined;
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

/**
 * A study folder as read back: the study and its records in canonical order.
 *
 * @example
 * ```ts
 * const { study, records, missing }: StudyContent = await readStudy('results/paper');
 * console.log(`${records.length} of ${study.runs.length} runs finished, ${missing.length} missing`);
 * ```
 */
export interface StudyContent {
  dir: string;
  study: Study;
  /** the finished runs' records, in the study's canonical order, one per id */
  records: RunRecord[];
  /** ids of the study's runs that have no record yet (an unfinished sweep, or one shard) */
  missing: string[];
  /** what the reader skipped and why (a truncated last line, duplicate lines) */
  notices: string[];
  /** the numerics of every record (undefined when there is none) */
  numerics: string | undefined;
}

/**
 * Reads a study folder written by {@link runStudy} or {@link mergeStudies}: its study and every
 * finished record, in canonical order. A truncated last line is reported in `notices` and
 * ignored; a folder that is not a study, or a line that is not one of its runs, gets a
 * {@link ValidationError}. Nothing is written.
 *
 * @example
 * ```ts
 * const { study, records, missing } = await readStudy('results/paper');
 * console.log(study.name, records.length, 'of', study.runs.length, 'runs;', missing.length, 'missing');
 * ```
 */
export async function readStudy(dir: string): Promise<StudyContent> {
  return readStudySync(dir);
}

/** {@link readStudy}, synchronously (the CLI and merge use it). */
export function readStudySync(dir: string): StudyContent {
  const study = readStudyFile(dir);
  if (!study) {
    throw new ValidationError(
      'study folder',
      dir,
      `a folder holding ${STUDY_FILE} and ${RUNS_FILE} (written by protomlp sweep)`,
    );
  }
  const notices: string[] = [];
  const log = readRunLog(dir, study, (m) => notices.push(m));
  const records: RunRecord[] = [];
  const missing: string[] = [];
  for (const id of study.ids) {
    const record = log.records.get(id);
    if (record) records.push(record);
    else missing.push(id);
  }
  return { dir, study, records, missing, notices, numerics: log.numerics };
}
