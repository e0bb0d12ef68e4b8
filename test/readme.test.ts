// The README's examples, run as written: shell lines that call quick `npx protomlp` commands
// (run, info, selftest, --dry-run sweeps), the error example's exact text, and the library snippet.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI } from './helpers/cli.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = (lang: string): string[] => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
const quick = /^npx protomlp (run|info|selftest|sweep .*--dry-run|\S+ --help)\b/;
const dir = mkdtempSync(join(tmpdir(), 'protomlp-readme-'));
// the data file the README's --data example reads
writeFileSync(join(dir, 'my.csv'), `height,weight,age\n${Array.from({ length: 12 }, (_, i) => `${150 + 3 * i},${50 + ((7 * i) % 30)},${20 + i}`).join('\n')}\n`);

t.test('shell examples run as written', async (t) => {
  const lines = blocks('sh').flatMap((b) => b.split('\n')).filter((l) => quick.test(l));
  t.ok(lines.length >= 3, `found ${lines.length} examples`);
  for (const line of lines) {
    // `npx protomlp` is this checkout's CLI; lines run in order in one folder (later ones use earlier files)
    const script = `npx() { shift; node ${JSON.stringify(CLI)} "$@"; }\n${line}`;
    const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, PROTOMLP_BACKEND: 'ts' } });
    t.equal(r.status, 0, `${line}\n${r.stderr}`);
  }
});

t.test('the error example prints what the README shows', async (t) => {
  const example = blocks('text').find((b) => b.startsWith('$ npx protomlp'));
  t.ok(example);
  const [command, ...expected] = (example as string).trim().split('\n');
  const args = command.replace('$ npx protomlp ', '').split(' ');
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  t.equal(r.stderr.trim(), expected.join('\n'));
});

t.test('the library example runs', async (t) => {
  const code = blocks('ts')[0].replace("from 'protomlp'", `from ${JSON.stringify(new URL('../dist/src/index.js', import.meta.url).href)}`);
  const file = join(dir, 'example.mjs');
  writeFileSync(file, code);
  const out = execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, PROTOMLP_BACKEND: 'ts' } });
  t.equal(out.trim().split('\n').length, 4, out);
});
