// The typed files a report and the pipelines write, read back by their checked readers:
// claims.json round-trips (with the outside fraction at the largest N that the README reads), and
// a file of another version, a wrong field or a missing one is refused in the one message format
// (field, value, what is allowed), never read by position or cast.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MASKS, maskTerms } from '../src/config.js';
import { parseBeyondLog } from '../src/pipelines/beyond.js';
import { parseReproduceLog } from '../src/pipelines/reproduce.js';
import { buildReport } from '../src/report/build.js';
import { CLAIMS_JSON_VERSION, parseClaimsJson, readClaimsJson } from '../src/report/claims-json.js';
import { parseTunedClaims, parseTuneJson } from '../src/report/tune-json.js';
import { fabricate } from './helpers/report-records.js';

const records = fabricate({
  masks: MASKS,
  sizes: [3, 10],
  seeds: 4,
  metrics: (c, u) => ({
    recon: (maskTerms(c.mask).cov ? 0.01 : 0.05) * (1 + u),
    spec: 0.5 + 0.1 * u,
    outside: maskTerms(c.mask).ovl ? 0.3 + 0.1 * u : 0.05 * u,
  }),
});
const missing = { field: 'folder', value: 'x', allowed: 'a report folder' };

t.test('claims.json is versioned and reads back as it was written', async (t) => {
  const out = t.testdir({});
  const { analysis } = await buildReport(records, { out, png: false });
  const file = join(out, 'claims.json');
  const json = await readClaimsJson(file, missing);
  t.equal(json.version, CLAIMS_JSON_VERSION);
  t.same(
    json.claims.map((c) => c.status),
    analysis.claims.map((c) => c.status),
  );
  t.same(JSON.parse(readFileSync(file, 'utf8')), json, 'nothing dropped or added by the reader');
  const outside = json.panels[0].outsideAtLargestN!;
  t.equal(outside.n, 10, 'the largest N');
  const cell = analysis.tables!.cells.find((c) => c.n === 10 && c.mask === 'ovl')!;
  t.equal(outside.masks.find((m) => m.mask === 'ovl')!.mean, cell.stats.outside.mean);
  t.same(
    outside.masks.map((m) => m.mask),
    MASKS,
    'every mask, in table order',
  );
});

t.test(
  'another version, a wrong field or a missing file is refused, naming the field',
  async (t) => {
    const out = t.testdir({});
    await buildReport(records, { out, png: false });
    const text = readFileSync(join(out, 'claims.json'), 'utf8');
    const json = () => JSON.parse(text);
    t.throws(() => parseClaimsJson({ ...json(), version: undefined }, 'c.json'), {
      message:
        'c.json: version: got nothing, expected 1 (a file of another protomlp version: write it again with this one)',
    });
    t.throws(() => parseClaimsJson({ ...json(), version: 2 }, 'c.json'), {
      message: /^c\.json: version: got 2, expected 1 /,
    });
    const bad = json();
    bad.panels[0].claims[2].status = 'maybe';
    t.throws(() => parseClaimsJson(bad, 'c.json'), {
      message:
        'c.json: panels[0].claims[2].status: got "maybe", expected one of "held", "not held", "not testable with these runs"',
    });
    const noMean = json();
    noMean.panels[0].outsideAtLargestN.masks[0].mean = '0.1';
    t.throws(() => parseClaimsJson(noMean, 'c.json'), {
      message:
        'c.json: panels[0].outsideAtLargestN.masks[0].mean: got "0.1", expected a finite number',
    });
    await t.rejects(readClaimsJson(join(out, 'nothing.json'), missing), {
      message: 'folder: got "x", expected a report folder',
    });
    writeFileSync(join(out, 'broken.json'), '{');
    await t.rejects(readClaimsJson(join(out, 'broken.json'), missing), {
      message: /broken\.json: got "\{", expected JSON/,
    });
  },
);

t.test('the logs and the tune files are checked the same way', async (t) => {
  t.throws(() => parseReproduceLog({ scale: 'huge' }, 'r.json'), {
    message: 'r.json: scale: got "huge", expected one of "full", "tiny"',
  });
  t.throws(() => parseBeyondLog({ lambdaSweep: { runs: 1 }, tune: {}, tuneCheck: {} }, 'b.json'), {
    message: 'b.json: lambdaSweep.points: got nothing, expected a finite number',
  });
  t.throws(
    () => parseTunedClaims({ version: 1, alpha: 0.05, fitMargin: 0.01, perN: 3 }, 't.json'),
    {
      message: 't.json: perN: got 3, expected an array',
    },
  );
  t.throws(() => parseTuneJson({ best: [{ n: 5, mask: 'nope' }] }, 'tune.json'), {
    message: /^tune\.json: best\[0\]\.mask: got "nope", expected one of "base"/,
  });
});
