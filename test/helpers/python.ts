// A python3 that imports numpy, for the tests that check a file numpy must open: the one on PATH
// when it has numpy, else Debian's /usr/bin/python3 (python3-numpy, which .ci/run installs).

import { spawnSync } from 'node:child_process';

/** The first python3 with numpy, or undefined. */
export function pythonWithNumpy(): string | undefined {
  return ['python3', '/usr/bin/python3'].find(
    (python) => spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0,
  );
}
