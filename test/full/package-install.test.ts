// The packed tarball installed into an empty folder with no compiler on PATH (only node and npm):
// the install compiles nothing and the CLI loads the shipped linux-x64 prebuild; with
// PREBUILDS_ONLY=1 the selftest and the repo's native test files pass against that installed
// binary; an app requires the three entry points from CommonJS; `npm rebuild protomlp
// --build-from-source` compiles from the packed sources and loads that.
// (linux-arm64: package-arm64.test.ts; no prebuild at all: package-fallback.test.ts.)

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanEnv,
  installInto,
  noCompilerEnv,
  packedTarball,
  programsOnPath,
  protomlp,
  rebuild,
  ROOT,
  infoJson,
  type Info,
} from '../helpers/package.js';

const packed = packedTarball();
const noCompiler = noCompilerEnv();
const { dir, pkg, result: install } = installInto(packed.tarball, noCompiler);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function info(env: NodeJS.ProcessEnv): Info {
  return infoJson(pkg, env);
}

t.test('no compiler, make or python on the install PATH', async (t) => {
  t.same(
    programsOnPath(noCompiler, ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python']),
    [],
  );
  t.same(programsOnPath(noCompiler, ['node', 'npm', 'sh']), ['node', 'npm', 'sh']);
});

t.test('install from the tarball keeps the prebuild and compiles nothing', async (t) => {
  t.equal(install.status, 0, 'npm install succeeds', {
    stdout: install.stdout,
    stderr: install.stderr,
  });
  t.match(
    install.stdout,
    /protomlp: native addon ready \(prebuilt: .*prebuilds\/linux-x64\/protomlp\.glibc\.node\)/,
  );
  t.notOk(existsSync(join(pkg, 'build')), 'no build/ folder: node-gyp never ran');
});

t.test('the CLI loads the native backend from the prebuild', async (t) => {
  for (const env of [noCompiler, { ...noCompiler, PREBUILDS_ONLY: '1' }]) {
    const i = info(env);
    t.equal(i.backend, 'native', 'backend: native');
    t.equal(i.binary.source, 'prebuild', 'binary.source: prebuild');
    t.equal(
      i.binary.path,
      join(pkg, 'prebuilds', 'linux-x64', 'protomlp.glibc.node'),
      'binary.path: that file',
    );
    t.equal(i.fallbackReason, null, 'no fallback reason');
  }
});

t.test(
  "an installed app's .cjs file require()s protomlp, protomlp/study and protomlp/report",
  async (t) => {
    const app = join(dir, 'app.cjs');
    copyFileSync(join(ROOT, 'test', 'fixtures', 'require', 'require.cjs'), app);
    const r = spawnSync(process.execPath, [app], { cwd: dir, env: noCompiler, encoding: 'utf8' });
    t.equal(r.status, 0, 'exits 0', { stderr: r.stderr });
    const got = JSON.parse(r.stdout) as {
      root: string[];
      study: string[];
      report: string[];
      record: { n: number };
    };
    t.ok(
      got.root.includes('trainRun') &&
        got.study.includes('runStudy') &&
        got.report.includes('buildReport'),
      'each entry point loads',
    );
    t.equal(got.record.n, 3, 'and a run trains');
  },
);

t.test('PREBUILDS_ONLY=1: selftest passes on the installed binary', async (t) => {
  const r = protomlp(pkg, ['selftest'], { ...noCompiler, PREBUILDS_ONLY: '1' });
  t.equal(r.status, 0, 'selftest exits 0', { stdout: r.stdout, stderr: r.stderr });
  t.match(r.stdout, /^selftest passed$/m, 'selftest says it passed');
});

// The repo's native tests (those of `npm run test:native`), with node-gyp-build pointed at the
// installed package (PROTOMLP_PREBUILD names the folder whose prebuilds/ it loads; PREBUILDS_ONLY
// skips build/).
const nativeTests = readdirSync(join(ROOT, 'test'))
  .filter((f) => /^(native-.*|conformance)\.test\.ts$/.test(f))
  .sort();
const shippedEnv = { ...process.env, PREBUILDS_ONLY: '1', PROTOMLP_PREBUILD: pkg };
t.test('the loader resolves to the installed prebuild under these variables', async (t) => {
  const resolved = spawnSync(
    process.execPath,
    ['-e', "process.stdout.write(require('node-gyp-build').resolve(process.argv[1]))", ROOT],
    {
      cwd: ROOT,
      env: shippedEnv,
      encoding: 'utf8',
    },
  );
  t.equal(
    resolved.stdout,
    join(pkg, 'prebuilds', 'linux-x64', 'protomlp.glibc.node'),
    'node-gyp-build resolves to the installed file',
    { stderr: resolved.stderr },
  );
});
for (const file of nativeTests) {
  t.spawn(
    process.execPath,
    [...process.execArgv, join(ROOT, 'test', file)],
    { cwd: ROOT, env: shippedEnv },
    `${file} against the installed prebuild`,
  );
}

t.test(
  '--build-from-source (or PROTOMLP_BUILD_FROM_SOURCE=1) compiles and loads the local build',
  async (t) => {
    const withCompiler = cleanEnv();
    const r = rebuild(dir, ['--build-from-source'], withCompiler);
    t.equal(r.status, 0, 'npm rebuild succeeds', { stdout: r.stdout, stderr: r.stderr });
    t.match(r.stdout, /native addon ready \(built from source/);
    const i = info(withCompiler);
    t.equal(i.backend, 'native', 'backend: native');
    t.equal(i.binary.source, 'build', 'binary.source: build');
    t.equal(
      i.binary.path,
      join(pkg, 'build', 'Release', 'protomlp.node'),
      'binary.path: that file',
    );

    rmSync(join(pkg, 'build'), { recursive: true });
    t.equal(info(withCompiler).binary.source, 'prebuild', 'without build/ the prebuild is back');
    const byEnv = rebuild(dir, [], { ...withCompiler, PROTOMLP_BUILD_FROM_SOURCE: '1' });
    t.equal(byEnv.status, 0, 'PROTOMLP_BUILD_FROM_SOURCE=1 npm rebuild protomlp succeeds', {
      stdout: byEnv.stdout,
      stderr: byEnv.stderr,
    });
    t.equal(info(withCompiler).binary.source, 'build', 'and builds from source too');
  },
);
