// The tarball without its prebuilds (a platform none matches): with no compiler the install still
// succeeds, says what happened, and the package runs on the TS backend with `info` giving the
// reason; then, with a compiler, `npm rebuild protomlp` builds the addon from the packed sources
// and it loads (source "build"), and that build keeps AVX code out of the baseline (check-isa).

import t from 'tap';
import { existsSync, rmSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { checkBuild } from '../../scripts/check-isa.js';
import {
  cleanEnv,
  infoJson,
  installInto,
  noCompilerEnv,
  packedTarball,
  protomlp,
  rebuild,
  tarballWithout,
} from '../helpers/package.js';

const tarball = tarballWithout(packedTarball(), ['prebuilds']);
const noCompiler = noCompilerEnv();
const { dir, pkg, result: install } = installInto(tarball, noCompiler);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test(
  'no prebuild, no compiler: the install succeeds and says why there is no addon',
  async (t) => {
    t.equal(install.status, 0, 'npm install exits 0', {
      stdout: install.stdout,
      stderr: install.stderr,
    });
    t.notOk(existsSync(join(pkg, 'prebuilds')), 'the installed package has no prebuilds');
    const output = install.stdout + install.stderr;
    t.match(output, /building the native addon from source failed/);
    t.match(output, /uses its TypeScript backend/);
    t.match(output, /npm rebuild protomlp --build-from-source/);
  },
);

t.test('the TS backend runs and info gives the reason', async (t) => {
  const info = infoJson(pkg, noCompiler);
  t.equal(info.backend, 'ts', 'backend: ts');
  t.equal(info.binary.source, null, 'binary.source: null');
  t.type(info.fallbackReason, 'string');
  t.match(info.fallbackReason, /No native build was found/, 'the reason names the missing binary');

  const run = protomlp(pkg, ['run', '--n', '5', '--epochs', '50', '--json'], noCompiler);
  t.equal(run.status, 0, 'protomlp run on the TS backend', {
    stdout: run.stdout,
    stderr: run.stderr,
  });
  t.equal((JSON.parse(run.stdout) as { backend: string }).backend, 'ts');
  t.equal(run.stderr.match(/native backend is unavailable/g)?.length, 1, 'one warning says so');
});

t.test('with a compiler, npm rebuild builds the addon from source and it loads', async (t) => {
  const withCompiler = cleanEnv();
  const r = rebuild(dir, [], withCompiler);
  t.equal(r.status, 0, 'npm rebuild exits 0', { stdout: r.stdout, stderr: r.stderr });
  t.match(r.stdout, /native addon ready \(built from source/);
  const info = infoJson(pkg, withCompiler);
  t.equal(info.backend, 'native', 'backend: native');
  t.equal(info.binary.source, 'build', 'binary.source: build');
  t.equal(
    info.binary.path,
    join(pkg, 'build', 'Release', 'protomlp.node'),
    'binary.path: that file',
  );
  t.equal(info.fallbackReason, null, 'no fallback reason');
  if (arch() === 'x64')
    t.same(checkBuild(join(pkg, 'build', 'Release')), [], 'check-isa: AVX only in the ISA kernels');
});
