import t from 'tap';
import { cos, exp, log, sin } from '../src/numerics/fdlibm.js';

// The package's own sin/cos/log/exp must be bitwise the functions Node's V8 uses today, so that
// no pinned number moves; these compare against Math.* of the Node running the test.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A small deterministic generator (xorshift32) so that a failure can be replayed. */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function inputs(seed: number, count: number): number[] {
  const next = makeRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const unit = next() / 2 ** 32 - 0.5;
    if (kind === 0) out.push(unit * 20);
    else if (kind === 1) out.push(unit * 3e6);
    else if (kind === 2) out.push(unit * 1500);
    else {
      u32[0] = next();
      u32[1] = next();
      out.push(f64[0]);
    }
  }
  return out;
}

const SPECIAL = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  2.225073858507201e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  1,
  -1,
  Math.PI,
  -Math.PI,
  Math.PI / 2,
  Math.PI / 4,
  (3 * Math.PI) / 4,
  1e-9,
  1e-300,
  709.782712893384,
  709.7827128933841,
  -745.1332191019411,
  -745.1332191019412,
  -708.4,
  0.34657359027997264,
  1.0397207708399179,
  1647099.3291652855,
  1647100,
  Math.LN2,
  1 + 2 ** -52,
  1 - 2 ** -53,
];

const FUNCTIONS: [string, (x: number) => number, (x: number) => number, boolean][] = [
  ['sin', sin, Math.sin, true],
  ['cos', cos, Math.cos, true],
  ['log', log, Math.log, false],
  ['exp', exp, Math.exp, false],
];

for (const [name, own, engine, trig] of FUNCTIONS) {
  t.test(`${name} is bitwise Math.${name} on random and special inputs`, async (t) => {
    let compared = 0;
    const bad: string[] = [];
    for (const x of [...SPECIAL, ...inputs(0x9e3779b9 ^ name.length, 200_000)]) {
      if (trig && Math.abs(x) > 1647099) {
        if (x === x && Math.abs(x) !== Infinity && Math.abs(x) > 1.7e6) {
          t.throws(() => own(x), RangeError);
        }
        continue;
      }
      compared++;
      const a = own(x);
      const b = engine(x);
      if (!Object.is(a, b) && bad.length < 5) bad.push(`${name}(${x}) = ${a}, Math: ${b}`);
    }
    t.same(bad, [], `${compared} inputs`);
    t.ok(compared > 100_000);
  });
}

t.test('known values', async (t) => {
  t.equal(sin(0), 0);
  t.ok(Object.is(sin(-0), -0));
  t.equal(cos(0), 1);
  t.equal(exp(0), 1);
  t.equal(exp(1), 2.718281828459045);
  t.equal(log(1), 0);
  t.equal(log(Math.E), 1);
  t.equal(log(0), -Infinity);
  t.ok(Number.isNaN(log(-1)));
  t.ok(Number.isNaN(sin(Infinity)));
  t.equal(exp(-Infinity), 0);
  t.equal(exp(Infinity), Infinity);
  t.equal(sin(Math.PI / 6), 0.49999999999999994);
  t.equal(cos(Math.PI / 3), 0.5000000000000001);
  t.throws(() => sin(1e7), /large argument reduction/);
});
