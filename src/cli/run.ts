// `protomlp run`: train one run and print a readable summary or, with --json, the whole record.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CONFIG_KEYS, resolveConfig, usesField, type RunConfig } from '../config.js';
import { dataLabel, dataShape } from '../data-spec.js';
import { unscale } from '../datasets/index.js';
import { ValidationError } from '../errors.js';
import { dataFromJson, paramsFromJson, recordStart, type RunRecord } from '../record.js';
import { prepareJob, trainJobs, type PreparedJob } from '../train.js';
import { outsideHull, prototypes, reconstructionError } from '../eval/index.js';
import { dataFromFlags, dataOptions, fieldFromFlag, parseBackend, type DataFlags } from './common.js';

/** The flag of each config field. */
export const FLAG: Record<keyof RunConfig, string> = {
  data: '--data', n: '--n', hidden: '--hidden', dim: '--dim', target: '--target', init: '--init', mask: '--mask',
  lambda: '--lambda', tau: '--tau', tauCov: '--tau-cov', lr: '--lr', epochs: '--epochs', seed: '--seed',
};

/** Fields a record fixes: with --init-from they come from the record, not from flags. */
const START_FIELDS: readonly (keyof RunConfig)[] = ['data', 'n', 'hidden', 'dim', 'target', 'init', 'seed'];

interface RunFlags extends DataFlags {
  json?: boolean;
  initFrom?: string;
  backend?: string;
  [key: string]: unknown;
}

function readRecordFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError('--init-from', file, `a readable run record file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('--init-from', file, `a JSON run record (${(error as Error).message})`);
  }
}

/** Builds the job of `protomlp run` from its flags (exported for tests). */
export function jobFromFlags(flags: RunFlags, given: (key: keyof RunConfig) => boolean): PreparedJob {
  const fromFlags: Partial<Record<keyof RunConfig, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const text = flags[key];
    if (key !== 'data' && given(key) && typeof text === 'string') fromFlags[key] = fieldFromFlag(key, text);
  }
  const data = dataFromFlags(flags, false);
  if (data) fromFlags.data = data[0];
  if (flags.initFrom === undefined) return prepareJob(resolveConfig(fromFlags, (k) => FLAG[k]));
  for (const key of START_FIELDS) {
    if (key in fromFlags) {
      const flag = key === 'data' && flags.data === undefined ? '--dataset' : FLAG[key];
      throw new ValidationError(flag, key === 'data' ? (flags.data ?? flags.dataset) : fromFlags[key], `no value with --init-from (the record fixes ${START_FIELDS.join(', ')})`);
    }
  }
  const start = recordStart(readRecordFile(flags.initFrom), `${flags.initFrom}: `);
  const config = resolveConfig({ ...start.config, ...fromFlags }, (k) => FLAG[k]);
  return { config, data: start.data, initial: start.initial, ...(start.source ? { source: start.source } : {}) };
}

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? 'n/a' : Number(v.toPrecision(digits)).toString());

/** A one-line picture of a 1-D run: inputs `|`, prototypes `o` (or `*` where on an input), [-1.5, 1.5]. */
export function positionStrip(record: RunRecord, width = 72): string {
  const lo = -1.5;
  const hi = 1.5;
  const cells = Array<string>(width).fill('-');
  const col = (v: number): number => Math.round(((v - lo) / (hi - lo)) * (width - 1));
  for (const [xi] of record.data.x) cells[col(xi)] = '|';
  const protos = prototypes(paramsFromJson(record.final), 1);
  let beyond = 0;
  for (const p of protos) {
    if (!Number.isFinite(p) || p < lo || p > hi) {
      beyond += 1;
      continue;
    }
    const k = col(p);
    cells[k] = cells[k] === '|' || cells[k] === '*' ? '*' : 'o';
  }
  return `${cells.join('')}\n${'-1.5'.padEnd(width / 2 - 1)}0${'1.5'.padStart(width / 2)}${beyond ? `   (${beyond} prototype(s) beyond the view)` : ''}`;
}

/** How many prototypes the summary lists in both units for real data. */
const SHOWN_PROTOTYPES = 5;

/**
 * The summary's lines for real data scaled from its file's units: the first prototypes in training
 * and in file units, and the distances measured again in file units (the scaling is per column, so
 * Euclidean distances are not simply rescaled: recon and the hull distance are recomputed there).
 */
function fileUnitLines(record: RunRecord): string[] {
  const source = record.data.source;
  if (!source) return [];
  const { n, hidden: h, dim: d } = record.config;
  const data = dataFromJson(record.data);
  const protos = prototypes(paramsFromJson(record.final), d);
  const xFile = unscale(data.x, d, source.transform);
  const pFile = unscale(protos, d, source.transform);
  const point = (p: Float64Array, j: number) => `(${Array.from(p.subarray(j * d, j * d + d), (v) => fmt(v)).join(', ')})`;
  const hull = outsideHull(xFile, pFile, n, h, d);
  const lines = [
    '',
    `data: ${source.path ?? `${source.dataset} (${source.package})`}, ${source.rows} rows, inputs ${source.columns.x.join(', ')}, target ${source.columns.y}; scale ${source.scale} (x_training = (x_file - shift) / factor per column)`,
    `in the file's units: reconstruction error ${fmt(finite(reconstructionError(xFile, pFile, n, h, d)))}, mean distance of the outside prototypes to the hull ${fmt(finite(hull.meanDist))}`,
    `first ${Math.min(SHOWN_PROTOTYPES, h)} of ${h} prototypes, training units -> file units:`,
  ];
  for (let j = 0; j < Math.min(SHOWN_PROTOTYPES, h); j++) lines.push(`  p${j}: ${point(protos, j)} -> ${point(pFile, j)}`);
  return lines;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The readable summary of a run record. */
export function summarize(record: RunRecord): string {
  const c = record.config;
  const m = record.metrics;
  const field = (key: 'lambda' | 'tau' | 'tauCov'): string => `${key}=${usesField(c, key) ? c[key] : `unused by ${c.mask}`}`;
  const target = dataShape(c.data).yFromData ? `y from the data` : `target=${c.target}`;
  const lines = [
    `run ${record.id}: data=${dataLabel(c.data)} n=${c.n} hidden=${c.hidden} dim=${c.dim} ${target} init=${c.init} mask=${c.mask}`,
    `  ${field('lambda')} ${field('tau')} ${field('tauCov')} lr=${c.lr} epochs=${c.epochs} seed=${c.seed}`,
    `backend ${record.backend} (${record.isa}), ${fmt(record.wallMs, 3)} ms${m.diverged ? ', DIVERGED (training stopped at a non-finite value)' : ''}`,
    `reconstruction error ${fmt(m.recon)}   specialization ${fmt(m.spec)}   fit ${fmt(m.fit)}`,
    `terms: cov ${fmt(m.cov)}  sep ${fmt(m.sep)}  ovl ${fmt(m.ovl)}`,
    `outside the convex hull (exact${c.dim > 1 ? ', Wolfe' : ''}): ${fmt(m.outside)} of prototypes, mean distance ${fmt(m.outsideDist)}`,
  ];
  if (c.dim === 1) {
    lines.push('', 'inputs | and prototypes o (* where one sits on an input):', positionStrip(record));
  } else {
    lines.push(`outside the bounding box (outsideBox): ${fmt(m.outsideBox)} of prototypes, mean distance ${fmt(m.outsideBoxDist)}`);
  }
  lines.push(...fileUnitLines(record));
  return lines.join('\n');
}

/** Registers `protomlp run`. */
export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('train one run and print its summary (or, with --json, its whole record)');
  dataOptions(cmd, false)
    .option('--n <int>', 'number of training samples N (default 10)')
    .option('--hidden <int>', 'hidden width H (default: N)')
    .option('--dim <int>', 'input dimension d (default 1)')
    .option('--target <name>', 'sine | random (default sine)')
    .option('--init <name>', 'centers | torch (default centers)')
    .option('--mask <mask>', 'base | cov | sep | ovl | cov+sep | cov+ovl | sep+ovl | cov+sep+ovl (default base)')
    .option('--lambda <x>', 'weight of the structural losses (default 0.1)')
    .option('--tau <x>', 'separation temperature (default 0.001)')
    .option('--tau-cov <x>', 'coverage softmin temperature, 0 = plain min (default 0)')
    .option('--lr <x>', 'Adam learning rate (default 0.01)')
    .option('--epochs <int>', 'full-batch Adam steps (default 2000)')
    .option('--seed <int>', 'seed of the data and initial parameters (default 0)')
    .option('--backend <name>', 'auto | native | ts (default auto; PROTOMLP_BACKEND overrides)')
    .option('--init-from <file>', "re-train from a run record's data and initial parameters")
    .option('--json', 'print the whole run record as JSON')
    .addHelpText('after', '\nExamples:\n  protomlp run --n 20 --mask cov+sep --epochs 2000 --json > run.json\n  protomlp run --init-from run.json --mask ovl\n  protomlp run --dim 3 --n 40 --mask ovl\n  protomlp run --data my.csv --x-cols height,weight --y-col age --scale standard --mask cov')
    .action(async (flags: RunFlags) => {
      const job = jobFromFlags(flags, (key) => cmd.getOptionValueSource(key) === 'cli');
      const [record] = await trainJobs([job], { backend: parseBackend(flags.backend), threads: 1 });
      process.stdout.write(flags.json ? `${JSON.stringify(record)}\n` : `${summarize(record)}\n`);
    });
}
