// SPEC §10 on this machine, quickly: every instruction set the CPU has, on 1 and 2 threads, trains
// the `small` slice and the `neurons` slice (every other unit and activation) to the very bits
// pinned in src/backend/bitwise-reference.ts (computed on another machine), and the best one does the same for the `paper` slice's chaotic cells. The full check
// (the `paper` slice on every instruction set and thread count) is test/full/native-bitwise.test.ts.

import t from 'tap';
import { BITWISE_SLICES, firstDifference, resultsDigest } from '../src/backend/bitwise.js';
import { REFERENCE_DIGESTS } from '../src/backend/bitwise-reference.js';
import { createNativeBackend, loadNative } from '../src/backend/native.js';
import { numericsId } from '../src/numerics.js';
import { prepareJob } from '../src/train.js';

const native = loadNative();
if (!native.binding) {
  t.fail(`native addon did not load: ${native.error} (build it with npm run build:native)`);
  process.exit(1);
}
const binding = native.binding;

t.test("the pinned digests are those of this package's numerics", async (t) => {
  t.equal(
    REFERENCE_DIGESTS.numerics,
    numericsId('native'),
    'rerun scripts/bitwise-digests.mjs when the numerics version changes',
  );
});

const divergedCount = (rs: readonly { diverged: boolean }[]): number =>
  rs.filter((r) => r.diverged).length;

for (const name of ['small', 'neurons'] as const) {
  t.test(`${name} slice: every instruction set, 1 and 2 threads, the pinned bits`, async (t) => {
    const jobs = BITWISE_SLICES[name].configs.map(prepareJob);
    const scalar = await createNativeBackend(binding, 'scalar').trainBatch(jobs, { threads: 1 });
    for (const isa of binding.info().supported) {
      for (const threads of [1, 2]) {
        const results = await createNativeBackend(binding, isa).trainBatch(jobs, { threads });
        const diff = results
          .map((r, i) => firstDifference(r, scalar[i]))
          .find((d) => d !== undefined);
        t.equal(diff, undefined, `${isa}, ${threads} thread(s): the scalar kernel's bits`);
        t.equal(
          resultsDigest(results),
          REFERENCE_DIGESTS[name],
          `${isa}, ${threads} thread(s): the pinned digest`,
        );
      }
    }
    if (name === 'neurons')
      t.equal(
        divergedCount(scalar),
        0,
        'no run of the neurons slice diverges (its bits mean something)',
      );
  });
}

t.test(
  'paper slice (chaotic cells, 2000 epochs): the best instruction set gives the pinned bits',
  async (t) => {
    const jobs = BITWISE_SLICES.paper.configs.map(prepareJob);
    const isa = binding.info().isa;
    const results = await createNativeBackend(binding, isa).trainBatch(jobs, { threads: 2 });
    t.equal(
      resultsDigest(results),
      REFERENCE_DIGESTS.paper,
      `${isa}: ${jobs.length} runs, ${BITWISE_SLICES.paper.description}`,
    );
  },
);

t.test('the digest sees one bit', async (t) => {
  const jobs = BITWISE_SLICES.small.configs.slice(0, 1).map(prepareJob);
  const [r] = await createNativeBackend(binding).trainBatch(jobs);
  const flipped = { ...r, final: { ...r.final, b: Float64Array.from(r.final.b) } };
  const bits = new BigUint64Array(flipped.final.b.buffer);
  bits[3] ^= 1n;
  t.not(resultsDigest([flipped]), resultsDigest([r]), 'one flipped bit changes the digest');
  t.match(firstDifference(flipped, r), /^b\[3\]: /, 'and firstDifference names the field');
});
