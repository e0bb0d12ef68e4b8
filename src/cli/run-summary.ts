// The readable summary `protomlp run` prints: the run's settings, metrics and, in 1-D, a one-line
// picture of inputs and prototypes. Loaded by the command only after training (it needs eval/).

import { usesField } from '../config.js';
import { paramsFromJson, type RunRecord } from '../record.js';
import { prototypes } from '../eval/prototypes.js';

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
