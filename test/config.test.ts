import t from 'tap';
import { resolveConfig, runId, canonicalMask } from '../src/config.js';
import { describeValue, ValidationError } from '../src/errors.js';

t.test('defaults', async (t) => {
  const c = resolveConfig({ n: 20 });
  t.equal(c.hidden, 20);
  t.equal(c.epochs, 2000);
  t.equal(canonicalMask('sep+cov'), 'cov+sep');
  t.equal(runId(c).length, 16);
});
t.test('bad', async (t) => {
  t.throws(() => resolveConfig({ n: 1 }), {
    message: 'n: got 1, expected an integer from 2 to 10000',
  });
});

t.test('values in messages: paths whole, huge values summarized', async (t) => {
  const path = `/tmp/${'deep/'.repeat(30)}study`;
  t.equal(
    new ValidationError('--out', path, 'a folder').message,
    `--out: got ${JSON.stringify(path)}, expected a folder`,
  );
  t.equal(describeValue('x'.repeat(400)), `${JSON.stringify('x'.repeat(200))}...`);
  t.equal(describeValue(Array.from({ length: 50 }, (_, i) => i)), 'an array of length 50');
  t.equal(describeValue(undefined), 'nothing');
  t.equal(describeValue(NaN), 'NaN');
});
