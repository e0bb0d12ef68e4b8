#!/usr/bin/env node
// Regenerates the README's results sections from a finished `protomlp reproduce` folder:
// docs/results.md (the claims table, timing, image links) and docs/results/*.png, spliced into
// README.md between its results markers; and, when the folder holds `reproduce --beyond`'s
// report-beyond/, docs/results-beyond.md and docs/results/beyond/*.png between the beyond markers.
// Nothing in them is typed by hand.
//
// Usage: npm run build && node scripts/readme-results.mjs [DIR=results] [--file docs/results.md] [--images docs/results]

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const SECTIONS = [
  { start: '<!-- results:start -->', end: '<!-- results:end -->' },
  { start: '<!-- beyond:start -->', end: '<!-- beyond:end -->' },
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { file: { type: 'string' }, images: { type: 'string' }, link: { type: 'string' } },
});
const { resultsSnippet, beyondSnippet, BEYOND_REPORT } = await import('../dist/src/report/index.js');
const dir = positionals[0] ?? 'results';

function splice(markdown, { start, end }, name) {
  const readme = readFileSync('README.md', 'utf8');
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from >= 0 && to > from) {
    writeFileSync('README.md', `${readme.slice(0, from + start.length)}\n${markdown.trimEnd()}\n${readme.slice(to)}`);
    process.stdout.write(`README.md: ${name} section replaced\n`);
  }
}

try {
  const markdown = await resultsSnippet(dir, { file: values.file, imagesDir: values.images, linkBase: values.link });
  process.stdout.write(`${values.file ?? 'docs/results.md'}: ${markdown.split('\n').length} lines from ${dir}\n`);
  splice(markdown, SECTIONS[0], 'results');
  if (existsSync(join(dir, BEYOND_REPORT, 'claims.json'))) {
    const beyond = await beyondSnippet(dir);
    process.stdout.write(`docs/results-beyond.md: ${beyond.split('\n').length} lines from ${join(dir, BEYOND_REPORT)}\n`);
    splice(beyond, SECTIONS[1], 'beyond-the-paper');
  } else {
    process.stdout.write(`${join(dir, BEYOND_REPORT)} not found: the beyond-the-paper section is left as it is (run protomlp reproduce --beyond)\n`);
  }
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
