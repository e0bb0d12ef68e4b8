// Data files (--data FILE): CSV and JSON read into a resolved reference (hash, rows, columns),
// every bad file's exact message (file, line, column), scaling, and a changed file refused.

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { dataFile, readDataTable, realData, scaleColumns, unscale } from '../src/datasets/index.js';

t.test(
  'a good CSV file: default columns, BOM, CRLF, quotes, blank lines, extra columns',
  async (t) => {
    const dir = t.testdir({});
    const file = join(dir, 'good.csv');
    const text =
      '\uFEFFid,x1,x2,y,note\r\n1, 0.5 ,"-1",2,a\r\n\r\n2,1.5e0,+3,4,b\r\n3,.25,0,-1,c\r\n';
    writeFileSync(file, text);
    const ref = dataFile(file);
    t.same(ref, {
      file,
      sha256: createHash('sha256').update(text).digest('hex'),
      rows: 3,
      xCols: ['x1', 'x2'],
      yCol: 'y',
      scale: 'minmax',
    });
    const table = readDataTable(ref);
    t.same(Array.from(table.x), [0.5, -1, 1.5, 3, 0.25, 0]);
    t.same(Array.from(table.y), [2, 4, -1]);
    const chosen = dataFile(file, { xCols: ['x2', 'id'], yCol: 'x1', scale: 'none' });
    t.same([chosen.xCols, chosen.yCol, chosen.scale], [['x2', 'id'], 'x1', 'none']);
    t.same(
      Array.from(readDataTable(chosen).x),
      [-1, 1, 3, 2, 0, 3],
      'columns in the order asked for',
    );
  },
);

t.test('a good JSON file', async (t) => {
  const dir = t.testdir({
    'good.json':
      '{\n  "x": [[1, 2], [3, 4], [5, 6]],\n  "y": [0.5, -0.5, 1e-3],\n  "note": "other keys are ignored"\n}\n',
  });
  const ref = dataFile(join(dir, 'good.json'), { scale: 'standard' });
  t.same([ref.rows, ref.xCols, ref.yCol, ref.scale], [3, ['x1', 'x2'], 'y', 'standard']);
  const { data, source } = realData(ref);
  t.same(Array.from(data.y), [0.5, -0.5, 1e-3]);
  // standard: mean 3 and 4, population sd sqrt(8/3)
  const sd = Math.sqrt(8 / 3);
  t.same(source.transform, { shift: [3, 4], factor: [sd, sd] });
  t.ok(Math.abs(data.x[0] + 2 / sd) < 1e-15);
  t.same(Object.keys(source), ['path', 'sha256', 'rows', 'columns', 'scale', 'transform']);
});

t.test('scaling: minmax to [-1, 1], constant columns, and back to file units', async (t) => {
  const x = Float64Array.of(0, 10, 7, 4, 30, 7);
  const minmax = scaleColumns(x, 2, 3, 'minmax');
  t.same(Array.from(minmax.x), [-1, -1, 0, 1, 1, 0]);
  t.same(minmax.transform, { shift: [2, 20, 7], factor: [2, 10, 1] });
  t.same(Array.from(unscale(minmax.x, 3, minmax.transform)), Array.from(x));
  const none = scaleColumns(x, 2, 3, 'none');
  t.same(Array.from(none.x), Array.from(x));
});

t.test('every bad file: one message naming the file, the line and the column', async (t) => {
  const dir = t.testdir({});
  const f = (name: string, content: string | Buffer): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const many = `x1,y\n${Array.from({ length: 10001 }, (_, i) => `${i},0`).join('\n')}\n`;
  const wide = `${Array.from({ length: 65 }, (_, k) => `x${k + 1}`).join(',')},y\n${'1,'.repeat(65)}1\n${'2,'.repeat(65)}2\n`;
  const cases: [string, () => unknown, string][] = [
    [
      'extension',
      () => dataFile(join(dir, 'data.txt')),
      `file: got ${JSON.stringify(join(dir, 'data.txt'))}, expected a .csv or .json data file`,
    ],
    [
      'missing',
      () => dataFile(join(dir, 'nope.csv')),
      `file: got ${JSON.stringify(join(dir, 'nope.csv'))}, expected an existing data file (no such file)`,
    ],
    [
      'scale',
      () => dataFile(f('s.csv', 'x1,y\n1,2\n3,4\n'), { scale: 'log' as never }),
      'scale: got "log", expected one of minmax, standard, none',
    ],
    [
      'empty',
      () => dataFile(f('empty.csv', '')),
      `${join(dir, 'empty.csv')}: got "", expected a CSV file: a header line, then at least 2 data rows`,
    ],
    [
      'blank lines only',
      () => dataFile(f('blank.csv', '\n\n')),
      `${join(dir, 'blank.csv')}: got "\\n\\n", expected a CSV file: a header line, then at least 2 data rows`,
    ],
    [
      'header only',
      () => dataFile(f('header.csv', 'x1,x2,y\n')),
      `${join(dir, 'header.csv')}: data rows: got 0, expected at least 2`,
    ],
    [
      'one row',
      () => dataFile(f('one.csv', 'x1,y\n1,2\n')),
      `${join(dir, 'one.csv')}: data rows: got 1, expected at least 2`,
    ],
    [
      'too many rows',
      () => dataFile(f('many.csv', many)),
      `${join(dir, 'many.csv')}: data rows: got 10001, expected at most 10000 (the N limit)`,
    ],
    [
      'too many columns',
      () => dataFile(f('wide.csv', wide)),
      `${join(dir, 'wide.csv')}: input columns: got 65, expected at most 64 (the d limit)`,
    ],
    [
      'non-numeric',
      () => dataFile(f('text.csv', 'x1,x2,y\n1,2,3\n4,abc,6\n')),
      `${join(dir, 'text.csv')} line 3, column 2 (x2): got "abc", expected a finite number`,
    ],
    [
      'NaN',
      () => dataFile(f('nan.csv', 'x1,y\n1,2\nNaN,4\n')),
      `${join(dir, 'nan.csv')} line 3, column 1 (x1): got "NaN", expected a finite number`,
    ],
    [
      'Infinity',
      () => dataFile(f('inf.csv', 'x1,y\n1,Infinity\n3,4\n')),
      `${join(dir, 'inf.csv')} line 2, column 2 (y): got "Infinity", expected a finite number`,
    ],
    [
      'overflow',
      () => dataFile(f('big.csv', 'x1,y\n1e999,2\n3,4\n')),
      `${join(dir, 'big.csv')} line 2, column 1 (x1): got "1e999", expected a finite number`,
    ],
    [
      'empty cell',
      () => dataFile(f('hole.csv', 'x1,y\n1,\n3,4\n')),
      `${join(dir, 'hole.csv')} line 2, column 2 (y): got "", expected a finite number`,
    ],
    [
      'ragged',
      () => dataFile(f('ragged.csv', 'x1,x2,y\n1,2,3\n\n4,5\n')),
      `${join(dir, 'ragged.csv')} line 4: cells: got 2, expected 3 (as many as the header)`,
    ],
    [
      'missing default columns',
      () => dataFile(f('cols.csv', 'a,b\n1,2\n3,4\n')),
      `${join(dir, 'cols.csv')} line 1: columns: got ["a","b"], expected x1..xd and y in the header (or choose columns with xCols and yCol)`,
    ],
    [
      'missing y',
      () => dataFile(f('noy.csv', 'x1,x2\n1,2\n3,4\n')),
      `${join(dir, 'noy.csv')} line 1: columns: got ["x1","x2"], expected x1..xd and y in the header (or choose columns with xCols and yCol)`,
    ],
    [
      'missing --x-cols column',
      () => dataFile(f('named.csv', 'x1,x2,y\n1,2,3\n4,5,6\n'), { xCols: ['x1', 'x9'] }),
      `xCols: got "x9", expected a column of ${join(dir, 'named.csv')} (its header: x1, x2, y)`,
    ],
    [
      'missing --y-col column',
      () => dataFile(join(dir, 'named.csv'), { yCol: 'z' }),
      `yCol: got "z", expected a column of ${join(dir, 'named.csv')} (its header: x1, x2, y)`,
    ],
    [
      'y among the inputs',
      () => dataFile(join(dir, 'named.csv'), { yCol: 'x1' }),
      'yCol: got "x1", expected a column that is not also an input column (xCols: x1, x2)',
    ],
    [
      'repeated header name',
      () => dataFile(f('dup.csv', 'x1,y,x1\n1,2,3\n4,5,6\n')),
      `${join(dir, 'dup.csv')} line 1, column 3: got "x1", expected a column name not used before in the header`,
    ],
    [
      'bad quotes',
      () => dataFile(f('quote.csv', 'x1,y\n1,x"2\n3,4\n')),
      `${join(dir, 'quote.csv')} line 2: got "Invalid Opening Quote", expected well-formed CSV (quotes only around a whole cell, and closed)`,
    ],
    [
      'not UTF-8',
      () =>
        dataFile(
          f(
            'latin1.csv',
            Buffer.concat([Buffer.from('x1,y\n1,2\n3,'), Buffer.from([0xe9]), Buffer.from('4\n')]),
          ),
        ),
      `${join(dir, 'latin1.csv')} line 3, column 3: got "0xe9", expected UTF-8 text (this byte starts or continues no valid UTF-8 character)`,
    ],
    [
      'not UTF-8 after a valid character',
      () =>
        dataFile(
          f(
            'mixed.csv',
            Buffer.concat([
              Buffer.from('x1,y\n"\u00e9",2\n3,'),
              Buffer.from([0xff]),
              Buffer.from('4\n'),
            ]),
          ),
        ),
      `${join(dir, 'mixed.csv')} line 3, column 3: got "0xff", expected UTF-8 text (this byte starts or continues no valid UTF-8 character)`,
    ],
    [
      'JSON: empty',
      () => dataFile(f('empty.json', ' \n')),
      `${join(dir, 'empty.json')}: got " \\n", expected a JSON data file {"x": [[numbers], ...], "y": [numbers]}`,
    ],
    [
      'JSON: invalid',
      () => dataFile(f('bad.json', '{"x": [[1]], "y": }')),
      `${join(dir, 'bad.json')} line 1, column 19: got "}", expected valid JSON (ValueExpected; NaN and Infinity are not JSON numbers)`,
    ],
    [
      'JSON: NaN',
      () => dataFile(f('nan.json', '{"x": [[1], [2]],\n "y": [1, NaN]}')),
      `${join(dir, 'nan.json')} line 2, column 11: got "NaN", expected valid JSON (InvalidSymbol; NaN and Infinity are not JSON numbers)`,
    ],
    [
      'JSON: overflow',
      () => dataFile(f('big.json', '{"x": [[1], [1e999]], "y": [1, 2]}')),
      `${join(dir, 'big.json')} line 1, column 14 (x[1][0]): got "1e999", expected a finite number`,
    ],
    [
      'JSON: string',
      () => dataFile(f('str.json', '{"x": [[1, "a"], [2, 3]], "y": [1, 2]}')),
      `${join(dir, 'str.json')} line 1, column 12 (x[0][1]): got "a", expected a finite number`,
    ],
    [
      'JSON: not an object',
      () => dataFile(f('array.json', '[1, 2]')),
      `${join(dir, 'array.json')} line 1, column 1 (the top level): got "array", expected an object {"x": [[numbers], ...], "y": [numbers]}`,
    ],
    [
      'JSON: missing y',
      () => dataFile(f('noy.json', '{"x": [[1], [2]]}')),
      `${join(dir, 'noy.json')}: "y": got nothing, expected a key "y" in the top-level object {"x": [[numbers], ...], "y": [numbers]}`,
    ],
    [
      'JSON: ragged',
      () => dataFile(f('ragged.json', '{"x": [[1, 2],\n  [3, 4],\n  [5]], "y": [1, 2, 3]}')),
      `${join(dir, 'ragged.json')} line 3, column 3 (x[2]): numbers: got 1, expected 2 (as many as x[0])`,
    ],
    [
      'JSON: y length',
      () => dataFile(f('ylen.json', '{"x": [[1], [2], [3]], "y": [1, 2]}')),
      `${join(dir, 'ylen.json')} line 1, column 29 (y): values: got 2, expected 3 (one per row of x)`,
    ],
    [
      'JSON: one row',
      () => dataFile(f('one.json', '{"x": [[1]], "y": [1]}')),
      `${join(dir, 'one.json')}: data rows: got 1, expected at least 2`,
    ],
    [
      'JSON: empty row',
      () => dataFile(f('emptyrow.json', '{"x": [[], [1]], "y": [1, 2]}')),
      `${join(dir, 'emptyrow.json')} line 1, column 8 (x[0]): got "an empty array", expected an array of numbers (the inputs of row 0)`,
    ],
    [
      'JSON: --x-cols',
      () => dataFile(join(dir, 'str.json'), { xCols: ['a'] }),
      'xCols: got "a", expected nothing for a JSON data file (its inputs are "x")',
    ],
    [
      'JSON: --y-col',
      () => dataFile(join(dir, 'str.json'), { yCol: 'b' }),
      'yCol: got "b", expected nothing for a JSON data file (its target is "y")',
    ],
  ];
  for (const [label, call, message] of cases)
    t.throws(call, { name: 'ValidationError', message }, label);
});

t.test('a file changed since it was resolved is refused, saying so', async (t) => {
  const dir = t.testdir({ 'd.csv': 'x1,y\n1,2\n3,4\n' });
  const file = join(dir, 'd.csv');
  const ref = dataFile(file);
  writeFileSync(file, 'x1,y\n1,2\n3,5\n');
  const now = createHash('sha256').update('x1,y\n1,2\n3,5\n').digest('hex');
  t.throws(() => readDataTable(ref), {
    message: `data file ${file}: got "content with sha256 ${now.slice(0, 16)}...", expected the content it had when the runs were made (sha256 ${ref.sha256.slice(0, 16)}...): the file has changed since; restore it, or start a new study (another \`out\`) for the new content`,
  });
  t.not(dataFile(file).sha256, ref.sha256, 'resolved again: a new identity');
});
