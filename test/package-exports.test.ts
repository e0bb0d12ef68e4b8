// The package's entry points as an app loads them: `protomlp`, `protomlp/study` and
// `protomlp/report`, each through types, import, require and default conditions; require() from a
// .cjs file gives the same names as import (no module of the package, nor of what it loads at
// import time, has a top-level await), and a run trains through it.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from './helpers/package.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'require', 'require.cjs');
const SUBPATHS = {
  '.': 'protomlp',
  './study': 'protomlp/study',
  './report': 'protomlp/report',
} as const;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, Record<string, string> | string>;
};

t.test(
  'every entry point has types, import, require and default conditions, to built files',
  async (t) => {
    t.same(Object.keys(pkg.exports).sort(), ['.', './package.json', './report', './study']);
    for (const subpath of Object.keys(SUBPATHS)) {
      const entry = pkg.exports[subpath] as Record<string, string>;
      t.same(
        Object.keys(entry),
        ['types', 'import', 'require', 'default'],
        `${subpath}: conditions in resolution order (types first, default last)`,
      );
      for (const [condition, file] of Object.entries(entry))
        t.ok(existsSync(join(ROOT, file)), `${subpath} ${condition}: ${file} is built`);
    }
  },
);

t.test(
  'require() from a .cjs file loads every entry point, with the names import gives',
  async (t) => {
    const r = spawnSync(process.execPath, [FIXTURE], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    t.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<'root' | 'study' | 'report', string[]> & {
      record: { id: string; n: number };
    };
    const keys = { '.': 'root', './study': 'study', './report': 'report' } as const;
    for (const [subpath, specifier] of Object.entries(SUBPATHS)) {
      const imported = Object.keys(
        await import(join(ROOT, (pkg.exports[subpath] as Record<string, string>).import)),
      ).sort();
      t.same(
        got[keys[subpath as keyof typeof keys]],
        imported,
        `require('${specifier}') has the ${imported.length} names of import`,
      );
    }
    t.ok(
      got.root.includes('trainRun') &&
        got.study.includes('runStudy') &&
        got.report.includes('buildReport'),
      'the main function of each',
    );
    t.match(got.record, { id: /^[0-9a-f]{16}$/, n: 3 }, 'a run trained through require()');
  },
);
