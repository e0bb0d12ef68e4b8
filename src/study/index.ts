// The studies library: grids and presets, the resumable JSONL store, the runner (workers, shards,
// progress, cancellation), merge and CSV export. The CLI commands sweep/merge/export are thin
// wrappers over exactly these functions.

export { PRESETS, PRESET_NAMES, MAX_STUDY_RUNS, resolveStudy, parseSeedRange } from './grid.js';
export type { PresetName, Study, StudyGrid, StudySpec } from './grid.js';
export { loadStudyFile, readStudySpec } from './spec-file.js';
export { parseShard, shardFromEnv, shardPositions } from './shard.js';
export type { Shard } from './shard.js';
export { readStudy, readStudySync, readStudyFile, RUNS_FILE, STUDY_FILE, STUDY_FORMAT, STUDY_VERSION } from './store.js';
export type { StudyContent, StudyFile, Notice } from './store.js';
export { runStudy, inspectFolder } from './runner.js';
export type { RunStudyOptions, StudyProgress, StudySummary } from './runner.js';
export { mergeStudies } from './merge.js';
export type { MergeSummary } from './merge.js';
export { toCsv, exportCsv, CSV_COLUMNS, METRIC_COLUMNS } from './csv.js';
export { tune, tuneSchedule, tuneSpace, weightsOf, TUNE_ETA, TUNE_FIELDS, TUNE_FILE, DEFAULT_BUDGET, DEFAULT_FIT_MULTIPLE } from './tune.js';
export type { TuneCandidate, TuneCell, TuneJson, TuneOptions, TuneResult, TuneSchedule, RungScore, RungStart, Weights } from './tune.js';
