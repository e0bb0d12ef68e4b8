// Study files: a JSON or YAML object of study fields (name, preset, run fields as a value or a
// list), read and validated into a study. The format is documented in docs/studies.md.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { DATASETS, type DataSpec } from '../data-spec.js';
import { dataFile, dataFileChanged } from '../datasets/index.js';
import { ValidationError } from '../errors.js';
import { resolveStudy, type Study, type StudySpec } from './grid.js';

/**
 * The YAML parser, loaded on the first YAML file: importing it costs about 30 ms, which every
 * `protomlp sweep` would pay at start otherwise (synchronous, so readStudySpec stays synchronous).
 */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

/**
 * Reads a study file (`.json`, `.yaml` or `.yml`) and resolves it. Every problem, from a missing
 * file to one bad list element, is a {@link ValidationError} naming the file and the field.
 *
 * @example
 * ```ts
 * // lambda.yaml:  name: lambda \n n: [10, 20] \n mask: [cov, cov+sep] \n lambda: [0.01, 0.1, 1] \n seed: 0..9
 * const study = loadStudyFile('lambda.yaml'); // 120 runs
 * ```
 */
export function loadStudyFile(file: string, label = 'file'): Study {
  return resolveStudy(readStudySpec(file, label), `${file}: `);
}

/**
 * Reads a study file into its unresolved {@link StudySpec} (parsed and checked to be an object;
 * the fields are checked by {@link resolveStudy}). The CLI uses it to lay flags over a file.
 */
export function readStudySpec(file: string, label = 'file'): StudySpec {
  const yaml = /\.ya?ml$/i.test(file);
  if (!yaml && !/\.json$/i.test(file))
    throw new ValidationError(label, file, 'a .json, .yaml or .yml study file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(
      label,
      file,
      code === 'ENOENT'
        ? 'an existing study file (no such file)'
        : `a readable study file (${code ?? (e as Error).message})`,
    );
  }
  let spec: unknown;
  try {
    spec = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    throw new ValidationError(
      label,
      file,
      `a valid ${yaml ? 'YAML' : 'JSON'} study file (${reason})`,
    );
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ValidationError(
      file,
      spec,
      'an object of study fields (name, preset and run fields)',
    );
  }
  const fields = spec as Record<string, unknown>;
  if (fields.data !== undefined) fields.data = resolveDataEntries(fields.data, `${file}: data`);
  return spec as StudySpec;
}

const ENTRY_KEYS = ['file', 'xCols', 'yCol', 'scale', 'sha256', 'rows'];

/**
 * A study file's `data`: one entry or a list, each a dataset name, a data file's path, or
 * `{file, xCols?, yCol?, scale?}`. Files are read and checked now (paths relative to the working
 * directory); an entry that names its sha256 (as study.json does) must still have that content.
 */
export function resolveDataEntries(raw: unknown, where: string): DataSpec | DataSpec[] {
  const one = (entry: unknown, label: string): DataSpec => {
    if (typeof entry === 'string') {
      if ((DATASETS as readonly string[]).includes(entry)) return entry as DataSpec;
      return dataFile(
        entry,
        {},
        { file: label, xCols: `${label}.xCols`, yCol: `${label}.yCol`, scale: `${label}.scale` },
      );
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ValidationError(
        label,
        entry,
        `a dataset name (${DATASETS.join(', ')}), a data file's path, or {file, xCols, yCol, scale}`,
      );
    }
    const e = entry as Record<string, unknown>;
    const unknownKey = Object.keys(e).find((k) => !ENTRY_KEYS.includes(k));
    if (unknownKey !== undefined)
      throw new ValidationError(
        `${label}.${unknownKey}`,
        e[unknownKey],
        `a data entry field: ${ENTRY_KEYS.slice(0, 4).join(', ')}`,
      );
    const list = (v: unknown, field: string): string[] | undefined => {
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.length === 0 || !v.every((c) => typeof c === 'string' && c !== ''))
        throw new ValidationError(`${label}.${field}`, v, 'a non-empty list of column names');
      return v as string[];
    };
    const text = (v: unknown, field: string): string | undefined => {
      if (v !== undefined && typeof v !== 'string')
        throw new ValidationError(`${label}.${field}`, v, 'a string');
      return v as string | undefined;
    };
    const ref = dataFile(
      text(e.file, 'file') ?? '',
      {
        xCols: list(e.xCols, 'xCols'),
        yCol: text(e.yCol, 'yCol'),
        scale: text(e.scale, 'scale') as never,
      },
      {
        file: `${label}.file`,
        xCols: `${label}.xCols`,
        yCol: `${label}.yCol`,
        scale: `${label}.scale`,
      },
    );
    if (e.sha256 !== undefined && e.sha256 !== ref.sha256)
      throw dataFileChanged(
        { file: ref.file, sha256: String(e.sha256) },
        ref.sha256,
        'restore it, or drop sha256 from the entry to use the new content',
      );
    return ref;
  };
  return Array.isArray(raw) ? raw.map((entry, i) => one(entry, `${where}[${i}]`)) : one(raw, where);
}
