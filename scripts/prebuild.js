#!/usr/bin/env node
// Builds the prebuilt binaries that ship in prebuilds/ (committed to the repo, packed into the
// tarball): `node scripts/prebuild.js x64` on a linux-x64 host, `node scripts/prebuild.js arm64`
// cross-compiled with Debian's g++-aarch64-linux-gnu. Each binary is a Node-API build (one binary
// for every Node >= 20), tagged glibc, stripped; an x64 binary must pass scripts/check-isa.js first.
// Both are built with binding.gyp's protomlp_portable=1: libstdc++ linked in and no glibc symbol
// newer than the floor docs/install.md states, so they load wherever Node 20 runs (glibc 2.28).
// prebuilds/manifest.json records, per binary, its hash, the hash of the sources it was built from
// (a test fails when they are stale), the compiler and the glibc/libstdc++/libgcc versions it needs.
// `node scripts/prebuild.js win32-x64` cross-compiles the Windows binary (scripts/prebuild-win32.js).
// macOS binaries are not shipped (docs/install.md).

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBuild } from './check-isa.js';
import { buildWin32, WIN32_FILE } from './prebuild-win32.js';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const MANIFEST = join(ROOT, 'prebuilds', 'manifest.json');

/** Cross toolchains this script knows (host linux-x64). */
const CROSS = {
  arm64: { prefix: 'aarch64-linux-gnu-', apt: 'g++-aarch64-linux-gnu' },
};

function filesUnder(dir) {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

/** sha256 over what a binary is built from: binding.gyp, the C++ files and linker scripts under native/. */
export function sourcesHash(root = ROOT) {
  const hash = createHash('sha256');
  const sources = filesUnder(join(root, 'native')).filter((f) => /\.(cc|h|ver)$/.test(f));
  for (const file of [join(root, 'binding.gyp'), ...sources]) {
    hash
      .update(relative(root, file).split('\\').join('/'))
      .update('\0')
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex');
}

export function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Compares dotted versions number by number ('2.17' is above '2.2.5'): < 0, 0 or > 0. */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function highest(versions) {
  return versions.sort(compareVersions).at(-1) ?? null;
}

/**
 * What a Linux binary needs from the system, read from its dynamic symbol versions (objdump -T):
 * the highest GLIBC_x.y (the minimum glibc), GLIBCXX_3.4.z and CXXABI_1.3.z (the minimum
 * libstdc++; null when it needs none) and GCC_x.y (the minimum libgcc_s), with the symbols that
 * need them; the symbols it exports; and its NEEDED libraries (objdump -p).
 */
export function systemRequirements(file, objdump = 'objdump') {
  const text = execFileSync(objdump, ['-T', file], { encoding: 'utf8' });
  // defined, non-local dynamic symbols: "<address> <7 flag columns> <section>\t<size> <version> <name>"
  // (the first flag column is l for local, as the section symbols an arm64 link leaves there)
  const exported = [...text.matchAll(/^[0-9a-f]+ (.{7}) (\S+)\t[0-9a-f]+\s+(?:\S+\s+)?(\S+)$/gm)]
    .filter((m) => m[1][0] !== 'l' && m[2] !== '*UND*' && m[2] !== '*ABS*')
    .map((m) => m[3])
    .sort();
  const need = (prefix) => {
    const found = [...text.matchAll(new RegExp(`\\(${prefix}_([0-9.]+)\\)\\s+(\\S+)`, 'g'))].map(
      (m) => ({ version: m[1], symbol: m[2] }),
    );
    const version = highest(found.map((f) => f.version));
    return {
      version,
      symbols: found
        .filter((f) => f.version === version)
        .map((f) => f.symbol)
        .sort(),
    };
  };
  const libs = execFileSync(objdump, ['-p', file], { encoding: 'utf8' });
  return {
    glibc: need('GLIBC'),
    glibcxx: need('GLIBCXX'),
    cxxabi: need('CXXABI'),
    gcc: need('GCC'),
    exported,
    needed: [...libs.matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]),
  };
}

export function readManifest() {
  return existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : { binaries: {} };
}

function run(command, args, env) {
  console.log(`> ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${command} failed (exit ${r.status ?? r.signal})`);
}

function tool(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || null;
}

/** Builds prebuilds/linux-<arch>/protomlp.glibc.node and records it in the manifest. */
export function prebuild(arch) {
  if (process.platform !== 'linux')
    throw new Error(
      'this script builds the Linux prebuilds; see .github/workflows/release.yml for the others',
    );
  // the portable link (binding.gyp): libstdc++ linked in, glibc symbols held to the floor
  const env = {
    ...process.env,
    GYP_DEFINES: [process.env.GYP_DEFINES, 'protomlp_portable=1'].filter(Boolean).join(' '),
  };
  let strip = 'strip';
  let objdump = 'objdump';
  let compiler = env.CXX || 'g++';
  if (arch !== hostArch()) {
    const cross = CROSS[arch];
    if (!cross || hostArch() !== 'x64')
      throw new Error(`no cross toolchain known for ${hostArch()} -> ${arch}`);
    const cxx = `${cross.prefix}g++`;
    if (!tool(cxx)) throw new Error(`${cxx} not found: apt-get install ${cross.apt}`);
    Object.assign(env, { CC: `${cross.prefix}gcc`, CXX: cxx, LINK: cxx, AR: `${cross.prefix}ar` });
    strip = `${cross.prefix}strip`;
    objdump = `${cross.prefix}objdump`;
    compiler = cxx;
  }
  // Node's own headers, so nothing is downloaded (npm passes nodedir when it runs this script).
  const nodePrefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node_api.h')))
    env.npm_config_nodedir = nodePrefix;

  const prebuildify = join(ROOT, 'node_modules', 'prebuildify', 'bin.js');
  run(
    process.execPath,
    [prebuildify, '--napi', '--tag-libc', `--target=${process.versions.node}`, `--arch=${arch}`],
    env,
  );
  const file = join(ROOT, 'prebuilds', `linux-${arch}`, 'protomlp.glibc.node');
  if (!existsSync(file)) throw new Error(`prebuildify did not produce ${file}`);

  if (arch === 'x64') {
    const problems = checkBuild(join(ROOT, 'build', 'Release'), file);
    if (problems.length > 0) throw new Error(`check-isa:\n  ${problems.join('\n  ')}`);
    console.log('check-isa: baseline code uses x86-64 instructions only');
  }
  run(strip, ['--strip-all', file], env);
  // A cross build's objects in build/ would only confuse later local builds and check-isa.
  if (arch !== hostArch()) rmSync(join(ROOT, 'build'), { recursive: true, force: true });

  const requirements = systemRequirements(file, objdump);
  record(`linux-${arch}/${basename(file)}`, {
    sha256: sha256(file),
    bytes: statSync(file).size,
    sources: sourcesHash(),
    node: process.versions.node,
    napi: true,
    compiler: execFileSync(compiler, ['--version'], { encoding: 'utf8' }).split('\n')[0],
    glibc: requirements.glibc.version,
    glibcSymbols: requirements.glibc.symbols,
    glibcxx: requirements.glibcxx.version,
    gcc: requirements.gcc.version,
    needed: requirements.needed,
  });
  const libstdcxx = requirements.glibcxx.version
    ? `libstdc++ GLIBCXX_${requirements.glibcxx.version}`
    : 'no libstdc++';
  console.log(
    `prebuild: ${relative(ROOT, file)}: needs glibc >= ${requirements.glibc.version}, ${libstdcxx}, libgcc_s GCC_${requirements.gcc.version}`,
  );
}

/** Writes one binary's manifest entry (entries sorted by file) and the docs table. */
function record(key, entry) {
  const manifest = readManifest();
  manifest.binaries[key] = entry;
  manifest.binaries = Object.fromEntries(
    Object.entries(manifest.binaries).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  writeDocsTable(manifest);
}

/** Builds prebuilds/win32-x64/protomlp.node (scripts/prebuild-win32.js) and records it. */
export function prebuildWin32() {
  const { file, bytes, compiler, imports } = buildWin32(ROOT);
  record(WIN32_FILE, {
    sha256: sha256(file),
    bytes,
    sources: sourcesHash(),
    napi: true,
    compiler,
    imports,
  });
  console.log(`prebuild: ${relative(ROOT, file)}: imports ${imports.join(', ')}`);
}

export const INSTALL_DOC = join(ROOT, 'docs', 'install.md');
const DOCS_START = '<!-- prebuilds:start -->';
const DOCS_END = '<!-- prebuilds:end -->';

/** The Markdown table of what each Linux prebuild needs, from the manifest (docs/install.md). */
export function requirementsTable(manifest) {
  const code = (values) => values.map((v) => `\`${v}\``).join(', ');
  // at an architecture's first glibc version (2.17 on arm64) every plain libc call is listed
  const listed = (symbols) =>
    symbols.length <= 4
      ? symbols.join(', ')
      : `${symbols.slice(0, 3).join(', ')} and ${symbols.length - 3} more`;
  const linux = Object.entries(manifest.binaries).filter(([file]) => file.startsWith('linux-'));
  const rows = linux.map(([file, b]) =>
    [
      `\`prebuilds/${file}\``,
      b.bytes === undefined ? 'not recorded' : `${b.bytes.toLocaleString('en-US')} bytes`,
      `\`GLIBC_${b.glibc}\` (${listed(b.glibcSymbols)})`,
      b.glibcxx ? `\`GLIBCXX_${b.glibcxx}\`` : 'nothing (linked in)',
      b.gcc ? `\`GCC_${b.gcc}\`` : 'not recorded',
      code(b.needed),
      b.compiler,
    ].join(' | '),
  );
  return [
    '| binary | size | newest glibc version needed (symbols) | libstdc++ | libgcc_s | shared libraries | compiler |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** docs/install.md with its prebuilds section replaced by requirementsTable(manifest). */
export function docsWithTable(doc, manifest) {
  const from = doc.indexOf(DOCS_START);
  const to = doc.indexOf(DOCS_END);
  if (from < 0 || to < from)
    throw new Error(`docs/install.md lacks the ${DOCS_START} ... ${DOCS_END} markers`);
  return `${doc.slice(0, from + DOCS_START.length)}\n${requirementsTable(manifest)}\n${doc.slice(to)}`;
}

function writeDocsTable(manifest) {
  writeFileSync(INSTALL_DOC, docsWithTable(readFileSync(INSTALL_DOC, 'utf8'), manifest));
  console.log(
    `prebuild: ${relative(ROOT, INSTALL_DOC)}: requirements table rewritten from the manifest`,
  );
}

// `node scripts/prebuild.js x64|arm64|win32-x64` builds one; `--docs` only rewrites the docs table.
if (process.argv[1] && basename(process.argv[1]) === 'prebuild.js') {
  try {
    if (process.argv[2] === '--docs') writeDocsTable(readManifest());
    else if (process.argv[2] === 'win32-x64') prebuildWin32();
    else prebuild(process.argv[2] ?? hostArch());
  } catch (error) {
    console.error(`prebuild: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
