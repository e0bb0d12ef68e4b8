// The scorecard's cost (src/eval/scorecard.ts) beside the other metrics of a run, every figure
// measured in this one run: per size, evaluateRun (recon, spec, the hull) and the scorecard on
// the same run (trained for one epoch, so the prototypes are nearly the initial ones), and each
// scorecard part alone. The scorecard's share is scorecard / (evaluateRun + scorecard).
// Run: npm run build && node dist/bench/scorecard.js [--quick]

import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolveConfig } from '../src/config.js';
import { evaluateRun, reconstructionError } from '../src/eval/index.js';
import { matchedDistances } from '../src/eval/metrics.js';
import { prototypes } from '../src/eval/prototypes.js';
import {
  bestBuddies,
  greedyRecon,
  randomDraws,
  randomRecon,
  scorecard,
} from '../src/eval/scorecard.js';
import { computeTerms } from '../src/model/losses.js';
import { trainRunSync } from '../src/model/train.js';
import { prepareJob } from '../src/train.js';

const quick = process.argv.includes('--quick');
const time = <T>(f: () => T): { ms: number; value: T } => {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
};

console.log(
  `protomlp scorecard bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the start`,
);
const shapes = quick
  ? [
      [100, 1],
      [500, 2],
    ]
  : [
      [100, 1],
      [1000, 1],
      [500, 2],
      [1000, 2],
    ];
for (const [n, dim] of shapes) {
  const config = resolveConfig({ n, dim, epochs: 1, mask: 'cov' });
  const job = prepareJob(config);
  const final = trainRunSync(job).final;
  const terms = computeTerms(config, job.data, final);
  const base = time(() => evaluateRun(config, job.data, final, false, terms));
  const card = time(() => scorecard(config, job.data, job.initial, final));
  const x = job.data.x;
  const p = prototypes(final, dim);
  const parts = {
    'one recon (assignment)': time(() => reconstructionError(x, p, n, n, dim)).ms,
    'matched distances': time(() => matchedDistances(x, p, n, n, dim)).ms,
    [`reconRandom (${randomDraws(n, n, dim)} draws)`]: time(() => randomRecon(x, n, n, dim, 0)).ms,
    bestBuddies: time(() => bestBuddies(x, p, n, n, dim)).ms,
    reconGreedy: time(() => greedyRecon(x, p, n, n, dim)).ms,
  };
  console.log(
    `\nN = H = ${n}, d = ${dim}: evaluateRun ${base.ms.toFixed(0)} ms, scorecard ${card.ms.toFixed(0)} ms (${(card.ms / base.ms).toFixed(2)}x evaluateRun; share of all metrics ${((100 * card.ms) / (card.ms + base.ms)).toFixed(0)}%)`,
  );
  for (const [label, ms] of Object.entries(parts)) console.log(`  ${label}: ${ms.toFixed(0)} ms`);
}
