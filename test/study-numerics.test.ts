// Records name their numerics (SPEC §10) and a study never mixes two: a folder of runs made with
// other numerics (protomlp 0.1.0's records carry none: native/1 or ts/1) is refused by sweep with a
// message, set aside and retrained with --retrain or by reproduce (which says so); merge and report
// refuse to mix; a binary whose kernels compute other numerics is not loaded.

import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { numericsMismatch } from '../src/backend/native.js';
import { buildReport } from '../src/report/index.js';
import { mergeStudies, readStudy, resolveStudy, runStudy } from '../src/study/index.js';
import { describeNumerics, numericsId, recordNumerics } from '../src/numerics.js';
import { cli } from './helpers/cli.js';
import { inFlags } from '../src/cli/common.js';
import { ValidationError } from '../src/errors.js';

const root = t.testdir({});
const study = resolveStudy({
  name: 'numerics',
  n: [3],
  mask: ['base', 'cov'],
  seed: '0..1',
  epochs: 20,
});
const runsOf = (dir: string): string => readFileSync(join(dir, 'runs.jsonl'), 'utf8');

/** Rewrites a folder's records as protomlp 0.1.0 wrote them (no numerics field). */
function makeOld(dir: string): void {
  const old = runsOf(dir)
    .trim()
    .split('\n')
    .map((line) => {
      const { numerics: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
  writeFileSync(join(dir, 'runs.jsonl'), `${old.join('\n')}\n`);
}

t.test('records name their numerics; 0.1.0 records are version 1 of their backend', async (t) => {
  const out = join(root, 'named');
  await runStudy(study, { out, backend: 'ts' });
  const { records, numerics } = await readStudy(out);
  t.ok(
    records.every((r) => r.numerics === 'ts/2'),
    'TS records say ts/2',
  );
  t.equal(numerics, 'ts/2');
  t.equal(numericsId('native'), 'native/2');
  t.equal(recordNumerics({ backend: 'native' }), 'native/1');
  t.equal(recordNumerics({ backend: 'ts' }), 'ts/1');
  t.equal(describeNumerics('native/1'), 'native/1 (protomlp 0.1.0)');
});

t.test('a study folder that mixes numerics is refused when read', async (t) => {
  const out = join(root, 'mixed');
  await runStudy(study, { out, backend: 'ts' });
  const lines = runsOf(out).trim().split('\n');
  lines[1] = lines[1].replace('"numerics":"ts/2"', '"numerics":"native/2"');
  writeFileSync(join(out, 'runs.jsonl'), `${lines.join('\n')}\n`);
  await t.rejects(readStudy(out), {
    message: `${join(out, 'runs.jsonl')} line 2: numerics: got "native/2", expected ts/2, the numerics of the runs before it (a study never mixes numerics)`,
  });
});

t.test(
  'sweep refuses a folder of 0.1.0 runs, and --retrain sets them aside and trains again',
  async (t) => {
    const out = join(root, 'old');
    await runStudy(study, { out, backend: 'native' });
    makeOld(out);
    const before = runsOf(out);
    const args = [
      'sweep',
      '--sizes',
      '3',
      '--masks',
      'base,cov',
      '--seeds',
      '2',
      '--epochs',
      '20',
      '--name',
      'numerics',
      '--out',
      out,
      '--backend',
      'native',
    ];
    const refused = cli(args);
    t.equal(refused.status, 2, 'exit code 2');
    t.equal(
      refused.stderr.trim(),
      `error: --out: got ${JSON.stringify(out)}, expected a folder of runs made with native/2, the numerics of this protomlp's native backend ` +
        '(a study never mixes numerics); it holds 4 runs made with numerics native/1 (protomlp 0.1.0): choose another --out, or add --retrain to set the old runs aside and train the study again',
    );
    t.equal(runsOf(out), before, 'nothing written on refusal');
    const retrained = cli([...args, '--retrain']);
    t.equal(retrained.status, 0, retrained.stderr);
    t.match(
      retrained.stderr,
      `warning: ${out}: its 4 runs made with numerics native/1 (protomlp 0.1.0), not native/2: set aside in runs.native-1.jsonl; the study is trained again`,
    );
    t.equal(
      readFileSync(join(out, 'runs.native-1.jsonl'), 'utf8'),
      before,
      'the old runs are kept, byte for byte',
    );
    const { records, numerics } = await readStudy(out);
    t.equal(records.length, 4);
    t.equal(numerics, 'native/2');
  },
);

t.test('reproduce into an old results folder says what it does', async (t) => {
  const out = join(root, 'reproduce');
  const first = cli(['reproduce', '--out', out, '--backend', 'native'], {
    PROTOMLP_REPRODUCE_SCALE: 'tiny',
  });
  t.equal(first.status, 0, first.stderr);
  makeOld(join(out, 'paper'));
  const again = cli(['reproduce', '--out', out, '--backend', 'native'], {
    PROTOMLP_REPRODUCE_SCALE: 'tiny',
  });
  t.equal(again.status, 0, again.stderr);
  t.match(
    again.stderr,
    /warning: .*paper: its \d+ runs made with numerics native\/1 \(protomlp 0\.1\.0\), not native\/2: set aside in runs\.native-1\.jsonl; the study is trained again/,
  );
  t.ok(readdirSync(join(out, 'paper')).includes('runs.native-1.jsonl'));
  t.equal((await readStudy(join(out, 'paper'))).numerics, 'native/2');
});

t.test('merge and report refuse to mix numerics', async (t) => {
  const a = join(root, 'shard-a');
  const b = join(root, 'shard-b');
  await runStudy(study, { out: a, backend: 'native', shard: { index: 0, count: 2 } });
  await runStudy(study, { out: b, backend: 'ts', shard: { index: 1, count: 2 } });
  await t.rejects(mergeStudies([a, b], join(root, 'merged')), {
    message: `${b}: got "runs made with numerics ts/2", expected runs made with native/2, as in ${a} (a study never mixes numerics: retrain one with \`retrain: true\`)`,
  });
  const records = [...(await readStudy(a)).records, ...(await readStudy(b)).records];
  await t.rejects(buildReport(records, { out: join(root, 'report') }), {
    message:
      'records: got "runs made with numerics native/2 and ts/2", expected runs made with one numerics (a report never mixes them: retrain one study with `retrain: true`)',
  });
  // the library names the API option; the CLI says the flag
  const error = await mergeStudies([a, b], join(root, 'merged-2')).catch((e: unknown) => e);
  t.ok(error instanceof ValidationError);
  t.match((error as ValidationError).message, /retrain: true/);
  t.match(inFlags(error as ValidationError).message, /retrain one with --retrain\)$/);
});

t.test('a binary whose kernels compute other numerics is not used', async (t) => {
  t.equal(numericsMismatch({ numerics: 2, fma: true }, 'x.node'), undefined);
  t.equal(
    numericsMismatch({ numerics: 2, fma: false }, 'x.node'),
    'x.node computes numerics 2 without fused multiply-adds, this protomlp numerics 2 with fused multiply-adds (a binary built from other sources: npm rebuild protomlp)',
  );
  t.equal(
    numericsMismatch({}, 'old.node'),
    'old.node computes numerics undefined without fused multiply-adds, this protomlp numerics 2 with fused multiply-adds (a binary built from other sources: npm rebuild protomlp)',
  );
});
