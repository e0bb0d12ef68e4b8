#!/usr/bin/env node
// Writes src/backend/bitwise-reference.ts: the digests of the trained bits of each slice in
// src/backend/bitwise.ts under this package's native numerics. Run it (after `npm run build` and
// `npm run build:native`) whenever the numerics version changes; every machine and instruction set
// must then give these digests (test/native-bitwise.test.ts, `protomlp selftest`, the emulation tests).
// It refuses to write when the instruction sets of this machine disagree.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BITWISE_SLICES, resultsDigest } from '../dist/src/backend/bitwise.js';
import { createNativeBackend, loadNative } from '../dist/src/backend/native.js';
import { numericsId } from '../dist/src/numerics.js';
import { prepareJob } from '../dist/src/train.js';

const { binding, error } = loadNative();
if (!binding) {
  console.error(`native addon did not load: ${error}`);
  process.exit(1);
}
const digests = {};
for (const slice of Object.values(BITWISE_SLICES)) {
  const jobs = slice.configs.map(prepareJob);
  const seen = new Map();
  for (const isa of binding.info().supported) {
    const results = await createNativeBackend(binding, isa).trainBatch(jobs);
    seen.set(isa, resultsDigest(results));
  }
  const distinct = new Set(seen.values());
  if (distinct.size !== 1) {
    console.error(
      `slice ${slice.name}: the instruction sets disagree: ${[...seen].map(([k, v]) => `${k} ${v.slice(0, 16)}`).join(', ')}`,
    );
    process.exit(1);
  }
  digests[slice.name] = [...distinct][0];
  console.log(`${slice.name}: ${digests[slice.name]} (${[...seen.keys()].join(', ')} agree)`);
}
const file = fileURLToPath(new URL('../src/backend/bitwise-reference.ts', import.meta.url));
writeFileSync(
  file,
  `// Written by scripts/bitwise-digests.mjs; do not edit. The digests (src/backend/bitwise.ts) of the
// trained bits of each slice under these numerics, on every CPU and instruction set.

export const REFERENCE_DIGESTS = {
  numerics: ${JSON.stringify(numericsId('native'))},
${Object.entries(digests)
  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)},`)
  .join('\n')}
} as const;
`,
);
console.log(`wrote ${file}`);
