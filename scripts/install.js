#!/usr/bin/env node
// The package's install script (npm runs it at `npm install` and `npm rebuild`). node-gyp-build keeps a
// prebuilt binary from prebuilds/ when one loads on this machine (nothing is compiled, no network),
// and runs `node-gyp rebuild` otherwise, or always with `--build-from-source`. This wrapper never
// fails the install: without the addon protomlp runs on its TypeScript backend, and `protomlp info`
// says why. It must not import anything but node-gyp-build: it runs before the rest is usable.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/** Loads the addon in a child process (a crash there cannot take npm down): its path, or why not. */
function probe() {
  const code = `try {
    const path = require(process.argv[1]).resolve(process.argv[2]);
    require(path);
    process.stdout.write(JSON.stringify({ path }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error?.message ?? error).split('\\n')[0].trim() }));
  }`;
  const r = spawnSync(process.execPath, ['-e', code, require.resolve('node-gyp-build'), root], {
    cwd: root,
    encoding: 'utf8',
  });
  try {
    return { path: null, error: null, ...JSON.parse(r.stdout) };
  } catch {
    return {
      path: null,
      error: r.signal
        ? `loading the addon killed the process (${r.signal})`
        : r.stderr.trim().split('\n').at(-1),
    };
  }
}

/** The line of a failed build's output that says why, if one does. */
function buildFailure(output) {
  const patterns = [
    /gyp ERR! stack Error: (.*)/,
    /^.*\berror: .*$/m,
    /make: \*\*\* .*/,
    /gyp ERR! (.*)/,
  ];
  for (const pattern of patterns) {
    const m = pattern.exec(output);
    if (m) return (m[1] ?? m[0]).trim();
  }
  return null;
}

const gypBuild = require.resolve('node-gyp-build/bin.js');
// `npm rebuild protomlp --build-from-source` reaches node-gyp-build as npm_config_build_from_source,
// which npm 11 warns it will stop passing on; PROTOMLP_BUILD_FROM_SOURCE=1 asks for the same.
const env = { ...process.env };
if (/^(1|true)$/i.test(env.PROTOMLP_BUILD_FROM_SOURCE ?? ''))
  env.npm_config_build_from_source = 'true';
// A source build compiles its objects on every core (node-gyp reads JOBS; the ISA kernels are the
// slow part) unless the user chose a number (JOBS=1, or npm's --jobs).
if (!env.JOBS && !env.npm_config_jobs) env.JOBS = 'max';
// Output is passed through (npm shows it with --foreground-scripts or when an install fails).
const built = spawnSync(process.execPath, [gypBuild], {
  cwd: root,
  env,
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
process.stdout.write(built.stdout ?? '');
process.stderr.write(built.stderr ?? '');
const failure =
  built.status === 0
    ? null
    : (buildFailure(`${built.stderr}\n${built.stdout}`) ??
      `exit code ${built.status ?? built.signal}`);
const loaded = probe();

if (loaded.path) {
  const source = /[\\/]prebuilds[\\/]/.test(loaded.path) ? 'prebuilt' : 'built from source';
  if (failure)
    console.warn(
      `protomlp: building the native addon from source failed (${failure}); keeping the prebuilt binary.`,
    );
  console.log(`protomlp: native addon ready (${source}: ${loaded.path})`);
} else {
  const step = failure
    ? `building the native addon from source failed: ${failure}`
    : 'the native addon does not load';
  console.warn(
    [
      `protomlp: no prebuilt binary matches this machine (${process.platform}-${process.arch}) and ${step}.`,
      `protomlp: loading it says: ${loaded.error}`,
      'protomlp: the package is installed and uses its TypeScript backend (same results, slower).',
      'protomlp: to get the native backend, install a C++ compiler, make and python3, then run',
      'protomlp:   npm rebuild protomlp --build-from-source',
      'protomlp: `npx protomlp info` shows the backend in use and why (docs/install.md).',
    ].join('\n'),
  );
}
process.exit(0);
