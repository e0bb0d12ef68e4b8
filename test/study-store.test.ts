// The store and the runner in-process: resume skips finished runs, records do not depend on the
// worker count, shards merge into the unsharded study, a truncated last line and foreign folders
// are handled, a diverged run is recorded, CSV export. TS backend, small runs.

import t from 'tap';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../src/record.js';
import { describeValue } from '../src/errors.js';
import { CSV_COLUMNS, toCsv } from '../src/study/csv.js';
import { SCORECARD_FIELDS } from '../src/eval/scorecard.js';
import {
  exportCsv,
  mergeStudies,
  readStudy,
  resolveStudy,
  runStudy,
  type StudyProgress,
} from '../src/study/index.js';

/** Records without their wall time, the one field allowed to differ between equal runs. */
const strip = (records: readonly RunRecord[]) => records.map(({ wallMs: _, ...rest }) => rest);
const lines = (dir: string) => readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n');

const study = resolveStudy({
  name: 'small',
  n: [3, 5],
  mask: ['base', 'cov+sep'],
  seed: '0..2',
  epochs: 30,
});
const root = t.testdir({});
const reference = join(root, 'reference');

t.before(async () => {
  await runStudy(study, { out: reference, backend: 'ts', workers: 2 });
});

t.test(
  'a study runs into its folder, reads back in canonical order, and a rerun skips it all',
  async (t) => {
    const { records, missing, notices, study: read } = await readStudy(reference);
    t.equal(read.studyId, study.studyId);
    t.equal(records.length, 12);
    t.same(
      records.map((r) => r.id),
      study.ids,
      'canonical order whatever the completion order',
    );
    t.same(missing, []);
    t.same(notices, []);
    t.ok(records.every((r) => r.backend === 'ts'));
    const progress: StudyProgress[] = [];
    const again = await runStudy(study, {
      out: reference,
      backend: 'ts',
      onProgress: (p) => progress.push(p),
    });
    t.match(again, { done: 0, skipped: 12, studyRuns: 12, shardRuns: 12, diverged: 0 });
    t.match(progress, [{ done: 0, total: 0, skipped: 12 }]);
    t.equal(lines(reference).length, 13, '12 lines and the final newline: nothing appended');
  },
);

t.test('runs shared with another study folder are copied, not retrained', async (t) => {
  const wider = resolveStudy({
    name: 'wider',
    n: [3, 5, 7],
    mask: ['base', 'cov+sep'],
    seed: '0..2',
    epochs: 30,
  });
  const out = join(root, 'reuse');
  const summary = await runStudy(wider, {
    out,
    backend: 'ts',
    reuse: [join(root, 'no-such-folder'), reference],
  });
  t.match(summary, { reused: 12, done: 6, skipped: 0, studyRuns: 18 });
  const { records } = await readStudy(out);
  const fromReference = (await readStudy(reference)).records;
  t.same(
    records.filter((r) => r.config.n !== 7),
    fromReference,
    'the shared records, bit for bit (wallMs too)',
  );
  const again = await runStudy(wider, { out, backend: 'ts', reuse: [reference] });
  t.match(again, { reused: 0, done: 0, skipped: 18 });
});

t.test('progress: once at the start, then after every run', async (t) => {
  const out = join(root, 'progress');
  const progress: StudyProgress[] = [];
  const summary = await runStudy(study, {
    out,
    backend: 'ts',
    workers: 2,
    onProgress: (p) => progress.push({ ...p, record: undefined }),
  });
  t.equal(summary.done, 12);
  t.same(
    progress.map((p) => p.done),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );
  t.ok(progress.every((p) => p.total === 12 && p.skipped === 0));
  t.equal(progress[0].etaMs, undefined);
  t.equal(progress[12].etaMs, 0);
});

t.test('1 worker and 2 workers give the same records', async (t) => {
  const one = join(root, 'one-worker');
  await runStudy(study, { out: one, backend: 'ts', workers: 1 });
  t.same(strip((await readStudy(one)).records), strip((await readStudy(reference)).records));
});

t.test('a truncated last line is reported, ignored, cut off and its run redone', async (t) => {
  const out = join(root, 'truncated');
  mkdirSync(out);
  writeFileSync(join(out, 'study.json'), readFileSync(join(reference, 'study.json')));
  const whole = lines(reference).slice(0, 12);
  writeFileSync(
    join(out, 'runs.jsonl'),
    `${whole.slice(0, 11).join('\n')}\n${whole[11].slice(0, 200)}`,
  );
  const read = await readStudy(out);
  t.equal(read.records.length, 11);
  t.same(read.missing, [whole[11].slice(7, 23)], 'the run of the cut line is missing');
  t.same(read.notices, [
    `${join(out, 'runs.jsonl')}: line 12 is truncated (200 bytes without a newline: a write killed midway); ignored, its run will be run again`,
  ]);
  const notices: string[] = [];
  const summary = await runStudy(study, { out, backend: 'ts', onNotice: (m) => notices.push(m) });
  t.match(summary, { done: 1, skipped: 11 });
  t.equal(notices.length, 1);
  const after = lines(out);
  t.equal(after.length, 13);
  t.equal(after[12], '', 'ends with a newline');
  t.ok(
    after.slice(0, 12).every((line) => JSON.parse(line).id),
    'every line is a whole record',
  );
  t.same(strip((await readStudy(out)).records), strip((await readStudy(reference)).records));
});

t.test('an aborted study keeps its finished runs and resumes to the same records', async (t) => {
  const out = join(root, 'aborted');
  const controller = new AbortController();
  const rejected = runStudy(study, {
    out,
    backend: 'ts',
    workers: 1,
    signal: controller.signal,
    onProgress: (p) => p.done === 3 && controller.abort(),
  });
  await t.rejects(rejected, { name: 'AbortError' });
  const partial = await readStudy(out);
  t.equal(partial.records.length, 3, 'the runs finished before the abort are on disk');
  const summary = await runStudy(study, { out, backend: 'ts', workers: 2 });
  t.match(summary, { done: 9, skipped: 3 });
  t.same(strip((await readStudy(out)).records), strip((await readStudy(reference)).records));
  const pre = new AbortController();
  pre.abort();
  await t.rejects(runStudy(study, { out: join(root, 'never'), signal: pre.signal }), {
    name: 'AbortError',
  });
});

t.test('shards 0/3, 1/3, 2/3 merged equal the unsharded study', async (t) => {
  const shards = [0, 1, 2].map((index) => join(root, `shard-${index}`));
  for (const [index, out] of shards.entries()) {
    const s = await runStudy(study, { out, backend: 'ts', shard: { index, count: 3 } });
    t.match(s, { done: 4, shardRuns: 4, studyRuns: 12 });
    t.same(
      (await readStudy(out)).records.map((r) => r.id),
      [index, index + 3, index + 6, index + 9].map((i) => study.ids[i]),
    );
  }
  const merged = join(root, 'merged');
  const summary = await mergeStudies([shards[2], shards[0], shards[1], shards[0]], merged);
  t.match(summary, { records: 12, duplicates: 4, missing: 0 });
  t.same(strip((await readStudy(merged)).records), strip((await readStudy(reference)).records));
  t.same(
    lines(merged)
      .slice(0, 12)
      .map((l) => JSON.parse(l).id),
    study.ids,
    'merged file in canonical order',
  );
  const partial = await mergeStudies([shards[1]], join(root, 'partial'));
  t.match(partial, { records: 4, missing: 8 });
  const resumed = await runStudy(study, { out: join(root, 'partial'), backend: 'ts' });
  t.match(resumed, { done: 8, skipped: 4 }, 'a partial merge is a study folder a sweep can finish');
  const other = join(root, 'other');
  const otherStudy = resolveStudy({ name: 'other', n: [3], epochs: 30 });
  await runStudy(otherStudy, { out: other, backend: 'ts' });
  await t.rejects(mergeStudies([shards[0], other], join(root, 'bad-merge')), {
    name: 'ValidationError',
    message: `${other}: got "study \\"other\\" (1 runs, id ${otherStudy.studyId})", expected the study of ${shards[0]}, "small" (12 runs, id ${study.studyId}): only shards of one study merge`,
  });
});

t.test('a folder holding another study, or no study of ours, is refused', async (t) => {
  const other = resolveStudy({ name: 'other', n: [4], epochs: 30 });
  await t.rejects(runStudy(other, { out: reference, backend: 'ts' }), {
    name: 'ValidationError',
    message:
      `out: got ${describeValue(reference)}, ` +
      `expected a new folder or one holding this study ("other", 1 runs, id ${other.studyId}); ` +
      `it holds another ("small", 12 runs, id ${study.studyId}): choose another \`out\``,
  });
  const dir = t.testdir({
    'not-json': { 'study.json': '{"format": "protomlp-st' },
    foreign: { 'study.json': '{"hello": 1}' },
    version: { 'study.json': '{"format": "protomlp-study", "version": 7}' },
    'no-study': { 'runs.jsonl': '' },
    empty: {},
  });
  const file = (name: string) => join(dir, name, 'study.json');
  await t.rejects(readStudy(join(dir, 'not-json')), {
    message: `${file('not-json')}: got "{\\"format\\": \\"protomlp-st", expected a study.json written by protomlp sweep (invalid JSON: Unterminated string in JSON at position 23)`,
  });
  await t.rejects(readStudy(join(dir, 'foreign')), {
    message: `${file('foreign')}: format: got nothing, expected "protomlp-study" (a study.json written by protomlp sweep)`,
  });
  await t.rejects(runStudy(study, { out: join(dir, 'foreign') }), {
    message: /format: got nothing, expected "protomlp-study"/,
  });
  await t.rejects(readStudy(join(dir, 'version')), {
    message: `${file('version')}: version: got 7, expected 1`,
  });
  t.chdir(dir);
  await t.rejects(readStudy('empty'), {
    message:
      'study folder: got "empty", expected a folder holding study.json and runs.jsonl (written by protomlp sweep)',
  });
  await t.rejects(runStudy(study, { out: 'no-study' }), {
    message:
      'out: got "no-study", expected a folder without runs.jsonl, or with its study.json (runs.jsonl has no study.json beside it)',
  });
});

t.test('an edited study.json or a line that is not a run of the study is refused', async (t) => {
  const copy = (name: string, edit: (studyJson: string, runs: string[]) => [string, string[]]) => {
    const out = join(root, name);
    mkdirSync(out);
    const [s, r] = edit(readFileSync(join(reference, 'study.json'), 'utf8'), lines(reference));
    writeFileSync(join(out, 'study.json'), s);
    writeFileSync(join(out, 'runs.jsonl'), r.join('\n'));
    return out;
  };
  const edited = copy('edited', (s, r) => [s.replace('"seed": [0,1,2]', '"seed": [0,1,2,3]'), r]);
  await t.rejects(readStudy(edited), {
    message: new RegExp(
      `study.json: studyId: got "${study.studyId}", expected "[0-9a-f]{16}", the id of its grid \\(the file was edited, or written by another version of protomlp\\)$`,
    ),
  });
  const garbage = copy('garbage', (s, r) => [s, [r[0], 'not json', ...r.slice(1)]]);
  await t.rejects(readStudy(garbage), {
    message: `${join(garbage, 'runs.jsonl')} line 2: got "not json", expected one run record (JSON) per line (invalid JSON: Unexpected token 'o', "not json" is not valid JSON)`,
  });
  const foreignRun = { ...JSON.parse(lines(reference)[0]), id: 'ffffffffffffffff' };
  const foreign = copy('foreign-line', (s, r) => [
    s,
    [...r.slice(0, 12), JSON.stringify(foreignRun), ''],
  ]);
  await t.rejects(readStudy(foreign), {
    message: `${join(foreign, 'runs.jsonl')} line 13: id: got "ffffffffffffffff", expected the id of a run of study "small" (${study.studyId})`,
  });
  const mislabelled = structuredClone((await readStudy(reference)).records[0]);
  mislabelled.config.seed = 2;
  const wrongId = copy('wrong-id', (s, r) => [
    s,
    [...r.slice(1, 12), JSON.stringify(mislabelled), ''],
  ]);
  await t.rejects(readStudy(wrongId), {
    message: `${join(wrongId, 'runs.jsonl')} line 12: id: got "${mislabelled.id}", expected "${study.ids[2]}", the id of its config`,
  });
  const duplicated = copy('duplicated', (s, r) => [s, [...r.slice(0, 12), r[0], '']]);
  const read = await readStudy(duplicated);
  t.equal(read.records.length, 12);
  t.same(read.notices, [
    `${join(duplicated, 'runs.jsonl')}: 1 duplicate run lines ignored (the first of each id is kept)`,
  ]);
});

t.test('a diverged run is recorded and the study goes on', async (t) => {
  const out = join(root, 'diverged');
  const s = resolveStudy({ n: 4, lr: [0.01, 1e300], seed: [0, 1], epochs: 20 });
  const summary = await runStudy(s, { out, backend: 'ts' });
  t.match(summary, { done: 4, diverged: 2 });
  const { records } = await readStudy(out);
  t.same(
    records.map((r) => [r.config.lr, r.metrics.diverged]),
    [
      [0.01, false],
      [0.01, false],
      [1e300, true],
      [1e300, true],
    ],
  );
});

t.test('CSV export of the flat metrics', async (t) => {
  const file = join(root, 'runs.csv');
  const { csv, content } = await exportCsv(reference, file);
  t.equal(readFileSync(file, 'utf8'), csv);
  const rows = csv.trimEnd().split('\n');
  t.equal(rows[0], CSV_COLUMNS.join(','));
  t.equal(
    rows[0],
    'id,data,n,hidden,dim,target,init,unit,activation,mask,lambda,tau,tauCov,lr,epochs,seed,recon,spec,fit,cov,sep,ovl,outside,outsideDist,outsideBox,outsideBoxDist,reconUntrained,reconRandom,reconMean,matchedMedian,matchedP90,bestBuddies,reconGreedy,diverged,backend,isa,numerics,wallMs',
  );
  t.equal(rows.length, 13);
  const r = content.records[5];
  const values = rows[6].split(',');
  const cell = (name: string): string => values[CSV_COLUMNS.indexOf(name)];
  t.equal(cell('id'), r.id);
  t.equal(cell('data'), 'uniform');
  t.equal(cell('unit'), 'ridge');
  t.equal(cell('mask'), r.config.mask);
  t.equal(Number(cell('recon')), r.metrics.recon, 'recon round-trips exactly');
  t.equal(cell('outsideBox'), '', 'outsideBox is empty at d = 1');
  t.equal(
    Number(cell('reconUntrained')),
    r.metrics.reconUntrained,
    'reconUntrained round-trips exactly',
  );
  t.equal(Number(cell('reconRandom')), r.metrics.reconRandom);
  t.equal(Number(cell('bestBuddies')), r.metrics.bestBuddies);
  t.equal(Number(cell('reconGreedy')), r.metrics.reconGreedy);
  t.ok(r.metrics.reconRandom! > r.metrics.recon!, 'trained beats random here');
  t.equal(cell('diverged'), 'false');
  // a record stored before the scorecard: the same cells, computed
  const old = structuredClone(r);
  for (const f of SCORECARD_FIELDS) delete old.metrics[f];
  t.equal(toCsv([old]), toCsv([r]));
});
