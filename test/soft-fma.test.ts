// The software fused multiply-add that the Windows prebuild's scalar kernel uses (mingw-w64's
// libm fma is not correctly rounded): compiled for this host with -mfma and compared bit for bit
// with the hardware instruction over 3 million operand triples (test/fixtures/soft-fma/check.cc).
// Needs an x86-64 CPU with FMA and g++; elsewhere the test says why it did not run.

import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/package.js';

const cpuHasFma =
  arch() === 'x64' && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0] ?? '');
const hasGxx = spawnSync('g++', ['--version']).status === 0;

t.test(
  'softFma equals the hardware fma bit for bit',
  { skip: !cpuHasFma || !hasGxx ? 'needs g++ and an x86-64 CPU with FMA' : false },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'soft-fma-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const exe = join(dir, 'check');
    execFileSync('g++', [
      '-std=c++17',
      '-O2',
      '-mfma',
      '-ffp-contract=off',
      '-o',
      exe,
      join(ROOT, 'test', 'fixtures', 'soft-fma', 'check.cc'),
    ]);
    const r = spawnSync(exe, ['3000000'], { encoding: 'utf8' });
    t.equal(r.stdout.trim().split('\n').at(-1), '0 mismatches in 3000000', r.stdout);
    t.equal(r.status, 0);
    t.end();
  },
);
