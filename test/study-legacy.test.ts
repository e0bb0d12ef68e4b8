// Folders written by protomlp 0.1.0, whose run ids hashed every field (test/fixtures/legacy-0.1.0):
// read correctly under the current ids (runs that differed only in ignored fields are one run) and
// merged into a current-format folder; their TS runs are numerics ts/1, so a sweep of this version
// (ts/2) does not resume them and a current shard does not merge with them.

import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { identityConfig, runId } from '../src/config.js';
import type { RunRecord } from '../src/record.js';
import { mergeStudies, readStudy, resolveStudy, runStudy } from '../src/study/index.js';
import { legacyRunId } from '../src/study/legacy.js';
import { cli } from './helpers/cli.js';

const FIXTURE = new URL('./fixtures/legacy-0.1.0/', import.meta.url).pathname;
/** The grid the fixture was made from; 24 grid points, 14 distinct runs. */
const study = resolveStudy({
  name: 'legacy',
  n: 5,
  mask: ['base', 'cov', 'sep'],
  lambda: [0.01, 0.1],
  tau: [0.001, 0.01],
  epochs: 30,
  seed: '0..1',
});
const rawLines = (dir: string): RunRecord[] =>
  readFileSync(join(dir, 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const root = t.testdir({});
/** A writable copy of one of the fixture's folders. */
const copy = (name: string, as = name): string => {
  const dir = join(root, as);
  cpSync(join(FIXTURE, name), dir, { recursive: true });
  return dir;
};

t.test('the fixture is what 0.1.0 wrote: 24 lines under ids that hash every field', async (t) => {
  const lines = rawLines(join(FIXTURE, 'whole'));
  t.equal(lines.length, 24);
  t.ok(
    lines.every((r) => r.id === legacyRunId(r.config)),
    '0.1.0 ids',
  );
  t.equal(
    lines.filter((r) => r.id !== runId(r.config)).length,
    10,
    'base away from lambda 0.1 or tau 0.001, cov at tau 0.01: 10 ids differ from the current ones',
  );
  t.equal(study.points, 24);
  t.equal(study.runs.length, 14);
});

t.test(
  'a 0.1.0 folder is read correctly: one record per current id, in the current form',
  async (t) => {
    const { study: read, records, missing, notices } = await readStudy(join(FIXTURE, 'whole'));
    t.equal(
      read.studyId,
      study.studyId,
      'its study.json (0.1.0 study id) is read as the current study of its grid',
    );
    t.same(
      records.map((r) => r.id),
      study.ids,
      'the 14 runs, canonical order',
    );
    t.same(missing, []);
    t.same(
      notices.map((n) => n.replace(/^.*runs\.jsonl: /, '')),
      [
        '10 records written by protomlp 0.1.0 (ids that counted ignored fields) read under their current ids',
        '10 duplicate run lines ignored (the first of each id is kept)',
      ],
    );
    for (const r of records) {
      t.equal(r.id, runId(r.config));
      t.same(r.config, identityConfig(r.config), `${r.id}: ignored fields at their defaults`);
    }
    // every 0.1.0 line is, once read, exactly the record of its run kept from a line whose id did not
    // change: the ignored field really was ignored (same parameters), and the inactive term values
    // are recomputed at the default temperature to the bit
    const kept = new Map(records.map((r) => [r.id, r]));
    const lines = rawLines(join(FIXTURE, 'whole'));
    const unchanged = new Map(lines.filter((r) => r.id === runId(r.config)).map((r) => [r.id, r]));
    t.equal(unchanged.size, 14, 'the 14 runs each have one line whose id did not change');
    for (const line of lines.filter((r) => r.id !== runId(r.config))) {
      const twin = unchanged.get(runId(line.config))!;
      t.same(
        line.final,
        twin.final,
        `${line.config.mask} lambda ${line.config.lambda} tau ${line.config.tau}: same parameters as its twin`,
      );
    }
    // read with the changed lines first, each run's record is the same as from its unchanged line
    const reordered = join(root, 'changed-first');
    mkdirSync(reordered);
    cpSync(join(FIXTURE, 'whole', 'study.json'), join(reordered, 'study.json'));
    const changed = lines.filter((r) => r.id !== runId(r.config));
    writeFileSync(
      join(reordered, 'runs.jsonl'),
      [...changed, ...unchanged.values()].map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
    const fromChanged = await readStudy(reordered);
    t.equal(fromChanged.records.length, 14);
    for (const r of fromChanged.records) {
      t.same(
        { ...r, wallMs: 0 },
        { ...kept.get(r.id)!, wallMs: 0 },
        `${r.config.mask} lambda ${r.config.lambda} seed ${r.config.seed}: the same record whichever line came first`,
      );
    }
  },
);

t.test(
  "a sweep into a 0.1.0 folder: its TS runs are ts/1, not this TS backend's ts/2, so nothing is resumed",
  async (t) => {
    const dir = copy('whole');
    await t.rejects(runStudy(study, { out: dir, backend: 'ts' }), {
      message: /a folder of runs made with ts\/2, .* it holds 14 runs made with numerics ts\/1/,
    });
    const summary = await runStudy(study, { out: dir, backend: 'ts', retrain: true });
    t.match(summary, { done: 14, skipped: 0, studyRuns: 14 }, 'with retrain: every run again');
    const { records, missing, numerics } = await readStudy(dir);
    t.equal(records.length, 14);
    t.same(missing, []);
    t.equal(numerics, 'ts/2');
  },
);

t.test(
  'merge: 0.1.0 shards, or a 0.1.0 shard with a current one, give a current folder',
  async (t) => {
    const out = join(root, 'merged');
    const merged = await mergeStudies([join(FIXTURE, 'shard-0'), join(FIXTURE, 'shard-1')], out);
    t.match(merged, { records: 14, missing: 0 });
    t.equal(
      merged.duplicates,
      0,
      'no id in both shards: the repeats (one run under several 0.1.0 ids) are within each shard',
    );
    const lines = rawLines(out);
    t.same(
      lines.map((r) => r.id),
      study.ids,
      'current ids, canonical order',
    );
    t.ok(
      lines.every(
        (r) =>
          r.id === runId(r.config) &&
          JSON.stringify(r.config) === JSON.stringify(identityConfig(r.config)),
      ),
    );
    t.equal(
      JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')).studyId,
      study.studyId,
      'a current study.json',
    );
    const { notices } = await readStudy(out);
    t.same(notices, [], 'nothing left to upgrade');
    // a current shard of the same study is of other numerics (ts/2): not merged with a 0.1.0 one
    const current = join(root, 'current-shard-1');
    await runStudy(study, { out: current, backend: 'ts', shard: { index: 1, count: 2 } });
    await t.rejects(mergeStudies([join(FIXTURE, 'shard-0'), current], join(root, 'mixed')), {
      message: /got "runs made with numerics ts\/2", expected runs made with ts\/1/,
    });
  },
);

t.test('the CLI: merge of 0.1.0 shards; the lambda-sweep dry run', async (t) => {
  const out = join(root, 'cli-merged');
  const merged = cli(['merge', join(FIXTURE, 'shard-0'), join(FIXTURE, 'shard-1'), '--out', out]);
  t.equal(merged.status, 0, merged.stderr);
  t.match(
    merged.stdout,
    /merged 2 folders into .*: study legacy, 14 of 14 runs, 0 duplicates dropped/,
  );
  for (const shard of ['shard-0', 'shard-1']) {
    t.match(
      merged.stderr,
      `${shard}/runs.jsonl: 5 records written by protomlp 0.1.0 (ids that counted ignored fields) read under their current ids`,
    );
    t.match(
      merged.stderr,
      `${shard}/runs.jsonl: 5 duplicate run lines ignored (the first of each id is kept)`,
    );
  }
  const dry = cli(['sweep', '--preset', 'lambda-sweep', '--dry-run']);
  t.equal(dry.status, 0, dry.stderr);
  t.match(
    dry.stdout,
    /^study lambda-sweep \(id [0-9a-f]{16}\): 1500 runs \(1680 grid points: points that differ only in a field the run ignores are one run\)/,
  );
});
