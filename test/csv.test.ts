// The one CSV writer: RFC 4180 quoting (quote, comma, CR, LF), empty cells for null/undefined.

import t from 'tap';
import { csvCell, csvText } from '../src/csv.js';

t.test('cells are quoted only when they must be', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell(1.5), '1.5');
  t.equal(csvCell(null), '');
  t.equal(csvCell(undefined), '');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell('cr\rhere'), '"cr\rhere"');
});

t.test('a table ends every line with \\n', async (t) => {
  t.equal(
    csvText(
      ['a', 'b'],
      [
        [1, 'x,y'],
        [null, true],
      ],
    ),
    'a,b\n1,"x,y"\n,true\n',
  );
  t.equal(csvText(['only'], []), 'only\n');
});
