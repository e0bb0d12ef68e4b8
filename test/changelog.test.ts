// CHANGELOG.md is for users: its newest section is the version package.json ships, and every
// numerics version the package can write is named in it.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { numericsId } from '../src/numerics.js';

const root = new URL('../', import.meta.url);
const changelog = readFileSync(new URL('CHANGELOG.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  version: string;
  files: string[];
};

t.test('the newest section is the version package.json ships', async (t) => {
  const versions = [...changelog.matchAll(/^## (\d+\.\d+\.\d+)/gm)].map((m) => m[1]);
  t.equal(versions[0], pkg.version, `CHANGELOG.md's first section is ${pkg.version}`);
  t.ok(pkg.files.includes('CHANGELOG.md'), 'and it is packed');
});

t.test('every numerics version the package writes is named', async (t) => {
  for (const version of [numericsId('native'), numericsId('ts')])
    t.match(changelog, `\`${version}\``, version);
});
