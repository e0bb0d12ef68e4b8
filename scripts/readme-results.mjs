#!/usr/bin/env node
// Regenerates the README's results sections from a finished `protomlp reproduce` folder:
// docs/results.md (the claims table, timing, image links) and docs/results/*.png, spliced into
// README.md between its results markers; and, when the folder holds `reproduce --beyond`'s
// report-beyond/, docs/results-beyond.md and docs/results/beyond/*.png between the beyond-data
// markers (the section "Beyond the paper: higher dimensions and real data"). Nothing in them is
// typed by hand. (The section on other weights and tuning comes from scripts/readme-beyond.mjs.)
//
// Usage: npm run build && node scripts/readme-results.mjs [DIR=results] [--file docs/results.md] [--images docs/results]

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { file: { type: 'string' }, images: { type: 'string' }, link: { type: 'string' } },
});
const { resultsSnippet, beyondDataSnippet, spliceSection } =
  await import('../dist/src/readme/index.js');
const { BEYOND_REPORT } = await import('../dist/src/pipelines/reproduce.js');
const dir = positionals[0] ?? 'results';

/** Replaces README.md's section between the `name` markers, saying so; a README without them is left alone. */
function splice(name, markdown) {
  const readme = spliceSection(readFileSync('README.md', 'utf8'), name, markdown);
  if (readme !== undefined) {
    writeFileSync('README.md', readme);
    process.stdout.write(`README.md: ${name} section replaced\n`);
  }
}

try {
  const markdown = await resultsSnippet(dir, {
    file: values.file,
    imagesDir: values.images,
    linkBase: values.link,
  });
  process.stdout.write(
    `${values.file ?? 'docs/results.md'}: ${markdown.split('\n').length} lines from ${dir}\n`,
  );
  splice('results', markdown);
  if (existsSync(join(dir, BEYOND_REPORT, 'claims.json'))) {
    const beyond = await beyondDataSnippet(dir);
    process.stdout.write(
      `docs/results-beyond.md: ${beyond.split('\n').length} lines from ${join(dir, BEYOND_REPORT)}\n`,
    );
    splice('beyond-data', beyond);
  } else {
    process.stdout.write(
      `${join(dir, BEYOND_REPORT)} not found: the beyond-data section is left as it is (run protomlp reproduce --beyond)\n`,
    );
  }
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
