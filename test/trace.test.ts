// Traces (issue 18): a traced run is the same run (same id, bits and metrics as untraced), its
// snapshots are where they should be and what the parameters were, the .npy file reads back
// exactly (here and in numpy), a cut or foreign file is refused, and K is bounded.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../src/config.js';
import { recordPrototypes } from '../src/eval/prototypes.js';
import { trainRuns } from '../src/train.js';
import type { RunRecord } from '../src/record.js';
import {
  checkTraceEvery,
  MAX_TRACE_BYTES,
  readTrace,
  snapshotCount,
  writeTrace,
  type Trace,
} from '../src/trace/index.js';
import { loadNative } from '../src/backend/native.js';
import { pythonWithNumpy } from './helpers/python.js';

const python = pythonWithNumpy();
/** Skips (or, under CI, fails) a test that needs numpy when there is none. */
const needsNumpy = (t: Tap.Test): boolean => {
  if (python) return true;
  if (process.env.CI === 'true') t.fail('no python3 with numpy (python3-numpy)');
  else t.skip('no python3 with numpy');
  return false;
};

const configs = [
  resolveConfig({ n: 8, mask: 'cov+ovl', epochs: 95, seed: 1 }),
  resolveConfig({ n: 6, hidden: 9, dim: 2, mask: 'sep', epochs: 40, unit: 'radial' }),
];
const bits = (r: RunRecord) => ({ ...r, wallMs: 0 });

async function traced(every: number): Promise<{ records: RunRecord[]; traces: Trace[] }> {
  const traces: Trace[] = [];
  const records = await trainRuns(configs, {
    backend: 'ts',
    trace: every,
    onRecord: (_, i, trace) => (traces[i] = trace!),
  });
  return { records, traces };
}

t.test('a traced run is the same run', async (t) => {
  const plain = await trainRuns(configs, { backend: 'ts' });
  const { records, traces } = await traced(10);
  t.same(records.map(bits), plain.map(bits), 'same ids, parameters and metrics');
  t.equal(traces.length, 2);
});

t.test('snapshots: epoch 0, every K, the last; what the parameters were', async (t) => {
  const { records, traces } = await traced(10);
  t.same(Array.from(traces[0].epochs), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
  t.same(Array.from(traces[1].epochs), [0, 10, 20, 30, 40], 'the last is a multiple: once');
  t.equal(traces[0].epochs.length, snapshotCount(95, 10));
  records.forEach((record, r) => {
    const trace = traces[r];
    const hd = record.config.hidden * record.config.dim;
    const last = trace.epochs.length - 1;
    t.same(
      trace.prototypes.subarray(0, hd),
      recordPrototypes(record, 'initial'),
      'epoch 0: the start',
    );
    t.same(trace.prototypes.subarray(last * hd), recordPrototypes(record), 'the last: the end');
    const m = record.metrics;
    t.same(Array.from(trace.terms.subarray(last * 5, last * 5 + 4)), [m.fit, m.cov, m.sep, m.ovl]);
  });
  const radial = records[1].final as { s: number[] };
  t.same(Array.from(traces[1].scale.subarray(4 * 9)), radial.s, 'radial: the scales s');
});

t.test('the .npy file reads back exactly, and numpy opens it', async (t) => {
  const { traces } = await traced(7);
  const dir = t.testdir({});
  const file = join(dir, 'a.npy');
  writeTrace(file, traces[1]);
  t.same(readTrace(file), traces[1]);
  if (!needsNumpy(t)) return;
  const loaded = spawnSync(
    python!,
    [
      '-c',
      [
        'import sys, json, numpy as np',
        't = np.load(sys.argv[1])',
        "print(json.dumps({'shape': list(t.shape), 'epochs': t['epoch'].tolist(), 'p': t['prototype'].shape, 'total': t['terms'][:, 4].tolist(), 's': t['scale'][-1].tolist()}))",
      ].join('\n'),
      file,
    ],
    { encoding: 'utf8' },
  );
  t.equal(loaded.status, 0, loaded.stderr);
  const got = JSON.parse(loaded.stdout) as Record<string, unknown>;
  const s = traces[1].epochs.length;
  t.same(got.shape, [s]);
  t.same(got.epochs, Array.from(traces[1].epochs));
  t.same(got.p, [s, 9, 2]);
  t.same(
    got.total,
    Array.from({ length: s }, (_, k) => traces[1].terms[k * 5 + 4]),
  );
  t.same(got.s, Array.from(traces[1].scale.subarray((s - 1) * 9)));
});

t.test('a cut or foreign file is refused, never half-read', async (t) => {
  const { traces } = await traced(10);
  const dir = t.testdir({});
  const file = join(dir, 'cut.npy');
  writeTrace(file, traces[0]);
  truncateSync(file, readFileSync(file).length - 3);
  t.throws(() => readTrace(file), { message: /cut short/ });
  writeFileSync(join(dir, 'x.npy'), 'hello');
  t.throws(() => readTrace(join(dir, 'x.npy')), { message: /expected a protomlp trace/ });
});

t.test('K: an integer >= 1 whose trace fits the bound', async (t) => {
  const config = resolveConfig({ n: 100 });
  t.equal(checkTraceEvery(10, config), 10);
  t.throws(() => checkTraceEvery(0, config), {
    message: 'trace: got 0, expected an integer >= 1 (a snapshot every K epochs)',
  });
  const big = resolveConfig({ n: 5000, epochs: 100000 });
  t.throws(() => checkTraceEvery(1, big), {
    message: new RegExp(`fits ${MAX_TRACE_BYTES / 2 ** 20} MiB per run .*K >= \\d+`),
  });
});

t.test('the native backend refuses a traced run (it does not record traces yet)', async (t) => {
  if (!loadNative().binding) return void t.skip('no native addon here');
  await t.rejects(trainRuns(configs.slice(0, 1), { backend: 'native', trace: 10 }), {
    message: /^trace: got 10, expected nothing with the native backend/,
  });
});

t.test(
  'a traced study: traces/<id>.npy, retraced when missing or cut, carried by merge',
  async (t) => {
    const { runStudy, mergeStudies, resolveStudy } = await import('../src/study/index.js');
    const { hasWholeTrace, traceFile } = await import('../src/trace/index.js');
    const { existsSync, readdirSync, rmSync } = await import('node:fs');
    const study = resolveStudy({ n: [6, 8], mask: ['cov', 'ovl'], seed: '0..1', epochs: 60 });
    const dir = t.testdir({});
    const out = join(dir, 'whole');
    await runStudy(study, { out, backend: 'ts', trace: 20 });
    t.ok(
      study.ids.every((id) => hasWholeTrace(out, id)),
      'every run has its trace',
    );
    const lines = readFileSync(join(out, 'runs.jsonl'), 'utf8');
    rmSync(traceFile(out, study.ids[0]));
    truncateSync(traceFile(out, study.ids[1]), 100);
    const again = await runStudy(study, { out, backend: 'ts', trace: 20 });
    t.match(again, { done: 2, skipped: 6 }, 'only the two runs without a whole trace train again');
    t.equal(
      readFileSync(join(out, 'runs.jsonl'), 'utf8'),
      lines,
      'their records are not written twice',
    );
    t.ok(study.ids.every((id) => hasWholeTrace(out, id)));
    const untraced = await runStudy(study, { out, backend: 'ts' });
    t.match(untraced, { done: 0 }, 'without --trace a finished run is finished');
    const shards = [0, 1].map((index) => join(dir, `shard-${index}`));
    for (const [index, shard] of shards.entries())
      await runStudy(study, { out: shard, backend: 'ts', trace: 20, shard: { index, count: 2 } });
    const merged = await mergeStudies(shards, join(dir, 'merged'));
    t.equal(merged.traces, 8, 'merge copies every whole trace');
    t.equal(readdirSync(join(dir, 'merged', 'traces')).length, 8);
    t.ok(existsSync(traceFile(join(dir, 'merged'), study.ids[3])));
    if (!loadNative().binding) return;
    await t.rejects(runStudy(study, { out: join(dir, 'native'), backend: 'native', trace: 20 }), {
      message: /^trace: got 20, expected nothing with the native backend/,
    });
    t.notOk(existsSync(join(dir, 'native')), 'refused before anything is written');
  },
);

t.test("docs/studies.md's Python snippet runs on a trace", async (t) => {
  const doc = readFileSync(new URL('../docs/studies.md', import.meta.url), 'utf8');
  const snippet = /<!-- trace-python:start -->\n```python\n([\s\S]*?)```/.exec(doc)?.[1];
  t.ok(snippet, 'the snippet is there');
  const { traces } = await traced(10);
  const file = join(t.testdir({}), 'doc.npy');
  writeTrace(file, traces[0]);
  if (!needsNumpy(t)) return;
  const run = spawnSync(python!, ['-c', snippet!, file], { encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  const [count, hidden, total] = run.stdout.trim().split(' ').map(Number);
  t.equal(count, traces[0].epochs.length);
  t.equal(hidden, 8);
  t.equal(total, traces[0].terms[(count - 1) * 5 + 4]);
});
