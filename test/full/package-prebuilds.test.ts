// The prebuilt binaries committed in prebuilds/: each is listed in prebuilds/manifest.json with its
// hash and was built from the native sources as they are now (else they are stale: rebuild them
// with `npm run prebuilds` and `npm run prebuilds:arm64`), targets the architecture its folder
// names, and keeps AVX code out of the baseline
// (scripts/check-isa.js on this checkout's own node-gyp build, when there is one). The CPU check end
// to end: qemu-x86_64 emulating a CPU without AVX or FMA (-cpu qemu64) runs the shipped x64 binary,
// which picks its scalar kernels and passes selftest, their bits those pinned on an AVX-512 machine; asking it for AVX2 there is refused with a message,
// not an illegal instruction. (A binary compiled with -march=haswell dies with SIGILL in the same
// setting, and check-isa rejects it: both were seen when this test was written.)

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBuild, elfMachine } from '../../scripts/check-isa.js';
import { readManifest, sha256, sourcesHash } from '../../scripts/prebuild.js';
import { CLI } from '../helpers/cli.js';
import { listFiles, ROOT } from '../helpers/package.js';

interface ManifestEntry {
  sha256: string;
  sources: string;
}

const manifest = readManifest() as { binaries: Record<string, ManifestEntry> };
// The Linux binaries and the win32-x64 one, all built here (no macOS binary is shipped).
const binaries = listFiles(join(ROOT, 'prebuilds')).filter((f) => f.endsWith('.node'));
const ELF_MACHINE: Record<string, number> = { x64: 0x3e, arm64: 0xb7 };

t.test('the manifest lists exactly the committed binaries, with their hashes', async (t) => {
  t.same(Object.keys(manifest.binaries).sort(), binaries.sort());
  t.ok(binaries.includes('linux-x64/protomlp.glibc.node'), 'a linux-x64 prebuild is committed');
  t.ok(binaries.includes('win32-x64/protomlp.node'), 'a win32-x64 prebuild is committed');
  for (const file of binaries) {
    t.equal(
      sha256(join(ROOT, 'prebuilds', file)),
      manifest.binaries[file]?.sha256,
      `${file}: hash as recorded`,
    );
  }
});

t.test('every prebuild was built from the current native sources', async (t) => {
  const current = sourcesHash();
  for (const file of binaries) {
    t.equal(
      manifest.binaries[file]?.sources,
      current,
      `${file} is built from binding.gyp and native/ as they are now (if not: npm run prebuilds && npm run prebuilds:arm64 && npm run prebuilds:win32)`,
    );
  }
});

// what the binaries need (as recorded, and against docs/install.md's floor): test/prebuild-floor.test.ts
t.test("each binary targets its folder's architecture", async (t) => {
  for (const file of binaries) {
    const bytes = readFileSync(join(ROOT, 'prebuilds', file));
    if (file.startsWith('win32-')) {
      // a PE file: "PE\0\0" at the offset stored at 0x3c, then the machine (0x8664: x86-64)
      const pe = bytes.readUInt32LE(0x3c);
      t.equal(bytes.toString('latin1', pe, pe + 4), 'PE\0\0', `${file} is a PE file`);
      t.equal(bytes.readUInt16LE(pe + 4), 0x8664, `${file} is for x86-64`);
      continue;
    }
    const arch = file.split('/')[0].slice('linux-'.length);
    t.equal(bytes.readUInt16LE(18), ELF_MACHINE[arch], `${file} is an ELF for ${arch}`);
  }
});

const release = join(ROOT, 'build', 'Release');
const baseline = join(release, 'obj.target', 'protomlp', 'native', 'binding.o');
const noX64Build = !existsSync(baseline)
  ? 'no node-gyp build in build/Release'
  : elfMachine(baseline) !== 'x86-64'
    ? 'build/Release holds a cross build (npm run prebuilds:arm64 ran last)'
    : false;
t.test(
  "this checkout's x64 build has AVX only in the ISA kernels",
  { skip: noX64Build },
  async (t) => {
    t.same(checkBuild(release), [], 'scripts/check-isa.js finds no problem');
  },
);

const qemuX64 = spawnSync('/bin/sh', ['-c', 'command -v qemu-x86_64'], {
  encoding: 'utf8',
}).stdout.trim();
const noQemu = qemuX64 ? false : 'qemu-x86_64 not found (apt-get install qemu-user)';
t.test(
  'the x64 prebuild on a CPU without AVX (qemu-x86_64 -cpu qemu64)',
  { skip: process.env.CI !== 'true' && noQemu },
  async (t) => {
    t.ok(qemuX64, 'qemu-user is installed (.ci/run installs it)');
    if (!qemuX64) return;
    const env = { ...process.env, PREBUILDS_ONLY: '1', PROTOMLP_SIMD: '', PROTOMLP_BACKEND: '' };
    const oldCpu = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      spawnSync(qemuX64, ['-cpu', 'qemu64', process.execPath, CLI, ...args], {
        cwd: ROOT,
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 300_000,
      });

    const info = oldCpu(['info', '--json']);
    t.equal(info.status, 0, 'info runs', { stderr: info.stderr, signal: info.signal });
    const parsed = JSON.parse(info.stdout) as {
      backend: string;
      isa: string;
      binary: { path: string };
    };
    t.equal(parsed.backend, 'native', 'backend: native');
    t.equal(parsed.isa, 'scalar', 'no AVX here: the scalar kernels');
    t.equal(
      parsed.binary.path,
      join(ROOT, 'prebuilds', 'linux-x64', 'protomlp.glibc.node'),
      'binary.path: that file',
    );

    const selftest = oldCpu(['selftest']);
    t.equal(selftest.status, 0, 'selftest passes', {
      stdout: selftest.stdout,
      stderr: selftest.stderr,
      signal: selftest.signal,
    });
    t.match(
      selftest.stdout,
      /^pass {2}scalar: the same bits as every other CPU: bitwise identical to the reference bits of native\/\d+/m,
      'without AVX or FMA (libm fma), the pinned bits (SPEC §10)',
    );

    const forced = oldCpu(['info', '--json'], { PROTOMLP_SIMD: 'avx2' });
    t.equal(forced.signal, null, 'no signal (no illegal instruction)');
    t.not(forced.status, 0, 'PROTOMLP_SIMD=avx2 is refused');
    t.match(
      forced.stderr,
      /PROTOMLP_SIMD: instruction set 'avx2' is not supported by this CPU\/OS/,
    );
  },
);
