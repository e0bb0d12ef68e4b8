// What importing the library loads, by entry point: `import { trainRun } from 'protomlp'` and
// `protomlp/study` load no plotting, statistics, PCA, YAML or data-file package (they load when a
// function needs them); `protomlp/report` loads its statistics and PCA packages, the control that
// shows the trace sees imports. Traced as test/cli-start.test.ts traces the CLI (a preloaded
// module, test/fixtures/module-trace); bench/import-cost.ts measures the time.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { ROOT } from './helpers/package.js';
import { HEAVY, TRACE, tracedPackages } from './helpers/trace.js';

/** The heavy packages, and the CLI's argument parser, which a library user never needs. */
const UNWANTED = [...HEAVY, 'commander'];

/** The unwanted packages a fresh ES module process loads for `source` (run from the package folder, so `protomlp` resolves to it). */
function heavyLoaded(source: string): string[] {
  const r = spawnSync(
    process.execPath,
    [`--import=${TRACE}`, '--input-type=module', '-e', source],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  if (r.status !== 0) throw new Error(`node -e ${source}: exit ${r.status}\n${r.stderr}`);
  return tracedPackages(r.stderr).filter((p) => UNWANTED.includes(p));
}

t.test(
  'the report entry point loads its statistics and PCA packages (the trace sees imports)',
  async (t) => {
    const loaded = heavyLoaded("await import('protomlp/report')");
    for (const p of ['jstat', 'simple-statistics', 'ml-pca'])
      t.ok(loaded.includes(p), `protomlp/report loads ${p}`);
    t.notOk(
      loaded.includes('vega') || loaded.includes('vega-lite'),
      'and Vega only when a plot is drawn',
    );
  },
);

t.test('the library and the studies load no heavy package at import', async (t) => {
  t.same(
    heavyLoaded(
      "import { trainRun } from 'protomlp'; if (typeof trainRun !== 'function') process.exit(3);",
    ),
    [],
    "import { trainRun } from 'protomlp'",
  );
  t.same(
    heavyLoaded("import * as m from 'protomlp'; if (!m.resolveConfig) process.exit(3);"),
    [],
    "import * from 'protomlp'",
  );
  t.same(
    heavyLoaded(
      "import { runStudy } from 'protomlp/study'; if (typeof runStudy !== 'function') process.exit(3);",
    ),
    [],
    "import { runStudy } from 'protomlp/study'",
  );
});
