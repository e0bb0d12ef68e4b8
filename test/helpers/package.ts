// Helpers for the packaging tests: one `npm pack` tarball shared by every test process (packed once
// per content, keyed by its shasum), installs into empty folders, and an environment with no
// compiler (PATH holds only node, npm and sh). They never touch the repo's build/ or node_modules/.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Packed {
  tarball: string;
  files: string[];
}

interface NpmPackEntry {
  filename: string;
  shasum: string;
  files: { path: string }[];
}

function sh(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: 600_000,
    ...options,
  });
}

function npmPack(args: string[], cwd: string): NpmPackEntry {
  // --ignore-scripts: dist/ is built by `npm test`'s pretest; `prepare` would rebuild it under the
  // other test processes' feet.
  const r = sh('npm', ['pack', '--json', '--ignore-scripts', ...args], { cwd, env: cleanEnv() });
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as NpmPackEntry[])[0];
}

/**
 * The repo packed as `npm pack` does, once for all test processes: a dry run gives the shasum of
 * the tarball the current tree makes; a tarball with that shasum is reused, else packed and moved
 * into place atomically.
 */
export function packedTarball(): Packed {
  const dry = npmPack(['--dry-run'], ROOT);
  const files = dry.files.map((f) => f.path).sort();
  const dir = join(tmpdir(), `protomlp-pack-${dry.shasum}`);
  const tarball = join(dir, dry.filename);
  if (!existsSync(tarball)) {
    const staging = mkdtempSync(join(tmpdir(), 'protomlp-packing-'));
    npmPack(['--pack-destination', staging], ROOT);
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another test process won the race
    }
  }
  return { tarball, files };
}

/** The tarball with some entries removed (paths inside the package, e.g. 'prebuilds'). */
export function tarballWithout(packed: Packed, remove: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'protomlp-repack-'));
  const extract = sh('tar', ['xzf', packed.tarball, '-C', dir]);
  if (extract.status !== 0) throw new Error(`tar failed: ${extract.stderr}`);
  for (const entry of remove) rmSync(join(dir, 'package', entry), { recursive: true, force: true });
  const out = join(dir, 'protomlp-modified.tgz');
  const pack = sh('tar', ['czf', out, '-C', dir, 'package']);
  if (pack.status !== 0) throw new Error(`tar failed: ${pack.stderr}`);
  return out;
}

/**
 * This process's environment without what `npm test` and tap put there (npm_*, TAP*, NODE_OPTIONS,
 * the backend switches) and without compiler variables, so a nested npm behaves as a user's.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_|TAP|_TAPJS|NODE_OPTIONS$|INIT_CWD$|PROTOMLP_|PREBUILDS_ONLY$|CC$|CXX$|CPP$|LINK$|CFLAGS$|CXXFLAGS$|LDFLAGS$)/i.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** An environment whose PATH holds only node, npm and sh (npm runs scripts with it): no compiler, make or python. */
export function noCompilerEnv(): NodeJS.ProcessEnv {
  const bin = mkdtempSync(join(tmpdir(), 'protomlp-nocc-bin-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  const npm = sh('sh', ['-c', 'command -v npm']).stdout.trim();
  symlinkSync(npm, join(bin, 'npm'));
  return cleanEnv({ PATH: bin });
}

/** Which of these programs the environment's PATH finds. */
export function programsOnPath(env: NodeJS.ProcessEnv, names: string[]): string[] {
  return names.filter((name) => sh('/bin/sh', ['-c', `command -v ${name}`], { env }).status === 0);
}

/** An empty project folder with the tarball installed (from the npm cache where possible). */
export function installInto(
  tarball: string,
  env: NodeJS.ProcessEnv,
  npmArgs: string[] = [],
): { dir: string; pkg: string; result: SpawnSyncReturns<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'protomlp-install-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  const result = sh(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--foreground-scripts',
      ...npmArgs,
      tarball,
    ],
    { cwd: dir, env },
  );
  return { dir, pkg: join(dir, 'node_modules', 'protomlp'), result };
}

/** `npm rebuild protomlp ...` in an install folder. */
export function rebuild(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): SpawnSyncReturns<string> {
  return sh('npm', ['rebuild', 'protomlp', '--foreground-scripts', ...args], { cwd: dir, env });
}

/** Runs the installed package's CLI. */
export function protomlp(
  pkg: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  node: string[] = [process.execPath],
): SpawnSyncReturns<string> {
  const [command, ...prefix] = node;
  return sh(command, [...prefix, join(pkg, 'dist', 'src', 'cli', 'main.js'), ...args], {
    env,
    cwd: dirname(pkg),
  });
}

/** `protomlp info --json` as the installed package prints it (src/cli/info.ts). */
export interface Info {
  version: string;
  backend: string;
  isa: string;
  threads: number;
  binary: { source: 'prebuild' | 'build' | null; path: string | null };
  fallbackReason: string | null;
}

export function infoJson(pkg: string, env: NodeJS.ProcessEnv, node?: string[]): Info {
  const r = protomlp(pkg, ['info', '--json'], env, node);
  if (r.status !== 0)
    throw new Error(`protomlp info failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Info;
}

/** Every file under a folder, relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/**
 * An npm package from the registry, unpacked once into the temp folder (`npm pack` goes through
 * the npm cache): the folder that holds its package.json, or null when npm cannot get that
 * version. `spec` is `name@version-or-range`.
 */
export function registryPackage(spec: string): string | null {
  const dir = join(tmpdir(), `protomlp-pkg-${spec.replace(/[^A-Za-z0-9.@-]/g, '_')}`);
  if (existsSync(join(dir, 'package.json'))) return dir;
  const work = mkdtempSync(join(tmpdir(), 'protomlp-pack-'));
  const pack = sh('npm', ['pack', spec, '--prefer-offline', '--json'], {
    cwd: work,
    env: cleanEnv(),
  });
  if (pack.status !== 0) return null;
  const filename = (JSON.parse(pack.stdout) as { filename: string }[])[0].filename;
  const untar = sh('tar', ['xzf', filename], { cwd: work });
  if (untar.status !== 0) throw new Error(`tar xzf ${filename} failed: ${untar.stderr}`);
  sh('mv', ['-T', join(work, 'package'), dir]); // fails harmlessly if another process won
  return dir;
}

/**
 * Node's official binary for linux-<arch> (built for glibc 2.28), unpacked from the npm package
 * node-linux-<arch>: this Node's exact version when published, else the newest of its major
 * version. Returns the folder that holds bin/node.
 */
export function officialNode(arch: 'x64' | 'arm64'): string {
  for (const version of [process.versions.node, process.versions.node.split('.')[0]]) {
    const dir = registryPackage(`node-linux-${arch}@${version}`);
    if (dir) return dir;
  }
  throw new Error(
    `npm pack node-linux-${arch}@${process.versions.node} (or @${process.versions.node.split('.')[0]}) failed`,
  );
}

/** The URI of the Debian archive this system's apt uses (the source of its release suite), if any. */
function debianArchive(): string | null {
  const dir = '/etc/apt/sources.list.d';
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []),
  ].filter((f) => existsSync(f));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // deb822 stanzas (Debian 12's default) and one-line entries; a release suite has no "-updates" etc.
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1].split(/\s+/) ?? [];
      if (uri && /\/debian\/?$/.test(uri) && suites.some((s) => /^[a-z]+$/.test(s))) return uri;
    }
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian\/?)\s+[a-z]+\s/m.exec(text);
    if (line) return line[1];
  }
  return null;
}

/**
 * The runtime libraries of a Debian release for one architecture (libc6, libgcc-s1, libstdc++6),
 * unpacked into a folder to use as a dynamic loader's library path or as qemu's -L root: fetched
 * with apt-get from the archive this system's apt uses, with a private package list and cache
 * (the system's apt state is left alone), signatures checked with Debian's keyring, and kept in
 * the temp folder. Throws with apt's message when they cannot be had.
 */
export function debianRuntime(suite: string, arch: 'amd64' | 'arm64'): string {
  const dir = join(tmpdir(), `protomlp-debian-${suite}-${arch}`);
  if (existsSync(join(dir, 'lib'))) return dir;
  const archive = debianArchive();
  if (!archive) throw new Error('no Debian archive found in /etc/apt/sources.list{,.d}');
  const work = mkdtempSync(join(tmpdir(), 'protomlp-apt-'));
  for (const sub of ['lists/partial', 'cache/archives/partial', 'parts', 'debs', 'root'])
    mkdirSync(join(work, sub), { recursive: true });
  writeFileSync(
    join(work, 'sources.list'),
    `deb [arch=${arch} signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${archive} ${suite} main\n`,
  );
  const options = [
    ['Dir::Etc::SourceList', join(work, 'sources.list')],
    ['Dir::Etc::SourceParts', join(work, 'parts')],
    ['Dir::State::Lists', join(work, 'lists')],
    ['Dir::State::status', '/dev/null'],
    ['Dir::Cache', join(work, 'cache')],
    ['APT::Architectures::', arch],
    ['APT::Sandbox::User', 'root'],
  ].flatMap(([key, value]) => ['-o', `${key}=${value}`]);
  for (const args of [
    ['update'],
    ['download', ...['libc6', 'libgcc-s1', 'libstdc++6'].map((p) => `${p}:${arch}`)],
  ]) {
    const r = sh('apt-get', [...options, ...args], { cwd: join(work, 'debs') });
    if (r.status !== 0 || /^(E|Err):/m.test(r.stdout + r.stderr))
      throw new Error(`apt-get ${args[0]} (${suite}, ${arch}) failed: ${r.stdout}${r.stderr}`);
  }
  for (const deb of readdirSync(join(work, 'debs'))) {
    const x = sh('dpkg-deb', ['-x', join(work, 'debs', deb), join(work, 'root')]);
    if (x.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${x.stderr}`);
  }
  sh('mv', ['-T', join(work, 'root'), dir]); // fails harmlessly if another process won
  rmSync(work, { recursive: true, force: true });
  return dir;
}

/**
 * {@link registryPackage} for a test that needs it: when npm cannot get it, the test fails under
 * CI (CI=true must not pass without it) and is skipped elsewhere; then null is returned.
 */
export function registryPackageFor(
  t: { fail: (m: string) => void; skip: (m: string) => void },
  spec: string,
): string | null {
  const dir = registryPackage(spec);
  if (!dir) {
    if (process.env.CI) t.fail(`npm pack ${spec} failed`);
    else t.skip(`npm pack ${spec} failed (no registry?)`);
  }
  return dir;
}

/** An empty project folder (a package.json only), removed when the test ends. */
export function consumerFolder(t: { teardown: (f: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `protomlp-${prefix}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  return dir;
}
