// The library entry point: the typed API of protomlp. Every name exported here is documented.

export {
  MASKS, TARGETS, INITS, DEFAULTS, ADAM, LIMITS, CONFIG_KEYS,
  resolveConfig, canonicalMask, maskTerms, runId, runIdInput, canonicalConfig, identityConfig, usesField, IGNORABLE_FIELDS,
  type IgnorableField,
  type RunConfig, type Mask, type Target, type Init,
} from './config.js';
export { DATASETS, SCALES, dataLabel, dataShape, type DataSpec, type DataFileRef, type DatasetName, type Scale } from './data-spec.js';
export { dataFile, readDataTable, realData, scaleColumns, unscale, type DataSource, type DataFileOptions, type ColumnTransform } from './datasets/index.js';
export { ValidationError } from './errors.js';
export { Rng, STREAMS } from './rng.js';
export { makeDataset, makeInitialParams, dataSource } from './data.js';
export type { Params, Dataset, TrainJob, TrainResult, Terms, TermsAndGrads, Gradient } from './model/types.js';
export { computeTerms, termsAndGradients } from './model/losses.js';
export { trainRunSync, Adam } from './model/train.js';
export {
  prototypes, assignment, reconstructionError, specializationRatio, evaluateRun, outsideBoundingBox,
  ConvexHull, outsideHull, HULL_TOLERANCE, HULL_ACCURACY, type Assignment, type HullDistance, type Outside,
} from './eval/index.js';
export type { RunRecord, Metrics, ParamsJson } from './record.js';
export { recordStart } from './record.js';
export { trainRun, trainRuns, trainJobs, prepareJob, buildRecord, type TrainOptions } from './train.js';
export { selectBackend, type BackendChoice } from './backend/select.js';
export type { Backend, BatchOptions } from './backend/types.js';
export * from './study/index.js';
export * from './report/index.js';
