import t from 'tap';
import { resolveConfig, runId, canonicalMask } from '../src/config.js';

t.test('defaults', async (t) => {
  const c = resolveConfig({ n: 20 });
  t.equal(c.hidden, 20);
  t.equal(c.epochs, 2000);
  t.equal(canonicalMask('sep+cov'), 'cov+sep');
  t.equal(runId(c).length, 16);
});
t.test('bad', async (t) => {
  t.throws(() => resolveConfig({ n: 1 }), { message: 'n: got 1, expected an integer from 2 to 10000' });
});
