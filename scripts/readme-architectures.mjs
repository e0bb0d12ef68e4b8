#!/usr/bin/env node
// Runs the presets `architectures` and `widths` into DIR (resumably), writes their reports, then
// regenerates docs/results-architectures.md and docs/results/architectures/*.png and the README
// section "Beyond the paper: other architectures" between its architectures markers. Nothing in
// them is typed by hand.
//
// Usage: npm run build && node scripts/readme-architectures.mjs [DIR=results-architectures]

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { architecturesSnippet, spliceSection } = await import('../dist/src/readme/index.js');
const { runStudy, readStudy } = await import('../dist/src/study/index.js');
const { buildReport } = await import('../dist/src/report/index.js');
const dir = process.argv[2] ?? 'results-architectures';

try {
  const timing = {};
  for (const preset of ['architectures', 'widths']) {
    const out = join(dir, preset);
    const started = performance.now();
    const summary = await runStudy(preset, {
      out,
      onNotice: (m) => process.stderr.write(`warning: ${m}\n`),
    });
    // an earlier run's time when nothing was left to train
    const log = join(out, 'timing.json');
    let seconds = (performance.now() - started) / 1000;
    if (summary.done === 0) seconds = JSON.parse(readFileSync(log, 'utf8')).seconds;
    else writeFileSync(log, `${JSON.stringify({ seconds })}\n`);
    timing[preset] = seconds;
    const { records } = await readStudy(out);
    await buildReport(records, {
      out: join(out, 'report'),
      title: `protomlp: ${preset}`,
      source: `\`${preset}\``,
    });
    process.stdout.write(`${out}: ${records.length} runs, report written\n`);
  }
  const markdown = await architecturesSnippet(dir, timing);
  const readme = spliceSection(readFileSync('README.md', 'utf8'), 'architectures', markdown);
  if (readme === undefined) throw new Error('README.md has no architectures markers');
  writeFileSync('README.md', readme);
  process.stdout.write('README.md: architectures section replaced\n');
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
