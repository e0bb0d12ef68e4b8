// The readable summary `protomlp run` prints: the run's settings, metrics, in 1-D a one-line
// picture of inputs and prototypes, and for real data its prototypes and distances in the file's
// units. Loaded by the command only after training (it needs eval/).

import { usesField } from '../config.js';
import { dataLabel, dataShape } from '../data-spec.js';
import { unscale } from '../datasets/index.js';
import { dataFromJson, type RunRecord } from '../record.js';
import { finiteOrNull } from '../eval/checks.js';
import { outsideHull, recordPrototypes, reconstructionError } from '../eval/index.js';

const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined ? 'n/a' : Number(v.toPrecision(digits)).toString();

/** ` unit=radial activation=cauchy` for a neuron other than the paper's (nothing for it). */
function neuron(c: RunRecord['config']): string {
  const unit = c.unit !== 'ridge' ? ` unit=${c.unit}` : '';
  return unit + (c.activation !== 'gaussian' ? ` activation=${c.activation}` : '');
}

/** A one-line picture of a 1-D run: inputs `|`, prototypes `o` (or `*` where on an input), [-1.5, 1.5]. */
export function positionStrip(record: RunRecord, width = 72): string {
  const lo = -1.5;
  const hi = 1.5;
  const cells = Array<string>(width).fill('-');
  const col = (v: number): number => Math.round(((v - lo) / (hi - lo)) * (width - 1));
  for (const [xi] of record.data.x) cells[col(xi)] = '|';
  const protos = recordPrototypes(record);
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
  const protos = recordPrototypes(record);
  const xFile = unscale(data.x, d, source.transform);
  const pFile = unscale(protos, d, source.transform);
  const point = (p: Float64Array, j: number) =>
    `(${Array.from(p.subarray(j * d, j * d + d), (v) => fmt(v)).join(', ')})`;
  const hull = outsideHull(xFile, pFile, n, h, d);
  const lines = [
    '',
    `data: ${source.path ?? `${source.dataset} (${source.package})`}, ${source.rows} rows, inputs ${source.columns.x.join(', ')}, target ${source.columns.y}; scale ${source.scale} (x_training = (x_file - shift) / factor per column)`,
    `in the file's units: reconstruction error ${fmt(finiteOrNull(reconstructionError(xFile, pFile, n, h, d)))}, mean distance of the outside prototypes to the hull ${fmt(finiteOrNull(hull.meanDist))}`,
    `first ${Math.min(SHOWN_PROTOTYPES, h)} of ${h} prototypes, training units -> file units:`,
  ];
  for (let j = 0; j < Math.min(SHOWN_PROTOTYPES, h); j++)
    lines.push(`  p${j}: ${point(protos, j)} -> ${point(pFile, j)}`);
  return lines;
}

/** The readable summary of a run record. */
export function summarize(record: RunRecord): string {
  const c = record.config;
  const m = record.metrics;
  const field = (key: 'lambda' | 'tau' | 'tauCov'): string =>
    `${key}=${usesField(c, key) ? c[key] : `unused by ${c.mask}`}`;
  const target = dataShape(c.data).yFromData ? `y from the data` : `target=${c.target}`;
  const lines = [
    `run ${record.id}: data=${dataLabel(c.data)} n=${c.n} hidden=${c.hidden} dim=${c.dim} ${target} init=${c.init}${neuron(c)} mask=${c.mask}`,
    `  ${field('lambda')} ${field('tau')} ${field('tauCov')} lr=${c.lr} epochs=${c.epochs} seed=${c.seed}`,
    `backend ${record.backend} (${record.isa}), ${fmt(record.wallMs, 3)} ms${m.diverged ? ', DIVERGED (training stopped at a non-finite value)' : ''}`,
    `reconstruction error ${fmt(m.recon)}   specialization ${fmt(m.spec)}   fit ${fmt(m.fit)}`,
    ...(m.reconRandom !== undefined
      ? [
          `  yardsticks: random prototypes ${fmt(m.reconRandom)}  untrained ${fmt(m.reconUntrained)}  all at the mean ${fmt(m.reconMean)}`,
          `  matched distances: median ${fmt(m.matchedMedian)}  90th percentile ${fmt(m.matchedP90)}; best buddies ${fmt(m.bestBuddies)}; greedy recon ${fmt(m.reconGreedy)}`,
        ]
      : []),
    `terms: cov ${fmt(m.cov)}  sep ${fmt(m.sep)}  ovl ${fmt(m.ovl)}`,
    `outside the convex hull (exact${c.dim > 1 ? ', Wolfe' : ''}): ${fmt(m.outside)} of prototypes, mean distance ${fmt(m.outsideDist)}`,
  ];
  if (c.dim === 1) {
    lines.push(
      '',
      'inputs | and prototypes o (* where one sits on an input):',
      positionStrip(record),
    );
  } else {
    lines.push(
      `outside the bounding box (outsideBox): ${fmt(m.outsideBox)} of prototypes, mean distance ${fmt(m.outsideBoxDist)}`,
    );
  }
  lines.push(...fileUnitLines(record));
  return lines.join('\n');
}
