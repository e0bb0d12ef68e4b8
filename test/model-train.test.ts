// Adam against values computed by hand, determinism of training for a seed, divergence, and the
// pinned output of the seeded generator (changing it is a breaking change, SPEC §3).

import t from 'tap';
import { resolveConfig } from '../src/config.js';
import { makeDataset, makeInitialParams } from '../src/data.js';
import { Adam, trainRunSync } from '../src/model/train.js';
import { Rng, STREAMS } from '../src/rng.js';

t.test('Adam: three steps on one parameter, by hand', async (t) => {
  // One neuron (h = 1, d = 1) so the parameter vector is W, b, v, c; the gradient of each is
  // constant. Hand computation for a gradient g: m_t = (1 - 0.9^t) g and v_t = (1 - 0.999^t) g^2,
  // so the bias-corrected ratio is g / |g| every step and each step moves lr * |g| / (|g| + 1e-8).
  const adam = new Adam(1, 1, 0.1);
  const params = { W: Float64Array.of(1), b: Float64Array.of(-2), v: Float64Array.of(0.5), c: 0 };
  const grad = { W: Float64Array.of(0.5), b: Float64Array.of(-4), v: Float64Array.of(1e-3), c: 0 };
  for (let step = 0; step < 3; step++) adam.step(params, grad);
  t.ok(
    Math.abs(params.W[0] - (1 - 3 * ((0.1 * 0.5) / (0.5 + 1e-8)))) < 1e-15,
    'W moved 3 lr steps against g > 0',
  );
  t.ok(
    Math.abs(params.b[0] - (-2 + 3 * ((0.1 * 4) / (4 + 1e-8)))) < 1e-15,
    'b moved 3 lr steps against g < 0',
  );
  t.ok(
    Math.abs(params.v[0] - (0.5 - 3 * ((0.1 * 1e-3) / (1e-3 + 1e-8)))) < 1e-15,
    'eps matters for small g',
  );
  t.equal(params.c, 0, 'a zero gradient does not move');
});

t.test('Adam: changing gradient, by hand', async (t) => {
  const adam = new Adam(1, 1, 0.01);
  const params = { W: Float64Array.of(0), b: Float64Array.of(0), v: Float64Array.of(0), c: 1 };
  const zero = { W: Float64Array.of(0), b: Float64Array.of(0), v: Float64Array.of(0) };
  adam.step(params, { ...zero, c: 2 });
  adam.step(params, { ...zero, c: -1 });
  // step 1: m = 0.2, v = 0.004; mhat = 2, vhat = 4 -> c = 1 - 0.01 * 2 / (2 + 1e-8)
  const c1 = 1 - (0.01 * 2) / (2 + 1e-8);
  // step 2: m = 0.9*0.2 - 0.1 = 0.08, v = 0.999*0.004 + 0.001 = 0.004996
  const mhat = 0.08 / (1 - 0.81);
  const vhat = 0.004996 / (1 - 0.998001);
  const c2 = c1 - (0.01 * mhat) / (Math.sqrt(vhat) + 1e-8);
  t.ok(Math.abs(params.c - c2) < 1e-15, `c after two steps ${params.c} vs hand ${c2}`);
});

t.test('training is deterministic for a seed', async (t) => {
  const config = resolveConfig({ n: 12, mask: 'cov+sep+ovl', epochs: 200, seed: 4 });
  const job = () => ({ config, data: makeDataset(config), initial: makeInitialParams(config) });
  const a = trainRunSync(job());
  const b = trainRunSync(job());
  t.same(Array.from(a.final.W), Array.from(b.final.W));
  t.same(Array.from(a.final.b), Array.from(b.final.b));
  t.equal(a.final.c, b.final.c);
  t.equal(a.epochsRun, 200);
  t.notOk(a.diverged);
  t.not(a.final.b[0], job().initial.b[0], 'training moved the parameters');
});

t.test('a diverging run stops and says so', async (t) => {
  const config = resolveConfig({ n: 5, epochs: 50, lr: 1e300 });
  const result = trainRunSync({
    config,
    data: makeDataset(config),
    initial: makeInitialParams(config),
  });
  t.ok(result.diverged);
  t.ok(result.epochsRun < 50);
});

t.test('the generator is pinned (xoshiro128** via splitmix32)', async (t) => {
  const r = new Rng(0, STREAMS.data);
  t.same([r.nextUint32(), r.nextUint32(), r.nextUint32()], [1292791899, 1284423797, 2013314966]);
  const r2 = new Rng(12345, STREAMS.init);
  t.equal(r2.nextDouble(), 0.15899291166412688);
  t.same(
    Array.from(makeDataset({ n: 3, dim: 1, target: 'sine', seed: 0 }).x),
    [-0.3979968682072579, -0.06247715857129288, 0.7278535988152124],
  );
  const init = makeInitialParams({ hidden: 2, dim: 2, init: 'centers', seed: 7 });
  t.same(Array.from(init.b), [-0.6025258736365146, -0.1277994978637837]);
  t.equal(init.c, 0.45617949048707684);
});

t.test('data and init: ranges, targets and independence from the mask', async (t) => {
  const data = makeDataset({ n: 200, dim: 3, target: 'sine', seed: 1 });
  t.ok(data.x.every((v) => v >= -1 && v < 1));
  t.ok(Math.abs(data.y[5] - Math.sin(Math.PI * (data.x[15] + data.x[16] + data.x[17]))) < 1e-15);
  const random = makeDataset({ n: 200, dim: 3, target: 'random', seed: 1 });
  t.same(Array.from(random.x), Array.from(data.x), 'x does not depend on the target');
  t.ok(random.y.every((v) => v >= -1 && v < 1));
  const centers = makeInitialParams({ hidden: 300, dim: 1, init: 'centers', seed: 2 });
  const protos = Array.from(centers.b, (b, j) => -b / centers.W[j]);
  t.ok(
    protos.every((p) => p >= -1 - 1e-12 && p <= 1 + 1e-12),
    'centers: start prototypes inside [-1, 1]',
  );
  const torch = makeInitialParams({ hidden: 300, dim: 1, init: 'torch', seed: 2 });
  const outside = Array.from(torch.b, (b, j) => -b / torch.W[j]).filter(
    (p) => Math.abs(p) > 1,
  ).length;
  t.ok(
    outside > 90 && outside < 210,
    `torch: about half the prototypes start outside (${outside}/300)`,
  );
});
