// `protomlp/study`: studies as a library user runs them. A grid or preset resolved into runs, run
// resumably into a folder (workers, shards, progress, cancellation), read back, merged, exported
// to CSV, and tuned by successive halving. The CLI commands sweep/merge/export/tune are thin
// wrappers over exactly these functions. Every name here is documented with an example at its
// declaration (test/public-api.test.ts checks it).

export { PRESETS, PRESET_NAMES, resolveStudy } from './grid.js';
export type { PresetName, Study, StudyGrid, StudySpec } from './grid.js';
export { loadStudyFile } from './spec-file.js';
export { parseShard, shardFromEnv } from './shard.js';
export type { Shard } from './shard.js';
export { readStudy } from './store.js';
export type { StudyContent, Notice } from './store.js';
export { runStudy } from './runner.js';
export type { RunStudyOptions, StudyProgress, StudySummary } from './runner.js';
export { mergeStudies } from './merge.js';
export type { MergeSummary } from './merge.js';
export { exportCsv } from './csv.js';
export { tune, weightsOf } from './tune.js';
export type { TuneCandidate, TuneJson, TuneOptions, TuneResult, Weights } from './tune.js';
export { readTrace, traceFile } from '../trace/npy.js';
export type { Trace } from '../trace/trace.js';
