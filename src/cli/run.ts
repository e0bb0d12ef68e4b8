// `protomlp run`: train one run and print a readable summary or, with --json, the whole record.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CONFIG_KEYS, resolveConfig, usesField, type RunConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { paramsFromJson, recordStart, type RunRecord } from '../record.js';
import { prepareJob, trainJobs } from '../train.js';
import { prototypes } from '../eval/index.js';
import { fieldFromFlag, parseBackend } from './common.js';

/** The flag of each config field. */
export const FLAG: Record<keyof RunConfig, string> = {
  n: '--n', hidden: '--hidden', dim: '--dim', target: '--target', init: '--init', mask: '--mask',
  lambda: '--lambda', tau: '--tau', tauCov: '--tau-cov', lr: '--lr', epochs: '--epochs', seed: '--seed',
};

/** Fields a record fixes: with --init-from they come from the record, not from flags. */
const START_FIELDS: readonly (keyof RunConfig)[] = ['n', 'hidden', 'dim', 'target', 'init', 'seed'];

interface RunFlags {
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
export function jobFromFlags(flags: RunFlags, given: (key: keyof RunConfig) => boolean) {
  const fromFlags: Partial<Record<keyof RunConfig, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const text = flags[key];
    if (given(key) && typeof text === 'string') fromFlags[key] = fieldFromFlag(key, text);
  }
  if (flags.initFrom === undefined) return prepareJob(resolveConfig(fromFlags, (k) => FLAG[k]));
  for (const key of START_FIELDS) {
    if (key in fromFlags) {
      throw new ValidationError(FLAG[key], fromFlags[key], `no value with --init-from (the record fixes ${START_FIELDS.join(', ')})`);
    }
  }
  const start = recordStart(readRecordFile(flags.initFrom), `${flags.initFrom}: `);
  const config = resolveConfig({ ...start.config, ...fromFlags }, (k) => FLAG[k]);
  return { config, data: start.data, initial: start.initial };
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

/** The readable summary of a run record. */
export function summarize(record: RunRecord): string {
  const c = record.config;
  const m = record.metrics;
  const field = (key: 'lambda' | 'tau' | 'tauCov'): string => `${key}=${usesField(c, key) ? c[key] : `unused by ${c.mask}`}`;
  const lines = [
    `run ${record.id}: n=${c.n} hidden=${c.hidden} dim=${c.dim} target=${c.target} init=${c.init} mask=${c.mask}`,
    `  ${field('lambda')} ${field('tau')} ${field('tauCov')} lr=${c.lr} epochs=${c.epochs} seed=${c.seed}`,
    `backend ${record.backend} (${record.isa}), ${fmt(record.wallMs, 3)} ms${m.diverged ? ', DIVERGED (training stopped at a non-finite value)' : ''}`,
    `reconstruction error ${fmt(m.recon)}   specialization ${fmt(m.spec)}   fit ${fmt(m.fit)}`,
    `terms: cov ${fmt(m.cov)}  sep ${fmt(m.sep)}  ovl ${fmt(m.ovl)}`,
  ];
  if (c.dim === 1) {
    lines.push(`outside the hull: ${fmt(m.outside)} of prototypes, mean distance ${fmt(m.outsideDist)}`);
    lines.push('', 'inputs | and prototypes o (* where one sits on an input):', positionStrip(record));
  } else {
    lines.push(`outside the bounding box (outsideBox): ${fmt(m.outsideBox)} of prototypes, mean distance ${fmt(m.outsideBoxDist)}`);
  }
  return lines.join('\n');
}

/** Registers `protomlp run`. */
export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('train one run and print its summary (or, with --json, its whole record)')
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
    .addHelpText('after', '\nExample:\n  protomlp run --n 20 --mask cov+sep --epochs 2000 --json > run.json\n  protomlp run --init-from run.json --mask ovl')
    .action(async (flags: RunFlags) => {
      const job = jobFromFlags(flags, (key) => cmd.getOptionValueSource(key) === 'cli');
      const [record] = await trainJobs([job], { backend: parseBackend(flags.backend), threads: 1 });
      process.stdout.write(flags.json ? `${JSON.stringify(record)}\n` : `${summarize(record)}\n`);
    });
}
