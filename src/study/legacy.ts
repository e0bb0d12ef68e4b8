// Reading study folders written by protomlp 0.1.0, whose run ids hashed every config field, used or
// not. Their study ids and run ids are recognized, and each record is brought to the current form
// as it is read (the id of its identity config, ignored fields at their defaults); nothing here
// writes. A folder whose ignored fields were all at their defaults needs none of this: its ids
// are the current ones.

import { hashConfig, identityConfig, type RunConfig } from '../config.js';
import { finiteOrNull } from '../eval/checks.js';
import { computeTerms } from '../model/losses.js';
import { dataFromJson, paramsFromJson, type RunRecord } from '../record.js';
import { gridPoints, idOfRuns, type StudyGrid } from './grid.js';

/** The run id protomlp 0.1.0 gave a config: the hash of every field as given. */
export function legacyRunId(config: RunConfig): string {
  return hashConfig(config);
}

/** The study id protomlp 0.1.0 gave a grid: the hash of the 0.1.0 ids of every grid point. */
export function legacyStudyId(grid: StudyGrid): string {
  return idOfRuns(gridPoints(grid).map(legacyRunId));
}

/**
 * A 0.1.0 record as this version writes it: `id` and `config` from {@link identityConfig}, and
 * the final values of the coverage and separation terms recomputed from the stored data and
 * final parameters at the identity config's temperatures (0.1.0 evaluated an inactive term at the
 * temperature given, which the run never used). A diverged run keeps its metrics.
 */
export function upgradeRecord(record: RunRecord, identity: RunConfig, id: string): RunRecord {
  if (record.metrics.diverged) return { ...record, id, config: identity };
  const terms = computeTerms(identity, dataFromJson(record.data), paramsFromJson(record.final));
  return {
    ...record,
    id,
    config: identity,
    metrics: { ...record.metrics, cov: finiteOrNull(terms.cov), sep: finiteOrNull(terms.sep) },
  };
}
