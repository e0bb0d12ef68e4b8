// What run ids by used fields and `tune` save, measured on this machine (native backend, every
// core): (1) the lambda-sweep grid trained as its 1680 grid points, as protomlp 0.1.0 did, against
// its 1500 distinct runs; (2) the tune check's grid (cov and cov+sep, 7 lambdas x 9 taus, 3 seeds)
// at a larger N: the exhaustive grid against tune at the default budget, run-epochs and wall time.
// Each pair is timed in alternating rounds and the medians compared, so other work on the machine
// slows both sides alike; ratios, not timings, are the result.
//
// Usage: npm run build && node dist/bench/tune.js [--rounds 3] [--sweep-epochs 200] [--n 50] [--epochs 1000]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Mask } from '../src/config.js';
import { selectBackend } from '../src/backend/select.js';
import { TUNE_CHECK } from '../src/pipelines/beyond.js';
import { gridPoints } from '../src/study/grid.js';
import { resolveStudy, runStudy, tune } from '../src/study/index.js';
import { trainRuns } from '../src/train.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'sweep-epochs': { type: 'string', default: '200' },
    n: { type: 'string', default: '50' },
    epochs: { type: 'string', default: '1000' },
  },
});
const rounds = Number(values.rounds);
const backend = selectBackend('native');
const dir = mkdtempSync(join(tmpdir(), 'protomlp-bench-tune-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times each piece of work `rounds` times, alternating between them; returns the medians in ms. */
async function alternate(works: (() => Promise<unknown>)[]): Promise<number[]> {
  const times: number[][] = works.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [k, work] of works.entries()) {
      const started = performance.now();
      await work();
      times[k].push(performance.now() - started);
    }
  }
  return times.map(median);
}

try {
  process.stdout.write(
    `backend ${backend.name}/${backend.isa}, numerics ${backend.numerics}; medians of ${rounds} alternating rounds\n`,
  );
  const sweep = resolveStudy({ preset: 'lambda-sweep', epochs: Number(values['sweep-epochs']) });
  const points = gridPoints(sweep.grid);
  const [naive, distinct] = await alternate([
    () => trainRuns(points, { backend: 'native' }),
    () => trainRuns(sweep.runs, { backend: 'native' }),
  ]);
  process.stdout.write(
    `lambda-sweep at ${values['sweep-epochs']} epochs: ${points.length} grid points ${seconds(naive)}, ${sweep.runs.length} distinct runs ${seconds(distinct)}: ` +
      `wall ratio ${(naive / distinct).toFixed(2)} (${(points.length / sweep.runs.length).toFixed(2)}x as many runs; the runs dropped are base, the cheapest)\n`,
  );

  const grid = { ...TUNE_CHECK, n: Number(values.n), epochs: Number(values.epochs) };
  const exhaustive = resolveStudy({ ...grid, mask: ['base', ...(TUNE_CHECK.mask as Mask[])] });
  const exhaustiveEpochs = exhaustive.runs.reduce((a, r) => a + r.epochs, 0);
  let runEpochs = 0;
  let round = 0;
  const [full, tuned] = await alternate([
    () => runStudy(exhaustive, { out: join(dir, `exhaustive-${round}`), backend: 'native' }),
    async () => {
      runEpochs = (await tune(grid, { out: join(dir, `tune-${round++}`), backend: 'native' })).json
        .runEpochs;
    },
  ]);
  process.stdout.write(
    `tune check at N = ${values.n}, ${values.epochs} epochs: exhaustive grid ${exhaustive.runs.length} runs, ${exhaustiveEpochs} run-epochs, ${seconds(full)}; ` +
      `tune (budget 0.33) ${runEpochs} run-epochs, ${seconds(tuned)}: ${(runEpochs / exhaustiveEpochs).toFixed(3)} of the run-epochs, ${(tuned / full).toFixed(3)} of the wall time\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
