// Written by scripts/bitwise-digests.mjs; do not edit. The digests (src/backend/bitwise.ts) of the
// trained bits of each slice under these numerics, on every CPU and instruction set.

export const REFERENCE_DIGESTS = {
  numerics: 'native/2',
  paper: '651039106d0ae89a4ddab20d20aff94148762ec4e99625ca6768053128f7f572',
  small: '08b3b0a5f4c2251cd59692be3c540996250d347df236c2da0cddc5320730c93b',
  neurons: '44a89b42834c430c4a8d4420c2a9a6c25a9ccab7c9bbc5eb651d8307257ec611',
} as const;
