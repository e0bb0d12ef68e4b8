// The C++ core without Node: test/native/core_golden.cc, built by CMakeLists.txt with
// -DPROTOMLP_CORE_TEST=ON into build-core/, calls termsAndGrads and trainRun directly with every
// kernel variant this CPU runs and compares them with the golden values of test/fixtures/golden,
// within test/conformance.test.ts's tolerances. The fixtures are converted here into the flat text
// the program reads (build-core/golden/*.txt). Needs cmake and a C++ compiler: skipped without
// them on a workstation, a failure under CI=true.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toNativeProblem } from '../src/backend/native.js';
import { dataFromJson, paramsFromJson, type ParamsJson } from '../src/record.js';
import { goldenConfig, readGoldens, type Golden } from './helpers/golden.js';
import { ROOT } from './helpers/package.js';

const TERMS = ['fit', 'cov', 'sep', 'ovl'] as const;

/** A golden JSON case as the flat text core_golden.cc reads: labels, then numbers as JS prints them. */
function goldenToFlat(name: string, g: Golden): string {
  const config = goldenConfig(g);
  // the job as the binding gets it (maskBits among others), from the fixture's own numbers
  const job = toNativeProblem(config, dataFromJson(g.data), paramsFromJson(g.initial));
  // radial parameters (P, s) travel in W and b, as in the job
  const params = (json: ParamsJson): string => {
    const p = paramsFromJson(json);
    return `W ${p.W.join(' ')}\nb ${p.b.join(' ')}\nv ${p.v.join(' ')}\nc ${p.c}`;
  };
  const steps = Object.keys(g.afterSteps);
  return [
    'protomlp-golden-flat 2',
    `name ${name}`,
    `n ${job.n} h ${job.h} d ${job.d} maskBits ${job.maskBits} unit ${job.unit} activation ${job.activation}`,
    `lambda ${job.lambda} tau ${job.tau} tauCov ${job.tauCov} lr ${config.lr}`,
    `adam ${g.config.betas.join(' ')} ${g.config.eps}`,
    `x ${job.x.join(' ')}`,
    `y ${job.y.join(' ')}`,
    params(g.initial),
    `terms ${TERMS.map((term) => g.atInitial.terms[term]).join(' ')}`,
    ...TERMS.map((term) => `grad\n${params(g.atInitial.grads[term])}`),
    `steps ${steps.length}`,
    ...steps.map((s) => `after ${s}\n${params(g.afterSteps[s])}`),
    'end',
    '',
  ].join('\n');
}

const found = (cmd: string): boolean => spawnSync(cmd, ['--version']).status === 0;
const missing = !found('cmake')
  ? 'cmake not found'
  : !found(process.env.CXX ?? 'c++')
    ? `no C++ compiler (${process.env.CXX ?? 'c++'}; set CXX)`
    : null;
const buildDir = join(ROOT, 'build-core');

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ?? ''}` };
}

/** Writes every golden case (every unit and activation) as flat text into build-core/golden; returns the files. */
function writeCases(): string[] {
  const dir = join(buildDir, 'golden');
  mkdirSync(dir, { recursive: true });
  return readGoldens().map(({ file, g }) => {
    const out = join(dir, file.replace(/\.json$/, '.txt'));
    writeFileSync(out, goldenToFlat(file, g));
    return out;
  });
}

t.test(
  'the C++ core alone matches the golden values with every kernel this CPU runs',
  { skip: process.env.CI !== 'true' && missing ? missing : false },
  async (t) => {
    if (missing) return t.fail(missing);
    const configure = run('cmake', ['-S', '.', '-B', buildDir, '-DPROTOMLP_CORE_TEST=ON']);
    t.equal(configure.status, 0, 'cmake configures the core test', { output: configure.out });
    const build = run('cmake', ['--build', buildDir, '--target', 'core_golden', '-j', '2']);
    t.equal(build.status, 0, 'core_golden builds', { output: build.out });
    if (build.status !== 0) return;
    const exe = join(buildDir, 'core_golden');
    const cases = writeCases();
    t.equal(cases.length, 9, 'the nine golden cases (every unit and activation among them)');
    const golden = run(exe, cases);
    const lines = golden.out.split('\n');
    const checks = lines.filter((l) => /^(not )?ok \d+/.test(l));
    for (const line of checks) t.ok(line.startsWith('ok'), line);
    t.match(golden.out, /^# kernels: scalar\b/m, 'the scalar kernel among them');
    t.ok(checks.length >= 9 * (1 + 12), `${checks.length} checks`);
    t.equal(golden.status, 0, 'core_golden exits 0');

    // it can fail: a golden term moved by one part in 1e9 is caught, with the program's exit code
    const broken = join(buildDir, 'golden', 'broken.txt.in');
    const text = readFileSync(cases[0], 'utf8');
    const fit = Number(/^terms (\S+)/m.exec(text)![1]);
    writeFileSync(broken, text.replace(/^terms \S+/m, `terms ${fit * (1 + 1e-9)}`));
    const bad = run(exe, ['--isa', 'scalar', broken]);
    t.equal(bad.status, 1, 'a wrong golden term fails the program');
    t.match(bad.out, /^not ok \d+ - \S+ scalar fit/m, 'and names the check');
  },
);
