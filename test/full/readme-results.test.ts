// The README's numbers are what a fresh `npm start` prints (SPEC §10): `protomlp reproduce` on this
// machine, native backend, then the README's claims table against the one generated from that run,
// row for row (the timing sentence above the table is this machine's own and is not compared).

import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsSnippet } from '../../src/readme/results.js';
import { cli } from '../helpers/cli.js';

const tableRows = (markdown: string): string[] =>
  markdown.split('\n').filter((line) => line.startsWith('| **C'));

t.test("a fresh reproduce writes the README's claims table, to the last digit", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'protomlp-readme-results-'));
  const run = cli(['reproduce', '--out', join(dir, 'results'), '--backend', 'native']);
  t.equal(run.status, 0, run.stderr);
  const snippet = await resultsSnippet(join(dir, 'results'), {
    file: join(dir, 'results.md'),
    imagesDir: join(dir, 'images'),
  });
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const expected = tableRows(
    readme.slice(readme.indexOf('<!-- results:start -->'), readme.indexOf('<!-- results:end -->')),
  );
  t.equal(expected.length, 6, 'the README has six claim rows');
  t.same(tableRows(snippet), expected, 'the same rows, character for character');
  for (const row of expected)
    t.ok(
      run.stdout.includes(row.split(' | ')[2].replace(/ \|$/, '')),
      `npm start prints the numbers of ${row.slice(4, 6)}`,
    );
});
