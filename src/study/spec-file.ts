// Study files: a JSON or YAML object of study fields (name, preset, run fields as a value or a
// list), read and validated into a study. The format is documented in docs/studies.md.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { ValidationError } from '../errors.js';
import { resolveStudy, type Study, type StudySpec } from './grid.js';

/**
 * The YAML parser, loaded on the first YAML file: importing it costs about 30 ms, which every
 * `protomlp sweep` would pay at start otherwise (synchronous, so readStudySpec stays synchronous).
 */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

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
export function loadStudyFile(file: string, label = '--config'): Study {
  return resolveStudy(readStudySpec(file, label), `${file}: `);
}

/**
 * Reads a study file into its unresolved {@link StudySpec} (parsed and checked to be an object;
 * the fields are checked by {@link resolveStudy}). The CLI uses it to lay flags over a file.
 */
export function readStudySpec(file: string, label = '--config'): StudySpec {
  const yaml = /\.ya?ml$/i.test(file);
  if (!yaml && !/\.json$/i.test(file)) throw new ValidationError(label, file, 'a .json, .yaml or .yml study file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(label, file, code === 'ENOENT' ? 'an existing study file (no such file)' : `a readable study file (${code ?? (e as Error).message})`);
  }
  let spec: unknown;
  try {
    spec = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    throw new ValidationError(label, file, `a valid ${yaml ? 'YAML' : 'JSON'} study file (${reason})`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ValidationError(file, spec, 'an object of study fields (name, preset and run fields)');
  }
  return spec as StudySpec;
}
