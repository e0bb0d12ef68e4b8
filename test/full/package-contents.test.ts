// What `npm pack` puts in the tarball is deliberate (package.json `files`): the built library and
// CLI, the prebuilt binaries, the native sources and both build files (so a source build works),
// the docs, README and LICENSE, and the install script; no tests, benches, builds or caches.

import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packedTarball, ROOT } from '../helpers/package.js';

const { tarball, files } = packedTarball();
/** The packed size stays small: docs' text and binaries; no data, no images (they are for the repository's README). */
const MAX_TARBALL_BYTES = 2 * 1024 * 1024;

/** Every path in the tarball must start with one of these. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^binding\.gyp$/,
  /^CMakeLists\.txt$/,
  /^scripts\/install\.js$/,
  /^dist\/src\/.+\.(js|d\.ts)$/,
  /^prebuilds\/manifest\.json$/,
  /^prebuilds\/linux-(x64|arm64)\/protomlp\.glibc\.node$/,
  /^prebuilds\/(darwin|win32)-(x64|arm64)\/protomlp\.node$/,
  /^native\/.+\.(cc|h|ver)$/,
  /^docs\/[^/]+\.md$/,
];

const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'binding.gyp',
  'CMakeLists.txt',
  'scripts/install.js',
  'dist/src/index.js',
  'dist/src/index.d.ts',
  'dist/src/cli/main.js',
  'prebuilds/manifest.json',
  'prebuilds/linux-x64/protomlp.glibc.node',
  'prebuilds/linux-arm64/protomlp.glibc.node',
  'prebuilds/win32-x64/protomlp.node',
  'native/binding.cc',
  'native/portable/exports.ver',
  'docs/install.md',
  'docs/model.md',
  'CHANGELOG.md',
];

t.test('every file in the tarball is one we mean to ship', async (t) => {
  const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  t.same(unexpected, [], 'no file outside the allowed list');
  for (const bad of [
    /^test\//,
    /^bench\//,
    /^dist\/(test|bench)\//,
    /^build\//,
    /^\.tap\//,
    /node_modules\//,
    /^\.ci\//,
    /^\.github\//,
    /\.tgz$/,
    /\.map$/,
  ]) {
    t.same(
      files.filter((f) => bad.test(f)),
      [],
      `nothing matches ${bad}`,
    );
  }
});

t.test(`the tarball is under ${MAX_TARBALL_BYTES / 1024 / 1024} MiB`, async (t) => {
  const size = statSync(tarball).size;
  t.ok(size < MAX_TARBALL_BYTES, `${(size / 1024).toFixed(0)} KiB`);
});

t.test('the tarball holds what an install and a source build need', async (t) => {
  for (const file of REQUIRED) t.ok(files.includes(file), `${file} is packed`);
  const gyp = readFileSync(join(ROOT, 'binding.gyp'), 'utf8');
  const sources = [...gyp.matchAll(/'(native\/[^']+\.cc)'/g)].map((m) => m[1]);
  t.ok(sources.length > 0, 'binding.gyp lists native sources');
  for (const source of sources)
    t.ok(files.includes(source), `${source} (in binding.gyp) is packed`);
});

t.test('package.json: install script, bin and entry points point at packed files', async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    bin: Record<string, string>;
    main: string;
    types: string;
    gypfile?: boolean;
  };
  t.equal(
    pkg.scripts.install,
    'node scripts/install.js',
    'install runs the wrapper around node-gyp-build',
  );
  for (const path of [...Object.values(pkg.bin), pkg.main, pkg.types]) {
    t.ok(files.includes(path.replace(/^\.\//, '')), `${path} is packed`);
  }
});
