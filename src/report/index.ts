// The `protomlp/report` entry: the analysis (src/analysis/: statistics, cells and panels, the
// claims check), the rendering (src/render/: tables, plots, claims blocks, documents), the report
// writers here (build.ts, tune.ts) and their typed claims.json reader, and the pipelines above them
// (`reproduce`, the runs beyond the paper, in src/pipelines/). Re-exports only: this is the one
// file of src/report that names a pipeline (test/layers.test.ts); the README generators
// (src/readme/) are not exported.

export { analyseRecords, buildReport, claimLines } from './build.js';
export type {
  PanelAnalysis,
  ReportAnalysis,
  ReportOptions,
  ReportResult,
  SweepAnalysis,
} from './build.js';
export { hullPicture, type HullPicture, type HullPictureRow } from '../render/hull-plot.js';
export {
  reproduce,
  reproduceStudy,
  readReproduceLog,
  machineInfo,
  REPRODUCE_SCALES,
  REPRODUCE_STUDIES,
  BEYOND_STUDIES,
  BEYOND_REPORT,
  REPRODUCE_LOG,
} from '../pipelines/reproduce.js';
export type {
  Machine,
  ReproduceLog,
  ReproduceOptions,
  ReproduceScale,
  ReproduceStudyName,
  StudyTiming,
} from '../pipelines/reproduce.js';
export { claimsColumnsBlock, panelClaimsBlocks } from '../render/claims.js';
export {
  checkClaims,
  claimsGrid,
  compareTwins,
  sepExpels,
  OVERLAP_TWINS,
  CLAIM_DEFAULTS,
} from '../analysis/claims.js';
export type {
  ClaimInputs,
  ClaimOptions,
  ClaimResult,
  ClaimStatus,
  ClaimsGrid,
  ClaimsGridRow,
  TwinComparison,
} from '../analysis/claims.js';
export { readClaimsJson, CLAIMS_JSON_VERSION, type ClaimsJson } from './claims-json.js';
export { summarize, wilcoxonSignedRank, spearman, tQuantile } from '../analysis/stats.js';
export type { Summary, WilcoxonResult, SpearmanResult } from '../analysis/stats.js';
export { renderSvg, svgToPng, PLOT_FONT, paretoSpec } from '../render/plots.js';
export type { ParetoPoint } from '../render/plots.js';
export {
  mainSlice,
  findSweep,
  slices,
  panels,
  REPORT_METRICS,
  SWEEP_FIELDS,
} from '../analysis/cells.js';
export type { Panel, Slice, Sweep, SweepField, ReportMetric } from '../analysis/cells.js';
export {
  runBeyond,
  runTuneCheck,
  BEYOND_TUNE,
  TUNE_CHECK,
  TUNE_CHECK_BUDGETS,
  TUNE_TAUS,
  BEYOND_LOG,
} from '../pipelines/beyond.js';
export type { BeyondLog, BeyondOptions, TuneCheckRow } from '../pipelines/beyond.js';
export { buildTuneReport, tunedClaims, tunedSlice, describeWeights } from './tune.js';
export type { TuneReport, TuneReportOptions, TunedClaims } from './tune.js';
