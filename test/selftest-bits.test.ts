// selftest's "same bits as every other CPU" verdicts (sameBitsChecks), from made-up runs: a wrong
// instruction set is compared with one that has the pinned bits, never with itself, and "every
// instruction set here gives these bits" is said only when that is so.

import t from 'tap';
import { resolveConfig, type RunConfig } from '../src/config.js';
import type { TrainResult } from '../src/model/types.js';
import { sameBitsChecks, type IsaRuns } from '../src/cli/selftest.js';

const configs: RunConfig[] = [resolveConfig({ n: 4, seed: 0 }), resolveConfig({ n: 5, seed: 1 })];
const pinned = { digest: 'good'.repeat(4), numerics: 'native/2', description: 'two runs', configs };
/** a run stands for its bits: two runs differ when their tags do */
const run = (tag: string): TrainResult => ({ tag }) as unknown as TrainResult;
const diff = (a: TrainResult, b: TrainResult): string | undefined => {
  const [x, y] = [(a as unknown as { tag: string }).tag, (b as unknown as { tag: string }).tag];
  return x === y ? undefined : `${x} vs ${y}`;
};
const runs = (isa: string, digest: string, tags: string[]): IsaRuns => ({
  isa,
  digest,
  results: tags.map(run),
});

t.test('all pinned: every check passes', async (t) => {
  const checks = sameBitsChecks(
    [runs('scalar', pinned.digest, ['a', 'b']), runs('avx2', pinned.digest, ['a', 'b'])],
    pinned,
    diff,
  );
  t.same(
    checks.map((c) => c.ok),
    [true, true],
  );
  t.match(
    checks[0].detail,
    /bitwise identical to the reference bits of native\/2 \(2 runs: two runs\)/,
  );
});

t.test('the first instruction set wrong: compared with one that is right', async (t) => {
  const checks = sameBitsChecks(
    [runs('scalar', 'bad'.repeat(6), ['a', 'x']), runs('avx2', pinned.digest, ['a', 'b'])],
    pinned,
    diff,
  );
  t.same(
    checks.map((c) => c.ok),
    [false, true],
  );
  t.match(checks[0].detail, /first differs from avx2 at run 1 \(N=5 \w+ seed 1\): x vs b/);
  t.notMatch(checks[0].detail, /every instruction set/);
});

t.test('all wrong the same way: said so; wrong in different ways: compared', async (t) => {
  const same = sameBitsChecks(
    [runs('scalar', 'bad'.repeat(6), ['a', 'x']), runs('avx2', 'bad'.repeat(6), ['a', 'x'])],
    pinned,
    diff,
  );
  for (const c of same) t.match(c.detail, /every instruction set here gives these bits/);
  const apart = sameBitsChecks(
    [runs('scalar', 'bad1'.repeat(4), ['y', 'b']), runs('avx2', 'bad2'.repeat(4), ['a', 'b'])],
    pinned,
    diff,
  );
  t.match(apart[0].detail, /first differs from avx2 at run 0/);
  t.match(apart[1].detail, /first differs from scalar at run 0/);
});
