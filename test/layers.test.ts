// The report's layers, read from the import declarations of src/ (TypeScript's parser): the
// report modules (src/report/, but its entry index.ts) train nothing: they import no pipeline,
// no study runner and neither `runStudy` nor `tune`; the pipelines (src/pipelines/) sit above
// them; this repo's README generators (src/readme/) are above both and not exported. No file of
// these three casts a JSON.parse result: each file they read back has a checked reader.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import ts from 'typescript';
import { ROOT } from './helpers/package.js';

/** Each file of a folder of src/ with its value imports (type-only imports left out): resolved path and names. */
function importsOf(dir: string): { file: string; from: string; names: string[] }[] {
  return readdirSync(join(ROOT, 'src', dir))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => {
      const file = join(ROOT, 'src', dir, f);
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
      return source.statements.filter(ts.isImportDeclaration).flatMap((d) => {
        const clause = d.importClause;
        if (clause?.isTypeOnly) return [];
        const spec = (d.moduleSpecifier as ts.StringLiteral).text;
        if (!spec.startsWith('.')) return [];
        const bindings = clause?.namedBindings;
        const names =
          bindings && ts.isNamedImports(bindings)
            ? bindings.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text)
            : ['*'];
        const from = relative(join(ROOT, 'src'), join(ROOT, 'src', dir, spec))
          .split('\\')
          .join('/');
        return [{ file: `src/${dir}/${f}`, from, names }];
      });
    });
}

t.test(
  'the report modules import no pipeline, no runner and neither runStudy nor tune',
  async (t) => {
    const bad = importsOf('report')
      .filter((i) => i.file !== 'src/report/index.ts')
      .filter(
        (i) =>
          i.from.startsWith('pipelines/') ||
          i.from.startsWith('readme/') ||
          i.from === 'study/runner.js' ||
          i.names.some((n) => n === 'runStudy' || n === 'tune'),
      );
    t.same(bad, [], 'src/report/* (but index.ts) trains nothing');
    t.ok(
      importsOf('pipelines').some((i) => i.names.includes('runStudy')),
      'the pipelines do train',
    );
  },
);

t.test('the pipelines do not import the README generators; those are not exported', async (t) => {
  t.same(
    importsOf('pipelines').filter((i) => i.from.startsWith('readme/')),
    [],
    'src/pipelines imports nothing of src/readme',
  );
  const pkg: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  t.notMatch(JSON.stringify((pkg as { exports: unknown }).exports), /readme/, 'no readme entry');
  t.same(
    importsOf('report').filter((i) => i.from.startsWith('readme/')),
    [],
    'src/report/index.ts re-exports no README generator',
  );
});

t.test('no JSON.parse result is cast in the report, the pipelines or the generators', async (t) => {
  for (const dir of ['report', 'pipelines', 'readme']) {
    for (const f of readdirSync(join(ROOT, 'src', dir)).filter((x) => x.endsWith('.ts'))) {
      const text = readFileSync(join(ROOT, 'src', dir, f), 'utf8');
      t.notMatch(text, /JSON\.parse\([^;]*\)\s*as\s/, `src/${dir}/${f}`);
    }
  }
  // the check can fail
  t.match('x = JSON.parse(await readFile(f)) as BeyondLog;', /JSON\.parse\([^;]*\)\s*as\s/);
});

t.test('analysis is pure and below rendering; rendering is below the writers', async (t) => {
  const above = (i: { from: string }, dirs: string[]) => dirs.some((d) => i.from.startsWith(d));
  // render/format.js is the one number formatter, below everything: a verdict carries its numbers as text
  t.same(
    importsOf('analysis')
      .filter((i) => i.from !== 'render/format.js')
      .filter((i) => above(i, ['render/', 'report/', 'pipelines/', 'readme/'])),
    [],
    'src/analysis/* imports no renderer, writer, pipeline or README generator',
  );
  const io = readdirSync(join(ROOT, 'src', 'analysis')).filter((f) =>
    /from 'node:(fs|fs\/promises|child_process)'/.test(
      readFileSync(join(ROOT, 'src', 'analysis', f), 'utf8'),
    ),
  );
  t.same(io, [], 'src/analysis/* does no I/O: records in, typed results out');
  t.same(
    importsOf('render').filter((i) => above(i, ['report/', 'pipelines/', 'readme/'])),
    [],
    'src/render/* imports no writer, pipeline or README generator',
  );
});
