// The README's numbers are what a fresh `npm start` prints (SPEC §10): `protomlp reproduce` on this
// machine, native backend, then the README's claims table against the one generated from that run,
// row for row (the timing sentence above the table is this machine's own and is not compared).

import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsSnippet } from '../../src/readme/results.js';
import { cli } from '../helpers/cli.js';
import { claimRows, readmeClaimRows, rowNumbers } from '../helpers/readme-rows.js';

t.test("a fresh reproduce writes the README's claims table, to the last digit", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'protomlp-readme-results-'));
  const run = cli(['reproduce', '--out', join(dir, 'results'), '--backend', 'native']);
  t.equal(run.status, 0, run.stderr);
  const snippet = await resultsSnippet(join(dir, 'results'), {
    file: join(dir, 'results.md'),
    imagesDir: join(dir, 'images'),
  });
  const expected = readmeClaimRows();
  t.equal(expected.length, 7, 'the README has seven claim rows: C0 (the yardstick) and C1-C6');
  t.same(claimRows(snippet), expected, 'the same rows, character for character');
  for (const row of expected)
    t.ok(
      run.stdout.includes(rowNumbers(row)),
      `npm start prints the numbers of ${row.slice(4, 6)}`,
    );
});
