// buildReport end to end on constructed runs: the files, the tables' numbers and best marks, a
// self-contained HTML, claims.json, and the bad-input messages.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { MASKS, maskTerms, type Mask } from '../src/config.js';
import { buildReport } from '../src/report/index.js';
import { readStudy, runStudy } from '../src/study/index.js';
import { vegaRuntimeFile } from '../src/render/plots.js';
import { fabricate } from './helpers/report-records.js';

const tmp = mkdtempSync(join(tmpdir(), 'protomlp-report-'));
const paper = fabricate({
  masks: MASKS,
  sizes: [3, 10, 100],
  seeds: 5,
  metrics: (c, u) => ({
    recon: (maskTerms(c.mask).cov ? 0.01 : 0.05) * (1 + u) * (maskTerms(c.mask).sep ? 1.1 : 1),
    spec: 0.5 + 0.1 * u,
    outside: maskTerms(c.mask).ovl ? 0.3 : 0,
  }),
});
const sweep = fabricate({
  masks: ['sep'],
  sizes: [20],
  seeds: 3,
  taus: [1e-4, 1e-2, 1],
  metrics: (c) => ({ outside: c.tau }),
});

t.test('writes every file; the HTML is self-contained', async (t) => {
  const out = join(tmp, 'a');
  const { files, analysis } = await buildReport([...paper, ...sweep, ...paper.slice(0, 3)], {
    out,
  });
  t.equal(analysis.records.length, paper.length + sweep.length, 'duplicate ids dropped');
  for (const f of [
    'report.md',
    'report.html',
    'claims.json',
    'tables/recon.csv',
    'tables/spec.md',
    'tables/tau-sweep.csv',
    'plots/recon-vs-n.svg',
    'plots/recon-vs-n.png',
    'plots/spec-vs-n.png',
    'plots/outside-vs-n.svg',
    'plots/tau-outside.png',
    'plots/tau-recon.svg',
    'plots/tau-spec.png',
    'plots/positions-n100.png',
  ]) {
    t.ok(files.includes(f), f);
    t.ok(existsSync(join(out, f)), `${f} on disk`);
  }
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  t.notMatch(html, /(src|href)="(?!data:)/, 'no link to anything outside the file');
  t.notMatch(html, /<link|<script[^>]*\ssrc=/, 'no stylesheet or script from elsewhere');
  t.equal(
    (html.match(/<img src="data:image\/svg\+xml;base64,/g) ?? []).length,
    8,
    'every plot inline (the image shown without scripts)',
  );
  const specs = [
    ...html.matchAll(/<script type="application\/json" class="figure-spec">(.*?)<\/script>/g),
  ].map((m) => JSON.parse(m[1]));
  t.equal(specs.length, 8, 'every plot has the Vega spec report.html draws live');
  t.ok(
    specs.every((spec) => spec.$schema?.includes('vega/v')),
    'compiled Vega specs (no Vega-Lite in the page)',
  );
  t.equal(
    html.split(readFileSync(vegaRuntimeFile(), 'utf8').slice(0, 200)).length,
    2,
    'the Vega runtime inlined once',
  );
  t.match(html, /<h2>Claims check<\/h2>/);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  for (const m of md.matchAll(/\]\((plots\/[^)]+)\)/g))
    t.ok(existsSync(join(out, m[1])), `md links ${m[1]}`);
  const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
  t.same(
    claims.claims.map((c: { id: string }) => c.id),
    ['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6'],
  );
  t.equal(claims.alpha, 0.05);
  t.equal(claims.fitMargin, 0.01);
  t.match(
    md,
    /\| mask \| N \| tau \| runs \| recon \(mean\) .* \| _random_ recon \|/,
    'the sweep table shows chance beside recon',
  );
  t.match(readFileSync(join(out, 'tables/tau-sweep.csv'), 'utf8'), /,recon_random_mean\n/);
});

t.test('tables: numbers, best mask per N, tests against base', async (t) => {
  const out = join(tmp, 'b');
  const { analysis } = await buildReport(paper, { out, png: false });
  t.notOk(existsSync(join(out, 'plots/recon-vs-n.png')), 'png: false writes SVG only');
  const csv = readFileSync(join(out, 'tables/recon.csv'), 'utf8').trim().split('\n');
  t.equal(
    csv[0],
    'n,mask,runs,diverged,mean,sd,ci95_low,ci95_high,best,vs_base_pairs,vs_base_mean_diff,vs_base_median_diff,vs_base_rank_biserial,vs_base_p,vs_base_method',
  );
  t.equal(csv.length, 1 + 3 * (8 + 2), 'per N: 8 masks, then the 2 baselines');
  const all = csv.slice(1).map((l) => l.split(','));
  t.same(
    all.slice(8, 10).map((r) => r.slice(0, 4)),
    [
      ['3', 'baseline:random', '5', '0'],
      ['3', 'baseline:untrained', '5', '0'],
    ],
    'after the masks of N = 3: its baselines, one value per seed',
  );
  const filled = analysis.records.filter((r) => r.config.n === 3 && r.config.mask === 'base');
  t.equal(
    Number(all[8][4]),
    filled.reduce((a, r) => a + r.metrics.reconRandom!, 0) / filled.length,
    "the random baseline: the mean of the runs' reconRandom",
  );
  const rows = all.filter((r) => !r[1].startsWith('baseline:'));
  for (const n of ['3', '10', '100']) {
    const atN = rows.filter((r) => r[0] === n);
    const best = atN.filter((r) => r[8] === 'true');
    t.equal(best.length, 1, `one best at N=${n}`);
    t.equal(
      Number(best[0][4]),
      Math.min(...atN.map((r) => Number(r[4]))),
      'the best is the lowest mean',
    );
    // recon of cov vs base: every seed lower (cov = base / 5 x noise), so r = -1 and exact p = 2/32
    const cov = atN.find((r) => r[1] === 'cov')!;
    t.equal(Number(cov[12]), -1);
    t.equal(Number(cov[13]), 0.0625);
    t.equal(cov[14], 'exact');
    t.equal(atN.find((r) => r[1] === 'base')![9], '', 'no test of base against itself');
  }
  const cell = analysis.tables!.cells.find((c) => c.mask === 'cov' && c.n === 10)!;
  const values = paper
    .filter((r) => r.config.mask === 'cov' && r.config.n === 10)
    .map((r) => r.metrics.recon as number);
  t.equal(cell.stats.recon.mean, values.reduce((a, b) => a + b) / values.length);
  const md = readFileSync(join(out, 'tables/recon.md'), 'utf8');
  t.match(md, /\| \*\*cov\*\* ★ \|/, 'the best mask is marked in Markdown');
  t.match(md, /\| 3 \| _random \(baseline\)_ \| 5 \| [0-9.]+ \|/, 'the baselines beside the masks');
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  t.match(
    report,
    /\| N \| base \| cov \| sep \| ovl \| cov\+sep \| cov\+ovl \| sep\+ovl \| cov\+sep\+ovl \| _random_ \| _untrained_ \|/,
    'the recon overview: the baselines as the last columns',
  );
  t.match(
    report,
    /\| N \| base \| cov \| sep \| ovl \| cov\+sep \| cov\+ovl \| sep\+ovl \| cov\+sep\+ovl \|\n/,
  );
  const spec = readFileSync(join(out, 'tables/spec.csv'), 'utf8');
  t.notMatch(spec, /baseline:/, 'no baselines for the other metrics');
});

t.test('bad input: one clear message', async (t) => {
  await t.rejects(buildReport([], { out: join(tmp, 'c') }), {
    message: 'records: got [], expected at least one run record',
  });
  await t.rejects(buildReport(paper, { out: '' }), {
    message: 'out: got "", expected a folder path',
  });
  await t.rejects(buildReport(paper, { out: join(tmp, 'd'), pngScale: 0 }), {
    message: 'pngScale: got 0, expected a number > 0 and <= 8',
  });
  await t.rejects(buildReport(paper, { out: join(tmp, 'd'), alpha: 1 }), {
    message: 'alpha: got 1, expected a number > 0 and <= 0.5',
  });
  await t.rejects(buildReport(paper, { out: join(tmp, 'd'), fitMargin: -1 }), {
    message: 'fitMargin: got -1, expected a finite number > 0',
  });
});

t.test('the tables say which side recon leaves out when H is not N', async (t) => {
  const text = async (hidden: number[] | undefined, name: string) => {
    const dir = join(tmp, name);
    const spec = {
      n: 6,
      ...(hidden ? { hidden } : {}),
      mask: ['base', 'cov'] as Mask[],
      epochs: 20,
    };
    await runStudy(spec, { out: dir, backend: 'ts' });
    await buildReport((await readStudy(dir)).records, { out: join(dir, 'report') });
    return readFileSync(join(dir, 'report', 'report.md'), 'utf8');
  };
  const wide = await text([9], 'wide');
  t.match(wide, /With H > N, recon matches every input .* leaves H − N prototypes out/);
  t.notMatch(wide, /With H < N/);
  const narrow = await text([4], 'narrow');
  t.match(
    narrow,
    /With H < N, recon matches every prototype to a distinct input and leaves N − H inputs out/,
  );
  t.notMatch(narrow, /With H > N/);
  const square = await text(undefined, 'square');
  t.notMatch(square, /With H [<>] N/);
});
