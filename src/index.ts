// The library entry point (`protomlp`): run configs, training, evaluation, run records, backends,
// data files and the one error type. Studies are at `protomlp/study` (src/study/index.ts), reports
// at `protomlp/report` (src/report/index.ts). Every name here is documented with an example at its
// declaration (test/public-api.test.ts checks it), and importing it loads no plotting, statistics
// or PCA package (test/import-trace.test.ts).

export {
  MASKS,
  TARGETS,
  INITS,
  DEFAULTS,
  LIMITS,
  resolveConfig,
  canonicalMask,
  runId,
  type RunConfig,
  type Mask,
  type Target,
  type Init,
} from './config.js';
export {
  DATASETS,
  SCALES,
  type DataSpec,
  type DataFileRef,
  type DatasetName,
  type Scale,
} from './data-spec.js';
export {
  dataFile,
  realData,
  unscale,
  type DataSource,
  type DataFileOptions,
  type RealData,
  type ColumnTransform,
} from './datasets/index.js';
export { ValidationError } from './errors.js';
export { makeDataset } from './data.js';
export type { Params, Dataset, Terms, TrainJob, TrainResult } from './model/types.js';
export { computeTerms } from './model/losses.js';
export {
  prototypes,
  assignment,
  reconstructionError,
  specializationRatio,
  evaluateRun,
  outsideHull,
  type Assignment,
  type Outside,
} from './eval/index.js';
export {
  paramsFromJson,
  dataFromJson,
  type RunRecord,
  type Metrics,
  type ParamsJson,
} from './record.js';
export { trainRun, trainRuns, type TrainOptions } from './train.js';
export { selectBackend } from './backend/select.js';
export type { Backend, BackendChoice, BatchOptions } from './backend/types.js';
