// Long: `protomlp reproduce --beyond` end to end at the tiny scale (the paper's studies, dims and
// iris, both reports), then the README generator on its folder: the beyond-the-paper section with
// a column per d and dataset, and its pictures, spliced between the README's markers.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { cli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('reproduce --beyond, then scripts/readme-results.mjs', async (t) => {
  const dir = t.testdir({});
  const out = join(dir, 'results');
  const r = cli(['reproduce', '--beyond', '--out', out, '--workers', '2'], {
    PROTOMLP_REPRODUCE_SCALE: 'tiny',
  });
  t.equal(r.status, 0, r.stderr);
  t.match(
    r.stdout,
    /^C0 (held|not held|not testable with these runs): [^\n]*\nC1 (held|not held): /,
  );
  t.match(
    r.stdout,
    /beyond the paper, per d and dataset:\n {2}C0: [^\n]*\n {2}C1: [^\n]*\(d = 1\), [^\n]*\(d = 2\), [^\n]*\(d = 3\), [^\n]*\(iris \(d = 4\)\)\n/,
  );
  for (const f of [
    'dims/runs.jsonl',
    'iris/runs.jsonl',
    'report/claims.json',
    'report-beyond/report.html',
    'report-beyond/plots/hull-d2-n8.png',
    'report-beyond/plots/hull-iris-d4-n150.png',
  ]) {
    t.ok(existsSync(join(out, f)), f);
  }
  const paper = JSON.parse(readFileSync(join(out, 'report', 'claims.json'), 'utf8'));
  t.equal(paper.panels.length, 1, "the paper report keeps the paper's runs only");
  const beyond = JSON.parse(readFileSync(join(out, 'report-beyond', 'claims.json'), 'utf8'));
  t.same(
    beyond.panels.map((p: { label: string }) => p.label),
    ['d = 1', 'd = 2', 'd = 3', 'iris (d = 4)'],
  );
  const log = JSON.parse(readFileSync(join(out, 'reproduce.json'), 'utf8'));
  t.same(
    log.studies.map((s: { study: string }) => s.study),
    ['paper', 'tau-sweep', 'positions', 'dims', 'iris'],
  );
  t.ok(log.studies[3].reused > 0, 'dims copies its d = 1 runs from paper');

  copyFileSync(join(root, 'README.md'), join(dir, 'README.md'));
  const script = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'readme-results.mjs'), 'results'],
    { cwd: dir, encoding: 'utf8' },
  );
  t.equal(script.status, 0, script.stderr);
  t.match(script.stdout, 'README.md: beyond-data section replaced');
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('<!-- beyond-data:start -->'),
    readme.indexOf('<!-- beyond-data:end -->'),
  );
  t.match(
    section,
    /`npx protomlp reproduce --beyond` also ran `dims` \(\d+ runs: \d+ trained in [\d.]+ s, \d+ shared with the paper's studies and copied\) and `iris` \(16 runs/,
  );
  t.match(
    section,
    /\| claim \| d = 1, \d+ runs \| d = 2, \d+ runs \| d = 3, \d+ runs \| iris \(d = 4\), 16 runs \|/,
  );
  t.match(
    section,
    /\| \*\*C5\*\* \| \*\*(held|not held)\*\* \(\d\/4 pairs higher; Δoutside [^)|]+\) \|/,
  );
  t.match(
    section,
    /\| mask \| d = 1, N = 8 \| d = 2, N = 8 \| d = 3, N = 8 \| iris \(d = 4\), N = 150 \|/,
  );
  t.match(
    section,
    '![Inputs, hull and prototypes per mask, d = 2](docs/results/beyond/hull-d2-n8.png)',
  );
  t.ok(existsSync(join(dir, 'docs', 'results', 'beyond', 'hull-iris-d4-n150.png')));
  t.ok(existsSync(join(dir, 'docs', 'results-beyond.md')));
});
