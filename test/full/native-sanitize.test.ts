// The native tests (conformance, hardening, fuzz) against an AddressSanitizer + UBSan build of the
// addon: native/scripts/test-sanitize.sh (also `npm run test:sanitize`) builds it and runs them with
// the ASan runtime preloaded; its tap output is read here as a subtest, so every assertion and any
// sanitizer abort shows up in `npm run test:all`.

import { join } from 'node:path';
import t from 'tap';
import { cleanEnv, ROOT } from '../helpers/package.js';

// a nested tap run, with this process's tap and npm variables removed (cleanEnv) so that it
// behaves as `npm run test:sanitize` does; `--reporter=tap` makes its report a TAP stream
t.spawn(
  'bash',
  [join(ROOT, 'native', 'scripts', 'test-sanitize.sh'), '--reporter=tap'],
  { cwd: ROOT, env: cleanEnv() },
  'native tests under ASan + UBSan (native/scripts/test-sanitize.sh)',
);
