// The report library: statistics, tables, plots, the claims check, the report files, and
// `reproduce` (the paper's studies and their report in one call). Re-exports only.

export { analyseRecords, buildReport, claimLines } from './build.js';
export type {
  PanelAnalysis,
  ReportAnalysis,
  ReportOptions,
  ReportResult,
  SweepAnalysis,
} from './build.js';
export { hullPicture, type HullPicture, type HullPictureRow } from './hull-plot.js';
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
} from './reproduce.js';
export type {
  Machine,
  ReproduceLog,
  ReproduceOptions,
  ReproduceScale,
  ReproduceStudyName,
  StudyTiming,
} from './reproduce.js';
export {
  checkClaims,
  claimsGrid,
  claimsColumnsBlock,
  panelClaimsBlocks,
  compareTwins,
  sepExpels,
  OVERLAP_TWINS,
  CLAIM_DEFAULTS,
} from './claims.js';
export type {
  ClaimInputs,
  ClaimOptions,
  ClaimResult,
  ClaimStatus,
  ClaimsGrid,
  ClaimsGridRow,
  TwinComparison,
} from './claims.js';
export { summarize, wilcoxonSignedRank, spearman, tQuantile } from './stats.js';
export type { Summary, WilcoxonResult, SpearmanResult } from './stats.js';
export { renderSvg, svgToPng, fontFiles, PLOT_FONT, paretoSpec } from './plots.js';
export type { ParetoPoint } from './plots.js';
export { mainSlice, findSweep, slices, panels, REPORT_METRICS, SWEEP_FIELDS } from './cells.js';
export type { Panel, Slice, Sweep, SweepField, ReportMetric } from './cells.js';
export { resultsSnippet, beyondDataSnippet, spliceSection } from './readme.js';
export {
  runBeyond,
  runTuneCheck,
  beyondWeightsSnippet,
  tuneCheckSnippet,
  BEYOND_TUNE,
  TUNE_CHECK,
  TUNE_CHECK_BUDGETS,
  TUNE_TAUS,
  BEYOND_LOG,
} from './beyond.js';
export type {
  BeyondLog,
  BeyondOptions,
  BeyondWeightsSnippetOptions,
  TuneCheckRow,
} from './beyond.js';
export { buildTuneReport, tunedClaims, tunedSlice, describeWeights } from './tune.js';
export type { TuneReport, TuneReportOptions, TunedClaims } from './tune.js';
