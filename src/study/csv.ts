// CSV export of a study's flat metrics: one row per finished run, in canonical order, the config
// fields then the metrics. Parameters and data stay in runs.jsonl.

import { CONFIG_KEYS } from '../config.js';
import { csvText } from '../csv.js';
import { recordNumerics } from '../numerics.js';
import { dataLabel } from '../data-spec.js';
import { recordWithScorecard, SCORECARD_FIELDS } from '../eval/scorecard.js';
import type { Metrics, RunRecord } from '../record.js';
import { readStudySync, writeFileAtomic, type StudyContent } from './store.js';

/**
 * Metric columns, in order; `outsideBox*` are empty for d = 1 runs. The scorecard columns
 * (`reconUntrained` .. `reconGreedy`) are computed for records made before it.
 */
export const METRIC_COLUMNS: readonly (keyof Metrics)[] = [
  'recon',
  'spec',
  'fit',
  'cov',
  'sep',
  'ovl',
  'outside',
  'outsideDist',
  'outsideBox',
  'outsideBoxDist',
  ...SCORECARD_FIELDS,
  'diverged',
];

/** Every column of the export: `id`, the run config (`data` as a dataset name or `file PATH`), the metrics, then how the run was computed. */
export const CSV_COLUMNS: readonly string[] = [
  'id',
  ...CONFIG_KEYS,
  ...METRIC_COLUMNS,
  'backend',
  'isa',
  'numerics',
  'wallMs',
];

/**
 * Records as CSV text (RFC 4180, `\n` line ends, a header row). A record without the scorecard
 * gets it computed ({@link recordWithScorecard}). Non-finite or missing values are empty cells; numbers are written in JavaScript's shortest round-trip form.
 *
 * @example
 * ```ts
 * const { records } = await readStudy('results/paper');
 * fs.writeFileSync('paper.csv', toCsv(records));
 * ```
 */
export function toCsv(records: readonly RunRecord[]): string {
  const rows = records
    .map(recordWithScorecard)
    .map((r) => [
      r.id,
      ...CONFIG_KEYS.map((k) => (k === 'data' ? dataLabel(r.config.data) : r.config[k])),
      ...METRIC_COLUMNS.map((k) => r.metrics[k]),
      r.backend,
      r.isa,
      recordNumerics(r),
      r.wallMs,
    ]);
  return csvText(CSV_COLUMNS, rows);
}

/**
 * Exports a study folder's flat metrics as CSV: written to `file` (whole, atomically) when given,
 * returned either way with what was read (so a caller can show the reader's notices).
 *
 * @example
 * ```ts
 * const { csv, content } = await exportCsv('results/paper', 'results/paper/runs.csv');
 * console.log(content.records.length, 'rows;', content.missing.length, 'runs missing');
 * ```
 */
export async function exportCsv(
  dir: string,
  file?: string,
): Promise<{ csv: string; content: StudyContent }> {
  const content = readStudySync(dir);
  const csv = toCsv(content.records);
  if (file !== undefined) writeFileAtomic(file, csv);
  return { csv, content };
}
