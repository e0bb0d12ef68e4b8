// Installs that skip install scripts: pnpm 10 and Bun skip them by default, npm 11 warns it will.
// (npm --ignore-scripts, pnpm 10 and Bun 1 are each tested below.)
// scripts/install.js never runs then, yet the loader (node-gyp-build, at require time) must still
// find the shipped prebuild: installed with `npm install --ignore-scripts` and with pnpm 10 (from
// the registry), both without a compiler on PATH, the CLI runs on the native backend from
// prebuilds/linux-x64 and a run trains with the same bits as the repo's own build.

import t from 'tap';
import { chmodSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  infoJson,
  installInto,
  noCompilerEnv,
  packedTarball,
  protomlp,
  consumerFolder,
  registryPackageFor,
} from '../helpers/package.js';

const packed = packedTarball();
const noCompiler = noCompilerEnv();
const RUN = ['run', '--n', '8', '--mask', 'cov', '--epochs', '50', '--json'];

/** The final parameters and metrics of RUN, as the repo's own CLI (this checkout's build) gives them. */
function reference(): unknown {
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', ...RUN], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reference run failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function checkInstalled(t: Tap.Test, pkg: string, expected: unknown): void {
  const info = infoJson(pkg, noCompiler);
  t.equal(info.backend, 'native', 'backend: native');
  t.equal(info.binary.source, 'prebuild', 'binary.source: prebuild');
  t.match(
    realpathSync(info.binary.path ?? ''),
    /prebuilds\/linux-x64\/protomlp\.glibc\.node$/,
    'binary.path: the shipped linux-x64 prebuild',
  );
  const run = protomlp(pkg, RUN, noCompiler);
  t.equal(run.status, 0, run.stderr);
  const record = JSON.parse(run.stdout) as { final: unknown; metrics: unknown };
  const ref = expected as { final: unknown; metrics: unknown };
  t.same(record.final, ref.final, 'the same final parameters as the checkout');
  t.same(record.metrics, ref.metrics, 'and the same metrics');
}

const expected = reference();

t.test('npm install --ignore-scripts: no install script ran, the prebuild is found', async (t) => {
  const { dir, pkg, result } = installInto(packed.tarball, noCompiler, ['--ignore-scripts']);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(result.status, 0, result.stderr);
  t.notMatch(result.stdout, /native addon ready/, 'scripts/install.js did not run');
  checkInstalled(t, pkg, expected);
});

t.test('pnpm 10 (skips dependency scripts by default): the prebuild is found', async (t) => {
  const pnpm = registryPackageFor(t, 'pnpm@10');
  if (!pnpm) return;
  const dir = consumerFolder(t, 'pnpm');
  const r = spawnSync(
    process.execPath,
    [join(pnpm, 'bin', 'pnpm.cjs'), 'add', packed.tarball, '--store-dir', join(dir, '.store')],
    { cwd: dir, env: noCompiler, encoding: 'utf8', timeout: 600_000 },
  );
  t.equal(r.status, 0, 'pnpm add succeeds', { stderr: r.stderr });
  t.match(r.stdout, /Ignored build scripts: protomlp/, 'pnpm says it skipped our install script');
  t.notMatch(r.stdout, /native addon ready/, 'scripts/install.js did not run');
  checkInstalled(t, join(dir, 'node_modules', 'protomlp'), expected);
});

t.test("Bun 1 (blocks dependencies' postinstall by default): the prebuild is found", async (t) => {
  const bun = registryPackageFor(t, '@oven/bun-linux-x64-baseline@1');
  if (!bun) return;
  const dir = consumerFolder(t, 'bun');
  const bin = join(bun, 'bin', 'bun');
  chmodSync(bin, 0o755);
  const r = spawnSync(bin, ['add', packed.tarball], {
    cwd: dir,
    env: noCompiler,
    encoding: 'utf8',
    timeout: 600_000,
  });
  t.equal(r.status, 0, 'bun add succeeds', { stderr: r.stderr });
  t.match(
    `${r.stdout}${r.stderr}`,
    /Blocked 1 postinstall/,
    'bun says it blocked our install script',
  );
  checkInstalled(t, join(dir, 'node_modules', 'protomlp'), expected);
});
