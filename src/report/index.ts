// The report library: statistics, tables, plots, the claims check, the report files, and
// `reproduce` (the paper's studies and their report in one call). Re-exports only.

export { analyseRecords, buildReport, claimLines } from './build.js';
export type { PanelAnalysis, ReportAnalysis, ReportOptions, ReportResult } from './build.js';
export { panelClaimsTable, claimBrief } from './panels.js';
export { hullPicture, type HullPicture, type HullPictureRow } from './hull-plot.js';
export { reproduce, reproduceStudy, readReproduceLog, REPRODUCE_SCALES, REPRODUCE_STUDIES, BEYOND_STUDIES, BEYOND_REPORT, REPRODUCE_LOG } from './reproduce.js';
export type { ReproduceLog, ReproduceOptions, ReproduceScale, StudyTiming } from './reproduce.js';
export { checkClaims, OVERLAP_TWINS, CLAIM_DEFAULTS } from './claims.js';
export type { ClaimInputs, ClaimOptions, ClaimResult, ClaimStatus } from './claims.js';
export { summarize, wilcoxonSignedRank, spearman, tQuantile } from './stats.js';
export type { Summary, WilcoxonResult, SpearmanResult } from './stats.js';
export { renderSvg, svgToPng, fontFiles, PLOT_FONT } from './plots.js';
export { mainSlice, tauSweep, slices, panels, REPORT_METRICS } from './cells.js';
export type { Panel, Slice, TauSweep, ReportMetric } from './cells.js';
export { resultsSnippet, beyondSnippet } from './readme.js';
