// The public API as its declarations say it (TypeScript's checker over src/): the root
// (`protomlp`) is a small set of names re-exported one by one, and every name of the root and of
// `protomlp/study` has TSDoc with an example at its declaration. README and docs generators are
// not public.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import ts from 'typescript';
import { ROOT } from './helpers/package.js';

const ENTRIES = { root: 'src/index.ts', study: 'src/study/index.ts' } as const;
const program = ts.createProgram(
  Object.values(ENTRIES).map((e) => join(ROOT, e)),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  },
);
const checker = program.getTypeChecker();

/** Each exported name of an entry file with its declaration's documentation and tags. */
function exportsOf(entry: string): { name: string; doc: string; example: boolean }[] {
  const module = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, entry))!)!;
  return checker.getExportsOfModule(module).map((s) => {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    return {
      name: s.name,
      doc: ts.displayPartsToString(target.getDocumentationComment(checker)).trim(),
      example: target.getJsDocTags(checker).some((tag) => tag.name === 'example'),
    };
  });
}

t.test('the root re-exports its names one by one, about 50 of them', async (t) => {
  t.notMatch(
    readFileSync(join(ROOT, ENTRIES.root), 'utf8'),
    /export \*/,
    'no export * in src/index.ts',
  );
  const names = exportsOf(ENTRIES.root).map((e) => e.name);
  t.ok(names.length >= 30 && names.length <= 60, `${names.length} names`);
  for (const name of [
    'trainRun',
    'trainRuns',
    'resolveConfig',
    'evaluateRun',
    'selectBackend',
    'dataFile',
    'ValidationError',
    'RunRecord',
  ])
    t.ok(names.includes(name), `the root has ${name}`);
  for (const name of [
    'runStudy',
    'buildReport',
    'spliceSection',
    'beyondWeightsSnippet',
    'fontFiles',
    'recordStart',
    'prepareJob',
  ])
    t.notOk(names.includes(name), `the root has no ${name}`);
});

t.test('every name of the root and of protomlp/study is documented, with an example', async (t) => {
  for (const [label, entry] of Object.entries(ENTRIES)) {
    for (const e of exportsOf(entry)) {
      t.ok(e.doc.length > 0, `${label}: ${e.name} has TSDoc`);
      t.ok(e.example, `${label}: ${e.name} has an @example`);
    }
  }
});
