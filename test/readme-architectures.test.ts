// The README section "Beyond the paper: other architectures" (src/readme/architectures.ts): a row
// per panel read from the reports' claims.json, the paper neuron named, C3/C5 with their numbers;
// a folder without the reports is refused with the one message format.

import t from 'tap';
import { join } from 'node:path';
import { architecturesSnippet } from '../src/readme/architectures.js';
import { buildReport } from '../src/report/build.js';
import { readStudy, runStudy } from '../src/study/index.js';
import { MASKS } from '../src/config.js';

const dir = t.testdir({});

t.test('a row per panel, the paper neuron named, C3 and C5 with numbers', async (t) => {
  const grids = {
    architectures: {
      n: [6, 8],
      unit: ['ridge', 'radial'] as const,
      mask: MASKS,
      seed: '0..1',
      epochs: 30,
    },
    widths: { n: [6, 8], widthRatio: [1, 2], mask: MASKS, seed: '0..1', epochs: 30 },
  };
  for (const [name, grid] of Object.entries(grids)) {
    const out = join(dir, name);
    await runStudy({ name, ...grid }, { out, backend: 'ts' });
    await buildReport((await readStudy(out)).records, { out: join(out, 'report'), png: false });
  }
  const markdown = await architecturesSnippet(
    dir,
    { architectures: 1.5, widths: 2.5 },
    { file: join(dir, 'section.md'), imagesDir: join(dir, 'images'), linkBase: 'images' },
  );
  t.match(markdown, /trained in 1\.5 s and `--preset widths` .* in 2\.5 s/);
  t.match(markdown, /\n\| ridge gaussian \(the paper's\), d = 1 \| 32 \|/);
  t.match(markdown, /\n\| radial, d = 1 \| 32 \|/);
  t.match(markdown, /\n\| d = 1, H = 2N \| 32 \|/);
  t.match(
    markdown,
    /\*\*(held|not held)\*\* \(4\/4 pairs|\*\*(held|not held)\*\* \(\d/,
    'C3 with its numbers',
  );
  t.notMatch(markdown, /!\[/, 'no pictures when the reports have no PNGs');
});

t.test('a folder without the reports is refused', async (t) => {
  await t.rejects(architecturesSnippet(join(dir, 'nothing'), { architectures: 1, widths: 1 }), {
    message:
      /^architectures folder: got ".*nothing", expected a folder written by scripts\/readme-architectures\.mjs/,
  });
});
