// The training facade: configs in, run records out, on whichever backend is selected. Data and
// initial parameters always come from src/data.ts. The loss terms and winning neurons of a record
// come from the backend's worker thread (native: the C++ evaluator, TS: src/model and src/eval in
// the worker), with the bits of the TS code, which computes them here when a backend did not (an
// older native binary); the other metrics are computed by src/eval. So records differ between
// backends only by the trained parameters themselves.

import { hashConfig, identityConfig, resolveConfig, type RunConfig } from './config.js';
import { dataSource, makeDataset, makeInitialParams } from './data.js';
import type { DataSource } from './datasets/index.js';
import { evaluateRun } from './eval/index.js';
import { withScorecard } from './eval/scorecard.js';
import { matchedDistances } from './eval/metrics.js';
import { prototypes } from './eval/prototypes.js';
import { computeTerms } from './model/losses.js';
import type { TrainJob, TrainResult } from './model/types.js';
import { dataToJson, paramsToJson, type RunRecord } from './record.js';
import { selectBackend, type BackendChoice } from './backend/select.js';
import type { Backend } from './backend/types.js';
import { checkTraceEvery, type Trace } from './trace/trace.js';

/**
 * Options for {@link trainRuns} and {@link trainRun}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: TrainOptions = { backend: 'ts', threads: 2, signal: controller.signal, onRecord: (r) => console.log(r.id) };
 * const records = await trainRuns(configs, options);
 * ```
 */
export interface TrainOptions {
  /** `auto` (default: native if it loads, else TS), `native` or `ts`; PROTOMLP_BACKEND overrides */
  backend?: BackendChoice;
  /** native threads or TS worker threads; default: every core */
  threads?: number;
  /** cancels: runs not started are skipped and the Promise rejects with an `AbortError` */
  signal?: AbortSignal;
  /** called on the main thread as each run finishes (completion order) with its record, and its trace when traced */
  onRecord?: (record: RunRecord, index: number, trace?: Trace) => void;
  /**
   * record a trace of every run, a snapshot every `trace` epochs (src/trace/): an output option,
   * the records are the same as untraced; TS backend only so far (the native one refuses)
   */
  trace?: number;
}

/** A job for a backend, with where its real data came from (for the record). */
export interface PreparedJob extends TrainJob {
  source?: DataSource;
}

/** The dataset and initial parameters a config fixes (its seed, its data file), as a job for a backend. */
export function prepareJob(config: RunConfig): PreparedJob {
  const source = dataSource(config);
  return {
    config,
    data: makeDataset(config),
    initial: makeInitialParams(config),
    ...(source ? { source } : {}),
  };
}

/**
 * The record of a trained job: config, data, start, end, metrics and where it ran. The config
 * (and the terms evaluated with it) is the run's {@link identityConfig}: fields it ignores at
 * their defaults.
 */
export function buildRecord(
  job: PreparedJob,
  result: TrainResult,
  backend: Pick<Backend, 'name' | 'isa' | 'numerics'>,
): RunRecord {
  const { data, initial } = job;
  const config = identityConfig(job.config);
  // the backend evaluated at the job's config: usable when that is the record's (trainJobs makes it
  // so); the native evaluator ports the paper's neuron only, so another neuron is evaluated here
  const paperNeuron = config.unit === 'ridge' && config.activation === 'gaussian';
  const evaluated =
    job.config.tau === config.tau &&
    job.config.tauCov === config.tauCov &&
    (backend.name === 'ts' || paperNeuron);
  const terms = (evaluated && result.terms) || computeTerms(config, data, result.final);
  const winners = evaluated && result.terms ? result.winners : undefined;
  // the assignment of the final prototypes, once for recon and the scorecard's quantiles
  const { n, hidden: h, dim: d } = config;
  const protos = prototypes(result.final, d, config.unit);
  const matched = { distances: matchedDistances(data.x, protos, n, h, d) };
  return {
    id: hashConfig(config),
    config,
    data: { ...dataToJson(data, config.dim), ...(job.source ? { source: job.source } : {}) },
    initial: paramsToJson(initial, config.dim, config.unit),
    final: paramsToJson(result.final, config.dim, config.unit),
    metrics: withScorecard(
      evaluateRun(config, data, result.final, result.diverged, terms, winners, matched),
      config,
      data,
      initial,
      result.final,
      matched,
    ),
    backend: backend.name,
    isa: backend.isa,
    numerics: backend.numerics,
    wallMs: result.wallMs,
  };
}

/**
 * Trains prepared jobs (for instance from `--init-from`) and returns their records in job order.
 */
export async function trainJobs(
  given: readonly PreparedJob[],
  options: TrainOptions = {},
): Promise<RunRecord[]> {
  // train exactly what the record will say: a field the run ignores at its default
  const jobs = given.map((job) => ({
    ...job,
    config: identityConfig(job.config),
    ...(options.trace !== undefined
      ? { trace: checkTraceEvery(options.trace, identityConfig(job.config)) }
      : {}),
  }));
  const backend = selectBackend(options.backend);
  const records: RunRecord[] = new Array(jobs.length);
  await backend.trainBatch(jobs, {
    threads: options.threads,
    signal: options.signal,
    onResult: (index, result) => {
      records[index] = buildRecord(jobs[index], result, backend);
      options.onRecord?.(records[index], index, result.trace);
    },
  });
  return records;
}

/**
 * Trains many runs (a batch on the selected backend) and returns their records in config order.
 * Records do not depend on the thread count (except `wallMs`).
 *
 * @example
 * ```ts
 * const configs = [0, 1, 2].map((seed) => resolveConfig({ n: 10, mask: 'cov', seed }));
 * const records = await trainRuns(configs, { onRecord: (r) => console.log(r.id, r.metrics.recon) });
 * ```
 */
export function trainRuns(
  configs: readonly RunConfig[],
  options: TrainOptions = {},
): Promise<RunRecord[]> {
  return trainJobs(configs.map(prepareJob), options);
}

/**
 * Trains one run from a (partial) config, filling SPEC defaults and validating every field.
 *
 * @example
 * ```ts
 * const record = await trainRun({ n: 20, mask: 'cov+sep', epochs: 500 });
 * console.log(record.metrics.recon, record.metrics.spec);
 * ```
 */
export async function trainRun(
  config: Partial<RunConfig>,
  options: TrainOptions = {},
): Promise<RunRecord> {
  const [record] = await trainRuns([resolveConfig(config)], options);
  return record;
}
