// The native backend under stress: bitwise thread-count independence, garbage collection between
// calls, use from worker_threads, cancellation midway, callback errors, and the C++ guards on every
// malformed call (exact messages), plus the kernels' exp and the ISA switches.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { MASKS, resolveConfig, type Mask } from '../src/config.js';
import {
  createNativeBackend,
  loadNative,
  toNativeJob,
  type NativeJob,
} from '../src/backend/native.js';
import type { TrainJob, TrainResult } from '../src/model/types.js';
import { prepareJob } from '../src/train.js';

const native = loadNative();
if (!native.binding) {
  t.fail(`native addon did not load: ${native.error} (build it with npm run build:native)`);
  process.exit(1);
}
const binding = native.binding;
const backend = createNativeBackend(binding);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function mixedJobs(epochs: number): TrainJob[] {
  const jobs: TrainJob[] = [];
  let k = 0;
  for (const n of [3, 9, 20, 41, 60])
    for (const mask of MASKS)
      jobs.push(
        prepareJob(
          resolveConfig({
            n,
            hidden: n + (k % 3),
            dim: 1 + (k % 2),
            mask: mask as Mask,
            epochs,
            seed: k++,
            tauCov: k % 4 === 0 ? 0.05 : 0,
          }),
        ),
      );
  return jobs;
}

function bits(r: TrainResult): string {
  const f = r.final;
  return (
    [f.W, f.b, f.v, new Float64Array([f.c])]
      .map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex'))
      .join('|') + `|${r.diverged}|${r.epochsRun}`
  );
}

t.test('a batch over 2 threads gives bitwise the results of 1 thread, in job order', async (t) => {
  const jobs = mixedJobs(200);
  for (const isa of binding.info().supported) {
    const b = createNativeBackend(binding, isa);
    const seen: number[] = [];
    const one = await b.trainBatch(jobs, { threads: 1, onResult: (i) => seen.push(i) });
    const two = await b.trainBatch(jobs, { threads: 2 });
    t.same(
      [...seen].sort((x, y) => x - y),
      jobs.map((_, i) => i),
      `${isa}: onResult once per run`,
    );
    const cost = (j: TrainJob): number => j.config.n * j.config.hidden * j.config.dim;
    const largest = jobs.reduce((best, j, i) => (cost(j) > cost(jobs[best]) ? i : best), 0);
    t.equal(
      seen[0],
      largest,
      `${isa}: the largest run starts (and, on one thread, finishes) first`,
    );
    t.ok(
      one.every((r, i) => bits(r) === bits(two[i])),
      `${isa}: ${jobs.length} runs bitwise equal on 1 and 2 threads`,
    );
    t.ok(
      one.every((r, i) => r.final.W.length === jobs[i].config.hidden * jobs[i].config.dim),
      `${isa}: results in job order`,
    );
  }
});

t.test('garbage collection between calls changes nothing', async (t) => {
  const jobs = mixedJobs(50).slice(0, 12);
  const first = (await backend.trainBatch(jobs, { threads: 2 })).map(bits);
  const job = jobs[5];
  const tg = JSON.stringify(backend.termsAndGrads(job.config, job.data, job.initial), (_, v) =>
    v instanceof Float64Array ? Array.from(v) : v,
  );
  let same = true;
  for (let round = 0; round < 20; round++) {
    gc();
    // the inputs are copied before the threads start: dropping them right away must be harmless
    const promise = backend.trainBatch(
      jobs.map((j) => ({
        ...j,
        data: { x: Float64Array.from(j.data.x), y: Float64Array.from(j.data.y) },
      })),
      { threads: 2 },
    );
    gc();
    const again = (await promise).map(bits);
    gc();
    const tg2 = JSON.stringify(backend.termsAndGrads(job.config, job.data, job.initial), (_, v) =>
      v instanceof Float64Array ? Array.from(v) : v,
    );
    same &&= again.every((b, i) => b === first[i]) && tg2 === tg;
  }
  t.ok(same, '20 rounds with gc() around every call give identical results');
});

t.test('the addon works from worker_threads, concurrently with the main thread', async (t) => {
  const jobs = mixedJobs(100).slice(0, 8);
  const nativeJobs = jobs.map(toNativeJob);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const binding = require(workerData.path);
    const results = [];
    const { promise } = binding.trainBatch(workerData.jobs, 2, (i, r) => { results[i] = r; });
    promise.then(() => parentPort.postMessage({ results, info: binding.info() }));
  `;
  const run = (): Promise<{
    results: {
      W: Float64Array;
      b: Float64Array;
      v: Float64Array;
      c: number;
      diverged: boolean;
      epochsRun: number;
    }[];
  }> =>
    new Promise((resolve, reject) => {
      const w = new Worker(code, {
        eval: true,
        workerData: { path: native.path, jobs: nativeJobs },
      });
      w.once('message', (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
  const [a, b, main] = await Promise.all([run(), run(), backend.trainBatch(jobs, { threads: 2 })]);
  const fromWorker = (r: (typeof a.results)[number]): string =>
    bits({
      final: { W: r.W, b: r.b, v: r.v, c: r.c },
      diverged: r.diverged,
      epochsRun: r.epochsRun,
      wallMs: 0,
    });
  t.ok(
    main.every(
      (r, i) => bits(r) === fromWorker(a.results[i]) && bits(r) === fromWorker(b.results[i]),
    ),
    'two workers and the main thread agree bitwise',
  );
});

t.test(
  'loaded and unloaded 30 times in one process: each load throws and catches inside the addon and trains on 2 threads',
  async (t) => {
    // In a fresh process that never loads the addon on its main thread, a worker's exit drops the
    // last reference and Node unloads it (dlclose): the libstdc++ linked into the prebuilds is set
    // up and torn down every round. /proc/self/maps shows that the unload really happens.
    const rounds = 30;
    const job = prepareJob(
      resolveConfig({ n: 6, hidden: 4, epochs: 30, mask: 'cov+sep+ovl', seed: 3 }),
    );
    const [reference] = await backend.trainBatch([job], { threads: 1 });
    const hex = (a: Float64Array): string =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
    const expected = [
      reference.final.W,
      reference.final.b,
      reference.final.v,
      new Float64Array([reference.final.c]),
    ]
      .map(hex)
      .join('|');
    const nativeJob = toNativeJob(job);
    const jobJson = JSON.stringify(nativeJob, (_, v) =>
      v instanceof Float64Array ? { f64: Array.from(v) } : v,
    );
    const worker = `
    const { parentPort, workerData } = require('node:worker_threads');
    const binding = require(workerData.path);
    let thrown = null;
    try { binding.trainBatch([{ ...workerData.job, n: 1 }], 1, () => {}); } catch (error) { thrown = error.message; }
    const results = [];
    binding.trainBatch([workerData.job, workerData.job], 2, (i, r) => { results[i] = r; }).promise
      .then(() => parentPort.postMessage({ thrown, results }));
  `;
    const child = `
    const { Worker } = require('node:worker_threads');
    const { readFileSync, realpathSync } = require('node:fs');
    const [path, jobJson, rounds] = process.argv.slice(1);
    const job = JSON.parse(jobJson, (_, v) => (v && v.f64 ? Float64Array.from(v.f64) : v));
    const file = realpathSync(path);
    const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes(file);
    const hex = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
    (async () => {
      const seen = { loadedBefore: mapped(), messages: 0, unloaded: 0, thrown: new Set(), bits: new Set() };
      for (let round = 0; round < Number(rounds); round++) {
        const w = new Worker(${JSON.stringify(worker)}, { eval: true, workerData: { path, job } });
        w.on('message', (m) => {
          seen.messages++;
          seen.thrown.add(m.thrown);
          for (const r of m.results) seen.bits.add([r.W, r.b, r.v, new Float64Array([r.c])].map(hex).join('|'));
        });
        await new Promise((resolve, reject) => { w.once('exit', resolve); w.once('error', reject); });
        if (!mapped()) seen.unloaded++;
      }
      console.log(JSON.stringify({ ...seen, thrown: [...seen.thrown], bits: [...seen.bits] }));
    })();
  `;
    const r = spawnSync(
      process.execPath,
      ['-e', child, native.path as string, jobJson, String(rounds)],
      { encoding: 'utf8', timeout: 300_000 },
    );
    t.equal(r.status, 0, 'the process exits normally', { stderr: r.stderr, signal: r.signal });
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
      loadedBefore: boolean;
      messages: number;
      unloaded: number;
      thrown: string[];
      bits: string[];
    };
    t.equal(seen.loadedBefore, false, 'the process had not loaded the addon before');
    t.equal(seen.messages, rounds, `${rounds} workers loaded it and reported`);
    t.equal(
      seen.unloaded,
      rounds,
      'after each worker exit the addon was unmapped (really unloaded)',
    );
    t.same(
      seen.thrown,
      ['jobs[0].n: got 1, expected an integer from 2 to 10000'],
      "every load threw and caught the C++ guard's exception",
    );
    t.same(seen.bits, [expected], 'every load trained bitwise what the main process trains');
  },
);

t.test('terminating a worker mid-batch does not crash the process', async (t) => {
  const job = toNativeJob(
    prepareJob(resolveConfig({ n: 100, epochs: 1_000_000, mask: 'cov+sep+ovl' })),
  );
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const binding = require(workerData.path);
    binding.trainBatch([workerData.job, workerData.job], 2, () => {});
    parentPort.postMessage('started');
  `;
  const w = new Worker(code, { eval: true, workerData: { path: native.path, job } });
  await new Promise((resolve) => w.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await w.terminate();
  t.ok(
    Date.now() - started < 5000,
    `the worker's runs stop at its teardown (${Date.now() - started} ms)`,
  );
});

t.test('cancellation', async (t) => {
  const long = Array.from({ length: 8 }, (_, seed) =>
    prepareJob(resolveConfig({ n: 100, mask: 'cov+sep+ovl', epochs: 1_000_000, seed })),
  );
  const controller = new AbortController();
  let reported = 0;
  const started = Date.now();
  const promise = backend.trainBatch(long, {
    threads: 2,
    signal: controller.signal,
    onResult: () => reported++,
  });
  setTimeout(() => controller.abort(), 150);
  await t.rejects(promise, { name: 'AbortError' }, 'an aborted batch rejects with an AbortError');
  const took = Date.now() - started;
  t.ok(
    took < 3000,
    `runs in flight stop within 64 epochs of the abort (${took} ms for a batch of ~8 x 20 s)`,
  );
  t.equal(reported, 0, 'no run is reported after (or instead of) cancellation');

  const pre = new AbortController();
  pre.abort();
  await t.rejects(
    backend.trainBatch(long, { signal: pre.signal }),
    { name: 'AbortError' },
    'an already aborted signal rejects at once',
  );

  // a cancelled batch leaves the addon usable
  const [after] = await backend.trainBatch([prepareJob(resolveConfig({ n: 5, epochs: 10 }))], {
    threads: 1,
  });
  t.equal(after.epochsRun, 10, 'the next batch runs normally');
});

t.test('an onResult that throws fails the batch with its error', async (t) => {
  const jobs = mixedJobs(20).slice(0, 6);
  await t.rejects(
    backend.trainBatch(jobs, {
      threads: 2,
      onResult: () => {
        throw new Error('store is full');
      },
    }),
    { message: 'store is full' },
  );
});

t.test('the C++ guards refuse every malformed call with a message naming the field', async (t) => {
  const good: NativeJob = toNativeJob(
    prepareJob(resolveConfig({ n: 4, hidden: 3, dim: 2, epochs: 5 })),
  );
  const train = (job: unknown, threads: unknown = 1): unknown =>
    binding.trainBatch([job as NativeJob], threads as number, () => {});
  const cases: [string, unknown, string][] = [
    [
      'x too short',
      { ...good, x: new Float64Array(7) },
      'jobs[0].x.length: got 7, expected n*d = 8',
    ],
    [
      'x too long',
      { ...good, x: new Float64Array(9) },
      'jobs[0].x.length: got 9, expected n*d = 8',
    ],
    ['y', { ...good, y: new Float64Array(3) }, 'jobs[0].y.length: got 3, expected n = 4'],
    ['W', { ...good, W: new Float64Array(5) }, 'jobs[0].W.length: got 5, expected h*d = 6'],
    ['b', { ...good, b: new Float64Array(4) }, 'jobs[0].b.length: got 4, expected h = 3'],
    ['v', { ...good, v: new Float64Array(0) }, 'jobs[0].v.length: got 0, expected h = 3'],
    ['n = 1', { ...good, n: 1 }, 'jobs[0].n: got 1, expected an integer from 2 to 10000'],
    [
      'h huge',
      { ...good, h: 1e12 },
      'jobs[0].h: got 1000000000000, expected an integer from 2 to 10000',
    ],
    ['d = 0', { ...good, d: 0 }, 'jobs[0].d: got 0, expected an integer from 1 to 64'],
    ['d fractional', { ...good, d: 1.5 }, 'jobs[0].d: got 1.5, expected an integer from 1 to 64'],
    [
      'epochs NaN',
      { ...good, epochs: NaN },
      'jobs[0].epochs: got NaN, expected an integer from 1 to 10000000',
    ],
    [
      'epochs 0',
      { ...good, epochs: 0 },
      'jobs[0].epochs: got 0, expected an integer from 1 to 10000000',
    ],
    ['mask', { ...good, maskBits: 8 }, 'jobs[0].maskBits: got 8, expected an integer from 0 to 7'],
    ['unit', { ...good, unit: 2 }, 'jobs[0].unit: got 2, expected an integer from 0 to 1'],
    [
      'activation',
      { ...good, activation: -1 },
      'jobs[0].activation: got -1, expected an integer from 0 to 2',
    ],
    ['lr', { ...good, lr: 0 }, 'jobs[0].lr: got 0, expected a finite number > 0'],
    ['tau', { ...good, tau: -1 }, 'jobs[0].tau: got -1, expected a finite number > 0'],
    [
      'tauCov',
      { ...good, tauCov: Infinity },
      'jobs[0].tauCov: got Infinity, expected a finite number >= 0',
    ],
    ['lambda', { ...good, lambda: NaN }, 'jobs[0].lambda: got NaN, expected a finite number >= 0'],
    [
      'x not Float64Array',
      { ...good, x: [1, 2, 3, 4, 5, 6, 7, 8] },
      'jobs[0].x: expected a Float64Array',
    ],
    ['x Float32Array', { ...good, x: new Float32Array(8) }, 'jobs[0].x: expected a Float64Array'],
    ['missing c', { ...good, c: undefined }, 'jobs[0].c: expected a number'],
    ['not an object', 5, 'jobs[0]: expected a job object'],
  ];
  for (const [label, job, message] of cases) t.throws(() => train(job), { message }, label);
  t.throws(
    () => train(good, 0),
    { message: 'threads: got 0, expected an integer from 1 to 1024' },
    'threads 0',
  );
  t.throws(
    () => binding.trainBatch({} as never, 1, () => {}),
    { message: 'jobs: expected an array of jobs' },
    'jobs not an array',
  );
  t.throws(
    () => binding.trainBatch([good], 1, 5 as never),
    { message: 'onResult: expected a function' },
    'onResult',
  );
  t.throws(
    () => binding.trainBatch([good], 1, () => {}, 'mmx'),
    { message: /^unknown instruction set 'mmx'/ },
    'unknown isa',
  );
  t.throws(
    () => binding.termsAndGrads({ ...good, W: new Float64Array(2) }),
    { message: 'job.W.length: got 2, expected h*d = 6' },
    'termsAndGrads checks too',
  );
  t.throws(
    () => binding.setIsa('sse9'),
    { message: /^unknown instruction set 'sse9' \(this binary has: scalar/ },
    'setIsa',
  );
  t.throws(
    () => binding.vectorExp([1] as never),
    { message: 'values: expected a Float64Array' },
    'vectorExp',
  );
  // nothing was started by the refused calls, and a good call still works
  const { promise } = binding.trainBatch([good], 1, () => {});
  t.same(await promise, { cancelled: false }, 'a good call after the refused ones');
});

t.test(
  'the kernels exp: within 2 ulp of Math.exp (itself within 1 ulp) down to -708, exactly 0 below, the same bits on every instruction set, exact special values (domain x <= 709)',
  async (t) => {
    const count = 200_000;
    const x = new Float64Array(count);
    let state = 7;
    for (let i = 0; i < count; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      x[i] = -745 * (state / 2 ** 32) * (i % 3 === 0 ? 0.01 : 1);
    }
    const ulps = (a: number, b: number): number => {
      const f = new Float64Array([a, b]);
      const u = new BigInt64Array(f.buffer);
      return Math.abs(Number(u[0] - u[1]));
    };
    const scalar = binding.vectorExp(x, 'scalar');
    for (const isa of binding.info().supported) {
      const y = binding.vectorExp(x, isa);
      let worst = 0;
      let below = 0;
      let notZero = 0;
      let differ = 0;
      for (let i = 0; i < count; i++) {
        if (x[i] >= -708) worst = Math.max(worst, ulps(y[i], Math.exp(x[i])));
        else {
          below += 1;
          if (y[i] !== 0) notZero += 1;
        }
        if (!Object.is(y[i], scalar[i])) differ += 1;
      }
      t.ok(worst <= 2, `${isa}: max ${worst} ulp from Math.exp over ${count} points`);
      t.ok(below > 1000, `${isa}: ${below} points below -708 were tried`);
      t.equal(
        notZero,
        0,
        `${isa}: results below e^-708 are 0 (no subnormal ever enters the kernels)`,
      );
      t.equal(differ, 0, `${isa}: the same bits as the scalar kernel at every point`);
      const special = binding.vectorExp(
        new Float64Array([0, -0, -746, -1e9, -Infinity, NaN, -745.1, 1, 700]),
        isa,
      );
      t.same(
        Array.from(special.subarray(0, 6)),
        [1, 1, 0, 0, 0, NaN],
        `${isa}: exp(0) = 1, underflow to 0, NaN stays NaN`,
      );
      t.equal(special[6], 0, `${isa}: exp(-745.1), a subnormal in IEEE, is 0`);
      const edge = binding.vectorExp(new Float64Array([-708, -708.0000000001]), isa);
      t.ok(
        edge[0] >= 2.2250738585072014e-308 && ulps(edge[0], Math.exp(-708)) <= 2,
        `${isa}: exp(-708) is normal and accurate`,
      );
      t.equal(edge[1], 0, `${isa}: below -708: 0`);
      t.ok(
        ulps(special[7], Math.E) <= 1 && ulps(special[8], Math.exp(700)) <= 2,
        `${isa}: positive arguments in the domain`,
      );
    }
  },
);

t.test('instruction set switches', async (t) => {
  const info = binding.info();
  t.ok(
    info.supported.includes('scalar') && info.supported.includes(info.isa),
    `active ${info.isa}, supported ${info.supported.join(', ')}`,
  );
  const probe = `import('${new URL('../src/backend/native.ts', import.meta.url).href}').then((m) => { const l = m.loadNative(); console.log(JSON.stringify(l.binding ? l.binding.info().isa : l.error)); })`;
  const run = (simd: string): string => {
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, '--input-type=module', '-e', probe],
      { encoding: 'utf8', env: { ...process.env, PROTOMLP_SIMD: simd } },
    );
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as string;
  };
  t.equal(run('scalar'), 'scalar', 'PROTOMLP_SIMD=scalar forces the scalar kernels');
  t.match(
    run('avx9000'),
    /^PROTOMLP_SIMD: unknown instruction set 'avx9000'/,
    'an unknown PROTOMLP_SIMD fails loading with a clear message',
  );
  const missing = ['avx2', 'avx512', 'neon'].find(
    (i) => info.compiled.includes(i) && !info.supported.includes(i),
  );
  if (missing)
    t.match(
      run(missing),
      /not supported by this CPU/,
      `PROTOMLP_SIMD=${missing} on a CPU without it`,
    );
  binding.setIsa('scalar');
  t.equal(binding.info().isa, 'scalar', 'setIsa switches the active variant');
  binding.setIsa(info.isa);
});
