#!/usr/bin/env node
// Regenerates the README's results section from a finished `protomlp reproduce` folder:
// docs/results.md (the claims table, timing, image links) and docs/results/*.png, and splices the
// same Markdown into README.md between its results markers; nothing in it is typed by hand.
//
// Usage: npm run build && node scripts/readme-results.mjs [DIR=results] [--file docs/results.md] [--images docs/results]

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { file: { type: 'string' }, images: { type: 'string' }, link: { type: 'string' } },
});
const { resultsSnippet, spliceSection } = await import('../dist/src/report/index.js');
const dir = positionals[0] ?? 'results';
try {
  const markdown = await resultsSnippet(dir, { file: values.file, imagesDir: values.images, linkBase: values.link });
  process.stdout.write(`${values.file ?? 'docs/results.md'}: ${markdown.split('\n').length} lines from ${dir}\n`);
  const readme = spliceSection(readFileSync('README.md', 'utf8'), 'results', markdown);
  if (readme !== undefined) {
    writeFileSync('README.md', readme);
    process.stdout.write('README.md: results section replaced\n');
  }
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
