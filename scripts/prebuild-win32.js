// The win32-x64 prebuild, cross-compiled on Linux with Debian's mingw-w64 (apt-get install
// mingw-w64): `node scripts/prebuild.js win32-x64` (npm run prebuilds:win32) writes
// prebuilds/win32-x64/protomlp.node (untagged: node-gyp-build's name for a Node-API binary) and
// its manifest entry. The same sources and flags as binding.gyp (baseline x86-64, the AVX2 and
// AVX-512 kernel files with their instruction sets, -ffp-contract=off), the posix-threads compiler
// (std::thread), everything linked statically (libstdc++, libgcc, winpthread), so the DLL imports
// only KERNEL32.dll, msvcrt.dll and node.exe. Node-API binds to the host process through an import
// library made from node-api-headers' def files with the DLL name node.exe (dlltool -D node.exe).
// The build is deterministic: relative source paths, no PE timestamp (--no-insert-timestamp).
// Tested under wine64 with node.exe 22: test/full/prebuild-windows.test.ts.

import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const WIN32_CXX = 'x86_64-w64-mingw32-g++-posix';
const DLLTOOL = 'x86_64-w64-mingw32-dlltool';
export const WIN32_OBJDUMP = 'x86_64-w64-mingw32-objdump';
export const WIN32_FILE = 'win32-x64/protomlp.node';

/** Per source file, the instruction sets it is compiled for (binding.gyp's targets). */
const SOURCES = {
  'native/binding.cc': [],
  'native/core/batch.cc': [],
  'native/core/cpu.cc': [],
  'native/core/train.cc': [],
  'native/core/lap.cc': [],
  'native/core/epoch_scalar.cc': [],
  'native/core/evaluate.cc': [],
  'native/core/evaluate_baseline.cc': [],
  'native/core/epoch_neon.cc': [],
  'native/core/epoch_avx2.cc': ['-mavx2', '-mfma'],
  'native/core/epoch_avx512.cc': ['-mavx512f', '-mavx512dq', '-mavx2', '-mfma'],
  'native/core/evaluate_avx2.cc': ['-mavx2', '-mfma'],
  'native/core/evaluate_avx512.cc': ['-mavx512f', '-mavx512dq', '-mavx2', '-mfma'],
};

/** node-api-headers' folder: PROTOMLP_NODE_API_HEADERS, else the installed devDependency. */
function nodeApiHeaders(root) {
  if (process.env.PROTOMLP_NODE_API_HEADERS) return process.env.PROTOMLP_NODE_API_HEADERS;
  const require = createRequire(join(root, 'package.json'));
  try {
    return dirname(require.resolve('node-api-headers/package.json'));
  } catch {
    throw new Error(
      'node-api-headers not found: npm install (a devDependency), or set PROTOMLP_NODE_API_HEADERS',
    );
  }
}

function check(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (r.error) throw new Error(`${command}: ${r.error.message} (apt-get install mingw-w64)`);
  if (r.status !== 0) throw new Error(`${command} failed (exit ${r.status ?? r.signal})`);
}

/** The DLLs a PE binary imports (objdump -p), in the order of its import table. */
export function importedDlls(file, objdump = WIN32_OBJDUMP) {
  const text = execFileSync(objdump, ['-p', file], { encoding: 'utf8' });
  return [...text.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]);
}

/** Builds the binary; returns its path and the manifest fields particular to it. */
export function buildWin32(root) {
  const headers = nodeApiHeaders(root);
  const work = mkdtempSync(join(tmpdir(), 'protomlp-win32-'));
  try {
    const libs = ['node_api', 'js_native_api'].map((name) => {
      const lib = join(work, `lib${name}.a`);
      check(
        DLLTOOL,
        ['-d', join(headers, 'def', `${name}.def`), '-l', lib, '-D', 'node.exe'],
        root,
      );
      return lib;
    });
    const flags = ['-std=c++17', '-O3', '-fno-math-errno', '-ffp-contract=off', '-DNAPI_VERSION=8'];
    flags.push('-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION');
    flags.push(
      `-I${join(headers, 'include')}`,
      `-I${join(root, 'node_modules', 'node-addon-api')}`,
    );
    const objects = Object.entries(SOURCES).map(([source, isa], i) => {
      const object = join(work, `${i}.o`);
      console.log(`> ${WIN32_CXX} ${source} ${isa.join(' ')}`);
      check(WIN32_CXX, [...flags, ...isa, '-c', source, '-o', object], root);
      return object;
    });
    const file = join(root, 'prebuilds', WIN32_FILE);
    mkdirSync(dirname(file), { recursive: true });
    const link = ['-shared', '-static', '-s', '-Wl,--no-insert-timestamp', '-o', file];
    check(WIN32_CXX, [...link, ...objects, ...libs], root);
    const compiler = execFileSync(WIN32_CXX, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    return { file, bytes: statSync(file).size, compiler, imports: importedDlls(file) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
