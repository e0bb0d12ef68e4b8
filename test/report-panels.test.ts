// Reports over several input dimensions (and datasets): one panel per d, a claims table with a
// column per panel, claims.json per panel, faceted curves and the hull pictures (2-D as drawn, d > 2
// as a labelled projection), on constructed runs whose expulsion differs by d.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MASKS, maskTerms, resolveConfig, runId, type Mask } from '../src/config.js';
import { outsideHull } from '../src/eval/hull.js';
import { makeDataset } from '../src/data.js';
import type { RunRecord } from '../src/record.js';
import { analyseRecords, buildReport, claimLines } from '../src/report/index.js';
import { lcg } from './helpers/report-records.js';

/**
 * Runs at dimension d on the project's uniform data, whose prototypes are the inputs nudged (and,
 * for overlap masks when `expels`, pushed out by a factor 3), so the exact hull decides `outside`.
 * Prototype p is encoded as w = p, b = -|p|^2 (then -b w / (|w|^2 + eps) = p up to 1e-12).
 */
function records(d: number, expels: boolean): RunRecord[] {
  const out: RunRecord[] = [];
  for (const n of [10, 20]) {
    for (const mask of MASKS) {
      for (let seed = 0; seed < 6; seed++) {
        const config = resolveConfig({ n, dim: d, mask: mask as Mask, seed, epochs: 100 });
        const data = makeDataset(config);
        const rand = lcg(seed * 31 + n + MASKS.indexOf(mask) * 7 + d * 1000);
        const push = expels && maskTerms(mask).ovl;
        const protos = Float64Array.from(data.x, (v) => (push && rand() < 0.5 ? 3 * v : v * (1 - 0.05 * rand())));
        const rows = (flat: Float64Array) => Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, i * d + d)));
        const outside = outsideHull(data.x, protos, n, n, d);
        const noise = rand();
        out.push({
          id: runId(config), config,
          data: { x: rows(data.x), y: Array.from(data.y) },
          initial: { W: rows(data.x), b: rows(data.x).map(() => 0), v: new Array(n).fill(0), c: 0 },
          final: { W: rows(protos), b: rows(protos).map((p) => -p.reduce((s, v) => s + v * v, 0)), v: new Array(n).fill(0), c: 0 },
          metrics: {
            recon: (maskTerms(mask).cov ? 0.1 : 0.2) * (1 + noise) * (push ? 3 : 1), spec: 0.5 + (maskTerms(mask).cov ? 0.2 : 0) + 0.01 * noise, fit: 0.001 * noise,
            cov: 0, sep: 0, ovl: 0, outside: outside.fraction, outsideDist: outside.meanDist, outsideBox: 0, outsideBoxDist: 0, diverged: false,
          },
          backend: 'ts', isa: 'js', wallMs: 1,
        });
      }
    }
  }
  return out;
}

const runs = [...records(1, true), ...records(2, true), ...records(3, false)];

t.test('one panel per d, each with its own claims', async (t) => {
  const analysis = analyseRecords(runs);
  t.same(analysis.panels.map((p) => [p.panel.key, p.panel.label, p.panel.runs]), [['d1', 'd = 1', 96], ['d2', 'd = 2', 96], ['d3', 'd = 3', 96]]);
  const c5 = analysis.panels.map((p) => p.claims.find((c) => c.id === 'C5')!.status);
  t.same(c5, ['held', 'held', 'not held'], 'expulsion where the overlap runs were pushed out, not at d = 3');
  t.same(claimLines(analysis).find((l) => l.startsWith('C5')), 'C5: held (d = 1), held (d = 2), not held (d = 3)');
  const single = analyseRecords(records(2, true));
  t.equal(single.panels.length, 1);
  t.same(claimLines(single)[4], 'C5: held', 'one panel: the plain lines');
});

t.test('the report: a column per d, claims.json per panel, faceted curves, hull pictures', async (t) => {
  const out = join(t.testdir({}), 'report');
  const { files } = await buildReport(runs, { out, pngScale: 1 });
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  t.match(md, /\| claim \| d = 1 \| d = 2 \| d = 3 \|/);
  t.match(md, /\| \*\*C5\*\* Overlap expels prototypes[^|]*\| \*\*held\*\*: 4 of 4 pairs[^|]*\| \*\*held\*\*: [^|]*\| \*\*not held\*\*: /);
  const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
  t.same(claims.panels.map((p: { key: string; dim: number; claims: unknown[] }) => [p.key, p.dim, p.claims.length]), [['d1', 1, 6], ['d2', 2, 6], ['d3', 3, 6]]);
  for (const f of ['plots/recon-vs-n.svg', 'plots/outside-vs-n.png', 'plots/positions-n20-d1.svg', 'plots/hull-d2-n20.svg', 'plots/hull-d2-n20.png', 'plots/hull-d3-n20.svg', 'tables/outside-d2.csv', 'tables/recon-d3.md']) {
    t.ok(files.includes(f) && existsSync(join(out, f)), f);
  }
  const facets = readFileSync(join(out, 'plots/outside-vs-n.svg'), 'utf8');
  for (const label of ['d = 1', 'd = 2', 'd = 3']) t.match(facets, label, `a chart for ${label}`);
  const flat = readFileSync(join(out, 'plots/hull-d2-n20.svg'), 'utf8');
  t.match(flat, /Inputs, their convex hull and the prototypes \(d = 2, N = 20, seed 0\)/);
  t.match(flat, /x1/);
  const projected = readFileSync(join(out, 'plots/hull-d3-n20.svg'), 'utf8');
  t.match(projected, /Projection onto the first two principal components of the inputs \(d = 3, N = 20, seed 0\)/);
  t.match(projected, /PC1 \(\d+% of variance\)/);
  t.match(md, /\| ovl \| 0 \| 20 \| \d+ \| 0 \|/, 'the hull picture\'s table counts the expelled prototypes of the exact hull');
});
