// Data files (`--data FILE`): a CSV file with a header, or JSON {"x": [[...], ...], "y": [...]},
// read into a table of finite numbers. Every way a file can be bad gets one message naming the
// file, the line and the column. Scaling happens elsewhere (scale.ts); nothing here trains.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Node, ParseError } from 'jsonc-parser';
import { LIMITS } from '../config.js';
import { SCALES, type DataFileRef, type Scale } from '../data-spec.js';
import { ValidationError } from '../errors.js';

/** A data file's numbers: x is N x d row-major, y has length N. */
export interface DataTable {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  xCols: string[];
  yCol: string;
}

/**
 * Which columns of a CSV file to use and how to scale them (defaults: x1..xd, y, minmax).
 *
 * @example
 * ```ts
 * const options: DataFileOptions = { xCols: ['height', 'weight'], yCol: 'age' };
 * const data = dataFile('my.csv', options);
 * ```
 */
export interface DataFileOptions {
  /** input columns by header name (CSV only; default: x1, x2, ... as far as they go) */
  xCols?: readonly string[];
  /** the target column (CSV only; default `y`) */
  yCol?: string;
  scale?: Scale;
}

/** The names messages give the file and the column options (the CLI passes its flags). */
export interface DataFileLabels {
  file: string;
  xCols: string;
  yCol: string;
  scale: string;
}

// The parsers are loaded on the first file of their kind, not when this module is imported: every
// command imports the data flags' code, and a command that reads no data file should not pay for
// them (bench/cli-start.ts). Synchronous (their CommonJS builds), so dataFile() stays synchronous.
const load = createRequire(import.meta.url);
const csvParser = (): typeof import('csv-parse/sync') =>
  load('csv-parse/sync') as typeof import('csv-parse/sync');
const jsonParser = (): typeof import('jsonc-parser') =>
  load('jsonc-parser') as typeof import('jsonc-parser');

/** How messages name a data file's options by default: as {@link dataFile} takes them (the CLI passes its flags). */
export const FIELD_LABELS: DataFileLabels = {
  file: 'file',
  xCols: 'xCols',
  yCol: 'yCol',
  scale: 'scale',
};

/** Files larger than this are refused before they are read (N <= 10000 rows fit in far less). */
export const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;

const JSON_SHAPE = '{"x": [[numbers], ...], "y": [numbers]}';
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function formatOf(file: string, label: string): 'csv' | 'json' {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.json$/i.test(file)) return 'json';
  throw new ValidationError(label, file, 'a .csv or .json data file');
}

function readBytes(file: string, label: string): { bytes: Buffer; sha256: string } {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_DATA_FILE_BYTES)
      throw new ValidationError(
        label,
        file,
        `a data file of at most ${MAX_DATA_FILE_BYTES / 2 ** 20} MiB (it has ${(size / 2 ** 20).toFixed(0)} MiB)`,
      );
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(
      label,
      file,
      code === 'ENOENT'
        ? 'an existing data file (no such file)'
        : `a readable data file (${code ?? (e as Error).message})`,
    );
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The file's text, or the line and column of its first byte that is not UTF-8. */
function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // find the first bad byte: a streaming decoder fed one byte at a time throws right there
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    let lineStart = 0;
    let at = bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      try {
        decoder.decode(bytes.subarray(i, i + 1), { stream: true });
      } catch {
        at = i;
        break;
      }
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    // a sequence cut short by a byte that cannot continue it: report its lead byte
    for (let k = at - 1; k >= Math.max(lineStart, at - 3); k--) {
      if ((bytes[k] & 0xc0) === 0x80) continue;
      const length = bytes[k] >= 0xf0 ? 4 : bytes[k] >= 0xe0 ? 3 : bytes[k] >= 0xc0 ? 2 : 1;
      if (at - k < length) at = k;
      break;
    }
    const column = new TextDecoder().decode(bytes.subarray(lineStart, at)).length + 1;
    const shown =
      at < bytes.length
        ? `0x${bytes[at].toString(16).padStart(2, '0')}`
        : 'a truncated character at the end';
    throw new ValidationError(
      `${file} line ${line}, column ${column}`,
      shown,
      'UTF-8 text (this byte starts or continues no valid UTF-8 character)',
    );
  }
}

/** A cell's number, or a message naming where it is. */
function parseCell(text: string, where: string): number {
  const trimmed = text.trim();
  const value = NUMBER.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(value)) throw new ValidationError(where, text, 'a finite number');
  return value;
}

function checkRowCount(file: string, rows: number): void {
  if (rows < 2) throw new ValidationError(`${file}: data rows`, rows, 'at least 2');
  if (rows > LIMITS.maxN)
    throw new ValidationError(`${file}: data rows`, rows, `at most ${LIMITS.maxN} (the N limit)`);
}

function checkInputCount(file: string, d: number): void {
  if (d > LIMITS.maxDim)
    throw new ValidationError(
      `${file}: input columns`,
      d,
      `at most ${LIMITS.maxDim} (the d limit)`,
    );
}

type CsvRows = { record: string[]; info: { lines: number } }[];

/** The CSV's records with their line numbers, or a ValidationError naming the bad line. */
function parseCsv(file: string, text: string): CsvRows {
  let parsed: CsvRows;
  try {
    parsed = csvParser().parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof parsed;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new ValidationError(
      `${file} line ${err.lines ?? '?'}`,
      err.message.split(':')[0],
      'well-formed CSV (quotes only around a whole cell, and closed)',
    );
  }
  return parsed;
}

/** The header's names (trimmed), refusing a name used twice. */
function csvHeader(file: string, parsed: CsvRows): { header: string[]; seen: Set<string> } {
  const header = parsed[0].record.map((h) => h.trim());
  const headerLine = parsed[0].info.lines;
  const seen = new Set<string>();
  header.forEach((name, c) => {
    if (seen.has(name))
      throw new ValidationError(
        `${file} line ${headerLine}, column ${c + 1}`,
        name,
        'a column name not used before in the header',
      );
    seen.add(name);
  });
  return { header, seen };
}

/** The input and target columns: the ones chosen (they must exist) or x1..xd and y. */
function csvColumns(
  file: string,
  headerLine: number,
  { header, seen }: { header: string[]; seen: Set<string> },
  options: DataFileOptions,
  labels: DataFileLabels,
): { xCols: string[]; yCol: string } {
  const shownHeader = header.join(', ');
  let xCols: string[];
  if (options.xCols !== undefined) {
    xCols = [...options.xCols];
    for (const name of xCols) {
      if (!seen.has(name))
        throw new ValidationError(
          labels.xCols,
          name,
          `a column of ${file} (its header: ${shownHeader})`,
        );
    }
  } else {
    xCols = [];
    while (seen.has(`x${xCols.length + 1}`)) xCols.push(`x${xCols.length + 1}`);
  }
  const yCol = options.yCol ?? 'y';
  if (options.yCol !== undefined && !seen.has(yCol))
    throw new ValidationError(
      labels.yCol,
      yCol,
      `a column of ${file} (its header: ${shownHeader})`,
    );
  if (xCols.length === 0 || !seen.has(yCol)) {
    throw new ValidationError(
      `${file} line ${headerLine}: columns`,
      header,
      `x1..xd and y in the header (or choose columns with ${labels.xCols} and ${labels.yCol})`,
    );
  }
  if (xCols.includes(yCol))
    throw new ValidationError(
      labels.yCol,
      yCol,
      `a column that is not also an input column (${labels.xCols}: ${xCols.join(', ')})`,
    );
  return { xCols, yCol };
}

/** The chosen cells of every data row as numbers (x row-major, rows x d). */
function csvValues(
  file: string,
  parsed: CsvRows,
  header: string[],
  { xCols, yCol }: { xCols: string[]; yCol: string },
): { x: Float64Array; y: Float64Array } {
  const rows = parsed.length - 1;
  const d = xCols.length;
  const xIndex = xCols.map((name) => header.indexOf(name));
  const yIndex = header.indexOf(yCol);
  const x = new Float64Array(rows * d);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const { record, info } = parsed[i + 1];
    if (record.length !== header.length)
      throw new ValidationError(
        `${file} line ${info.lines}: cells`,
        record.length,
        `${header.length} (as many as the header)`,
      );
    const cell = (c: number) =>
      parseCell(record[c], `${file} line ${info.lines}, column ${c + 1} (${header[c]})`);
    // cells left to right, so the first bad cell of a row is the one reported
    const used = [...xIndex.map((c, k) => [c, k] as const), [yIndex, -1] as const].sort(
      (a, b) => a[0] - b[0],
    );
    for (const [c, k] of used) {
      if (k < 0) y[i] = cell(c);
      else x[i * d + k] = cell(c);
    }
  }
  return { x, y };
}

function csvTable(
  file: string,
  text: string,
  options: DataFileOptions,
  labels: DataFileLabels,
): DataTable {
  const parsed = parseCsv(file, text);
  if (parsed.length === 0)
    throw new ValidationError(file, text, 'a CSV file: a header line, then at least 2 data rows');
  const names = csvHeader(file, parsed);
  const { xCols, yCol } = csvColumns(file, parsed[0].info.lines, names, options, labels);
  checkInputCount(file, xCols.length);
  const rows = parsed.length - 1;
  checkRowCount(file, rows);
  const { x, y } = csvValues(file, parsed, names.header, { xCols, yCol });
  return { x, y, rows, xCols, yCol };
}

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** Where a node is, for messages: the file, line:column and what it holds. */
type JsonAt = (node: Node, what: string) => string;

/** The parsed top-level object, or a ValidationError at the first syntax error or a non-object. */
function jsonRoot(file: string, text: string): { root: Node; at: JsonAt } {
  const { parseTree, printParseErrorCode } = jsonParser();
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  if (errors.length) {
    const e = errors[0];
    const token = text.slice(e.offset, e.offset + Math.max(1, e.length));
    throw new ValidationError(
      `${file} ${position(text, e.offset)}`,
      token,
      `valid JSON (${printParseErrorCode(e.error)}; NaN and Infinity are not JSON numbers)`,
    );
  }
  const at = (node: Node, what: string) => `${file} ${position(text, node.offset)} (${what})`;
  if (!root || root.type !== 'object')
    throw new ValidationError(
      root ? at(root, 'the top level') : file,
      root?.type ?? 'nothing',
      `an object ${JSON_SHAPE}`,
    );
  return { root, at };
}

/** A finite JSON number, or a ValidationError at it. */
function jsonNumber(node: Node, what: string, text: string, at: JsonAt): number {
  if (node.type !== 'number' || !Number.isFinite(node.value))
    throw new ValidationError(
      at(node, what),
      node.type === 'number'
        ? text.slice(node.offset, node.offset + node.length)
        : (node.value ?? node.type),
      'a finite number',
    );
  return node.value as number;
}

/** x's rows: each an array of d numbers, d fixed by x[0] (x row-major, rows x d). */
function jsonInputs(
  file: string,
  rowNodes: Node[],
  text: string,
  at: JsonAt,
): { x: Float64Array; d: number } {
  const first = rowNodes[0];
  if (first.type !== 'array' || !first.children?.length)
    throw new ValidationError(
      at(first, 'x[0]'),
      first.type === 'array' ? 'an empty array' : first.type,
      'an array of numbers (the inputs of row 0)',
    );
  const d = first.children.length;
  checkInputCount(file, d);
  const rows = rowNodes.length;
  const x = new Float64Array(rows * d);
  rowNodes.forEach((row, i) => {
    if (row.type !== 'array')
      throw new ValidationError(
        at(row, `x[${i}]`),
        row.type,
        `an array of ${d} numbers (as many as x[0])`,
      );
    const cells = row.children ?? [];
    if (cells.length !== d)
      throw new ValidationError(
        `${at(row, `x[${i}]`)}: numbers`,
        cells.length,
        `${d} (as many as x[0])`,
      );
    cells.forEach((cell, k) => (x[i * d + k] = jsonNumber(cell, `x[${i}][${k}]`, text, at)));
  });
  return { x, d };
}

function jsonTable(file: string, text: string): DataTable {
  if (text.trim() === '') throw new ValidationError(file, text, `a JSON data file ${JSON_SHAPE}`);
  const { root, at } = jsonRoot(file, text);
  const property = (key: string): Node => {
    const prop = root.children?.find((p) => p.children?.[0].value === key);
    if (!prop?.children?.[1])
      throw new ValidationError(
        `${file}: "${key}"`,
        undefined,
        `a key "${key}" in the top-level object ${JSON_SHAPE}`,
      );
    return prop.children[1];
  };
  const xNode = property('x');
  const yNode = property('y');
  if (xNode.type !== 'array')
    throw new ValidationError(
      at(xNode, 'x'),
      xNode.type,
      'an array of rows, each an array of numbers',
    );
  const rowNodes = xNode.children ?? [];
  checkRowCount(file, rowNodes.length);
  const { x, d } = jsonInputs(file, rowNodes, text, at);
  const rows = rowNodes.length;
  if (yNode.type !== 'array')
    throw new ValidationError(at(yNode, 'y'), yNode.type, 'an array of numbers, one per row of x');
  const yCells = yNode.children ?? [];
  if (yCells.length !== rows)
    throw new ValidationError(
      `${at(yNode, 'y')}: values`,
      yCells.length,
      `${rows} (one per row of x)`,
    );
  const y = Float64Array.from(yCells, (cell, i) => jsonNumber(cell, `y[${i}]`, text, at));
  return { x, y, rows, xCols: Array.from({ length: d }, (_, k) => `x${k + 1}`), yCol: 'y' };
}

function readTable(
  file: string,
  bytes: Buffer,
  options: DataFileOptions,
  labels: DataFileLabels,
): DataTable {
  const format = formatOf(file, labels.file);
  const text = decodeUtf8(file, bytes);
  if (format === 'json') {
    if (options.xCols !== undefined)
      throw new ValidationError(
        labels.xCols,
        options.xCols.join(','),
        'nothing for a JSON data file (its inputs are "x")',
      );
    if (options.yCol !== undefined)
      throw new ValidationError(
        labels.yCol,
        options.yCol,
        'nothing for a JSON data file (its target is "y")',
      );
    return jsonTable(file, text);
  }
  return csvTable(file, text, options, labels);
}

/**
 * Reads a data file and resolves it into the {@link DataFileRef} a run config holds: its SHA-256,
 * rows and columns, checked cell by cell. Throws a {@link ValidationError} naming the file, line and
 * column for any bad file (empty, header only, a non-numeric, NaN or infinite cell, a ragged row, a
 * missing column, fewer than 2 or more than 10000 rows, not UTF-8). `labels` names the options in
 * messages (default: the option names of `options`, `file` for the path).
 *
 * @example
 * ```ts
 * const data = dataFile('my.csv', { xCols: ['height', 'weight'], yCol: 'age', scale: 'standard' });
 * const record = await trainRun({ data, mask: 'cov' }); // N and d come from the file
 * ```
 */
export function dataFile(
  file: string,
  options: DataFileOptions = {},
  labels: DataFileLabels = FIELD_LABELS,
): DataFileRef {
  if (typeof file !== 'string' || file === '')
    throw new ValidationError(labels.file, file, 'a path to a .csv or .json data file');
  const scale = options.scale ?? 'minmax';
  if (!(SCALES as readonly string[]).includes(scale))
    throw new ValidationError(labels.scale, scale, `one of ${SCALES.join(', ')}`);
  formatOf(file, labels.file);
  const { bytes, sha256 } = readBytes(file, labels.file);
  const table = readTable(file, bytes, options, labels);
  return { file, sha256, rows: table.rows, xCols: table.xCols, yCol: table.yCol, scale };
}

/**
 * The numbers of a resolved data file, read again; refused with a message saying so when the
 * file's content changed since it was resolved (its SHA-256 differs).
 */
export function readDataTable(ref: DataFileRef): DataTable {
  const { bytes, sha256 } = readBytes(ref.file, 'data file');
  if (sha256 !== ref.sha256) throw dataFileChanged(ref, sha256);
  const csv = formatOf(ref.file, 'data file') === 'csv';
  return readTable(ref.file, bytes, csv ? { xCols: ref.xCols, yCol: ref.yCol } : {}, FIELD_LABELS);
}

/** The message for a data file whose content is not the one a run or study was made with. */
export function dataFileChanged(
  ref: Pick<DataFileRef, 'file' | 'sha256'>,
  now: string,
  remedy = 'restore it, or start a new study (another `out`) for the new content',
): ValidationError {
  return new ValidationError(
    `data file ${ref.file}`,
    `content with sha256 ${now.slice(0, 16)}...`,
    `the content it had when the runs were made (sha256 ${ref.sha256.slice(0, 16)}...): the file has changed since; ${remedy}`,
  );
}
