import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { resolveConfig, type Activation, type Unit } from '../src/config.js';
import type { Dataset, Params, Terms } from '../src/model/types.js';
import { prototypes } from '../src/eval/prototypes.js';
import { dataFromJson, paramsFromJson, type ParamsJson } from '../src/record.js';
import {
  evaluateRun,
  outsideBoundingBox,
  reconstructionError,
  specializationRatio,
  winningNeurons,
} from '../src/eval/metrics.js';

/**
 * Parameters whose prototypes are exactly the given points: w_j = s q_j, b_j = -s |q_j|^2, so
 * p_j = s^2 |q|^2 q / (s^2 |q|^2 + 1e-12). With s a power of two and dyadic q every product is
 * exact and the eps is below half an ulp of the denominator, so p_j === q_j bit for bit. A large
 * s also makes every Gaussian narrow, so each neuron wins the samples on its own prototype.
 * The origin needs w != 0 with b = 0 (w = 0 would respond 1 everywhere): w = s e_1 there.
 */
function paramsAt(points: number[][], s = 1024): Params {
  const d = points[0].length;
  const W = new Float64Array(points.length * d);
  const b = new Float64Array(points.length);
  points.forEach((q, j) => {
    const q2 = q.reduce((acc, v) => acc + v * v, 0);
    const dir = q2 === 0 ? q.map((_, k) => (k === 0 ? 1 : 0)) : q;
    dir.forEach((v, k) => (W[j * d + k] = s * v));
    b[j] = -s * q2;
  });
  return { W, b, v: new Float64Array(points.length).fill(0.5), c: 0 };
}

const data = (x: number[][]): Dataset => ({
  x: Float64Array.from(x.flat()),
  y: new Float64Array(x.length),
});
const terms: Terms = { fit: 0.25, cov: 0.125, sep: 0.0625, ovl: 0.5 };

t.test('prototypes: the formula, and w = 0 gives the origin', async (t) => {
  const p1 = prototypes(
    { W: Float64Array.of(2, -4, 0), b: Float64Array.of(-1, 2, 3), v: new Float64Array(3), c: 0 },
    1,
  );
  // -b w / (w^2 + 1e-12): 2 / (4 + 1e-12), 8 / (16 + 1e-12), and 0 for w = 0 (not NaN)
  t.same(Array.from(p1), [2 / (4 + 1e-12), 8 / (16 + 1e-12), 0]);
  const p2 = prototypes(
    { W: Float64Array.of(3, 4, 0, 0), b: Float64Array.of(-5, 1), v: new Float64Array(2), c: 0 },
    2,
  );
  // w = (3, 4), b = -5: 5 (3, 4) / (25 + 1e-12), about (0.6, 0.8) less 4e-14 relative
  t.same([p2[0], p2[1]], [15 / (25 + 1e-12), 20 / (25 + 1e-12)]);
  t.ok(Math.abs(p2[0] - 0.6) < 1e-13 && Math.abs(p2[1] - 0.8) < 1e-13, `(${p2[0]}, ${p2[1]})`);
  t.same([p2[2], p2[3]], [0, 0]);
  t.same(
    Array.from(
      prototypes(
        paramsAt([
          [0.75, 0.75],
          [-3, -4],
        ]),
        2,
      ),
    ),
    [0.75, 0.75, -3, -4],
  );
});

t.test('all prototypes on the data: recon 0, spec 1, nothing outside', async (t) => {
  const x = [[-0.75], [-0.25], [0.125], [0.5], [0.875]];
  // neurons in reverse order, so the optimal matching is not the identity
  const params = paramsAt([...x].reverse());
  const config = resolveConfig({ n: 5, hidden: 5, dim: 1 });
  t.same(Array.from(winningNeurons(config, data(x), params)), [4, 3, 2, 1, 0]);
  const m = evaluateRun(config, data(x), params, false, terms);
  t.same(m, {
    recon: 0,
    spec: 1,
    fit: 0.25,
    cov: 0.125,
    sep: 0.0625,
    ovl: 0.5,
    outside: 0,
    outsideDist: 0,
    diverged: false,
  });
  t.same(Object.keys(m), [
    'recon',
    'spec',
    'fit',
    'cov',
    'sep',
    'ovl',
    'outside',
    'outsideDist',
    'diverged',
  ]);
});

t.test('H > N: each input gets its own prototype, extra prototypes are free', async (t) => {
  const x = [[-0.5], [0.5]];
  const params = paramsAt([[0.25], [-0.5], [0.5], [3]]);
  const config = resolveConfig({ n: 2, hidden: 4, dim: 1 });
  const m = evaluateRun(config, data(x), params, false, terms);
  t.equal(m.recon, 0);
  t.equal(m.spec, 1);
  t.equal(m.outside, 1 / 4, 'only the prototype at 3 is outside [-0.5, 0.5]');
  t.equal(m.outsideDist, 2.5);
});

t.test('H < N: mean over the H matched pairs', async (t) => {
  const x = Float64Array.of(-1, 0, 0.25, 1);
  t.equal(reconstructionError(x, Float64Array.of(0.5, -0.75), 4, 2, 1), (0.25 + 0.25) / 2);
});

t.test('spec: shared winners, ties to the lowest neuron; recon on the same case', async (t) => {
  const x = [[-0.75], [-0.25], [0.25], [0.75]];
  // w = 1, b = -q: p = q / (1 + 1e-12); neurons 0 and 1 coincide, so every response of theirs ties
  const q = [-0.75, -0.75, 0.3, 0.7];
  const params: Params = {
    W: Float64Array.of(1, 1, 1, 1),
    b: Float64Array.from(q, (v) => -v),
    v: new Float64Array(4),
    c: 0,
  };
  const shape = { n: 4, hidden: 4, dim: 1 };
  t.same(Array.from(winningNeurons(shape, data(x), params)), [0, 0, 2, 3]);
  t.equal(specializationRatio(shape, data(x), params), 0.75);
  // sorted matching: 0 + 0.5 + 0.05 + 0.05 over 4 pairs (the eps moves p by ~1e-12)
  const recon = reconstructionError(Float64Array.from(x.flat()), prototypes(params, 1), 4, 4, 1);
  t.ok(Math.abs(recon - 0.15) < 1e-11, `recon ${recon}`);
});

t.test('spec: the winner is the largest response, not the nearest prototype', async (t) => {
  // at x = 0: neuron 0 (w = 1, p = 0.5) responds exp(-0.25); neuron 1 (w = 10, p = 0.2) exp(-4)
  const params: Params = {
    W: Float64Array.of(1, 10),
    b: Float64Array.of(-0.5, -2),
    v: new Float64Array(2),
    c: 0,
  };
  t.same(Array.from(winningNeurons({ n: 1, hidden: 2, dim: 1 }, data([[0]]), params)), [0]);
});

t.test(
  'spec: when every response underflows to 0, neuron 0 wins (argmax on h, ties lowest)',
  async (t) => {
    const params: Params = {
      W: Float64Array.of(100, 100, 100),
      b: Float64Array.of(-200, 300, -250),
      v: new Float64Array(3),
      c: 0,
    };
    const shape = { n: 2, hidden: 3, dim: 1 };
    t.same(Array.from(winningNeurons(shape, data([[-1], [1]]), params)), [0, 0]);
    t.equal(specializationRatio(shape, data([[-1], [1]]), params), 0.5);
  },
);

t.test('1-D hull: a prototype outside counted once, with its distance', async (t) => {
  const x = Float64Array.of(-0.5, 0, 0.5);
  t.same(outsideBoundingBox(x, Float64Array.of(-0.5, 0.25, 0.875), 3, 3, 1), {
    fraction: 1 / 3,
    meanDist: 0.375,
  });
  t.same(outsideBoundingBox(x, Float64Array.of(-1, 0, 1.5), 3, 3, 1), {
    fraction: 2 / 3,
    meanDist: 0.75,
  });
  t.same(
    outsideBoundingBox(x, Float64Array.of(0.5, -0.5, 0), 3, 3, 1),
    { fraction: 0, meanDist: 0 },
    'the ends are inside',
  );
  const config = resolveConfig({ n: 3, dim: 1 });
  const m = evaluateRun(
    config,
    { x, y: new Float64Array(3) },
    paramsAt([[-0.5], [0.25], [0.875]]),
    false,
    terms,
  );
  t.equal(m.outside, 1 / 3);
  t.equal(m.outsideDist, 0.375);
  t.equal(m.recon, (0 + 0.25 + 0.375) / 3);
});

t.test('d = 2: the exact hull, and the bounding box as extra fields', async (t) => {
  // inputs: a triangle; box [0, 1]^2. (0.75, 0.75) is outside the triangle but inside the box.
  const x = [
    [0, 0],
    [1, 0],
    [0, 1],
  ];
  const protos = [
    [0.75, 0.75],
    [0.5, 0.25],
    [2, 1],
    [-3, -4],
  ];
  const config = resolveConfig({ n: 3, hidden: 4, dim: 2 });
  const m = evaluateRun(config, data(x), paramsAt(protos), false, terms);
  // (2, 1) is 1 from the box, (-3, -4) is |(-3, -4)| = 5 from its corner (0, 0)
  t.equal(m.outsideBox, 0.5);
  t.equal(m.outsideBoxDist, 3);
  // the hull is the triangle: (0.75, 0.75) is also outside, 0.5 / sqrt 2 from the edge x + y = 1
  t.equal(m.outside, 0.75);
  t.ok(
    Math.abs((m.outsideDist as number) - (Math.SQRT1_2 / 2 + Math.SQRT2 + 5) / 3) < 1e-14,
    `outsideDist ${m.outsideDist}`,
  );
  // optimal: (0,0)-(0.5,0.25), (1,0)-(2,1), (0,1)-(0.75,0.75) (brute force over the 24 maps)
  const expected = (Math.sqrt(5) / 4 + Math.SQRT2 + Math.sqrt(10) / 4) / 3;
  t.ok(Math.abs((m.recon as number) - expected) < 1e-15, `recon ${m.recon} vs ${expected}`);
  t.same(Object.keys(m), [
    'recon',
    'spec',
    'fit',
    'cov',
    'sep',
    'ovl',
    'outside',
    'outsideDist',
    'outsideBox',
    'outsideBoxDist',
    'diverged',
  ]);
});

t.test('diverged parameters: nulls, no throw', async (t) => {
  const config = resolveConfig({ n: 3, dim: 1 });
  const x = data([[-0.5], [0], [0.5]]);
  const params = paramsAt([[-0.5], [0], [0.5]]);
  params.W[1] = NaN;
  const m = evaluateRun(config, x, params, true, {
    fit: NaN,
    cov: Infinity,
    sep: 0.5,
    ovl: -Infinity,
  });
  t.same(m, {
    recon: null,
    spec: null,
    fit: null,
    cov: null,
    sep: 0.5,
    ovl: null,
    outside: null,
    outsideDist: null,
    diverged: true,
  });

  const config2 = resolveConfig({ n: 3, hidden: 2, dim: 2 });
  const params2: Params = {
    W: Float64Array.of(Infinity, 0, 1, 1),
    b: Float64Array.of(1, NaN),
    v: new Float64Array(2),
    c: NaN,
  };
  const m2 = evaluateRun(
    config2,
    data([
      [0, 0],
      [1, 0],
      [0, 1],
    ]),
    params2,
    false,
    terms,
  );
  t.equal(m2.recon, null);
  t.equal(m2.spec, null);
  t.equal(m2.outsideBox, null);
  t.equal(m2.outsideBoxDist, null);
  t.equal(m2.outside, null);
  t.equal(m2.outsideDist, null);
  t.equal(
    m2.diverged,
    true,
    'non-finite final parameters mark the run diverged even if the caller did not',
  );
});

t.test('only the output layer non-finite: prototype metrics still computed', async (t) => {
  const params = paramsAt([[-0.5], [0], [0.5]]);
  params.v[0] = NaN;
  const m = evaluateRun(
    resolveConfig({ n: 3, dim: 1 }),
    data([[-0.5], [0], [0.5]]),
    params,
    true,
    terms,
  );
  t.equal(m.recon, 0);
  t.equal(m.spec, 1);
  t.equal(m.outside, 0);
  t.equal(m.diverged, true);
});

t.test('finite prototypes too far apart for a float64 distance: recon null', async (t) => {
  const x = Float64Array.of(-1e308, 0);
  t.ok(Number.isNaN(reconstructionError(x, Float64Array.of(1e308, 0), 2, 2, 1)));
  t.equal(
    reconstructionError(Float64Array.of(0, 0, 1, 1), Float64Array.of(1e300, 1e300, 1, 1), 2, 2, 2),
    (1e300 * Math.SQRT2) / 2,
  );
});

interface Golden {
  config: { n: number; hidden: number; dim: number; unit?: Unit; activation?: Activation };
  data: { x: number[][]; y: number[] };
  afterSteps: Record<string, ParamsJson>;
  metricsAfter100: { recon: number; spec: number };
}

t.test(
  'golden fixtures (PyTorch + an independent assignment): recon and spec after 100 steps',
  async (t) => {
    const golden = new URL('./fixtures/golden/', import.meta.url);
    for (const name of readdirSync(golden).map((f) => f.replace(/\.json$/, ''))) {
      const g = JSON.parse(
        readFileSync(new URL(`./fixtures/golden/${name}.json`, import.meta.url), 'utf8'),
      ) as Golden;
      // the radial, cauchy and laplace cases too: prototypes are the centres, spec reads phi
      const { n, hidden, dim, unit, activation } = g.config;
      const config = resolveConfig({ n, hidden, dim, unit, activation });
      const m = evaluateRun(
        config,
        dataFromJson(g.data),
        paramsFromJson(g.afterSteps['100']),
        false,
        terms,
      );
      // same formulas, other summation order: 1e-12 relative
      t.ok(
        Math.abs((m.recon as number) - g.metricsAfter100.recon) <= 1e-12 * g.metricsAfter100.recon,
        `${name}: recon ${m.recon} vs ${g.metricsAfter100.recon}`,
      );
      t.equal(m.spec, g.metricsAfter100.spec, `${name}: spec`);
    }
  },
);

t.test('wrong lengths: one message naming the array', async (t) => {
  const config = resolveConfig({ n: 3, dim: 1 });
  const params = paramsAt([[-0.5], [0], [0.5]]);
  t.throws(() => evaluateRun(config, data([[0], [1]]), params, false, terms), {
    message: 'data.x.length: got 2, expected n * dim = 3',
  });
  t.throws(
    () =>
      evaluateRun(config, { x: new Float64Array(3), y: new Float64Array(4) }, params, false, terms),
    { message: 'data.y.length: got 4, expected n = 3' },
  );
  t.throws(
    () =>
      evaluateRun(
        config,
        data([[0], [1], [2]]),
        { ...params, W: new Float64Array(2) },
        false,
        terms,
      ),
    { message: 'final.W.length: got 2, expected hidden * dim = 3' },
  );
  t.throws(
    () =>
      evaluateRun(
        config,
        data([[0], [1], [2]]),
        { ...params, b: new Float64Array(2) },
        false,
        terms,
      ),
    { message: 'final.b.length: got 2, expected hidden = 3' },
  );
  t.throws(
    () =>
      evaluateRun(
        config,
        data([[0], [1], [2]]),
        { ...params, v: new Float64Array(4) },
        false,
        terms,
      ),
    { message: 'final.v.length: got 4, expected hidden = 3' },
  );
  t.throws(() => reconstructionError(new Float64Array(2), new Float64Array(3), 2, 2, 1), {
    message: 'protos.length: got 3, expected hidden * dim = 2',
  });
  t.throws(() => reconstructionError(new Float64Array(0), new Float64Array(0), 0, 2, 1), {
    message: 'n: got 0, expected an integer >= 1',
  });
  t.throws(() => outsideBoundingBox(new Float64Array(2), new Float64Array(2), 2, 2, 0), {
    message: 'dim: got 0, expected an integer >= 1',
  });
  t.throws(
    () =>
      winningNeurons({ n: 1, hidden: 2, dim: 1 }, data([[0]]), {
        ...params,
        W: new Float64Array(2),
      }),
    { message: 'b.length: got 3, expected hidden = 2' },
  );
});
