// SPEC §10 in full on this machine (test:all): the `paper` slice (the chaotic cells N = 50 and
// 100; base, cov, sep, cov+sep; seeds 0 and 1; 2000 epochs) on every instruction set this CPU has,
// on 1 and 2 threads, gives the bits pinned in src/backend/bitwise-reference.ts. The scalar kernel
// fuses its multiply-adds through libm's fma, which is slow on a CPU without FMA: about 10 s here.

import t from 'tap';
import { BITWISE_SLICES, firstDifference, resultsDigest } from '../../src/backend/bitwise.js';
import { REFERENCE_DIGESTS } from '../../src/backend/bitwise-reference.js';
import { createNativeBackend, loadNative } from '../../src/backend/native.js';
import { prepareJob } from '../../src/train.js';

const native = loadNative();
if (!native.binding) {
  t.fail(`native addon did not load: ${native.error} (build it with npm run build:native)`);
  process.exit(1);
}
const binding = native.binding;

t.test('paper slice: every instruction set and thread count, the pinned bits', async (t) => {
  const jobs = BITWISE_SLICES.paper.configs.map(prepareJob);
  let reference:
    Awaited<ReturnType<ReturnType<typeof createNativeBackend>['trainBatch']>> | undefined;
  for (const isa of binding.info().supported) {
    for (const threads of [1, 2]) {
      const results = await createNativeBackend(binding, isa).trainBatch(jobs, { threads });
      reference ??= results;
      const diff = results
        .map((r, i) => firstDifference(r, reference![i]))
        .find((d) => d !== undefined);
      t.equal(
        diff,
        undefined,
        `${isa}, ${threads} thread(s): the same bits as ${binding.info().supported[0]} on 1 thread`,
      );
      t.equal(
        resultsDigest(results),
        REFERENCE_DIGESTS.paper,
        `${isa}, ${threads} thread(s): the pinned digest`,
      );
    }
  }
});
