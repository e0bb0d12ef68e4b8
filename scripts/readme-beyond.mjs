#!/usr/bin/env node
// Runs the studies beyond the paper's single lambda (the lambda sweep, the tune of every mask, the
// tune check against the exhaustive grid) into DIR, resumably, then regenerates from those runs:
// docs/beyond.md and docs/beyond/*.png, the README section "Beyond the paper: other weights and
// tuning" between its beyond-weights markers, and the tune check in docs/tune.md between its
// tune-check markers. Nothing in them is typed by hand. (The section on higher dimensions and real
// data comes from scripts/readme-results.mjs.)
//
// Usage: npm run build && node scripts/readme-beyond.mjs [DIR=results-beyond] [--workers K] [--backend native]

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { workers: { type: 'string' }, backend: { type: 'string' } },
});
const { beyondWeightsSnippet, tuneCheckSnippet, spliceSection } =
  await import('../dist/src/readme/index.js');
const { runBeyond } = await import('../dist/src/pipelines/beyond.js');
const dir = positionals[0] ?? 'results-beyond';

/** Replaces the marked section of a file, saying so. */
function splice(file, name, markdown) {
  const text = spliceSection(readFileSync(file, 'utf8'), name, markdown);
  if (text === undefined)
    throw new Error(`${file} has no <!-- ${name}:start --> / <!-- ${name}:end --> markers`);
  writeFileSync(file, text);
  process.stdout.write(`${file}: ${name} section replaced\n`);
}

try {
  let lastLine = 0;
  const log = await runBeyond({
    out: dir,
    workers: values.workers === undefined ? undefined : Number(values.workers),
    backend: values.backend,
    onNotice: (m) => process.stderr.write(`warning: ${m}\n`),
    onProgress: (step, p) => {
      const now = performance.now();
      if (p.done === p.total || now - lastLine > 5000) {
        lastLine = now;
        process.stderr.write(`${step}: ${p.done}/${p.total} runs (${p.skipped} already done)\n`);
      }
    },
  });
  process.stdout.write(
    `${dir}: lambda sweep ${log.lambdaSweep.runs} runs, tune ${log.tune.trained} runs trained\n`,
  );
  writeFileSync(
    'docs/beyond.md',
    `# Beyond the paper: other weights and tuning\n\n${await beyondWeightsSnippet(dir, { docsLink: '.' })}`,
  );
  process.stdout.write('docs/beyond.md written\n');
  splice('README.md', 'beyond-weights', await beyondWeightsSnippet(dir));
  splice('docs/tune.md', 'tune-check', await tuneCheckSnippet(dir));
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
