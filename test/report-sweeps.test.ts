// Sweeps in the report: a run that ignores a field (base and lambda, masks without sep and tau) is
// in the slice at every value of it; the claims grid checks each claim at each value and shows the
// numbers in the Markdown table and on hover in HTML; curves and tables per swept field.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MASKS, maskTerms, type RunConfig } from '../src/config.js';
import { analyseRecords, buildReport } from '../src/report/build.js';
import { findSweep, mainSlice, slices } from '../src/analysis/cells.js';
import type { Metrics } from '../src/record.js';
import { fabricate } from './helpers/report-records.js';

/**
 * A constructed lambda sweep: paper-like at lambda <= 0.1; at lambda = 1 every structural mask
 * reconstructs worse than base (C1 fails) with overlap no worse than its twin (C3 fails), and
 * separation expels.
 */
function lambdaLike(c: RunConfig, u: number): Partial<Metrics> {
  const terms = maskTerms(c.mask);
  const strong = c.mask !== 'base' && c.lambda === 1;
  return {
    recon: strong
      ? 0.2 * (1 + u)
      : ((terms.cov ? 0.01 : 0.05) * (terms.ovl ? 3 : 1) * (1 + u)) / Math.sqrt(c.n),
    spec: (terms.cov ? 0.9 : 0.6) + 0.05 * u,
    fit: 0.002 + 0.001 * u,
    outside: terms.ovl ? 0.3 + 0.1 * u : terms.sep && strong ? 0.5 + 0.1 * u : 0.02 * u,
  };
}
const LAMBDAS = [0.01, 0.1, 1];
const runs = fabricate({
  masks: MASKS,
  sizes: [10, 50],
  seeds: 6,
  lambdas: LAMBDAS,
  metrics: lambdaLike,
});

t.test('base ignores lambda: one run per N and seed, in the slice at every lambda', async (t) => {
  t.equal(runs.length, 2 * 6 + 7 * 3 * 2 * 6, '264 runs, not the 288 grid points');
  const all = slices(runs);
  t.equal(all.length, 3);
  for (const s of all) {
    t.equal(s.records.length, 96);
    t.same(s.masks, [...MASKS]);
    t.equal(s.records.filter((r) => r.config.mask === 'base').length, 12, 'the same 12 base runs');
  }
  t.same(all.map((s) => s.setting.lambda).sort(), [0.01, 0.1, 1]);
  t.equal(mainSlice(runs)!.setting.lambda, 0.1, 'equal slices: the one at the SPEC default');
  const sweep = findSweep(runs, 'lambda')!;
  t.same(sweep.values, LAMBDAS);
  t.same(
    sweep.series.filter((s) => s.mask === 'base'),
    [
      { mask: 'base', n: 10, values: LAMBDAS },
      { mask: 'base', n: 50, values: LAMBDAS },
    ],
  );
  t.equal(sweep.series.length, 8 * 2);
  t.equal(sweep.records.length, runs.length);
  t.equal(findSweep(runs, 'tau'), undefined, 'no tau sweep');
});

t.test('claims grid: each claim at each lambda', async (t) => {
  const { sweeps } = analyseRecords(runs);
  const grid = sweeps.lambda!.grid;
  t.same(grid.values, LAMBDAS);
  const row = (id: string) => grid.rows.find((r) => r.id === id)!.cells.map((c) => c.status);
  t.same(row('C1'), ['held', 'held', 'not held']);
  t.same(row('C2'), ['held', 'held', 'held']);
  t.same(row('C3'), ['held', 'held', 'not held']);
  t.same(row('C5'), ['held', 'held', 'not held'], 'at lambda 1 sep expels more than sep+ovl');
  t.same(row('sep-expels'), ['not held', 'not held', 'held']);
  t.match(
    grid.rows.find((r) => r.id === 'C1')!.cells[2].brief,
    /^lowest: base \(N=10\), base \(N=50\)$/,
  );
  t.match(
    grid.rows.find((r) => r.id === 'C1')!.cells[0].brief,
    /^lowest: cov\S* \(N=10\), cov\S* \(N=50\)$/,
  );
  t.match(
    grid.rows.find((r) => r.id === 'sep-expels')!.cells[2].brief,
    /^Δoutside 0\.\d+, p 0\.\d+$/,
  );
});

t.test(
  'the report: grid with numbers in Markdown, on hover in HTML; curves and tables per lambda',
  async (t) => {
    const out = join(t.testdir({}), 'report');
    const { files } = await buildReport(runs, { out, png: false });
    for (const f of [
      'plots/lambda-recon.svg',
      'plots/lambda-spec.svg',
      'plots/lambda-outside.svg',
      'tables/lambda-sweep.md',
      'tables/lambda-sweep.csv',
    ])
      t.ok(files.includes(f), f);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    t.match(md, /### Claims at each lambda/);
    t.match(md, /\| claim \| lambda 0\.01 \| lambda 0\.1 \| lambda 1 \|/);
    t.match(
      md,
      /\| \*\*C1\*\* coverage lowest recon \| \*\*held\*\* \(lowest: cov\S* \(N=10\), [^|]+\| \*\*held\*\* \(lowest: [^|]+\| \*\*not held\*\* \(lowest: base \(N=10\), base \(N=50\)\) \|/,
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    t.match(
      html,
      /<td class="not-held" title="lowest: base \(N=10\), base \(N=50\)"><strong>not held<\/strong><\/td>/,
    );
    t.match(html, /<td class="held" title="Δspec [^"]+"><strong>held<\/strong><\/td>/);
    t.match(md, /Runs that ignore a swept field/);
    const csv = readFileSync(join(out, 'tables/lambda-sweep.csv'), 'utf8').trim().split('\n');
    t.equal(csv[0].split(',').slice(0, 5).join(','), 'mask,n,lambda,runs,recon_mean');
    const base10 = csv.filter((l) => l.startsWith('base,10,'));
    t.equal(base10.length, 3, 'base at each lambda');
    t.equal(
      new Set(base10.map((l) => l.split(',').slice(3).join())).size,
      1,
      'the same numbers at every lambda',
    );
    const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
    t.same(claims.grids.lambda.values, LAMBDAS);
    t.same(
      claims.grids.lambda.rows.map((r: { id: string }) => r.id),
      ['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'sep-expels'],
    );
    t.equal(claims.grids.lambda.rows[0].cells[2].status, 'not held');
  },
);

t.test('a tau sweep beside the paper grid: masks without sep count at every tau', async (t) => {
  const paper = fabricate({
    masks: MASKS,
    sizes: [20, 100],
    seeds: 6,
    metrics: (c, u) => lambdaLike({ ...c, lambda: 0.1 }, u),
  });
  const taus = fabricate({
    masks: ['sep', 'cov+sep'],
    sizes: [20, 100],
    seeds: 6,
    taus: [1e-4, 1e-3, 0.1, 1],
    metrics: (c, u) => ({ outside: Math.min(1, c.tau + 0.05 * u) }),
  });
  const { sweeps, main, claims } = analyseRecords([...paper, ...taus]);
  t.equal(main!.setting.tau, 0.001);
  t.equal(main!.records.length, paper.length);
  const sweep = sweeps.tau!.sweep;
  t.same(sweep.values, [1e-4, 1e-3, 0.1, 1]);
  t.same(
    [...new Set(sweep.series.map((s) => s.mask))],
    ['base', 'sep', 'cov+sep'],
    'base beside the swept masks as the reference',
  );
  const at = (tau: number) => sweep.slices[sweep.values.indexOf(tau)];
  t.same(
    at(1).masks,
    ['base', 'cov', 'sep', 'ovl', 'cov+sep', 'cov+ovl'],
    'masks without sep from the paper grid, sep masks from the sweep',
  );
  const grid = sweeps.tau!.grid;
  const row = (id: string) => grid.rows.find((r) => r.id === id)!.cells.map((c) => c.status);
  t.same(
    row('C2'),
    ['held', 'held', 'held', 'held'],
    'cov and base ignore tau: the same check at every tau',
  );
  t.same(
    row('C1'),
    [
      'not testable with these runs',
      'held',
      'not testable with these runs',
      'not testable with these runs',
    ],
    'sep+ovl only at the paper tau',
  );
  t.same(row('sep-expels'), ['not held', 'not held', 'held', 'held']);
  t.equal(claims.find((c) => c.id === 'C6')!.status, 'held');
});
