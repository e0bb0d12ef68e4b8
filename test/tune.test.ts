// `tune`: the acceptance problem against the exhaustive grid (both numbers printed), the schedule
// and its budget, resume after an abort, the tuned report, and every bad flag's message. Native
// backend (the acceptance grid trains in about a second with it).

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { XMLValidator } from 'fast-xml-parser';
import { MASKS, type Mask } from '../src/config.js';
import { ValidationError } from '../src/errors.js';
import type { RunRecord } from '../src/record.js';
import { buildTuneReport } from '../src/report/tune.js';
import { TUNE_CHECK } from '../src/pipelines/beyond.js';
import { readStudy, resolveStudy, runStudy, tune, type TuneResult } from '../src/study/index.js';
import { tuneSchedule, tuneSpace } from '../src/study/tune.js';
import { register as registerTune } from '../src/cli/tune.js';

/** The small problem: N = 20, cov and cov+sep, 7 lambdas x 9 taus, 3 seeds, 600 epochs. */
const ACCEPTANCE = TUNE_CHECK;
const LAMBDAS = ACCEPTANCE.lambda as number[];
const TAUS = ACCEPTANCE.tau as number[];
const MASKS_TUNED = ACCEPTANCE.mask as Mask[];
const root = t.testdir({});
const strip = (records: readonly RunRecord[]) => records.map(({ wallMs: _, ...rest }) => rest);
const mean = (records: readonly RunRecord[], metric: 'recon' | 'fit') =>
  records.reduce((a, r) => a + (r.metrics[metric] as number), 0) / records.length;

/** The exhaustive grid's best per mask, found here without tune's code: lowest mean recon with mean fit <= 2x base's. */
function exhaustiveBest(
  records: readonly RunRecord[],
  mask: Mask,
): { recon: number; lambda: number; tau: number } {
  const bound =
    2 *
    mean(
      records.filter((r) => r.config.mask === 'base'),
      'fit',
    );
  let best: { recon: number; lambda: number; tau: number } | undefined;
  for (const lambda of LAMBDAS) {
    for (const tau of mask.includes('sep') ? TAUS : [0.001]) {
      const runs = records.filter(
        (r) => r.config.mask === mask && r.config.lambda === lambda && r.config.tau === tau,
      );
      if (runs.length !== 3) throw new Error(`expected 3 seeds of ${mask} ${lambda} ${tau}`);
      if (mean(runs, 'fit') <= bound && (!best || mean(runs, 'recon') < best.recon))
        best = { recon: mean(runs, 'recon'), lambda, tau };
    }
  }
  return best!;
}

let accepted: TuneResult;
let exhaustive: RunRecord[];

t.before(async () => {
  const out = join(root, 'exhaustive');
  const grid = resolveStudy({ ...ACCEPTANCE, mask: ['base', ...MASKS_TUNED] });
  await runStudy(grid, { out, backend: 'native' });
  exhaustive = (await readStudy(out)).records;
  accepted = await tune(ACCEPTANCE, { out: join(root, 'tune'), backend: 'native' });
});

t.test(
  'acceptance (default budget 0.33): within 10% of the exhaustive best on at most 40% of its run-epochs',
  async (t) => {
    t.same(
      [ACCEPTANCE.n, MASKS_TUNED, LAMBDAS.length, TAUS.length, ACCEPTANCE.seed, ACCEPTANCE.epochs],
      [20, ['cov', 'cov+sep'], 7, 9, '0..2', 600],
      'the problem of the issue',
    );
    const exhaustiveRunEpochs = exhaustive.reduce((a, r) => a + r.config.epochs, 0);
    t.equal(
      exhaustive.length,
      3 * (1 + 7 + 63),
      'base, cov (tau ignored: 7 candidates) and cov+sep (63), 3 seeds',
    );
    t.equal(
      accepted.json.exhaustiveRunEpochs,
      exhaustiveRunEpochs,
      'tune counts the exhaustive grid as it is',
    );
    const fraction = accepted.json.runEpochs / exhaustiveRunEpochs;
    t.comment(
      `tune trained ${accepted.json.runEpochs} run-epochs, exhaustive grid ${exhaustiveRunEpochs}: ${fraction.toFixed(3)}`,
    );
    t.ok(fraction <= 0.4, `at most 40%: ${fraction.toFixed(3)}`);
    for (const mask of MASKS_TUNED) {
      const mine = accepted.json.best.find((b) => b.mask === mask)!;
      const best = exhaustiveBest(exhaustive, mask);
      const ratio = mine.recon! / best.recon;
      t.comment(
        `${mask}: tune best recon ${mine.recon!.toFixed(4)} (lambda ${mine.lambda}, tau ${mine.tau}), exhaustive best ${best.recon.toFixed(4)} (lambda ${best.lambda}, tau ${best.tau}): ratio ${ratio.toFixed(3)}`,
      );
      t.ok(ratio <= 1.1, `${mask}: within 10% (${ratio.toFixed(3)})`);
      // the chosen runs are the exhaustive grid's runs of that setting, to the bit
      const cell = accepted.cells.find((c) => c.mask === mask)!;
      const same = exhaustive.filter((r) => cell.records.some((x) => x.id === r.id));
      t.same(strip(cell.records), strip(same), `${mask}: the same runs as in the exhaustive grid`);
    }
  },
);

t.test('tune.json: the shape of the issue, and a rerun trains nothing', async (t) => {
  const json = JSON.parse(readFileSync(join(root, 'tune', 'tune.json'), 'utf8'));
  t.same(Object.keys(json), ['best', 'runEpochs', 'exhaustiveRunEpochs']);
  for (const b of json.best)
    t.same(Object.keys(b), ['n', 'mask', 'lambda', 'tau', 'tauCov', 'lr', 'recon', 'fit', 'seeds']);
  t.same(
    json.best.map((b: { mask: string }) => b.mask),
    ['cov', 'cov+sep'],
  );
  t.equal(json.best[0].tau, null, 'cov ignores tau: null');
  t.same(json.best[0].seeds, [0, 1, 2]);
  t.same(json, accepted.json);
  const again = await tune(ACCEPTANCE, { out: join(root, 'tune'), backend: 'native' });
  t.equal(again.trained, 0);
  t.same(again.json, accepted.json);
});

t.test(
  'the schedule: what it costs is what tune trains; more budget, longer first rung',
  async (t) => {
    const space = tuneSpace(resolveStudy(ACCEPTANCE));
    const planned = tuneSchedule(space, 0.33, false);
    t.same(planned.rungs, accepted.schedule.rungs);
    t.equal(
      planned.runEpochs,
      accepted.json.runEpochs,
      'the plan counts exactly the runs tune asks for',
    );
    t.same(
      planned.rungs.slice(-2),
      [
        { epochs: 600, seeds: 1 },
        { epochs: 600, seeds: 3 },
      ],
      'then more seeds at the full epochs',
    );
    t.ok(
      planned.rungs
        .slice(0, -2)
        .every(
          (r, k, a) => r.seeds === 1 && r.epochs < 600 && (k === 0 || r.epochs > a[k - 1].epochs),
        ),
      'short rungs on one seed, growing',
    );
    const first = [0.15, 0.25, 0.33, 0.4, 0.5].map((b) => {
      const s = tuneSchedule(space, b, false);
      t.ok(
        s.runEpochs <= b * s.exhaustiveRunEpochs,
        `budget ${b}: ${s.runEpochs} of ${s.exhaustiveRunEpochs}`,
      );
      return s.rungs[0].epochs;
    });
    t.ok(
      first.every((e, k) => k === 0 || e > first[k - 1]),
      `first rung ${first.join(' < ')} epochs`,
    );
    t.same(
      tuneSchedule(space, 1, false).rungs,
      [
        { epochs: 600, seeds: 1 },
        { epochs: 600, seeds: 3 },
      ],
      'enough budget: every judgement on full training',
    );
    // ten seeds: seeds alone are the resource (1, 3, 10 at the full epochs), no truncated training
    const ten = tuneSpace(resolveStudy({ ...ACCEPTANCE, seed: '0..9' }));
    t.same(tuneSchedule(ten, 0.33, false).rungs, [
      { epochs: 600, seeds: 1 },
      { epochs: 600, seeds: 3 },
      { epochs: 600, seeds: 10 },
    ]);
    t.throws(() => tuneSchedule(space, 0.1, false), {
      message:
        'budget: got 0.1, expected a fraction of the exhaustive run-epochs that fits a schedule: at least 0.142 for this grid',
    });
  },
);

t.test(
  'what successive halving can miss: budget 0.25 judges every candidate after a shorter first rung',
  async (t) => {
    const result = await tune(ACCEPTANCE, {
      out: join(root, 'tune-0.25'),
      budget: 0.25,
      backend: 'native',
    });
    t.ok(result.json.runEpochs <= 0.25 * result.json.exhaustiveRunEpochs);
    t.ok(result.schedule.rungs[0].epochs < accepted.schedule.rungs[0].epochs);
    for (const b of result.json.best) {
      const best = exhaustiveBest(exhaustive, b.mask);
      t.comment(
        `budget 0.25, ${b.mask}: tune ${b.recon!.toFixed(4)} vs exhaustive ${best.recon.toFixed(4)} (ratio ${(b.recon! / best.recon).toFixed(3)}; first rung ${result.schedule.rungs[0].epochs} epochs)`,
      );
      t.ok(b.recon! >= best.recon, 'never better than the exhaustive best (the same runs)');
    }
  },
);

t.test('an aborted tune resumes: the same result, nothing trained twice', async (t) => {
  const out = join(root, 'aborted');
  const controller = new AbortController();
  const runs: number[] = [];
  await t.rejects(
    tune(ACCEPTANCE, {
      out,
      backend: 'native',
      signal: controller.signal,
      workers: 1,
      onRung: (rung) => runs.push(rung.runs),
      onProgress: (rung, p) => {
        if (rung.index === 1 && p.done >= 5) controller.abort();
      },
    }),
    { name: 'AbortError' },
  );
  const kept = (await readStudy(out)).records.length;
  // runs in flight when the signal comes may still finish (a native batch of short runs): the
  // tune stops at the latest when the next rung would start
  t.ok(
    kept >= runs[0] + 5 && kept < accepted.trained,
    `stopped midway: ${kept} of ${accepted.trained} runs on disk (rungs of ${runs.join(', ')} started)`,
  );
  const resumed = await tune(ACCEPTANCE, { out, backend: 'native' });
  t.same(resumed.json, accepted.json);
  t.equal(resumed.trained + kept, accepted.trained, 'every run trained once over both calls');
});

t.test(
  'the report: best table, tuned claims with every mask, Pareto plot, candidates',
  async (t) => {
    const result = await tune(
      { n: [5, 8], mask: MASKS, lambda: [0.03, 0.3], tau: [0.001, 0.1], seed: '0..3', epochs: 150 },
      { out: join(root, 'all-masks'), budget: 1, backend: 'native' },
    );
    const out = join(root, 'all-masks-report');
    const { files, tuned } = await buildTuneReport(result, { out });
    t.same(files.sort(), [
      'candidates.csv',
      'claims.json',
      'plots/pareto.png',
      'plots/pareto.svg',
      'tune.html',
      'tune.md',
    ]);
    t.equal(result.cells.length, 16);
    t.same(
      tuned.perN.map((x) => x.n),
      [5, 8],
    );
    for (const x of tuned.perN) {
      t.equal(x.ranking.length, 8);
      t.equal(x.lowest, x.ranking[0].mask);
      t.ok(
        x.ranking.every((r) => r.finalists >= 1 && r.withinBound <= r.finalists && r.maxFit > 0),
        'finalists and the bound per mask',
      );
      t.ok(
        x.ranking.every(
          (r, i) => i === 0 || (r.recon ?? Infinity) >= (x.ranking[i - 1].recon ?? Infinity),
        ),
        'lowest first',
      );
    }
    t.same(
      tuned.overlapExpels.map((p) => `${p.overlap}|${p.twin}`),
      ['ovl|base', 'cov+ovl|cov', 'sep+ovl|sep', 'cov+sep+ovl|cov+sep'],
    );
    t.ok(
      tuned.overlapExpels.every((p) => p.pooled.pairs === 8),
      '4 seeds x 2 sizes per pair',
    );
    t.same(
      tuned.claims.map((c) => c.status === 'not testable with these runs'),
      [false, false, false, false, false, false],
      'every claim testable with all masks tuned',
    );
    const md = readFileSync(join(out, 'tune.md'), 'utf8');
    t.match(md, /## Best setting per N and mask/);
    for (const c of result.cells)
      t.match(md, new RegExp(`\\| ${c.n} \\| ${c.mask.replace(/\+/g, '\\+')} \\| `));
    t.match(
      md,
      /\| 5 \| base \| unused \| unused \| unused \| 0\.01 \|/,
      'base: every weight unused',
    );
    t.match(md, /Does overlap still expel\?/);
    const svg = readFileSync(join(out, 'plots/pareto.svg'), 'utf8');
    t.equal(XMLValidator.validate(svg), true);
    for (const w of ['N = 5', 'N = 8', 'mean fit (MSE, log scale)', 'mean recon (log scale)'])
      t.match(svg, w);
    const csv = readFileSync(join(out, 'candidates.csv'), 'utf8').trim().split('\n');
    t.equal(
      csv.length - 1,
      result.cells.reduce(
        (a, c) => a + c.candidates.reduce((b, cand) => b + cand.rungs.length, 0),
        0,
      ),
    );
    const chosen = csv.filter((l) => l.endsWith(',true')).map((l) => l.split(','));
    t.equal(
      new Set(chosen.map((c) => c.slice(0, 6).join())).size,
      16,
      'one chosen candidate per (N, mask), on every rung it reached',
    );
  },
);

/** Runs `protomlp tune ...` in-process and returns the error it ends with. */
async function cli(args: string[]): Promise<unknown> {
  const program = new Command('protomlp').exitOverride();
  registerTune(program);
  try {
    await program.parseAsync(['tune', ...args], { from: 'user' });
    return undefined;
  } catch (error) {
    return error;
  }
}

t.test('real data: N is what the data has; one dataset at a time', async (t) => {
  // iris fixes N = 150 whatever the grid's n says: the cells are at N = 150
  const result = await tune(
    { data: 'iris', mask: ['cov'], lambda: [0.01, 0.1], seed: '0..1', epochs: 20 },
    { out: join(root, 'iris'), budget: 1, backend: 'native' },
  );
  t.same(
    result.json.best.map((b) => [b.n, b.mask, b.seeds]),
    [[150, 'cov', [0, 1]]],
  );
  t.ok([0.01, 0.1].includes(result.json.best[0].lambda!), 'one of the candidates');
  t.ok(result.cells[0].records.every((r) => r.config.data === 'iris' && r.config.n === 150));
  await t.rejects(
    tune(
      { data: ['uniform', 'iris'], mask: ['cov'], lambda: [0.01, 0.1], epochs: 20 },
      { out: join(root, 'two-datasets') },
    ),
    {
      message:
        'data: got ["uniform","iris"], expected one value (tune picks weights per N and mask)',
    },
  );
});

t.test('every bad tune flag has its message', async (t) => {
  const grid = ['--sizes', '10', '--masks', 'cov', '--lambda', '0.01,0.1', '--epochs', '50'];
  const out = join(root, 'refused');
  const cases: [string[], string][] = [
    [[...grid, '--budget', '0', '--out', out], '--budget: got 0, expected a number > 0 and <= 1'],
    [
      [...grid, '--budget', '1.5', '--out', out],
      '--budget: got 1.5, expected a number > 0 and <= 1',
    ],
    [
      [...grid, '--budget', 'half', '--out', out],
      '--budget: got "half", expected a number > 0 and <= 1',
    ],
    [
      [...grid, '--budget', '0.5', '--out', out],
      '--budget: got 0.5, expected a fraction of the exhaustive run-epochs that fits a schedule: at least 1 for this grid',
    ],
    [[...grid, '--max-fit', '-1', '--out', out], '--max-fit: got -1, expected a finite number > 0'],
    [
      [...grid, '--epochs', '50,100', '--out', out],
      '--epochs: got [50,100], expected one value (tune trains its shorter rungs itself)',
    ],
    [
      [...grid, '--dim', '1,2', '--out', out],
      '--dim: got [1,2], expected one value (tune picks weights per N and mask)',
    ],
    [
      ['--sizes', '10', '--masks', 'cov,sep', '--out', out],
      'grid: got "1 candidate per (N, mask)", expected at least 2 candidates somewhere: lists of lambda, tau, tauCov or lr (--lambda, --tau, --tau-cov, --lr)',
    ],
    [
      ['--sizes', '10', '--masks', 'base', '--lambda', '0.01,0.1', '--out', out],
      'grid: got "1 candidate per (N, mask)", expected at least 2 candidates somewhere: lists of lambda, tau, tauCov or lr (--lambda, --tau, --tau-cov, --lr)',
    ],
    [
      [...grid],
      '--out: got nothing, expected a folder for the tune (its runs, tune.json, tune-report/)',
    ],
    [
      [...grid, '--workers', '0', '--out', out],
      '--workers: got 0, expected an integer from 1 to 1024',
    ],
    [
      ['--out', out],
      '--preset: got nothing, expected one of paper, tau-sweep, positions, lambda-sweep, dims, iris, architectures, widths (or --config FILE, or grid flags such as --sizes 3,5,10)',
    ],
  ];
  for (const [args, message] of cases) {
    const error = await cli(args);
    t.type(error, ValidationError, args.join(' '));
    t.equal((error as Error | undefined)?.message, message, args.join(' '));
  }
  t.throws(() => readFileSync(join(out, 'study.json')), 'nothing written on refusal');
});
